package sampler

import (
	"reflect"
	"slices"
	"time"

	"github.com/headroom-dev/headroom/sampler/saturation"
)

// Snapshots older than the process window go into a compact store, so
// that an hour of history costs about a hundred bytes a second instead of
// the 400-byte Snapshot struct and the small objects each second
// allocates (BenchmarkHistoryHour). What changes every second (the time,
// CPU, memory, load, rates) is held in a pointer-free point, sixty-four
// to a block; per-core figures in the block's one array; what repeats
// (the disk list, pressure, limits, saturation, the app's numbers) in
// small tables that keep one copy while it is unchanged. A read rebuilds
// the Snapshot from them, without allocating, exactly as it was given
// less its processes and control groups, which no chart draws and the
// advisor reads only within its window (the pipeline keeps the process
// window at least that long). Nothing given is ever written: the
// snapshot's slices and pointers are kept as they are, since readers on
// other goroutines may hold copies.

// blockLen is the number of points in a block: a minute at 1 s.
const blockLen = 64

// point is a snapshot's figures that change from one second to the next.
// It holds no pointers: the garbage collector never scans a block's points.
type point struct {
	sec                int64
	nsec               int32
	flags              uint16
	nCore              uint16
	coreOff            uint32
	disks, psi, extra  uint32 // indices into the block's tables
	sat                uint32
	cpu, iowait, steal float64
	uptime, short      float64
	avail, swapUsed    uint64
	nprocs             int64
	load               [3]float64
	io, net            Rates
}

// point flags: which of the optional values a snapshot had.
const (
	hasIO = 1 << iota
	hasNet
	hasPerCore // PerCore was non-nil (possibly empty)
)

// extra is what a snapshot had besides the figures in its point, kept
// once while it repeats.
type extra struct {
	cores     int
	memTotal  uint64
	swapTotal uint64
	limits    *Limits
	probe     []ProbeResult
	loadTest  *LoadStats
	app       AppEvidence
	absent    []string
}

// block is up to blockLen consecutive points and the tables they index.
type block struct {
	loc    *time.Location
	cores  []float64
	disks  [][]Disk
	psis   []*PSI
	sats   []*saturation.Saturation
	extras []*extra
	n      int
	pts    [blockLen]point // last: the collector stops scanning at extras
}

// hourStore is a queue of points in blocks, oldest first.
type hourStore struct {
	blocks []*block
	start  int // points of blocks[0] already dropped
	n      int
	// ragged is set when a block was closed before it was full (the time
	// zone changed), so a point's block is no longer its index / blockLen.
	ragged bool
}

// push adds s (thinned) as the newest point.
func (st *hourStore) push(s *Snapshot) {
	loc := s.Time.Location()
	var b *block
	k := len(st.blocks)
	if k > 0 && st.blocks[k-1].n < blockLen && st.blocks[k-1].loc == loc {
		b = st.blocks[k-1]
	} else {
		if k > 0 && st.blocks[k-1].n < blockLen {
			st.ragged = true
		}
		b = &block{loc: loc}
		st.blocks = append(st.blocks, b)
	}
	var prev *point
	if b.n > 0 {
		prev = &b.pts[b.n-1]
	}
	p := &b.pts[b.n]
	*p = point{sec: s.Time.Unix(), nsec: int32(s.Time.Nanosecond()),
		cpu: s.CPU.Percent, iowait: s.CPU.IOWait, steal: s.CPU.Steal, uptime: s.Uptime, short: s.Short,
		avail: s.Mem.Available, swapUsed: s.Swap.Used, nprocs: int64(s.NProcs), load: s.Load}
	if s.IO != nil {
		p.flags, p.io = p.flags|hasIO, *s.IO
	}
	if s.Net != nil {
		p.flags, p.net = p.flags|hasNet, *s.Net
	}
	if s.CPU.PerCore != nil {
		p.flags |= hasPerCore
		p.nCore = uint16(min(len(s.CPU.PerCore), 1<<16-1))
		if prev != nil && prev.flags&hasPerCore != 0 && slices.Equal(s.CPU.PerCore, b.perCore(prev)) {
			p.coreOff = prev.coreOff
		} else {
			p.coreOff = uint32(len(b.cores))
			b.cores = append(b.cores, s.CPU.PerCore[:p.nCore]...)
		}
	}
	p.disks = intern(&b.disks, s.Disks, equalSlices[Disk])
	p.psi = intern(&b.psis, s.PSI, func(a, b *PSI) bool { return a == b || a != nil && b != nil && samePSI(*a, *b) })
	nsat := len(b.sats)
	p.sat = intern(&b.sats, s.Saturation, func(a, b *saturation.Saturation) bool { return a == b || reflect.DeepEqual(a, b) })
	if len(b.sats) > nsat && nsat > 0 { // a new one: keep its unchanged parts once
		b.sats[p.sat] = shareSaturation(s.Saturation, b.sats[nsat-1])
	}
	e := &extra{cores: s.CPU.Cores, memTotal: s.Mem.Total, swapTotal: s.Swap.Total, limits: s.Limits,
		probe: s.Probe, loadTest: s.LoadTest, app: s.AppEvidence, absent: s.Absent}
	p.extra = intern(&b.extras, e, func(a, b *extra) bool { return reflect.DeepEqual(a, b) })
	b.n++
	st.n++
}

