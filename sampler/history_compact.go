package sampler

// Snapshots older than the process window are thinned, so that an hour of
// history costs about half a kilobyte a second instead of nine (measured
// by BenchmarkHistoryHour): the process list goes (as it always did), and
// so do the control groups without a limit, which no finding judges and
// no chart draws; the strings that repeat from one second to the next
// (disk mounts and devices, group names and paths) share the previous
// snapshot's copy instead of each holding its own.

// thin drops what the hour-long part of the history does not need from
// s, sharing repeated strings with prev (the snapshot before it, already
// thinned; nil for none).
func thin(s, prev *Snapshot) {
	s.Procs = nil
	s.ProcLimits = nil
	var pd []Disk
	var ps []Service
	if prev != nil {
		pd, ps = prev.Disks, prev.Services
	}
	for i := range s.Disks {
		d := &s.Disks[i]
		if i < len(pd) && pd[i].Mount == d.Mount {
			d.Mount, d.Device, d.FSType = pd[i].Mount, share(d.Device, pd[i].Device), share(d.FSType, pd[i].FSType)
		}
	}
	if len(s.Services) == 0 {
		return
	}
	kept := make([]Service, 0, len(ps))
	for _, g := range s.Services {
		if g.MemoryMax == nil && g.CPUMaxCores == nil {
			continue
		}
		// What the screen alone reads (service.go) goes; what the advisor
		// judges stays, sharing an unchanged value with the second before.
		g.Kind, g.Procs, g.PIDsMax, g.SwapBytes, g.MemPSI, g.CPUPSI, g.MemMaxHits = "", 0, nil, nil, nil, nil, nil
		for _, p := range ps {
			if p.Name == g.Name {
				g.Name, g.Path = p.Name, share(g.Path, p.Path)
				g.MemoryMax, g.CPUMaxCores = samePtr(g.MemoryMax, p.MemoryMax), samePtr(g.CPUMaxCores, p.CPUMaxCores)
				g.OOMKills, g.ThrottledPct, g.PIDs = samePtr(g.OOMKills, p.OOMKills), samePtr(g.ThrottledPct, p.ThrottledPct), samePtr(g.PIDs, p.PIDs)
				break
			}
		}
		kept = append(kept, g)
	}
	if len(kept) == 0 {
		kept = nil
	}
	s.Services = kept
}

// samePtr is old when it points to the same value as v.
func samePtr[T comparable](v, old *T) *T {
	if v != nil && old != nil && *v == *old {
		return old
	}
	return v
}

// share is old when it equals s, so that s's own copy can be freed.
func share(s, old string) string {
	if s == old {
		return old
	}
	return s
}
