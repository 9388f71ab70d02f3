// Package sampler reads the machine once per interval into Snapshots, keeps a
// bounded History of them, and writes and reads recordings (JSON Lines, v1).
//
// It is the only package that talks to the operating system; everything else
// works on Snapshots, so a live run and a replayed recording go through the
// same code.
package sampler

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/headroom-dev/headroom/sampler/saturation"
)

// Snapshot is the state of the machine at one moment: one line of a recording.
type Snapshot struct {
	Time   time.Time  `json:"-"`
	CPU    CPU        `json:"cpu"`
	Mem    Memory     `json:"mem"`
	Swap   Swap       `json:"swap"`
	Disks  []Disk     `json:"disks"`
	Load   [3]float64 `json:"load"`
	Uptime float64    `json:"uptime,omitempty"` // seconds since boot
	// PSI is pressure stall information; nil where the kernel has none.
	PSI *PSI `json:"psi,omitempty"`
	// IO holds whole-disk throughput over the interval; nil on the first sample of a replay that lacks it.
	IO *Rates `json:"io,omitempty"`
	// Net holds network throughput over the interval, without lo.
	Net *Rates `json:"net,omitempty"`
	// Limits holds headroom's own cgroup limits (v1 or v2) that are lower than the host's.
	Limits *Limits `json:"limits,omitempty"`
	// Services are the control groups with processes, from the cgroup collector.
	Services []Service `json:"services,omitempty"`
	// ProcLimits are the cgroup limits of the app-server masters, by pid, for worker sizing.
	ProcLimits map[int32]GroupLimits `json:"proc_limits,omitempty"`
	// Probe holds the --probe requests that finished since the previous snapshot.
	Probe []ProbeResult `json:"probe,omitempty"`
	// LoadTest is the interval of a `headroom load` test; nil when none runs.
	LoadTest *LoadStats `json:"loadtest,omitempty"`
	// Saturation holds the kernel's saturation counters (listen queues,
	// OOM kills, disk busy, descriptors, worker states); nil where not read.
	Saturation *saturation.Saturation `json:"saturation,omitempty"`
	// AppEvidence is the app's own numbers (access logs, services, SQL log), where configured.
	AppEvidence
	// Short is how many seconds the CPU and rate figures cover when that is
	// well under the interval (a live source's first sample, taken early so
	// the first frame comes fast); 0 for a full interval.
	Short float64 `json:"short,omitempty"`
	// NProcs is the number of processes on the machine (Procs may hold fewer).
	NProcs int       `json:"nprocs,omitempty"`
	Procs  []Process `json:"procs"`
	// Absent names the metric keys ("cpu", "swap") the source could not
	// measure at this moment (a Prometheus series missing): the advisor
	// leaves them out, since their zero values are not "0 %, fine".
	Absent []string `json:"absent,omitempty"`
}

// IsAbsent reports whether the source could not measure the metric key.
func (s Snapshot) IsAbsent(key string) bool {
	for _, k := range s.Absent {
		if k == key {
			return true
		}
	}
	return false
}

// CPU is system-wide processor use over the last interval, in percent.
type CPU struct {
	Cores   int       `json:"cores"`
	Percent float64   `json:"percent"`
	PerCore []float64 `json:"per_core,omitempty"`
	IOWait  float64   `json:"iowait"`
	Steal   float64   `json:"steal"`
}

// Memory holds /proc/meminfo's totals in bytes.
type Memory struct {
	Total     uint64 `json:"total"`
	Available uint64 `json:"available"`
}

// Swap holds swap totals in bytes; Total 0 means no swap is configured.
type Swap struct {
	Total uint64 `json:"total"`
	Used  uint64 `json:"used"`
}

// Disk is one real mounted filesystem, sizes in bytes.
type Disk struct {
	Mount  string `json:"mount"`
	Device string `json:"device,omitempty"`
	FSType string `json:"fstype,omitempty"`
	Total  uint64 `json:"total"`
	Used   uint64 `json:"used"`
	Free   uint64 `json:"free"`
}

// Rates is a pair of byte rates (read/write for disks, receive/send for network).
type Rates struct {
	In  float64 `json:"in"`  // bytes/s read or received
	Out float64 `json:"out"` // bytes/s written or sent
}

// Pressure is one line of /proc/pressure/*: stall percentages over 10 and
// 60 s, and (HasShare) the share of the time since the previous sample
// that tasks stalled, from the kernel's total= counter, as Prometheus
// users take rate() of node_exporter's *_seconds_total. avg10 is a
// decaying average: 10 s after a load ends it still says most of it, and
// a 5-second `once` would judge the load that came before it.
type Pressure struct {
	Avg10    float64 `json:"avg10"`
	Avg60    float64 `json:"avg60"`
	Share    float64 `json:"-"` // % of the interval, to 0.1; JSON "share" when HasShare
	HasShare bool    `json:"-"`
}

// Now is the stall figure judged and shown: the interval's share where
// known, else avg10 (a first snapshot, an older recording).
func (p Pressure) Now() float64 {
	if p.HasShare {
		return p.Share
	}
	return p.Avg10
}

