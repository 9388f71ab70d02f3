package collect

import (
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/cgroup"
	"github.com/headroom-dev/headroom/sampler/procs"
)

// BenchmarkCgroups1000 is the cgroup collector's steady cost per sample
// with 1000 extra idle processes (what `record` pays every second);
// BenchmarkCgroupsFirst1000 its first read, which the first frame waits for.
func BenchmarkCgroups1000(b *testing.B) { benchCgroups(b, false) }

// BenchmarkCgroupsFirst1000 is a fresh collector's first read of 1000 extra processes.
func BenchmarkCgroupsFirst1000(b *testing.B) { benchCgroups(b, true) }

func benchCgroups(b *testing.B, first bool) {
	spawnIdle(b, 1000)
	t := procs.NewTable("/proc", time.Now())
	defer t.Close()
	ps, err := t.Sample(time.Now())
	if err != nil {
		b.Fatal(err)
	}
	c, err := NewCgroups(cgroup.Options{})
	if err != nil {
		b.Skip("no cgroups here:", err)
	}
	c.Collect(&sampler.Snapshot{Procs: ps})
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if first {
			b.StopTimer()
			c, _ = NewCgroups(cgroup.Options{})
			b.StartTimer()
		}
		c.Collect(&sampler.Snapshot{Procs: ps})
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// spawnIdle starts n sleeping processes, killed by pid when the benchmark ends.
func spawnIdle(b *testing.B, n int) {
	b.Helper()
	var cmds []*exec.Cmd
	b.Cleanup(func() {
		for _, c := range cmds {
			c.Process.Kill()
			c.Wait()
		}
	})
	for i := 0; i < n; i++ {
		c := exec.Command("sleep", "600")
		if err := c.Start(); err != nil {
			b.Skip("cannot start sleep:", err)
		}
		cmds = append(cmds, c)
	}
}

// cpuTime is this process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
