// Package plan reads history the way a capacity ticket needs it: trends with
// their confidence, months until a line is crossed, whether a change between
// two periods is real or noise, and the framework's capacity and cost
// arithmetic.
//
// Everything here is a pure function of its inputs: no clock, no I/O. A
// series is a list of (time, value) points per metric, so it can come from a
// recording, the --log CSV, or any other store of history.
package plan

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/headroom-dev/headroom/sampler"
)

// Point is one observation of a metric.
type Point struct {
	T time.Time
	V float64
}

// Series is one metric over time, oldest first.
type Series struct {
	Metric string // cpu, memory, swap, disk:<mount> (disk: the fullest mount), latency, errors, rps
	Points []Point
}

// Values returns the series' values in time order.
func (s Series) Values() []float64 {
	v := make([]float64, len(s.Points))
	for i, p := range s.Points {
		v[i] = p.V
	}
	return v
}

// Input is the history from one file (or any one source): its series and
// what it says about the machine.
type Input struct {
	Name     string        // file name or source, for messages
	Host     string        // "" when the source does not say
	Interval time.Duration // declared sampling interval; 0 when unknown
	Cores    float64       // logical CPUs (or the cgroup quota) at the newest sample; 0 when unknown
	MemTotal uint64        // memory (or memory.max) in bytes at the newest sample; 0 when unknown
	Times    []time.Time   // every sample time, oldest first (for gaps)
	Series   []Series
}

// Start is the time of the first sample (zero with none).
func (in Input) Start() time.Time {
	if len(in.Times) == 0 {
		return time.Time{}
	}
	return in.Times[0]
}

// End is the time of the last sample (zero with none).
func (in Input) End() time.Time {
	if len(in.Times) == 0 {
		return time.Time{}
	}
	return in.Times[len(in.Times)-1]
}

// Get returns the series of metric, if the input has it.
func (in Input) Get(metric string) (Series, bool) {
	for _, s := range in.Series {
		if s.Metric == metric {
			return s, true
		}
	}
	return Series{}, false
}

// FromSnapshots turns snapshots (oldest first) into series: cpu, memory,
// swap (only where swap is configured), one per disk mount, and from probe
// results latency (ms, one point per answered or timed-out request) and
// errors (% of the snapshot's requests that failed).
func FromSnapshots(name, host string, snaps []sampler.Snapshot) Input {
	in := Input{Name: name, Host: host}
	idx := map[string]int{}
	add := func(metric string, t time.Time, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		i, ok := idx[metric]
		if !ok {
			i = len(in.Series)
			idx[metric] = i
			in.Series = append(in.Series, Series{Metric: metric})
		}
		in.Series[i].Points = append(in.Series[i].Points, Point{t, v})
	}
	for _, s := range snaps {
		in.Times = append(in.Times, s.Time)
		if v, ok := sampler.CPUMetric(s); ok {
			add("cpu", s.Time, v)
		}
		if v, ok := sampler.MemMetric(s); ok {
			add("memory", s.Time, v)
		}
		if v, ok := sampler.SwapMetric(s); ok {
			add("swap", s.Time, v)
		}
		for _, d := range s.Disks {
			add("disk:"+d.Mount, s.Time, d.Percent())
		}
		failed := 0
		for _, p := range s.Probe {
			if p.Failed() {
				failed++
			}
			if p.Err == "" || p.Err == "timeout" {
				add("latency", s.Time, p.MS)
			}
		}
		if len(s.Probe) > 0 {
			add("errors", s.Time, float64(failed)/float64(len(s.Probe))*100)
		}
	}
	if n := len(snaps); n > 0 {
		in.Cores = snaps[n-1].Cores()
		in.MemTotal = snaps[n-1].MemoryLimit()
	}
	return in
}

// Merge joins inputs into one series per metric, ordered by time. Inputs
// whose periods overlap are refused (the same hours twice would count
// twice); so are inputs from different hosts unless allowMixedHosts. The
// newest input's cores and memory describe the machine.
func Merge(inputs []Input, allowMixedHosts bool) (Input, error) {
	var ins []Input
	for _, in := range inputs {
		if len(in.Times) > 0 {
			ins = append(ins, in)
		}
	}
	if len(ins) == 0 {
		return Input{}, fmt.Errorf("no samples in %s", names(inputs))
	}
	sort.SliceStable(ins, func(i, j int) bool { return ins[i].Start().Before(ins[j].Start()) })
	out := Input{Name: names(ins)}
	hosts := map[string]string{} // host -> first file naming it
	var hostOrder []string
	idx := map[string]int{}
	for i, in := range ins {
		if i > 0 && !in.Start().After(ins[i-1].End()) {
			return Input{}, fmt.Errorf("%s (%s to %s) overlaps %s (%s to %s): the files must cover separate periods",
				Clean(ins[i-1].Name), stamp(ins[i-1].Start()), stamp(ins[i-1].End()), Clean(in.Name), stamp(in.Start()), stamp(in.End()))
		}
		if in.Host != "" {
			if _, ok := hosts[in.Host]; !ok {
				hosts[in.Host] = in.Name
				hostOrder = append(hostOrder, in.Host)
			}
		}
		out.Times = append(out.Times, in.Times...)
		for _, s := range in.Series {
			j, ok := idx[s.Metric]
			if !ok {
				j = len(out.Series)
				idx[s.Metric] = j
				out.Series = append(out.Series, Series{Metric: s.Metric})
			}
			out.Series[j].Points = append(out.Series[j].Points, s.Points...)
		}
		if in.Cores > 0 {
			out.Cores = in.Cores
		}
		if in.MemTotal > 0 {
			out.MemTotal = in.MemTotal
		}
		if in.Interval > 0 {
			out.Interval = in.Interval
		}
	}
	if len(hostOrder) > 1 && !allowMixedHosts {
		var parts []string
		for _, h := range hostOrder {
			parts = append(parts, fmt.Sprintf("%q in %s", h, Clean(hosts[h])))
		}
		return Input{}, fmt.Errorf("the files come from different hosts (%s); pass --allow-mixed-hosts to treat them as one series", strings.Join(parts, ", "))
	}
	out.Host = strings.Join(hostOrder, ",")
	return out, nil
}

func names(ins []Input) string {
	var n []string
	for _, in := range ins {
		n = append(n, Clean(in.Name))
	}
	return strings.Join(n, ", ")
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }

// Gap is a stretch with no samples, longer than a few usual intervals.
type Gap struct {
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Seconds float64   `json:"seconds"`
}

// GapFactor is how many usual intervals without a sample make a gap.
const GapFactor = 3

// Gaps finds the stretches between consecutive sample times longer than
// GapFactor times the usual interval (the median step, or interval if it is
// larger). Gaps are reported, never filled in.
func Gaps(times []time.Time, interval time.Duration) []Gap {
	if len(times) < 2 {
		return nil
	}
	steps := make([]float64, 0, len(times)-1)
	for i := 1; i < len(times); i++ {
		steps = append(steps, times[i].Sub(times[i-1]).Seconds())
	}
	usual := max(sampler.Median(steps), interval.Seconds())
	var gaps []Gap
	for i, d := range steps {
		if usual > 0 && d > GapFactor*usual {
			gaps = append(gaps, Gap{From: times[i], To: times[i+1], Seconds: d})
		}
	}
	return gaps
}

// Clean makes a string from outside (a file name, a host) safe to print:
// control characters become U+FFFD, so no escape sequence reaches a terminal.
func Clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return '\uFFFD'
		}
		return r
	}, s)
}
