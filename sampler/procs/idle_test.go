package procs

import (
	"testing"
)

// A process asleep for idleAfter checks is checked every second sample,
// after longIdleAfter every fourth; one that has just run, a threaded one
// (schedstat covers only its main thread) and one without an open
// schedstat are checked every sample.
func TestIdleProcessesCheckedLessOften(t *testing.T) {
	for _, c := range []struct {
		name string
		e    procEntry
		want int // checks in 4 samples
	}{
		{"just ran", procEntry{sfd: 3, threads: 1, idle: 0}, 4},
		{"idle a while", procEntry{sfd: 3, threads: 1, idle: idleAfter - 1}, 4},
		{"idle", procEntry{sfd: 3, threads: 1, idle: idleAfter}, 2},
		{"idle long", procEntry{sfd: 3, threads: 1, idle: longIdleAfter}, 1},
		{"threaded", procEntry{sfd: 3, threads: 4, idle: longIdleAfter}, 4},
		{"no schedstat", procEntry{sfd: -1, threads: 1, idle: longIdleAfter}, 4},
	} {
		tbl := &Table{}
		checks := 0
		for range 4 {
			tbl.round++
			if !tbl.skip(4242, &c.e) {
				checks++
			}
		}
		if checks != c.want {
			t.Errorf("%s: %d checks in 4 samples, want %d", c.name, checks, c.want)
		}
	}
}
