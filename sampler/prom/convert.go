package prom

import (
	"math"
	"sort"
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/text"
	"github.com/prometheus/common/model"
)

// Have says which parts of a Point's Snapshot came from a series; a part
// without one is absent (zero in the Snapshot, but not "0 %, fine").
type Have uint32

// The parts of a Snapshot a Point can carry.
const (
	HaveCPU    Have = 1 << iota // CPU.Percent
	HaveIOWait                  // CPU.IOWait
	HaveSteal                   // CPU.Steal
	HaveCores                   // CPU.Cores
	HaveMemory                  // Mem.Total and Mem.Available
	HaveSwap                    // Swap.Total (0: no swap configured)
	HaveDisks                   // Disks
	HaveLoad                    // Load
	HaveUptime                  // Uptime
	HavePSI                     // PSI
	HaveIO                      // IO
	HaveNet                     // Net
)

// Point is one instance at one moment.
type Point struct {
	Snapshot sampler.Snapshot
	// Up is Prometheus' up series: the last scrape of the target worked.
	Up bool
	// Have marks the parts of Snapshot that were measured.
	Have Have
}

// LoadPerCore is the 1-minute load over the cores, the mixin's
// instance:node_load1_per_cpu:ratio; ok is false when either is absent.
func (p Point) LoadPerCore() (ratio float64, ok bool) {
	if p.Have&HaveLoad == 0 || p.Have&HaveCores == 0 || p.Snapshot.CPU.Cores <= 0 {
		return 0, false
	}
	return p.Snapshot.Load[0] / float64(p.Snapshot.CPU.Cores), true
}

// raw gathers one instance's values at one moment from all queries.
type raw struct {
	vals  [fPSIIOFull60 + 1]float64
	set   uint64 // bit f: vals[f] came from a series
	disks map[string]*rawDisk
}

// rawDisk is one filesystem's three sizes.
type rawDisk struct {
	device, fstype    string
	size, free, avail float64
	set               uint8 // 1 size, 2 free, 4 avail
}

// collector files query results under instance and time.
type collector struct {
	at map[string]map[model.Time]*raw
}

func newCollector() *collector { return &collector{at: map[string]map[model.Time]*raw{}} }

func (c *collector) get(inst string, t model.Time) *raw {
	byT := c.at[inst]
	if byT == nil {
		byT = map[model.Time]*raw{}
		c.at[inst] = byT
	}
	r := byT[t]
	if r == nil {
		r = &raw{}
		byT[t] = r
	}
	return r
}

// add files one value; NaN and ±Inf (a rate over too few scrapes) count as
// absent, and so does a value no node_exporter series can hold: every one
// read here is a size, a count or a rate, never below 0, and one past 1e18
// would overflow what is derived from it.
func (c *collector) add(f field, m model.Metric, t model.Time, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1e18 {
		return
	}
	// A label is text from outside: printable before it reaches any output.
	inst := text.Printable(string(m[model.InstanceLabel]))
	if inst == "" {
		return
	}
	r := c.get(inst, t)
	switch f {
	case fFSSize, fFSFree, fFSAvail:
		mount := text.Printable(string(m["mountpoint"]))
		if r.disks == nil {
			r.disks = map[string]*rawDisk{}
		}
		d := r.disks[mount]
		if d == nil {
			d = &rawDisk{device: text.Printable(string(m["device"])), fstype: text.Printable(string(m["fstype"]))}
			r.disks[mount] = d
		}
		switch f {
		case fFSSize:
			d.size, d.set = v, d.set|1
		case fFSFree:
			d.free, d.set = v, d.set|2
		default:
			d.avail, d.set = v, d.set|4
		}
	default:
		r.vals[f] = v
		r.set |= 1 << f
	}
}

// addValue files an instant vector or a range matrix.
func (c *collector) addValue(f field, v model.Value) {
	switch v := v.(type) {
	case model.Vector:
		for _, s := range v {
			c.add(f, s.Metric, s.Timestamp, float64(s.Value))
		}
	case model.Matrix:
		for _, s := range v {
			for _, p := range s.Values {
				c.add(f, s.Metric, p.Timestamp, float64(p.Value))
			}
		}
	}
}

// points turns everything collected into time-ordered Points per instance.
func (c *collector) points() map[string][]Point {
	out := make(map[string][]Point, len(c.at))
	for inst, byT := range c.at {
		pts := make([]Point, 0, len(byT))
		for t, r := range byT {
			pts = append(pts, r.point(t.Time().UTC()))
		}
		sort.Slice(pts, func(i, j int) bool { return pts[i].Snapshot.Time.Before(pts[j].Snapshot.Time) })
		out[inst] = pts
	}
	return out
}

