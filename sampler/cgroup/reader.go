package cgroup

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Service is one control group with processes in it, as the services view
// and `once --json` ("services") show it. Pointers are null when the value is
// unknown or, for limits, when there is no limit.
type Service struct {
	Name string `json:"name"` // "gunicorn.service", a container name, "pod ns/name/container", or the path
	Kind string `json:"kind"` // systemd, docker, podman, containerd, cri-o, kubernetes or path
	// Path is the cgroup path: v1's memory one where set, else the first non-root
	// of cpu, cpuacct, name=systemd and the unified (v2) path.
	Path string `json:"path"`
	// CgroupVersion is 2 when the memory numbers come from the unified hierarchy, 1 from v1's.
	CgroupVersion int `json:"cgroup_version"`
	// Procs is how many of the processes read belong to the group.
	Procs int `json:"procs"`
	// CPUPct is CPU time used over the interval in % of one core (can exceed 100); null on the first read.
	CPUPct *float64 `json:"cpu_pct"`
	// MemoryBytes is memory.current (v2) or memory.usage_in_bytes (v1) as the kernel
	// reports them: both count page cache (the kernel reclaims it at the limit);
	// nothing is subtracted, unlike `docker stats`.
	MemoryBytes *uint64 `json:"memory_bytes"`
	MemoryMax   *uint64 `json:"memory_max"`            // memory.max / memory.limit_in_bytes; null = unlimited
	MemoryHigh  *uint64 `json:"memory_high,omitempty"` // v2 memory.high, where set
	// SwapBytes is memory.swap.current (v2) or memsw.usage − usage (v1, when swap accounting is on).
	SwapBytes   *uint64  `json:"swap_bytes,omitempty"`
	CPUMaxCores *float64 `json:"cpu_max_cores"` // cpu.max or cfs_quota_us/cfs_period_us; null = unlimited
	// ThrottledPct is the share of CPU periods throttled over the interval (Δnr_throttled/Δnr_periods).
	ThrottledPct *float64 `json:"throttled_pct"`
	// OOMKills is the number of processes the kernel killed at this group's limit during the interval.
	OOMKills *uint64 `json:"oom_kills"`
	// MemoryEvents are the memory events over the interval; MemoryEventsTotal the counters since the group began.
	MemoryEvents      *MemoryEvents `json:"memory_events,omitempty"`
	MemoryEventsTotal *MemoryEvents `json:"memory_events_total,omitempty"`
	PIDs              *uint64       `json:"pids"`     // pids.current (tasks, threads included)
	PIDsMax           *uint64       `json:"pids_max"` // pids.max; null = unlimited or unknown
	// Pressure is the group's own PSI (v2 only, and hybrid hosts' unified hierarchy).
	Pressure *Pressure `json:"pressure,omitempty"`
	// Members are the pids read that belong to the group.
	Members []int `json:"-"`
}

// MemoryEvents count a group's memory events. v1 has no "high": Max is its
// memory.failcnt (times usage hit the limit) and OOMKill oom_control's oom_kill.
type MemoryEvents struct {
	High    uint64 `json:"high"`
	Max     uint64 `json:"max"`
	OOMKill uint64 `json:"oom_kill"`
}

// Pressure is the "some" avg10 of a group's own cpu/memory/io.pressure, in %.
type Pressure struct {
	CPU    *float64 `json:"cpu,omitempty"`
	Memory *float64 `json:"memory,omitempty"`
	IO     *float64 `json:"io,omitempty"`
}

// Options configure a Reader; the zero value reads the live machine.
type Options struct {
	ProcRoot string           // "/proc" when empty
	HostRoot string           // prefix for cgroup mounts and container runtime files; "/" when empty
	Now      func() time.Time // time.Now when nil; tests inject their clock
}

