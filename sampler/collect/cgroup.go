// Package collect adapts the reader packages (cgroup, saturation, access
// logs, …) to sampler.Collector, one file per kind of evidence, so that the
// readers need not import sampler (the Snapshot fields would cycle).
package collect

import (
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/apps"
	"github.com/headroom-dev/headroom/sampler/cgroup"
	"github.com/headroom-dev/headroom/sampler/text"
)

// Cgroups fills Snapshot.Services (one entry per control group with
// processes: systemd units, containers, pods) and Snapshot.ProcLimits (the
// limits each app-server master runs under, for worker sizing).
type Cgroups struct {
	r *cgroup.Reader
	// prev is the last sample's services by path: what has not changed
	// since shares its values (see share).
	prev map[string]*sampler.Service
}

// NewCgroups finds the machine's cgroup hierarchies; it fails on a host
// without any (the caller then runs without the collector).
func NewCgroups(o cgroup.Options) (*Cgroups, error) {
	r, err := cgroup.NewReader(o)
	if err != nil {
		return nil, err
	}
	return &Cgroups{r: r}, nil
}

// Name is the collector's name, for messages.
func (c *Cgroups) Name() string { return "cgroup" }

// Close releases nothing: the reader holds no open files.
func (c *Cgroups) Close() error { return nil }

// Collect reads the groups of the snapshot's processes. Reading only those
// pids (not /proc again), with their memberships cached by pid and start
// time, keeps the cost low; a process gone since the snapshot is left out.
//
// A short first sample (the one taken 50 ms after launch for a prompt first
// frame) gets the limits but not the services: grouping every process is a
// read of each one's /proc/PID/cgroup, 12 ms at 1000 processes, which the
// first frame would wait for. The services come with the first full interval.
func (c *Cgroups) Collect(s *sampler.Snapshot) {
	c.limits(s)
	if s.Short > 0 {
		return
	}
	procs := make([]cgroup.Proc, 0, len(s.Procs))
	for _, p := range s.Procs {
		procs = append(procs, cgroup.Proc{PID: int(p.PID), Start: p.Start})
	}
	groups, err := c.r.ReadProcs(procs)
	if err != nil {
		return // the services view is then empty: cgroups unreadable is a state, not a failure
	}
	s.Services = make([]sampler.Service, 0, len(groups))
	for _, g := range groups {
		s.Services = append(s.Services, service(g))
	}
	c.share(s.Services)
}

// share points each service's unchanged values (its name and path, a
// limit, a zero count) at the last sample's copies. The history keeps five
// minutes of services for the advisor, and on a server with a few dozen
// units most of each one's dozen values are the same every second: held
// once, they are not a few hundred kilobytes of copies. Values are never
// written once in a snapshot, so sharing them is safe.
func (c *Cgroups) share(svcs []sampler.Service) {
	next := make(map[string]*sampler.Service, len(svcs))
	for i := range svcs {
		s := &svcs[i]
		if p := c.prev[s.Path]; p != nil {
			s.Name, s.Path, s.Kind = sameString(s.Name, p.Name), p.Path, sameString(s.Kind, p.Kind)
			s.CPUPct, s.CPUMaxCores, s.ThrottledPct = sampler.SamePtr(s.CPUPct, p.CPUPct), sampler.SamePtr(s.CPUMaxCores, p.CPUMaxCores), sampler.SamePtr(s.ThrottledPct, p.ThrottledPct)
			s.MemPSI, s.CPUPSI = sampler.SamePtr(s.MemPSI, p.MemPSI), sampler.SamePtr(s.CPUPSI, p.CPUPSI)
			s.MemoryBytes, s.MemoryMax, s.OOMKills = sampler.SamePtr(s.MemoryBytes, p.MemoryBytes), sampler.SamePtr(s.MemoryMax, p.MemoryMax), sampler.SamePtr(s.OOMKills, p.OOMKills)
			s.PIDs, s.PIDsMax, s.SwapBytes, s.MemMaxHits = sampler.SamePtr(s.PIDs, p.PIDs), sampler.SamePtr(s.PIDsMax, p.PIDsMax), sampler.SamePtr(s.SwapBytes, p.SwapBytes), sampler.SamePtr(s.MemMaxHits, p.MemMaxHits)
		}
		next[s.Path] = s
	}
	c.prev = next
}

// sameString is old when equal to s, so that one copy is held.
func sameString(s, old string) string {
	if s == old {
		return old
	}
	return s
}

// limits fills Snapshot.ProcLimits for the app-server masters.
func (c *Cgroups) limits(s *sampler.Snapshot) {
	s.ProcLimits = map[int32]sampler.GroupLimits{}
	for _, a := range apps.Apps(s.Procs) {
		if !apps.IsAppServer(a.Kind) {
			continue
		}
		if l, err := c.r.LimitsFor(int(a.MasterPID)); err == nil {
			s.ProcLimits[a.MasterPID] = groupLimits(l)
		}
	}
}

// service is the snapshot's form of a group.
func service(g cgroup.Service) sampler.Service {
	s := sampler.Service{
		Name: text.Printable(g.Name), Path: text.Printable(g.Path), Kind: g.Kind, Procs: g.Procs,
		CPUPct: g.CPUPct, MemoryBytes: g.MemoryBytes, MemoryMax: g.MemoryMax, CPUMaxCores: g.CPUMaxCores,
		ThrottledPct: g.ThrottledPct, OOMKills: g.OOMKills, PIDs: g.PIDs, PIDsMax: g.PIDsMax, SwapBytes: g.SwapBytes,
	}
	if g.Pressure != nil {
		s.MemPSI, s.CPUPSI = g.Pressure.Memory, g.Pressure.CPU
	}
	if g.MemoryEvents != nil {
		hits := g.MemoryEvents.Max
		s.MemMaxHits = &hits
	}
	return s
}

// groupLimits is the snapshot's form of a process's limits.
func groupLimits(l cgroup.Limits) sampler.GroupLimits {
	g := sampler.GroupLimits{Source: text.Printable(l.Source)}
	if l.Cores != nil {
		g.Cores = *l.Cores
	}
	if l.MemoryBytes != nil {
		g.Memory = *l.MemoryBytes
	}
	return g
}
