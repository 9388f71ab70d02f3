package cgroup

// Reading /proc/PID/cgroup is most of a Read's cost (the kernel builds one
// path per hierarchy: ten on a hybrid host), about 15 µs a process. A
// process changes group rarely (systemd and container runtimes place it
// when it starts), so ReadProcs keeps each process's membership, keyed by
// pid and start time (a reused pid is a new process), with the group it
// resolves to, and reads it again only every refreshEvery reads — staggered
// by pid, so the cost is spread — to notice the odd process moved by hand
// (cgclassify, echo > cgroup.procs) within a minute at a 1 s interval. A
// new process is read at once.

// refreshEvery is how many reads a cached membership is trusted for: at
// 1000 processes, 17 files a read instead of 1000.
const refreshEvery = 60

// Proc is a process to group: its pid and its start time (clock ticks after
// boot, /proc/PID/stat field 22); Start 0 means unknown, never cached.
type Proc struct {
	PID   int
	Start uint64
}

// cached is one process's membership, resolved to its group's directories
// and key (resolving allocates: it is done once per membership read).
type cached struct {
	start uint64
	g     group // members always nil
	key   string
	seen  uint64 // the last read that had the process, for pruning the gone
}

// ReadProcs is Read for processes whose start times are known: their
// memberships are cached between reads.
func (r *Reader) ReadProcs(procs []Proc) ([]Service, error) {
	return r.read(procs)
}

// cachedGroup is a process's resolved group: c when the cache can be
// trusted for it this read (fresh), else from the listing or its own file.
// The caller holds r.mu. The cache is updated in place (a map of 1000
// entries rebuilt every read would be most of a read's garbage); prune
// drops the gone.
func (r *Reader) cachedGroup(p Proc, c *cached, l *listing) (group, string, error) {
	if r.fresh(p, c) {
		c.seen = r.reads
		return c.g, c.key, nil
	}
	g, key, listed := l.group(r, p.PID)
	if !listed {
		var err error
		if g, key, err = r.groupOf(p.PID); err != nil {
			return group{}, "", err
		}
	}
	if p.Start != 0 {
		if c == nil {
			c = &cached{}
			r.cache[p.PID] = c
		}
		*c = cached{start: p.Start, g: g, key: key, seen: r.reads}
	}
	return g, key, nil
}

// fresh says whether c, p's cache entry (nil for none), is trusted this read.
func (r *Reader) fresh(p Proc, c *cached) bool {
	return c != nil && p.Start != 0 && c.start == p.Start && (r.reads+uint64(p.PID))%refreshEvery != 0
}

// listFor lists the groups (listed.go) when at least r.listAt processes
// are not fresh in the cache (first is one of them); nil otherwise, or
// when the listing cannot stand in for the processes' own files.
func (r *Reader) listFor(misses int, first Proc) *listing {
	if misses < r.listAt || misses == 0 {
		return nil
	}
	// The hierarchies a membership names are the same for every process.
	shape, err := r.membership(first.PID)
	if err != nil {
		return nil
	}
	return r.listGroups(shape)
}

// prune forgets the processes this read did not have.
func (r *Reader) prune() {
	for pid, c := range r.cache {
		if c.seen != r.reads {
			delete(r.cache, pid)
		}
	}
}
