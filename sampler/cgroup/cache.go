package cgroup

// Reading /proc/PID/cgroup is most of a Read's cost (the kernel builds one
// path per hierarchy: ten on a hybrid host), about 15 µs a process. A
// process changes group rarely (systemd and container runtimes place it
// when it starts), so ReadProcs keeps each process's membership, keyed by
// pid and start time (a reused pid is a new process), and reads it again
// only every refreshEvery reads — staggered by pid, so the cost is spread —
// to notice the odd process moved by hand (cgclassify, echo > cgroup.procs).

// refreshEvery is how many reads a cached membership is trusted for.
const refreshEvery = 10

// Proc is a process to group: its pid and its start time (clock ticks after
// boot, /proc/PID/stat field 22); Start 0 means unknown, never cached.
type Proc struct {
	PID   int
	Start uint64
}

// cached is one process's membership and the read it was read at.
type cached struct {
	start uint64
	m     Membership
	read  uint64
}

// ReadProcs is Read for processes whose start times are known: their
// memberships are cached between reads.
func (r *Reader) ReadProcs(procs []Proc) ([]Service, error) {
	return r.read(procs)
}

// cachedMembership is membership through the cache; the caller holds r.mu.
// seen collects the pids of this read, for pruning the ones that are gone.
func (r *Reader) cachedMembership(p Proc, seen map[int]cached) (Membership, error) {
	if p.Start == 0 {
		return r.membership(p.PID)
	}
	if c, ok := r.cache[p.PID]; ok && c.start == p.Start && (r.reads+uint64(p.PID))%refreshEvery != 0 {
		seen[p.PID] = c
		return c.m, nil
	}
	m, err := r.membership(p.PID)
	if err == nil {
		seen[p.PID] = cached{start: p.Start, m: m, read: r.reads}
	}
	return m, err
}