// Reader reads the services view and keeps the counters of the previous
// read for the deltas. It is safe for use by several goroutines.
type Reader struct {
	mu       sync.Mutex
	procRoot string
	h        Hierarchies
	names    *names
	now      func() time.Time
	prev     map[string]counters
	prevAt   time.Time
	cache    map[int]*cached // memberships by pid, for ReadProcs (cache.go)
	entries  []*cached       // read's scratch: each process's cache entry
	// byContent and buf are groupOf's memo of resolved cgroup files and its read buffer (procfile.go).
	byContent map[string]resolved
	buf       []byte
	reads     uint64
	listAt    int // misses that make a read list the groups (listed.go)
}

// counters are a group's cumulative counters at one read.
type counters struct {
	usageNs            uint64
	hasUsage           bool
	periods, throttled uint64
	hasThrottle        bool
	events             MemoryEvents
	hasEvents          bool
}

// NewReader finds the cgroup hierarchies from ProcRoot/self/mountinfo.
func NewReader(o Options) (*Reader, error) {
	if o.ProcRoot == "" {
		o.ProcRoot = "/proc"
	}
	if o.HostRoot == "" {
		o.HostRoot = "/"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	mi := filepath.Join(o.ProcRoot, "self/mountinfo")
	b, err := os.ReadFile(mi)
	if err != nil {
		return nil, fmt.Errorf("cgroup: %w", err)
	}
	h, err := ParseMountinfo(b, o.HostRoot)
	if err != nil {
		return nil, fmt.Errorf("cgroup: %s: %w", mi, err)
	}
	if h.Unified == nil && len(h.V1) == 0 {
		return nil, fmt.Errorf("cgroup: no cgroup or cgroup2 filesystem mounted (according to %s)", mi)
	}
	return &Reader{
		procRoot: o.ProcRoot, h: h, now: o.Now, prev: map[string]counters{}, listAt: listAt,
		names: &names{hostRoot: o.HostRoot, containers: map[string]containerInfo{}, pods: map[string]string{}},
	}, nil
}

// Hierarchies returns the cgroup mounts the reader found.
func (r *Reader) Hierarchies() Hierarchies { return r.h }

// group is one cgroup (or, on v1, one combination of controller groups)
// and where its files are.
type group struct {
	path                                     string
	memDir, cpuDir, acctDir, pidsDir, psiDir string
	memV2, cpuV2                             bool
	members                                  []int
}

// resolve finds the directories of a process's groups, preferring a v1
// controller's hierarchy where it is mounted (that is where hybrid hosts
// enforce limits) and the unified one otherwise. The key is "" for the root.
func (r *Reader) resolve(m Membership) (g group, key string) {
	// A group's files are read only below the root: the root's counters are
	// the whole machine's, not those of the processes in it.
	var uni string
	if m.HasUnified && r.h.Unified != nil && m.Unified != "/" {
		uni, _ = r.h.Unified.dir(m.Unified)
	}
	v1 := func(c string) (string, string, bool) {
		p, ok := m.V1[c]
		mt, mounted := r.h.V1[c]
		if !ok || !mounted {
			return "", "", false
		}
		if p == "/" {
			return "", p, true
		}
		d, ok := mt.dir(p)
		return d, p, ok
	}
	var memPath, cpuPath, acctPath string
	var ok bool
	if g.memDir, memPath, ok = v1("memory"); !ok {
		g.memDir, memPath, g.memV2 = uni, m.Unified, true
	}
	if g.cpuDir, cpuPath, ok = v1("cpu"); !ok {
		g.cpuDir, cpuPath, g.cpuV2 = uni, m.Unified, true
	}
	g.acctDir, acctPath, _ = v1("cpuacct")
	if g.pidsDir, _, ok = v1("pids"); !ok {
		g.pidsDir = uni
	}
	g.psiDir = uni
	for _, p := range []string{memPath, cpuPath, acctPath, m.V1["name=systemd"], m.Unified} {
		if p != "" && p != "/" {
			g.path = p
			break
		}
	}
	if g.path == "" {
		return g, ""
	}
	return g, m.Unified + "\x00" + memPath + "\x00" + cpuPath + "\x00" + acctPath
}

// listPIDs lists the numeric entries of the proc root.
func (r *Reader) listPIDs() ([]int, error) {
	entries, err := os.ReadDir(r.procRoot)
	if err != nil {
		return nil, fmt.Errorf("cgroup: list processes: %w", err)
	}
	var pids []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil && pid > 0 {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// membership reads /proc/PID/cgroup.
func (r *Reader) membership(pid int) (Membership, error) {
	b, err := os.ReadFile(filepath.Join(r.procRoot, strconv.Itoa(pid), "cgroup"))
	if err != nil {
		return Membership{}, err
	}
	m, err := ParseProcCgroup(b)
	if err != nil {
		return m, fmt.Errorf("/proc/%d/cgroup: %w", pid, err)
	}
	return m, nil
}

// Read groups the given processes (all of ProcRoot's when pids is nil) by
// cgroup and reads each group's use and limits, sorted by path. Rates are
// over the time since the previous Read, for the groups both reads saw: pass
// the same kind of pid list every interval. Processes
// that vanish or whose cgroup file is unreadable are left out; processes in
// the root group (kernel threads, a host without units) are not a service.
func (r *Reader) Read(pids []int) ([]Service, error) {
	if pids == nil {
		var err error
		if pids, err = r.listPIDs(); err != nil {
			return nil, err
		}
	}
	procs := make([]Proc, len(pids))
	for i, pid := range pids {
		procs[i].PID = pid
	}
	return r.read(procs)
}

// read is Read and ReadProcs.
func (r *Reader) read(procs []Proc) ([]Service, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names.podsListed = false
	groups := map[string]*group{}
	if r.cache == nil {
		r.cache = map[int]*cached{}
	}
	r.reads++
	// One cache lookup a process: the entries are kept for the pass that
	// groups them, after the misses have been counted.
	entries := r.entries[:0]
	misses, first := 0, -1
	for i, p := range procs {
		c := r.cache[p.PID]
		entries = append(entries, c)
		if !r.fresh(p, c) {
			if misses++; first < 0 {
				first = i
			}
		}
	}
	r.entries = entries
	var l *listing
	if first >= 0 {
		l = r.listFor(misses, procs[first])
	}
	for i, p := range procs {
		pid := p.PID
		g, key, err := r.cachedGroup(p, entries[i], l)
		if err != nil || key == "" {
			continue
		}
		if have, ok := groups[key]; ok {
			have.members = append(have.members, pid)
			continue
		}
		g.members = []int{pid}
		groups[key] = &g
	}
	now := r.now()
	dt := now.Sub(r.prevAt)
	next := make(map[string]counters, len(groups))
	out := make([]Service, 0, len(groups))
	for key, g := range groups {
		s, c := r.readGroup(g)
		if p, ok := r.prev[key]; ok && dt > 0 {
			applyDeltas(&s, c, p, dt)
		}
		next[key] = c
		out = append(out, s)
	}
	r.prev, r.prevAt = next, now
	r.prune()
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// readGroup reads one group's files: its state now and its cumulative counters.
func (r *Reader) readGroup(g *group) (Service, counters) {
	s := Service{Path: Sanitize(g.path), Procs: len(g.members), Members: g.members, CgroupVersion: 1}
	name, kind := r.names.name(g.path)
	s.Name, s.Kind = Sanitize(name), kind
	var c counters
	if g.memV2 {
		s.CgroupVersion = 2
		s.MemoryBytes = uintPtr(readUint(g.memDir, "memory.current"))
		s.MemoryMax = limitPtr(readLimit(g.memDir, "memory.max"))
		s.MemoryHigh = limitPtr(readLimit(g.memDir, "memory.high"))
		s.SwapBytes = uintPtr(readUint(g.memDir, "memory.swap.current"))
		if ev, ok := readKeyed(g.memDir, "memory.events"); ok {
			c.events, c.hasEvents = MemoryEvents{High: ev["high"], Max: ev["max"], OOMKill: ev["oom_kill"]}, true
		}
	} else {
		s.MemoryBytes = uintPtr(readUint(g.memDir, "memory.usage_in_bytes"))
		s.MemoryMax = limitPtr(readV1Limit(g.memDir, "memory.limit_in_bytes"))
		if sw, ok := readUint(g.memDir, "memory.memsw.usage_in_bytes"); ok && s.MemoryBytes != nil && sw >= *s.MemoryBytes {
			d := sw - *s.MemoryBytes
			s.SwapBytes = &d
		}
		fail, ok1 := readUint(g.memDir, "memory.failcnt")
		oc, ok2 := readKeyed(g.memDir, "memory.oom_control")
		if ok1 || ok2 {
			c.events, c.hasEvents = MemoryEvents{Max: fail, OOMKill: oc["oom_kill"]}, true
		}
	}
	if c.hasEvents {
		ev := c.events
		s.MemoryEventsTotal = &ev
	}
	if cores, limited, ok := readCPUQuota(g.cpuDir, g.cpuV2); ok && limited {
		s.CPUMaxCores = &cores
	}
	if st, ok := readKeyed(g.cpuDir, "cpu.stat"); ok {
		if u, ok := st["usage_usec"]; ok && g.cpuV2 {
			c.usageNs, c.hasUsage = u*1000, true
		}
		np, ok1 := st["nr_periods"]
		nt, ok2 := st["nr_throttled"]
		if ok1 && ok2 {
			c.periods, c.throttled, c.hasThrottle = np, nt, true
		}
	}
	if !g.cpuV2 || !c.hasUsage {
		if u, ok := readUint(g.acctDir, "cpuacct.usage"); ok {
			c.usageNs, c.hasUsage = u, true
		}
	}
	s.PIDs = uintPtr(readUint(g.pidsDir, "pids.current"))
	s.PIDsMax = limitPtr(readLimit(g.pidsDir, "pids.max"))
	if g.psiDir != "" {
		p := Pressure{
			CPU:    readPressure(g.psiDir, "cpu.pressure"),
			Memory: readPressure(g.psiDir, "memory.pressure"),
			IO:     readPressure(g.psiDir, "io.pressure"),
		}
		if p.CPU != nil || p.Memory != nil || p.IO != nil {
			s.Pressure = &p
		}
	}
	return s, c
}

// applyDeltas fills the per-interval values from this read's and the
// previous read's counters. A counter that went backwards (the group was
// recreated under the same path) gives no value rather than a wrong one.
func applyDeltas(s *Service, c, p counters, dt time.Duration) {
	if c.hasUsage && p.hasUsage && c.usageNs >= p.usageNs {
		pct := float64(c.usageNs-p.usageNs) / float64(dt.Nanoseconds()) * 100
		s.CPUPct = &pct
	}
	if c.hasThrottle && p.hasThrottle && c.periods >= p.periods && c.throttled >= p.throttled {
		pct := 0.0
		if dp := c.periods - p.periods; dp > 0 {
			pct = float64(c.throttled-p.throttled) / float64(dp) * 100
		}
		s.ThrottledPct = &pct
	}
	if c.hasEvents && p.hasEvents && c.events.High >= p.events.High && c.events.Max >= p.events.Max && c.events.OOMKill >= p.events.OOMKill {
		d := MemoryEvents{High: c.events.High - p.events.High, Max: c.events.Max - p.events.Max, OOMKill: c.events.OOMKill - p.events.OOMKill}
		s.MemoryEvents = &d
		s.OOMKills = &d.OOMKill
	}
}

// uintPtr turns a (value, ok) read into a pointer, nil when not ok.
func uintPtr(v uint64, ok bool) *uint64 {
	if !ok {
		return nil
	}
	return &v
}

// limitPtr turns a limit read into a pointer, nil when unlimited or unknown.
func limitPtr(v uint64, limited, ok bool) *uint64 {
	if !ok || !limited {
		return nil
	}
	return &v
}
