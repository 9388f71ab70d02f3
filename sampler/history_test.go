package sampler

import (
	"testing"
	"time"
)

func snapAt(sec int, cpu float64) Snapshot {
	return Snapshot{Time: time.Unix(int64(sec), 0).UTC(), CPU: CPU{Cores: 2, Percent: cpu},
		Mem: Memory{Total: 1000, Available: 400}, Procs: []Process{{PID: 1, CPU: cpu}}}
}

func TestHistoryBounded(t *testing.T) {
	h := NewHistory(10, 3)
	for i := 0; i < 25; i++ {
		h.Add(snapAt(i, float64(i)))
	}
	if h.Len() != 10 {
		t.Fatalf("len = %d, want 10", h.Len())
	}
	if h.At(0).CPU.Percent != 15 {
		t.Errorf("oldest = %v, want 15", h.At(0).CPU.Percent)
	}
	if s, _ := h.Latest(); s.CPU.Percent != 24 {
		t.Errorf("latest = %v", s.CPU.Percent)
	}
	for i := 0; i < h.Len(); i++ {
		has := h.At(i).Procs != nil
		if want := i >= h.Len()-3; has != want {
			t.Errorf("snapshot %d has procs %v, want %v", i, has, want)
		}
	}
}

// The ring of whole snapshots is allocated as it fills, and the history
// keeps its order across each growth, once the ring wraps and once the
// compact store behind it fills.
func TestHistoryGrowsAsItFills(t *testing.T) {
	h := NewHistory(300, 250)
	if h.Cap() != 300 || h.At(0).CPU.Percent != 0 {
		t.Fatalf("empty: cap %d, At(0) %v", h.Cap(), h.At(0))
	}
	for i := 0; i < 10; i++ {
		h.Add(snapAt(i, float64(i)))
	}
	if len(h.buf) > 64 {
		t.Errorf("10 snapshots hold a ring of %d", len(h.buf))
	}
	for i := 10; i < 700; i++ {
		h.Add(snapAt(i, float64(i)))
		n := min(i+1, 300)
		if h.Len() != n || h.At(0).CPU.Percent != float64(i+1-n) || h.At(n-1).CPU.Percent != float64(i) {
			t.Fatalf("after %d: len %d, oldest %v, newest %v", i+1, h.Len(), h.At(0).CPU.Percent, h.At(n-1).CPU.Percent)
		}
	}
	if len(h.buf) != 250 {
		t.Errorf("full ring is %d long, want the process window's 250", len(h.buf))
	}
}

func TestHistorySeqAt(t *testing.T) {
	h := NewHistory(10, 3)
	if _, ok := h.SeqAt(time.Unix(5, 0)); ok {
		t.Error("an empty history has a moment")
	}
	for i := 0; i < 25; i += 2 { // seconds 0, 2, …, 24; the last ten held: 6…24
		h.Add(snapAt(i, float64(i)))
	}
	for _, tc := range []struct {
		sec  int64
		want float64 // the CPU of the snapshot found: its second
		ok   bool
	}{{5, 0, false}, {6, 6, true}, {7, 6, true}, {15, 14, true}, {24, 24, true}, {99, 24, true}} {
		seq, ok := h.SeqAt(time.Unix(tc.sec, 0))
		s, _ := h.Get(seq)
		if ok != tc.ok || ok && s.CPU.Percent != tc.want {
			t.Errorf("at %d s: %v, ok %v; want the snapshot of %v s, ok %v", tc.sec, s.CPU.Percent, ok, tc.want, tc.ok)
		}
	}
}

func TestHistoryWindowAndStats(t *testing.T) {
	h := NewHistory(100, 100)
	for i := 0; i < 60; i++ {
		v := 10.0
		if i >= 50 {
			v = 90
		}
		h.Add(snapAt(i, v))
	}
	w := h.Window(20 * time.Second)
	if len(w) != 20 || w[0].Time.Unix() != 40 {
		t.Fatalf("window has %d snapshots from %v", len(w), w[0].Time)
	}
	st := Stats(w, CPUMetric)
	if st.N != 20 || st.Now != 90 || st.Max != 90 || st.Mean != 50 || st.Covered != 19*time.Second {
		t.Errorf("stats = %+v", st)
	}
	if f := FractionAtLeast(w, CPUMetric, 85); f != 0.5 {
		t.Errorf("fraction = %v", f)
	}
	if st := Stats(w, SwapMetric); st.N != 0 || st.Max != 0 {
		t.Errorf("no swap: %+v", st)
	}
	if f := FractionAtLeast(w, SwapMetric, 50); f != 0 {
		t.Errorf("no swap fraction = %v", f)
	}
	if len(h.WindowAt(10, time.Hour)) != 10 {
		t.Error("WindowAt the 10th snapshot")
	}
}

// Sequence numbers name a moment while the ring wraps under it.
func TestHistorySequence(t *testing.T) {
	h := NewHistory(10, 10)
	for i := 1; i <= 25; i++ {
		if seq := h.Add(snapAt(i, float64(i))); seq != uint64(i) {
			t.Fatalf("Add %d returned seq %d", i, seq)
		}
	}
	if oldest, newest := h.Span(); oldest != 16 || newest != 25 {
		t.Errorf("span %d..%d, want 16..25", oldest, newest)
	}
	if s, ok := h.Get(20); !ok || s.CPU.Percent != 20 {
		t.Errorf("Get(20) = %v, %v", s.CPU.Percent, ok)
	}
	if _, ok := h.Get(15); ok {
		t.Error("Get of a snapshot that fell out")
	}
	if _, ok := h.Get(26); ok {
		t.Error("Get of a snapshot not yet added")
	}
	if got := h.Series(20, 3, CPUMetric); len(got) != 3 || got[0] != 18 || got[2] != 20 {
		t.Errorf("Series(20, 3) = %v", got)
	}
	if got := h.Series(17, 5, CPUMetric); len(got) != 2 || got[0] != 16 {
		t.Errorf("Series past the oldest = %v", got)
	}
}

func TestDerivedPercentages(t *testing.T) {
	s := Snapshot{Mem: Memory{Total: 25165824000, Available: 9800000000}}
	if got := s.MemPercent(); got < 61.05 || got > 61.06 {
		t.Errorf("mem %% = %v", got)
	}
	if _, ok := s.SwapPercent(); ok {
		t.Error("no swap configured reads as a percentage")
	}
	s.Swap = Swap{Total: 200, Used: 50}
	if p, ok := s.SwapPercent(); !ok || p != 25 {
		t.Errorf("swap = %v %v", p, ok)
	}
	d := Disk{Total: 270, Used: 130, Free: 126}
	if got := d.Percent(); got < 50.78 || got > 50.79 {
		t.Errorf("disk %% = %v (df's used/(used+free))", got)
	}
	s.CPU.Cores = 4
	s.Limits = &Limits{Cores: 1.5, Memory: 1 << 30}
	if s.Cores() != 1.5 || s.MemoryLimit() != 1<<30 {
		t.Errorf("limits not applied: %v %v", s.Cores(), s.MemoryLimit())
	}
}
