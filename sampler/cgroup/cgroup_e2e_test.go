package cgroup

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// makeGroup creates dir (parents first) and registers its removal; it skips
// the test when the hierarchy is not writable.
func makeGroup(t *testing.T, dir string) {
	t.Helper()
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("cannot create cgroup %s (needs root and a writable hierarchy): %v", dir, err)
	}
	// Cleanups run last-registered first: children are removed before parents,
	// and after the child process (registered later) has been killed.
	t.Cleanup(func() {
		if err := os.Remove(dir); err != nil && !os.IsNotExist(err) {
			t.Errorf("remove cgroup %s: %v", dir, err)
		}
	})
}

func writeControl(t *testing.T, dir, name, value string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(value), 0o644); err != nil {
		t.Fatalf("write %s/%s: %v", dir, name, err)
	}
}

// TestLiveV1Group puts a `sleep 60` child into a memory- and CPU-limited
// group in this host's v1 hierarchies (and the unified one of a hybrid host)
// and reads it back: name, use, limits, rates, LimitsFor.
func TestLiveV1Group(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create cgroups")
	}
	c := newClock()
	r, err := NewReader(Options{Now: c.now})
	if err != nil {
		t.Skipf("no cgroups here: %v", err)
	}
	h := r.Hierarchies()
	mem, okMem := h.V1["memory"]
	cpu, okCPU := h.V1["cpu"]
	acct, okAcct := h.V1["cpuacct"]
	if !okMem || !okCPU || !okAcct || mem.Root != "/" || cpu.Root != "/" || acct.Root != "/" {
		t.Skipf("needs v1 memory, cpu and cpuacct hierarchies mounted at their roots, have %+v", h.V1)
	}
	slice := fmt.Sprintf("headroom-test-%d.slice", rand.Uint32())
	unit := "app.service"
	// The slice carries the memory limit and the unit the CPU quota, so
	// LimitsFor has to walk up for one of them.
	dirs := []string{mem.Dir, cpu.Dir}
	if acct.Dir != cpu.Dir {
		dirs = append(dirs, acct.Dir)
	}
	// On a hybrid host the unified hierarchy gives the group its own pressure.
	if h.Unified != nil && h.Unified.Root == "/" {
		dirs = append(dirs, h.Unified.Dir)
	}
	for _, d := range dirs {
		makeGroup(t, filepath.Join(d, slice))
		makeGroup(t, filepath.Join(d, slice, unit))
	}
	writeControl(t, filepath.Join(mem.Dir, slice), "memory.limit_in_bytes", strconv.Itoa(64<<20))
	writeControl(t, filepath.Join(cpu.Dir, slice, unit), "cpu.cfs_period_us", "100000")
	writeControl(t, filepath.Join(cpu.Dir, slice, unit), "cpu.cfs_quota_us", "50000")

	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skipf("no sleep binary (apt package coreutils): %v", err)
	}
	cmd := exec.Command(sleep, "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	for _, d := range dirs {
		writeControl(t, filepath.Join(d, slice, unit), "cgroup.procs", strconv.Itoa(pid))
	}

	path := "/" + slice + "/" + unit
	ss, err := r.Read([]int{pid, os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ss, func(s Service) bool { return s.Path == path })
	if i < 0 {
		t.Fatalf("no service at %s in %+v", path, ss)
	}
	s := ss[i]
	if s.Name != unit || s.Kind != KindSystemd || !slices.Equal(s.Members, []int{pid}) || s.CgroupVersion != 1 {
		t.Errorf("service: name %q kind %q members %v version %d", s.Name, s.Kind, s.Members, s.CgroupVersion)
	}
	if f64(s.CPUMaxCores) != 0.5 {
		t.Errorf("cpu_max_cores = %v, want 0.5", f64(s.CPUMaxCores))
	}
	if s.MemoryMax != nil {
		t.Errorf("the unit itself has no memory limit (its slice has): %v", u64(s.MemoryMax))
	}
	if h.Unified != nil && h.Unified.Root == "/" && (s.Pressure == nil || s.Pressure.CPU == nil) {
		t.Errorf("no cpu pressure from the unified group: %+v", s.Pressure)
	}
	if s.MemoryBytes == nil || *s.MemoryBytes > 64<<20 {
		t.Errorf("memory_bytes = %v, want a value under the slice's 64 MiB", u64(s.MemoryBytes))
	}

	c.advance(time.Second)
	ss, err = r.Read([]int{pid})
	if err != nil || len(ss) != 1 {
		t.Fatalf("second read: %v %+v", err, ss)
	}
	if p := ss[0].CPUPct; p == nil || *p < 0 || ss[0].ThrottledPct == nil || ss[0].OOMKills == nil || u64(ss[0].OOMKills) != uint64(0) {
		t.Errorf("second read: cpu %v throttled %v oom %v, want rates and no kills", f64(p), f64(ss[0].ThrottledPct), u64(ss[0].OOMKills))
	}

	l, err := r.LimitsFor(pid)
	if err != nil {
		t.Fatal(err)
	}
	want := Limits{Source: unit, Path: path, Cores: ptr(0.5), CoresFrom: path, MemoryBytes: ptr(uint64(64 << 20)), MemoryFrom: "/" + slice}
	if show(l) != show(want) {
		t.Errorf("LimitsFor:\ngot  %s\nwant %s", show(l), show(want))
	}
}
