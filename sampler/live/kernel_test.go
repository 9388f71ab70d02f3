package live

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler/cgroup"
	"github.com/shirou/gopsutil/v3/cpu"
	"github.com/shirou/gopsutil/v3/net"
)

func TestParsePressure(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	psi, totals := readPSI("../testdata/proc", t0, nil)
	if psi == nil || totals == nil {
		t.Fatal("no sampler.PSI read from the fixture")
	}
	if psi.CPU.Avg10 != 12.5 || psi.CPU.Avg60 != 3.25 || psi.CPU.HasShare {
		t.Errorf("cpu = %+v; want avg10 12.5, avg60 3.25, no share without a previous reading", psi.CPU)
	}
	if psi.MemFull == nil || psi.MemFull.Avg10 != 1.5 || psi.Memory.Avg60 != 2 {
		t.Errorf("memory = %+v full %+v", psi.Memory, psi.MemFull)
	}
	if psi.IO.Avg10 != 0.3 {
		t.Errorf("io = %+v", psi.IO)
	}
	if p, _ := readPSI(t.TempDir(), t0, nil); p != nil {
		t.Error("PSI from a kernel without /proc/pressure")
	}
	if _, _, _, err := parsePressure([]byte("full avg10=1.0\n")); err == nil {
		t.Error("no error without a some line")
	}
	if _, _, _, err := parsePressure([]byte("some avg10=x\n")); err == nil {
		t.Error("no error for a bad number")
	}
	if _, _, _, err := parsePressure([]byte("some avg10=1 total=x\n")); err == nil {
		t.Error("no error for a bad total")
	}
}

// The share is the stall time between two totals over the time between
// the reads: after a load, avg10 still says 90 % while the last second
// stalled for 1 %; that second is what is judged.
func TestPressureShareSinceTheLastRead(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "pressure"), 0o755)
	write := func(cpuTotal, ioSome, ioFull uint64) {
		os.WriteFile(filepath.Join(dir, "pressure", "cpu"), []byte(fmt.Sprintf("some avg10=90.00 avg60=40.00 avg300=10.00 total=%d\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", cpuTotal)), 0o644)
		os.WriteFile(filepath.Join(dir, "pressure", "io"), []byte(fmt.Sprintf("some avg10=1.00 avg60=1.00 avg300=1.00 total=%d\nfull avg10=1.00 avg60=1.00 avg300=1.00 total=%d\n", ioSome, ioFull)), 0o644)
	}
	t0 := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	write(5_000_000, 100, 50)
	_, prev := readPSI(dir, t0, nil)
	write(5_010_000, 500_100, 250_050) // 10 ms of cpu stall, 500 and 250 ms of io, in 1 s
	psi, _ := readPSI(dir, t0.Add(time.Second), prev)
	if psi == nil || !psi.CPU.HasShare || psi.CPU.Share != 1 || psi.CPU.Now() != 1 || psi.CPU.Avg10 != 90 {
		t.Fatalf("cpu %+v; want a share of 1 %% beside avg10 90", psi.CPU)
	}
	if psi.IO.Share != 50 || psi.IOFull == nil || psi.IOFull.Share != 25 {
		t.Errorf("io %+v full %+v; want 50 %% and 25 %%", psi.IO, psi.IOFull)
	}
	if psi.Memory.HasShare || psi.Memory.Now() != 0 {
		t.Errorf("memory (no file) %+v", psi.Memory)
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
