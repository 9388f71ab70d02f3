package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler/cgroup"
	"github.com/headroom-dev/headroom/sampler/labtest"
)

// cgroupOnce is the part of `once --json` this test reads.
type cgroupOnce struct {
	Verdict  string `json:"verdict"`
	Summary  string `json:"summary"`
	Findings []struct {
		Metric string  `json:"metric"`
		Level  string  `json:"level"`
		Now    float64 `json:"now"`
	} `json:"findings"`
	Workers struct {
		Cores       float64 `json:"cores"`
		MemoryMiB   int     `json:"memory_mib"`
		Running     int     `json:"running"`
		Recommended int     `json:"recommended"`
		LimitSource string  `json:"limit_source"`
	} `json:"workers"`
	Services []map[string]any `json:"services"`
}

// makeCgroup creates a v1 group and registers its removal. Removal waits a
// little: a killed process leaves its group only once it has been reaped.
func makeCgroup(t *testing.T, dir string) {
	t.Helper()
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("cannot create cgroup %s (needs root and a writable v1 hierarchy): %v", dir, err)
	}
	t.Cleanup(func() {
		var err error
		for range 50 {
			if err = os.Remove(dir); err == nil || os.IsNotExist(err) {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Errorf("remove cgroup %s: %v", dir, err)
	})
}

// childrenOf lists the processes whose parent is pid (gunicorn's workers).
func childrenOf(t *testing.T, pid int) []int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		t.Fatalf("children of %d: %v", pid, err)
	}
	var out []int
	for _, f := range strings.Fields(string(b)) {
		n, _ := strconv.Atoi(f)
		out = append(out, n)
	}
	return out
}