// intern is the index of v in the table: the last entry's when equal to
// it, else a new one. Only the last is compared: what repeats, repeats
// from one second to the next.
func intern[T any](table *[]T, v T, eq func(a, b T) bool) uint32 {
	if k := len(*table); k > 0 && eq((*table)[k-1], v) {
		return uint32(k - 1)
	}
	*table = append(*table, v)
	return uint32(len(*table) - 1)
}

// perCore is p's per-core figures, sharing the block's array (capped, so
// an append by a reader copies).
func (b *block) perCore(p *point) []float64 {
	if p.flags&hasPerCore == 0 {
		return nil
	}
	if p.nCore == 0 {
		return []float64{} // empty, not absent, even where the array is still nil
	}
	end := int(p.coreOff) + int(p.nCore)
	return b.cores[p.coreOff:end:end]
}

// dropOldest forgets the oldest point.
func (st *hourStore) dropOldest() {
	if st.n == 0 {
		return
	}
	st.start++
	st.n--
	if b := st.blocks[0]; st.start == b.n && (b.n == blockLen || len(st.blocks) > 1) {
		st.blocks[0] = nil
		st.blocks = st.blocks[1:]
		st.start = 0
	}
	if st.n == 0 {
		*st = hourStore{}
	}
}

// find is the block and point of the i-th point held, 0 the oldest.
func (st *hourStore) find(i int) (*block, *point) {
	i += st.start
	if !st.ragged {
		b := st.blocks[i/blockLen]
		return b, &b.pts[i%blockLen]
	}
	for _, b := range st.blocks {
		if i < b.n {
			return b, &b.pts[i]
		}
		i -= b.n
	}
	panic("sampler: hour store index out of range")
}

// time is the i-th point's time.
func (st *hourStore) time(i int) time.Time {
	b, p := st.find(i)
	return time.Unix(p.sec, int64(p.nsec)).In(b.loc)
}

// snapshot rebuilds the i-th point's snapshot.
func (st *hourStore) snapshot(i int) Snapshot {
	b, p := st.find(i)
	e := b.extras[p.extra]
	s := Snapshot{Time: time.Unix(p.sec, int64(p.nsec)).In(b.loc),
		CPU:   CPU{Cores: e.cores, Percent: p.cpu, PerCore: b.perCore(p), IOWait: p.iowait, Steal: p.steal},
		Mem:   Memory{Total: e.memTotal, Available: p.avail},
		Swap:  Swap{Total: e.swapTotal, Used: p.swapUsed},
		Disks: b.disks[p.disks], Load: p.load, Uptime: p.uptime, PSI: b.psis[p.psi],
		Limits: e.limits, Probe: e.probe, LoadTest: e.loadTest, Saturation: b.sats[p.sat],
		AppEvidence: e.app, Short: p.short, NProcs: int(p.nprocs), Absent: e.absent}
	// The rates point into the block, so a read allocates nothing.
	if p.flags&hasIO != 0 {
		s.IO = &p.io
	}
	if p.flags&hasNet != 0 {
		s.Net = &p.net
	}
	return s
}

// shareSaturation is s with the parts equal to prev's (the listeners, the
// disks' busy time, the descriptor counts) taken from prev: the kernel's
// counters change nearly every second on a busy host, but seldom all of
// them. s itself is copied, not written: a reader may hold it.
func shareSaturation(s, prev *saturation.Saturation) *saturation.Saturation {
	if s == nil || prev == nil {
		return s
	}
	c := *s
	c.Listeners = sameSlice(c.Listeners, prev.Listeners)
	c.ListenOverflows, c.ListenDrops = SamePtr(c.ListenOverflows, prev.ListenOverflows), SamePtr(c.ListenDrops, prev.ListenDrops)
	c.OOMKills = SamePtr(c.OOMKills, prev.OOMKills)
	c.OOMVictims, c.Disks = sameSlice(c.OOMVictims, prev.OOMVictims), sameSlice(c.Disks, prev.Disks)
	if reflect.DeepEqual(c.FDs, prev.FDs) {
		c.FDs = prev.FDs
	} else if c.FDs != nil && prev.FDs != nil && reflect.DeepEqual(c.FDs.Top, prev.FDs.Top) {
		fds := *c.FDs
		fds.Top = prev.FDs.Top
		c.FDs = &fds
	}
	if reflect.DeepEqual(c.Workers, prev.Workers) {
		c.Workers = prev.Workers
	}
	c.Unknown = sameSlice(c.Unknown, prev.Unknown)
	return &c
}

// sameSlice is old when it holds what v does.
func sameSlice[T comparable](v, old []T) []T {
	if equalSlices(v, old) {
		return old
	}
	return v
}

// equalSlices is slices.Equal telling nil and empty apart, as a snapshot read
// back must.
func equalSlices[T comparable](a, b []T) bool {
	return slices.Equal(a, b) && (a == nil) == (b == nil)
}

// samePSI compares two PSI readings by value.
func samePSI(a, b PSI) bool {
	return a.CPU == b.CPU && a.Memory == b.Memory && a.IO == b.IO &&
		SamePtr(a.MemFull, b.MemFull) == b.MemFull && SamePtr(a.IOFull, b.IOFull) == b.IOFull
}

// SamePtr is old when it points to the same value as v: a collector or a
// store keeps one copy of a value that did not change, which is safe since
// a snapshot's values are never written.
func SamePtr[T comparable](v, old *T) *T {
	if v != nil && old != nil && *v == *old {
		return old
	}
	return v
}
