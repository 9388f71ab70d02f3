package sampler

import (
	"math"
	"sync"
	"time"
)

// History is a bounded queue of snapshots, oldest first. System metrics
// are kept for the whole capacity (an hour at 1 Hz by default); process
// lists and control groups only for the newest procKeep snapshots, which
// are held whole in a ring; the older ones go into a compact store
// (history_compact.go), so memory stays small and flat over hours.
//
// One goroutine adds (the pipeline); others may read at any time. Each
// snapshot has a sequence number (the first added is 1), so a reader can
// hold on to a moment while older ones fall out.
type History struct {
	mu       sync.RWMutex
	buf      []Snapshot // the newest, whole: a ring that grows to fullCap as they come (grow)
	fullCap  int
	start    int // ring index of the oldest whole snapshot
	nFull    int
	old      hourStore // the older ones, without processes
	capacity int
	seq      uint64 // sequence number of the newest
	// win is Window's answer as of winSeq, for winD (window.go).
	win    []Snapshot
	winD   time.Duration
	winSeq uint64
}

// Default history bounds: an hour of system metrics, five minutes of process lists.
const (
	DefaultHistorySpan = time.Hour
	DefaultProcsSpan   = 5 * time.Minute
)

// NewHistory keeps up to capacity snapshots, with process lists for the
// newest procKeep of them (all of them when procKeep is negative).
func NewHistory(capacity, procKeep int) *History {
	if capacity < 1 {
		capacity = 1
	}
	full := capacity
	if procKeep >= 0 && procKeep < capacity {
		full = procKeep
	}
	return &History{capacity: capacity, fullCap: full}
}

// grow makes room for one more whole snapshot while the ring is not yet
// at its size. Grown as it fills, a dashboard a minute old holds a few
// kilobytes of it. The ring has not wrapped yet (start is 0), so a copy
// keeps the order.
func (h *History) grow() {
	if h.nFull < len(h.buf) || len(h.buf) == h.fullCap {
		return
	}
	nb := make([]Snapshot, min(max(2*len(h.buf), 64), h.fullCap))
	copy(nb, h.buf)
	h.buf = nb
}

// NewHistoryFor sizes a History for the default spans at the given interval.
func NewHistoryFor(interval time.Duration) *History {
	if interval <= 0 {
		interval = time.Second
	}
	return NewHistory(int(DefaultHistorySpan/interval), int(DefaultProcsSpan/interval))
}

// Add appends a snapshot, dropping the oldest when full, and returns its
// sequence number. The caller trims the process list (apps.TopProcs)
// first: History knows nothing of apps.
func (h *History) Add(s Snapshot) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.fullCap == 0:
		h.old.push(&s)
	case h.nFull < h.fullCap:
		h.grow()
		h.buf[(h.start+h.nFull)%len(h.buf)] = s
		h.nFull++
	default:
		// The oldest whole snapshot leaves the process window: it goes
		// into the compact store, without its processes, and s takes its
		// place in the ring.
		if h.capacity > h.fullCap {
			h.old.push(&h.buf[h.start])
		}
		h.buf[h.start] = s
		h.start = (h.start + 1) % len(h.buf)
	}
	if h.old.n+h.nFull > h.capacity {
		h.old.dropOldest()
	}
	h.seq++
	return h.seq
}

// len is the number of snapshots held, under the lock.
func (h *History) len() int { return h.old.n + h.nFull }

// Cap is the most snapshots the history holds.
func (h *History) Cap() int { return h.capacity }

// Len is the number of snapshots held.
func (h *History) Len() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.len()
}

// At returns the i-th snapshot held, 0 the oldest.
func (h *History) At(i int) Snapshot {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if i < 0 || i >= h.len() {
		return Snapshot{}
	}
	return h.at(i)
}

// Span is the sequence numbers of the oldest and newest snapshots held
// (0, 0 when empty).
func (h *History) Span() (oldest, newest uint64) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.len() == 0 {
		return 0, 0
	}
	return h.seq - uint64(h.len()) + 1, h.seq
}

// index is the ring position of seq, under the lock; ok is false when
// seq is no longer (or not yet) held.
func (h *History) index(seq uint64) (int, bool) {
	if h.len() == 0 || seq > h.seq || seq+uint64(h.len()) <= h.seq {
		return 0, false
	}
	return h.len() - 1 - int(h.seq-seq), true
}

// Get returns the snapshot with sequence number seq, if still held.
func (h *History) Get(seq uint64) (Snapshot, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	i, ok := h.index(seq)
	if !ok {
		return Snapshot{}, false
	}
	return h.at(i), true
}

// Latest is the newest snapshot; ok is false when the history is empty.
func (h *History) Latest() (Snapshot, bool) {
	return h.Get(h.newest())
}

func (h *History) newest() uint64 {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.seq
}

// WindowAt is Window ending at the snapshot with sequence number seq.
func (h *History) WindowAt(seq uint64, d time.Duration) []Snapshot {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.windowAt(seq, d)
}