// TestCgroupWorkersE2E moves the lab's gunicorn (master and 2 workers) into
// a memory- (300 MiB) and CPU-limited (a quarter core) unit-like group of this
// host's v1 hierarchies, loads it with wrk, and checks that `once --json`
// sizes the workers from that group, lists it under services, and judges it
// against its quota while the machine has room.
func TestCgroupWorkersE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts gunicorn and wrk")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to create cgroups")
	}
	r, err := cgroup.NewReader(cgroup.Options{})
	if err != nil {
		t.Skipf("no cgroups: %v", err)
	}
	h := r.Hierarchies()
	var dirs []string
	for _, c := range []string{"memory", "cpu", "cpuacct", "pids"} {
		mt, ok := h.V1[c]
		if !ok || mt.Root != "/" {
			if c == "memory" || c == "cpu" {
				t.Skipf("needs the v1 %s controller mounted at its root (a v1 or hybrid host), have %+v", c, h.V1)
			}
			continue
		}
		if len(dirs) == 0 || dirs[len(dirs)-1] != mt.Dir {
			dirs = append(dirs, mt.Dir)
		}
	}
	if _, err := os.Stat("/usr/bin/wrk"); err != nil {
		t.Skip("wrk is not installed (testdata/lab/install.sh installs it)")
	}
	isolate(t)
	slice := fmt.Sprintf("headroom-e2e-%d.slice", rand.Uint32())
	unit := "lab-gunicorn.service"
	for _, d := range dirs {
		makeCgroup(t, filepath.Join(d, slice))
		makeCgroup(t, filepath.Join(d, slice, unit))
	}
	mem, cpu := h.V1["memory"].Dir, h.V1["cpu"].Dir
	write := func(dir, file, v string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, slice, unit, file), []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(mem, "memory.limit_in_bytes", strconv.Itoa(300<<20))
	write(cpu, "cpu.cfs_period_us", "100000")
	write(cpu, "cpu.cfs_quota_us", "25000")
	// A high weight, so that on a busy shared machine the group still gets
	// the quarter core its quota allows (and no more).
	for _, d := range []string{filepath.Join(cpu, slice), filepath.Join(cpu, slice, unit)} {
		if err := os.WriteFile(filepath.Join(d, "cpu.shares"), []byte("16384"), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Started after the groups exist, so it is stopped (cleanups run last
	// first) before they are removed.
	lab := labtest.New(t)
	app := lab.App(labtest.AppConfig{Workers: 2})
	pids := append([]int{app.MasterPID}, childrenOf(t, app.MasterPID)...)
	if len(pids) != 3 {
		t.Fatalf("gunicorn %d has %d workers, want 2", app.MasterPID, len(pids)-1)
	}
	for _, d := range dirs {
		for _, pid := range pids {
			write(d, "cgroup.procs", strconv.Itoa(pid))
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wrk := exec.CommandContext(ctx, "/usr/bin/wrk", "-t1", "-c4", "-d20s", app.URL+"/cpu/")
	if err := wrk.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = wrk.Wait() })
	time.Sleep(time.Second) // let the load reach the workers before the window opens

	code, out, stderr := runCLI(t, "once", "--json", "--for", "4s")
	if code == exitBadInput {
		t.Fatalf("once: %s", stderr)
	}
	conforms(t, schemaFor(t, "once"), "once --json with a limited group", []byte(out))
	var a cgroupOnce
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	w := a.Workers
	// A quarter core: cpu-based = min(2 × 0.25 + 1, 4 × 0.25) = 1, below the
	// memory-based count; other gunicorns on the host are not counted.
	if w.LimitSource != unit || w.Cores != 0.25 || w.MemoryMiB != 300 || w.Running != 2 || w.Recommended != 1 {
		t.Errorf("workers = %+v; want sized from %s: 0.25 cores, 300 MiB, 2 running, suggest 1", w, unit)
	}
	var svc map[string]any
	for _, s := range a.Services {
		if s["name"] == unit {
			svc = s
		}
	}
	if svc == nil {
		t.Fatalf("no %s under services: %v", unit, a.Services)
	}
	want := []string{"name", "path", "cpu_pct", "memory_bytes", "memory_max", "cpu_max_cores", "throttled_pct", "oom_kills", "pids"}
	if len(svc) != len(want) {
		t.Errorf("service keys %v, want exactly %v", svc, want)
	}
	if svc["path"] != "/"+slice+"/"+unit || svc["memory_max"] != float64(300<<20) || svc["cpu_max_cores"] != 0.25 {
		t.Errorf("service = %v; want its path, memory_max 300 MiB, cpu_max_cores 0.25", svc)
	}
	if p, _ := svc["pids"].(float64); p < 3 {
		t.Errorf("pids = %v, want the master and workers (threads included)", svc["pids"])
	}
	if c, ok := svc["cpu_pct"].(float64); !ok || c < 15 || c > 30 {
		t.Errorf("cpu_pct = %v: under wrk the group should run at its quarter core", svc["cpu_pct"])
	}
	// At its quota: OPTIMIZE while the machine (2 cores, shared) has room,
	// SCALE only when the machine's CPU is at SCALE too.
	found, machine := false, ""
	for _, f := range a.Findings {
		if f.Metric == "cpu" {
			machine = f.Level
		}
		if f.Metric == "service:"+unit+":cpu" {
			found = true
			if f.Level != "OPTIMIZE" && (f.Level != "SCALE" || machine != "SCALE") {
				t.Errorf("%s = %+v, want OPTIMIZE (SCALE only with the machine's cpu at SCALE; it is %s)", f.Metric, f, machine)
			}
		}
	}
	if !found {
		t.Errorf("no service:%s:cpu finding in %+v", unit, a.Findings)
	}
	if !strings.Contains(a.Summary, unit+" at ") || !strings.Contains(a.Summary, "CPUQuota=25%") {
		t.Errorf("summary does not name the group and its quota: %q", a.Summary)
	}

	// The text form says where the suggestion comes from.
	_, text, _ := runCLI(t, "once", "--for", "1s")
	if !strings.Contains(text, "in "+unit+": 0.25 cores, 300 MiB, running 2 ×") {
		t.Errorf("once text lacks the group in the worker line:\n%s", text)
	}
}