// pressureJSON is Pressure as recorded: "share" only where known, so that
// 0 % and "not measured" stay apart.
type pressureJSON struct {
	Avg10 float64  `json:"avg10"`
	Avg60 float64  `json:"avg60"`
	Share *float64 `json:"share,omitempty"`
}

// MarshalJSON writes avg10, avg60 and, where known, share.
func (p Pressure) MarshalJSON() ([]byte, error) {
	j := pressureJSON{Avg10: p.Avg10, Avg60: p.Avg60}
	if p.HasShare {
		j.Share = &p.Share
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *Pressure) UnmarshalJSON(b []byte) error {
	var j pressureJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*p = Pressure{Avg10: j.Avg10, Avg60: j.Avg60}
	if j.Share != nil {
		p.Share, p.HasShare = *j.Share, true
	}
	return nil
}

// PSI is pressure stall information for cpu, memory and io ("some" lines,
// plus "full" for memory and io).
type PSI struct {
	CPU     Pressure  `json:"cpu"`
	Memory  Pressure  `json:"memory"`
	IO      Pressure  `json:"io"`
	MemFull *Pressure `json:"memory_full,omitempty"`
	IOFull  *Pressure `json:"io_full,omitempty"`
}

// Limits are cgroup bounds on this process's group, set only where lower
// than the host's resources.
type Limits struct {
	Cores  float64 `json:"cores,omitempty"`  // from cpu.max: quota / period
	Memory uint64  `json:"memory,omitempty"` // from memory.max, bytes
}

// Process is one process at the moment of the snapshot.
type Process struct {
	PID  int32   `json:"pid"`
	PPID int32   `json:"ppid"`
	Name string  `json:"name"`
	User string  `json:"user"`
	CPU  float64 `json:"cpu"` // % of one core over the interval; can exceed 100
	RSS  uint64  `json:"rss"`
	PSS  uint64  `json:"pss,omitempty"` // from smaps_rollup, app-server workers only
	Cmd  string  `json:"cmd"`
	// Start is the process start time in clock ticks after boot; with PID it
	// names a process uniquely (a reused pid has a new start time).
	Start uint64 `json:"start,omitempty"`
}

// MemPercent is (MemTotal − MemAvailable) / MemTotal × 100, as free(1) reads it.
func (s Snapshot) MemPercent() float64 {
	if s.Mem.Total == 0 {
		return 0
	}
	used := float64(s.Mem.Total) - float64(s.Mem.Available)
	if used < 0 {
		used = 0
	}
	return used / float64(s.Mem.Total) * 100
}

// HasSwap reports whether any swap is configured.
func (s Snapshot) HasSwap() bool { return s.Swap.Total > 0 }

// SwapPercent is SwapUsed / SwapTotal × 100; ok is false when no swap is
// configured, which is a state of its own and not "0 %, fine".
func (s Snapshot) SwapPercent() (pct float64, ok bool) {
	if s.Swap.Total == 0 {
		return 0, false
	}
	return float64(s.Swap.Used) / float64(s.Swap.Total) * 100, true
}

// Percent is used / (used + free) × 100, what df(1) prints (reserved blocks excluded).
func (d Disk) Percent() float64 {
	if d.Used+d.Free == 0 {
		return 0
	}
	return float64(d.Used) / float64(d.Used+d.Free) * 100
}

// Cores is the number of cores the machine may use: logical CPUs, or the
// cgroup quota where that is lower.
func (s Snapshot) Cores() float64 {
	c := float64(s.CPU.Cores)
	if s.Limits != nil && s.Limits.Cores > 0 && s.Limits.Cores < c {
		c = s.Limits.Cores
	}
	return c
}

// MemoryLimit is MemTotal, or the cgroup memory.max where that is lower, in bytes.
func (s Snapshot) MemoryLimit() uint64 {
	m := s.Mem.Total
	if s.Limits != nil && s.Limits.Memory > 0 && s.Limits.Memory < m {
		m = s.Limits.Memory
	}
	return m
}

// MaxRecordedProcs is how many processes a recording (and History) keeps per snapshot.
const MaxRecordedProcs = 50

// TimeFormat is the recording's time format: RFC 3339, UTC, milliseconds.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// snapshotJSON carries the time as a string, since encoding/json's own
// format for time.Time drops trailing zeros and keeps the local zone.
type snapshotAlias Snapshot

type snapshotJSON struct {
	T string `json:"t"`
	*snapshotAlias
}

// MarshalJSON writes the snapshot as one recording line (without the newline).
func (s Snapshot) MarshalJSON() ([]byte, error) {
	return json.Marshal(snapshotJSON{T: s.Time.UTC().Format(TimeFormat), snapshotAlias: (*snapshotAlias)(&s)})
}

// UnmarshalJSON reads one recording line; unknown fields are ignored.
func (s *Snapshot) UnmarshalJSON(b []byte) error {
	v := snapshotJSON{snapshotAlias: (*snapshotAlias)(s)}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v.T == "" {
		return fmt.Errorf(`missing time "t"`)
	}
	t, err := time.Parse(time.RFC3339Nano, v.T)
	if err != nil {
		return fmt.Errorf(`bad time "t": %q is not RFC 3339`, v.T)
	}
	s.Time = t.UTC()
	return nil
}