// windowAt is WindowAt under the lock.
func (h *History) windowAt(seq uint64, d time.Duration) []Snapshot {
	end, ok := h.index(seq)
	if !ok {
		return nil
	}
	last := h.timeAt(end)
	first := end
	for first > 0 && last.Sub(h.timeAt(first-1)) < d {
		first--
	}
	out := make([]Snapshot, 0, end-first+1)
	for i := first; i <= end; i++ {
		out = append(out, h.at(i))
	}
	return out
}

// SeqAt is the sequence number of the newest snapshot taken at or before
// t; ok is false when t is before the oldest held (or nothing is).
func (h *History) SeqAt(t time.Time) (uint64, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	// Snapshots are held in time order: the first one after t, less one.
	lo, hi := 0, h.len()
	for lo < hi {
		mid := (lo + hi) / 2
		if h.timeAt(mid).After(t) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	if lo == 0 {
		return 0, false
	}
	return h.seq - uint64(h.len()-lo), true
}

// at is the i-th snapshot held, 0 the oldest, under the lock.
func (h *History) at(i int) Snapshot {
	if i < h.old.n {
		return h.old.snapshot(i)
	}
	return h.buf[(h.start+i-h.old.n)%len(h.buf)]
}

// timeAt is the time of the i-th snapshot held, under the lock.
func (h *History) timeAt(i int) time.Time {
	if i < h.old.n {
		return h.old.time(i)
	}
	return h.buf[(h.start+i-h.old.n)%len(h.buf)].Time
}

// Series reads m from the n snapshots ending at seq, oldest first; a
// snapshot without the metric reads 0. Fewer than n when fewer are held.
func (h *History) Series(seq uint64, n int, m Metric) []float64 {
	h.mu.RLock()
	defer h.mu.RUnlock()
	end, ok := h.index(seq)
	if !ok {
		return nil
	}
	start := max(0, end-n+1)
	out := make([]float64, 0, end-start+1)
	for i := start; i <= end; i++ {
		v, ok := m(h.at(i))
		if !ok || math.IsNaN(v) {
			v = 0
		}
		out = append(out, v)
	}
	return out
}

// A Metric reads one value from a snapshot; ok is false where the snapshot
// has none (no swap configured, a disk not mounted at that moment).
type Metric func(Snapshot) (v float64, ok bool)

// CPUMetric is system CPU %.
func CPUMetric(s Snapshot) (float64, bool) { return s.CPU.Percent, true }

// MemMetric is memory % as free(1) reads it.
func MemMetric(s Snapshot) (float64, bool) { return s.MemPercent(), s.Mem.Total > 0 }

// SwapMetric is swap %; not ok with no swap.
func SwapMetric(s Snapshot) (float64, bool) { return s.SwapPercent() }

// DiskMetric is the use % of the disk mounted at mount.
func DiskMetric(mount string) Metric {
	return func(s Snapshot) (float64, bool) {
		for _, d := range s.Disks {
			if d.Mount == mount {
				return d.Percent(), true
			}
		}
		return 0, false
	}
}

// WindowStats summarise one metric over a window of snapshots.
type WindowStats struct {
	ValueStats
	Covered time.Duration // from the first to the last sample that had the metric
}

// Values reads m from each snapshot that has it, oldest first.
func Values(snaps []Snapshot, m Metric) []float64 {
	return AppendValues(make([]float64, 0, len(snaps)), snaps, m)
}

// AppendValues is Values appended to dst, for a caller that reuses one
// buffer across metrics.
func AppendValues(dst []float64, snaps []Snapshot, m Metric) []float64 {
	for _, s := range snaps {
		if v, ok := m(s); ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
			dst = append(dst, v)
		}
	}
	return dst
}

// Stats computes WindowStats of m over snaps (oldest first).
func Stats(snaps []Snapshot, m Metric) WindowStats {
	st := WindowStats{ValueStats: StatsOf(Values(snaps, m))}
	var first, last time.Time
	for _, s := range snaps {
		if v, ok := m(s); ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
			if first.IsZero() {
				first = s.Time
			}
			last = s.Time
		}
	}
	st.Covered = last.Sub(first)
	return st
}

// FractionAtLeast is the share (0–1) of samples in snaps whose value of m
// is at or above threshold; samples without the metric are not counted.
func FractionAtLeast(snaps []Snapshot, m Metric, threshold float64) float64 {
	return ShareAtLeast(Values(snaps, m), threshold)
}

// Clear drops every snapshot held, as when a replay jumps to another time;
// sequence numbers go on from where they were, so a reader holding one
// sees it fall out rather than point at another moment.
func (h *History) Clear() {
	h.mu.Lock()
	defer h.mu.Unlock()
	clear(h.buf)
	h.start, h.nFull = 0, 0
	h.old = hourStore{}
	h.win = nil
}