func (r *raw) has(f field) bool { return r.set&(1<<f) != 0 }

// toBytes converts a gauge to bytes, treating a negative value as 0.
func toBytes(v float64) uint64 {
	if v <= 0 {
		return 0
	}
	return uint64(v)
}

// point converts the collected values; each Snapshot part is set only when
// its series were there.
func (r *raw) point(t time.Time) Point {
	p := Point{Snapshot: sampler.Snapshot{Time: t}}
	s := &p.Snapshot
	p.Up = r.has(fUp) && r.vals[fUp] == 1
	if r.has(fCPU) {
		s.CPU.Percent = math.Min(100, math.Max(0, r.vals[fCPU]*100))
		p.Have |= HaveCPU
	}
	if r.has(fIOWait) {
		s.CPU.IOWait = r.vals[fIOWait] * 100
		p.Have |= HaveIOWait
	}
	if r.has(fSteal) {
		s.CPU.Steal = r.vals[fSteal] * 100
		p.Have |= HaveSteal
	}
	if r.has(fCores) {
		s.CPU.Cores = int(r.vals[fCores])
		p.Have |= HaveCores
	}
	if r.has(fMemTotal) && r.has(fMemAvail) && r.vals[fMemTotal] > 0 {
		s.Mem = sampler.Memory{Total: toBytes(r.vals[fMemTotal]), Available: toBytes(r.vals[fMemAvail])}
		p.Have |= HaveMemory
	}
	if r.has(fSwapTotal) {
		s.Swap.Total = toBytes(r.vals[fSwapTotal])
		// Swap is used only where configured (the mixin: SwapTotal > 0).
		if s.Swap.Total > 0 && r.has(fSwapFree) {
			s.Swap.Used = toBytes(r.vals[fSwapTotal] - r.vals[fSwapFree])
		}
		p.Have |= HaveSwap
	}
	if d := r.diskList(); len(d) > 0 {
		s.Disks = d
		p.Have |= HaveDisks
	}
	if r.has(fLoad1) {
		s.Load = [3]float64{r.vals[fLoad1], r.vals[fLoad5], r.vals[fLoad15]}
		p.Have |= HaveLoad
	}
	if r.has(fUptime) {
		s.Uptime = r.vals[fUptime]
		p.Have |= HaveUptime
	}
	if r.has(fIORead) && r.has(fIOWrite) {
		s.IO = &sampler.Rates{In: r.vals[fIORead], Out: r.vals[fIOWrite]}
		p.Have |= HaveIO
	}
	if r.has(fNetIn) && r.has(fNetOut) {
		s.Net = &sampler.Rates{In: r.vals[fNetIn], Out: r.vals[fNetOut]}
		p.Have |= HaveNet
	}
	if r.has(fPSICPU10) || r.has(fPSIMem10) || r.has(fPSIIO10) {
		s.PSI = &sampler.PSI{
			CPU:    sampler.Pressure{Avg10: r.vals[fPSICPU10], Avg60: r.vals[fPSICPU60]},
			Memory: sampler.Pressure{Avg10: r.vals[fPSIMem10], Avg60: r.vals[fPSIMem60]},
			IO:     sampler.Pressure{Avg10: r.vals[fPSIIO10], Avg60: r.vals[fPSIIO60]},
		}
		if r.has(fPSIMemFull10) {
			s.PSI.MemFull = &sampler.Pressure{Avg10: r.vals[fPSIMemFull10], Avg60: r.vals[fPSIMemFull60]}
		}
		if r.has(fPSIIOFull10) {
			s.PSI.IOFull = &sampler.Pressure{Avg10: r.vals[fPSIIOFull10], Avg60: r.vals[fPSIIOFull60]}
		}
		p.Have |= HavePSI
	}
	return p
}

// diskList builds df-style Disks: Used = size − free, Free = avail (what an
// unprivileged user may still write), sorted by mount point.
func (r *raw) diskList() []sampler.Disk {
	var out []sampler.Disk
	for mount, d := range r.disks {
		if d.set&1 == 0 || d.set&4 == 0 || d.size <= 0 {
			continue
		}
		used := d.size - d.avail
		if d.set&2 != 0 {
			used = d.size - d.free
		}
		out = append(out, sampler.Disk{Mount: mount, Device: d.device, FSType: d.fstype,
			Total: toBytes(d.size), Used: toBytes(used), Free: toBytes(d.avail)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Mount < out[j].Mount })
	return out
}
