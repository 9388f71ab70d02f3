package sampler

import "slices"

// Snapshots older than the process window are thinned, so that an hour of
// history costs a few hundred bytes a second instead of nine kilobytes
// (BenchmarkHistoryHour): the process list goes (as it always did), and
// so do the control groups, which no chart draws and the advisor reads
// only within its window (the pipeline keeps the process window at least
// that long); what repeats from one second to the next (an unchanged disk
// list, per-core figures, pressure, rates, limits) shares
// the previous snapshot's copy instead of each holding its own.

// thin drops what the hour-long part of the history does not need from
// s, sharing repeated strings with prev (the snapshot before it, already
// thinned; nil for none).
func thin(s, prev *Snapshot) {
	s.Procs = nil
	s.ProcLimits = nil
	s.Services = nil
	// Only whole fields are swapped for the previous snapshot's: the
	// elements of s's slices are shared with copies readers hold (At,
	// WindowAt), so they are never written. The disks' names come shared
	// from the source (live keeps them while the mounts are unchanged).
	if prev != nil {
		if slices.Equal(s.Disks, prev.Disks) {
			s.Disks = prev.Disks
		}
		if slices.Equal(s.CPU.PerCore, prev.CPU.PerCore) {
			s.CPU.PerCore = prev.CPU.PerCore
		}
		if s.PSI != nil && prev.PSI != nil && samePSI(*s.PSI, *prev.PSI) {
			s.PSI = prev.PSI
		}
		s.IO, s.Net, s.Limits = samePtr(s.IO, prev.IO), samePtr(s.Net, prev.Net), samePtr(s.Limits, prev.Limits)
	}
}

// samePSI compares two PSI readings by value.
func samePSI(a, b PSI) bool {
	return a.CPU == b.CPU && a.Memory == b.Memory && a.IO == b.IO &&
		samePtr(a.MemFull, b.MemFull) == b.MemFull && samePtr(a.IOFull, b.IOFull) == b.IOFull
}

// samePtr is old when it points to the same value as v.
func samePtr[T comparable](v, old *T) *T {
	if v != nil && old != nil && *v == *old {
		return old
	}
	return v
}
