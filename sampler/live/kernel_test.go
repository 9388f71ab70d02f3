package live

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/shirou/gopsutil/v3/cpu"
)

func TestParsePressure(t *testing.T) {
	psi := readPSI("../testdata/proc")
	if psi == nil {
		t.Fatal("no sampler.PSI read from the fixture")
	}
	if psi.CPU.Avg10 != 12.5 || psi.CPU.Avg60 != 3.25 {
		t.Errorf("cpu = %+v", psi.CPU)
	}
	if psi.MemFull == nil || psi.MemFull.Avg10 != 1.5 || psi.Memory.Avg60 != 2 {
		t.Errorf("memory = %+v full %+v", psi.Memory, psi.MemFull)
	}
	if psi.IO.Avg10 != 0.3 {
		t.Errorf("io = %+v", psi.IO)
	}
	if readPSI(t.TempDir()) != nil {
		t.Error("PSI from a kernel without /proc/pressure")
	}
	if _, _, err := parsePressure([]byte("full avg10=1.0\n")); err == nil {
		t.Error("no error without a some line")
	}
	if _, _, err := parsePressure([]byte("some avg10=x\n")); err == nil {
		t.Error("no error for a bad number")
	}
}

// cgroupLimits is what Live does: find the directory, read the limits.
func cgroupLimits(procRoot string, hostCores int, hostMem uint64) *sampler.Limits {
	dir, mount, ok := cgroupDir(procRoot)
	if !ok {
		return nil
	}
	return limitsUnder(dir, mount, hostCores, hostMem)
}

func TestCgroupLimits(t *testing.T) {
	root := t.TempDir()
	abs, _ := filepath.Abs("../testdata/cgroup")
	os.MkdirAll(filepath.Join(root, "self"), 0o755)
	cg, _ := os.ReadFile("../testdata/proc/self/cgroup")
	os.WriteFile(filepath.Join(root, "self", "cgroup"), cg, 0o644)
	mi, _ := os.ReadFile("../testdata/mountinfo.txt")
	os.WriteFile(filepath.Join(root, "self", "mountinfo"), []byte(strings.ReplaceAll(string(mi), " /sys/fs/cgroup ", " "+abs+" ")), 0o644)

	l := cgroupLimits(root, 4, 8<<30)
	if l == nil || l.Cores != 1.5 || l.Memory != 512<<20 {
		t.Fatalf("limits = %+v; want 1.5 cores, 512 MiB (the tightest of the group and its parent)", l)
	}
	// Limits at or above the host's are no limits.
	if l := cgroupLimits(root, 1, 256<<20); l != nil {
		t.Errorf("limits above the host's reported: %+v", l)
	}
	if l := cgroupLimits(t.TempDir(), 4, 8<<30); l != nil {
		t.Errorf("limits without a cgroup: %+v", l)
	}
}

func TestParseCgroupFiles(t *testing.T) {
	if _, ok := parseCPUMax([]byte("max 100000\n")); ok {
		t.Error("max is no limit")
	}
	if c, ok := parseCPUMax([]byte("50000 100000\n")); !ok || c != 0.5 {
		t.Errorf("cpu.max 50000/100000 = %v", c)
	}
	if _, ok := parseMemoryMax([]byte("max\n")); ok {
		t.Error("max is no limit")
	}
	if p, ok := cgroupV2Path([]byte("1:cpu:/x\n0::/a/b\n")); !ok || p != "/a/b" {
		t.Errorf("path = %q", p)
	}
	if _, ok := cgroupV2Path([]byte("1:cpu:/x\n")); ok {
		t.Error("v1-only system has a v2 path")
	}
	mi, _ := os.ReadFile("../testdata/mountinfo.txt")
	if m, ok := cgroupV2Mount(mi); !ok || m != "/sys/fs/cgroup" {
		t.Errorf("mount = %q", m)
	}
}

func TestCPUUseLeavesOutGuest(t *testing.T) {
	a := cpu.TimesStat{User: 100, System: 50, Idle: 800, Iowait: 50, Guest: 30}
	// 100 ticks pass: 40 user (of which 20 guest, already in user), 10 iowait, 50 idle.
	b := cpu.TimesStat{User: 140, System: 50, Idle: 850, Iowait: 60, Guest: 50, Steal: 0}
	c := cpuUse(a, b)
	if c.Percent != 40 || c.IOWait != 10 {
		t.Errorf("cpu = %+v; want 40 %% busy, 10 %% iowait", c)
	}
	if z := cpuUse(b, b); z.Percent != 0 {
		t.Errorf("no time passed, got %v", z.Percent)
	}
}

func TestRealMount(t *testing.T) {
	cases := []struct {
		fs, mount string
		want      bool
	}{
		{"ext4", "/", true}, {"xfs", "/data", true}, {"overlay", "/", true},
		{"overlay", "/var/lib/docker/overlay2/x/merged", false}, {"tmpfs", "/dev/shm", false}, {"tmpfs", "/mnt/scratch", false}, {"tmpfs", "/", false}, {"devtmpfs", "/srv", false},
		{"squashfs", "/snap/core/1", false}, {"proc", "/proc", false}, {"ext4", "/snap/x", false},
	}
	for _, c := range cases {
		if got := realMount(c.fs, c.mount); got != c.want {
			t.Errorf("realMount(%s, %s) = %v", c.fs, c.mount, got)
		}
	}
}
