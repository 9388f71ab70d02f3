package cgroup

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkRead20Groups reads 20 v2 units of 5 processes each, the services
// view of a busy web host, once per iteration (after a first read, so the
// deltas are computed too).
func BenchmarkRead20Groups(b *testing.B) {
	root := b.TempDir()
	writeFile(b, root, "proc/self/mountinfo", "30 22 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n")
	var pids []int
	for g := 0; g < 20; g++ {
		unit := fmt.Sprintf("sys/fs/cgroup/system.slice/app%02d.service/", g)
		for _, f := range [][2]string{
			{"memory.current", "104857600\n"}, {"memory.max", "536870912\n"}, {"memory.high", "max\n"},
			{"memory.swap.current", "0\n"}, {"memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n"},
			{"cpu.max", "100000 100000\n"}, {"cpu.stat", "usage_usec 100\nnr_periods 10\nnr_throttled 1\n"},
			{"pids.current", "5\n"}, {"pids.max", "max\n"},
			{"cpu.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"},
			{"memory.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"},
			{"io.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"},
		} {
			writeFile(b, root, unit+f[0], f[1])
		}
		for p := 0; p < 5; p++ {
			pid := 1000 + g*10 + p
			writeFile(b, root, filepath.Join("proc", fmt.Sprint(pid), "cgroup"), fmt.Sprintf("0::/system.slice/app%02d.service\n", g))
			pids = append(pids, pid)
		}
	}
	c := newClock()
	r := newFixtureReader(b, root, c)
	ss, err := r.Read(pids)
	if err != nil || len(ss) != 20 {
		b.Fatalf("read %d groups, err %v", len(ss), err)
	}
	b.ResetTimer()
	for b.Loop() {
		c.advance(1e9)
		if _, err := r.Read(pids); err != nil {
			b.Fatal(err)
		}
	}
}
