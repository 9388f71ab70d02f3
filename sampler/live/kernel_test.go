package live

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/headroom-dev/headroom/sampler/cgroup"
	"github.com/shirou/gopsutil/v3/cpu"
	"github.com/shirou/gopsutil/v3/net"
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

// cgroupFixture lays out a proc root for pid 4242 in the fixture's
// system.slice/app.service and the cgroup2 mount of testdata/cgroup.
func cgroupFixture(t *testing.T, procCgroup string) *cgroup.Reader {
	t.Helper()
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "sys/fs/cgroup"), os.DirFS("../testdata/cgroup")); err != nil {
		t.Fatal(err)
	}
	mi, _ := os.ReadFile("../testdata/mountinfo.txt")
	for name, body := range map[string]string{"proc/self/mountinfo": string(mi), "proc/4242/cgroup": procCgroup} {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := cgroup.NewReader(cgroup.Options{ProcRoot: filepath.Join(root, "proc"), HostRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestOwnLimits(t *testing.T) {
	cg, _ := os.ReadFile("../testdata/proc/self/cgroup")
	r := cgroupFixture(t, string(cg))
	l := ownLimits(r, 4242, 4, 8<<30)
	if l == nil || l.Cores != 1.5 || l.Memory != 512<<20 {
		t.Fatalf("limits = %+v; want 1.5 cores, 512 MiB (the tightest of the group and its parent)", l)
	}
	// Limits at or above the host's are no limits.
	if l := ownLimits(r, 4242, 1, 256<<20); l != nil {
		t.Errorf("limits above the host's reported: %+v", l)
	}
	if l := ownLimits(nil, 4242, 4, 8<<30); l != nil {
		t.Errorf("limits without cgroups: %+v", l)
	}
	if l := ownLimits(r, 4243, 4, 8<<30); l != nil {
		t.Errorf("limits of a process that is gone: %+v", l)
	}
	// In the root group nothing bounds the machine.
	if l := ownLimits(cgroupFixture(t, "0::/\n"), 4242, 4, 8<<30); l != nil {
		t.Errorf("limits in the root group: %+v", l)
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

// Rates are counters' growth per second; a counter that went back (a
// reset, a wrap) adds nothing rather than a huge figure, and loopback is
// not network traffic.
func TestNetRates(t *testing.T) {
	prev := []net.IOCountersStat{{Name: "eth0", BytesRecv: 1000, BytesSent: 5000}, {Name: "lo", BytesRecv: 0}, {Name: "eth1", BytesRecv: 9000}}
	cur := []net.IOCountersStat{{Name: "eth0", BytesRecv: 3000, BytesSent: 5500}, {Name: "lo", BytesRecv: 1 << 30}, {Name: "eth1", BytesRecv: 10}}
	r := netRates(prev, cur, 2)
	if r == nil || r.In != 1000 || r.Out != 250 {
		t.Errorf("rates %+v; want in 1000 B/s (eth0 only: eth1 was reset, lo left out), out 250", r)
	}
	if netRates(nil, cur, 2) != nil || netRates(prev, cur, 0) != nil {
		t.Error("rates without a previous reading or a time between them")
	}
}
