package sampler

import (
	"testing"
	"time"
)

func times(ss []Snapshot) []time.Time {
	out := make([]time.Time, len(ss))
	for i, s := range ss {
		out[i] = s.Time
	}
	return out
}

func sameTimes(a, b []Snapshot) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Time.Equal(b[i].Time) || a[i].CPU.Percent != b[i].CPU.Percent {
			return false
		}
	}
	return true
}

// Window, kept up to date between calls, answers what a fresh copy of the
// window does: at a steady interval, across a gap, after several adds
// between calls, for another d, and after a Clear. What it answered
// before is not changed by later calls.
func TestWindowKeptMatchesACopy(t *testing.T) {
	h := NewHistory(100, 100)
	t0 := time.Unix(1000, 0)
	at := t0
	var held [][]Snapshot
	var want [][]Snapshot
	step := func(adds int, gap time.Duration, d time.Duration) {
		t.Helper()
		for i := 0; i < adds; i++ {
			at = at.Add(gap)
			h.Add(Snapshot{Time: at, CPU: CPU{Percent: float64(at.Unix() % 97)}})
		}
		got := h.Window(d)
		w := h.WindowAt(h.newest(), d)
		if !sameTimes(got, w) {
			t.Fatalf("after %v: Window %v, a copy %v", at.Sub(t0), times(got), times(w))
		}
		held, want = append(held, got), append(want, w)
	}
	for i := 0; i < 40; i++ {
		step(1, time.Second, 10*time.Second)
	}
	step(1, 30*time.Second, 10*time.Second) // a gap: the window is the newest alone
	step(5, time.Second, 10*time.Second)    // five added between calls
	step(3, 2*time.Second, 10*time.Second)
	step(1, time.Second, 20*time.Second)   // another d
	step(150, time.Second, 20*time.Second) // more than the history holds
	h.Clear()
	step(3, time.Second, 20*time.Second)
	for i := range held {
		if !sameTimes(held[i], want[i]) {
			t.Fatalf("answer %d changed after later calls: %v, was %v", i, times(held[i]), times(want[i]))
		}
	}
	if w := h.Window(time.Minute); cap(w) != len(w) {
		t.Errorf("cap %d > len %d: a caller's append would write into the shared array", cap(w), len(w))
	}
}

// At a steady interval Window allocates about once per window's worth of
// snapshots, not on every call (the copy it replaced did, 120 kB each).
func TestWindowDoesNotCopyEveryCall(t *testing.T) {
	h := NewHistory(1000, 1000)
	at := time.Unix(1000, 0)
	add := func() {
		at = at.Add(time.Second)
		h.Add(Snapshot{Time: at})
	}
	for i := 0; i < 400; i++ {
		add()
		h.Window(300 * time.Second)
	}
	allocs := testing.AllocsPerRun(300, func() {
		add()
		if n := len(h.Window(300 * time.Second)); n != 300 {
			t.Fatalf("window of %d", n)
		}
	})
	if allocs > 0.05 {
		t.Errorf("%.2f allocations a call, want about one per 300 calls", allocs)
	}
}
