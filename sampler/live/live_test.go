package live

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// These tests read the live machine: they assert relations that hold on any
// Linux box, not particular values.

func readMeminfo(t *testing.T) (total, avail uint64) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		v, _ := strconv.ParseUint(fields[1], 10, 64)
		switch fields[0] {
		case "MemTotal:":
			total = v * 1024
		case "MemAvailable:":
			avail = v * 1024
		}
	}
	return
}

// burnCPU keeps this process on the CPU until it has used d of CPU time
// (not wall-clock time), so the next reading must show it busy.
func burnCPU(d time.Duration) {
	var start, now syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &start)
	for {
		for i := 0; i < 100000; i++ {
		}
		syscall.Getrusage(syscall.RUSAGE_SELF, &now)
		if time.Duration(syscall.TimevalToNsec(now.Utime)-syscall.TimevalToNsec(start.Utime)) >= d {
			return
		}
	}
}

// nextOnClock takes the next snapshot, moving the fake clock by step once
// the source waits for it.
func nextOnClock(t *testing.T, l *Live, clock *sampler.FakeClock, step time.Duration) sampler.Snapshot {
	t.Helper()
	type result struct {
		s   sampler.Snapshot
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := l.Next(context.Background())
		ch <- result{s, err}
	}()
	clock.BlockUntil(1)
	clock.Advance(step)
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.s
}

func TestLiveFirstSnapshot(t *testing.T) {
	l, err := New(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// The fake clock starts from now: the baseline New took is in the past
	// of its first reading, as it is for the real clock.
	t0 := time.Now()
	clock := sampler.NewFakeClock(t0)
	l.SetClock(clock)
	burnCPU(60 * time.Millisecond) // the first reading must show CPU use
	s := nextOnClock(t, l, clock, FirstSampleDelay)
	if !s.Time.Equal(t0.Add(FirstSampleDelay)) {
		t.Errorf("first snapshot at %v, want FirstSampleDelay after start", s.Time)
	}
	if s.CPU.Percent <= 0 || len(s.CPU.PerCore) != s.CPU.Cores {
		t.Errorf("first snapshot CPU = %+v; want real figures", s.CPU)
	}
	if s.Short < FirstSampleDelay.Seconds() || s.Short > 0.5 {
		t.Errorf("first snapshot Short = %v, want about %v: its figures cover a short delta", s.Short, FirstSampleDelay.Seconds())
	}
	if s.CPU.Cores != runtime.NumCPU() && (s.Limits == nil || s.Limits.Cores == 0) {
		t.Errorf("cores = %d, runtime.NumCPU() = %d", s.CPU.Cores, runtime.NumCPU())
	}
	total, avail := readMeminfo(t)
	want := float64(total-avail) / float64(total) * 100
	if got := s.MemPercent(); got < want-2 || got > want+2 {
		t.Errorf("memory %% = %.1f, /proc/meminfo says %.1f", got, want)
	}
	if s.Mem.Total != total {
		t.Errorf("mem total %d != MemTotal %d", s.Mem.Total, total)
	}
	if len(s.Disks) == 0 {
		t.Error("no disks")
	}
	for _, d := range s.Disks {
		if d.FSType == "tmpfs" || d.FSType == "proc" || d.Percent() < 0 || d.Percent() > 100 {
			t.Errorf("disk %+v", d)
		}
	}
	self, ok := find(s.Procs, int32(os.Getpid()))
	if !ok || self.CPU <= 0 {
		t.Errorf("own process %+v (found %v); it was busy, its CPU must show", self, ok)
	}
	if s.NProcs != len(s.Procs) || s.NProcs < 2 {
		t.Errorf("nprocs = %d", s.NProcs)
	}

	// The second snapshot comes one interval later, with rates.
	s2 := nextOnClock(t, l, clock, time.Second)
	if gap := s2.Time.Sub(s.Time); gap != time.Second {
		t.Errorf("gap = %v, want the interval", gap)
	}
	if s2.IO == nil || s2.Net == nil {
		t.Errorf("no rates: io %v net %v", s2.IO, s2.Net)
	}
	if s2.Short != 0 {
		t.Errorf("second snapshot Short = %v, want 0 (a full interval)", s2.Short)
	}
}

func TestLiveNextHonoursContext(t *testing.T) {
	l, err := New(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	clock := sampler.NewFakeClock(time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC))
	l.SetClock(clock)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := l.Next(ctx)
		errc <- err
	}()
	clock.BlockUntil(1)
	cancel()
	if err := <-errc; err == nil {
		t.Error("Next did not stop when its context ended")
	}
}

// spawnIdle starts n sleeping processes, killed when the benchmark ends.
func spawnIdle(b *testing.B, n int) {
	b.Helper()
	var cmds []*exec.Cmd
	for i := 0; i < n; i++ {
		c := exec.Command("sleep", "600")
		if err := c.Start(); err != nil {
			b.Fatalf("spawned %d of %d: %v", i, n, err)
		}
		cmds = append(cmds, c)
	}
	b.Cleanup(func() {
		for _, c := range cmds {
			c.Process.Kill()
			c.Wait()
		}
	})
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLiveSample is one full live sample with 1000 extra idle
// processes. cpu-ms/op is CPU time (user+system) per sample; the budget is 8.
func BenchmarkLiveSample(b *testing.B) {
	spawnIdle(b, 1000)
	benchSample(b)
}

// benchSample times full live samples and reports their CPU time.
func benchSample(b *testing.B) {
	l, err := New(time.Second)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	l.Sample()
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	var procs int
	for i := 0; i < b.N; i++ {
		s, err := l.Sample()
		if err != nil {
			b.Fatal(err)
		}
		procs = s.NProcs
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(procs), "procs")
}

func find(procs []sampler.Process, pid int32) (sampler.Process, bool) {
	for _, p := range procs {
		if p.PID == pid {
			return p, true
		}
	}
	return sampler.Process{}, false
}
