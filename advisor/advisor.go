// Package advisor turns a window of snapshots into the decision the
// optimize-vs-scale framework describes: MONITOR, OPTIMIZE or SCALE, with
// the numbers behind it and a gunicorn worker count that fits the machine.
//
// Everything here is a pure function of its inputs: no clock, no I/O.
package advisor

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/apps"
)

// Level is how much a metric (or the machine) calls for action.
type Level int

// Levels, in increasing order of urgency.
const (
	Monitor  Level = iota // usage acceptable: keep watching
	Optimize              // high: optimize the app if it holds
	Scale                 // at capacity: more or larger machines
)

// String is the level's name as the framework writes it.
func (l Level) String() string {
	switch l {
	case Optimize:
		return "OPTIMIZE"
	case Scale:
		return "SCALE"
	}
	return "MONITOR"
}

// MarshalText writes the level as its name, for JSON.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// Threshold is a metric's two lines, in percent: at Optimize it is high, at
// Scale it is at capacity.
type Threshold struct {
	Optimize float64 `toml:"optimize" json:"optimize"`
	Scale    float64 `toml:"scale" json:"scale"`
}

// level is the level a single value reaches.
func (t Threshold) level(v float64) Level {
	switch {
	case v >= t.Scale:
		return Scale
	case v >= t.Optimize:
		return Optimize
	}
	return Monitor
}

func (t Threshold) of(l Level) float64 {
	if l == Scale {
		return t.Scale
	}
	return t.Optimize
}

// Rules are the advisor's settings; DefaultRules has the framework's values.
type Rules struct {
	CPU, Memory, Swap, Disk Threshold
	// Window is how far back sustained levels look.
	Window time.Duration
	// Sustain is the share of the window's samples (0–1) that must reach a
	// threshold for the level to count: "consistently above".
	Sustain float64
	Workers WorkerRules
	// SLA is the --probe latency target: p95 over it is a finding.
	SLA time.Duration
	// ErrorRate is the share of failed probe requests (percent) above which errors are a finding.
	ErrorRate float64
}

// DefaultRules are the decision framework's thresholds: cpu 70/85, memory
// 75/90, swap 50/70, disk 70/90, a 5-minute window, 80 % of it.
func DefaultRules() Rules {
	return Rules{
		CPU:       Threshold{70, 85},
		Memory:    Threshold{75, 90},
		Swap:      Threshold{50, 70},
		Disk:      Threshold{70, 90},
		Window:    5 * time.Minute,
		Sustain:   0.8,
		Workers:   WorkerRules{AssumedMiB: 256, MemoryFraction: 0.75},
		SLA:       300 * time.Millisecond,
		ErrorRate: 1,
	}
}

// Finding is one metric's state over the window, with its numbers.
type Finding struct {
	Metric string  `json:"metric"` // cpu, memory, swap, disk:<mount>
	Now    float64 `json:"now"`
	Mean   float64 `json:"mean"`
	Max    float64 `json:"max"`
	// Level is the sustained level: the highest whose threshold the metric
	// reached in at least Sustain of the window's samples.
	Level Level `json:"level"`
	// NowLevel is what the latest value alone would say.
	NowLevel Level `json:"now_level"`
	// Threshold is the line Above is measured against: the sustained
	// level's, or the optimize line when the level is MONITOR.
	Threshold float64 `json:"threshold"`
	// Above is the share (0–1) of the window's samples at or over Threshold.
	Above   float64 `json:"above"`
	Samples int     `json:"samples"`
}

// Advice is the advisor's answer for one moment.
type Advice struct {
	Time     time.Time        `json:"time"`
	Verdict  Level            `json:"verdict"`
	Focus    []string         `json:"focus"`
	Summary  string           `json:"summary"`
	WindowS  float64          `json:"window_s"`
	CoveredS float64          `json:"covered_s"`
	Findings []Finding        `json:"findings"`
	Workers  WorkerSuggestion `json:"workers"`
	// NoSwap is set when the machine has no swap configured (no swap finding then).
	NoSwap bool `json:"no_swap,omitempty"`
	// Apps are the application families running at the moment judged.
	Apps []apps.App `json:"apps"`
	// Probe summarises the --probe requests of the window; nil without --probe.
	Probe *ProbeStats `json:"probe,omitempty"`
}

// ProbeStats summarise the probe requests of a window.
type ProbeStats struct {
	URL      string  `json:"url,omitempty"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	Timeouts int     `json:"timeouts"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	SLA      float64 `json:"sla_ms"`
	// Last is the newest request's latency (ms).
	Last float64 `json:"last_ms"`
}

// ErrorPercent is the share of failed requests, in percent.
func (p ProbeStats) ErrorPercent() float64 {
	if p.Requests == 0 {
		return 0
	}
	return float64(p.Errors) / float64(p.Requests) * 100
}

// Finding returns the finding for metric, if there is one.
func (a Advice) Finding(metric string) (Finding, bool) {
	for _, f := range a.Findings {
		if f.Metric == metric {
			return f, true
		}
	}
	return Finding{}, false
}

// Advise judges a window of snapshots (oldest first), as History.Window
// returns them. With no snapshots the verdict is MONITOR with no findings.
func Advise(window []sampler.Snapshot, r Rules) Advice {
	a := judgeWindow(window, r)
	if len(window) > 0 {
		last := window[len(window)-1]
		a.Apps = apps.AppsOver(window)
		a.Workers = suggestWorkers(last.Cores(), last.MemoryLimit(), last.Procs, a.Apps, r.Workers)
	}
	if a.Apps == nil {
		a.Apps = []apps.App{}
	}
	return a
}

// judgeWindow is Advise without the worker suggestion and the apps: the
// verdict, findings and summary only (what a timeline needs).
func judgeWindow(window []sampler.Snapshot, r Rules) Advice {
	a := Advice{WindowS: r.Window.Seconds(), Focus: []string{}, Findings: []Finding{}}
	if len(window) == 0 {
		a.Summary = "No data yet."
		return a
	}
	last := window[len(window)-1]
	a.Time = last.Time
	a.CoveredS = math.Round(last.Time.Sub(window[0].Time).Seconds()*10) / 10

	add := func(name string, m sampler.Metric, th Threshold) {
		if f, ok := judge(window, name, m, th, r.Sustain); ok {
			a.Findings = append(a.Findings, f)
		}
	}
	add("cpu", sampler.CPUMetric, r.CPU)
	add("memory", sampler.MemMetric, r.Memory)
	if last.HasSwap() {
		add("swap", sampler.SwapMetric, r.Swap)
	} else {
		a.NoSwap = true
	}
	for _, d := range last.Disks {
		add("disk:"+d.Mount, sampler.DiskMetric(d.Mount), r.Disk)
	}
	if ps, lat := probeStats(window, r); ps != nil {
		a.Probe = ps
		// Latency over the SLA is SCALE only when the machine is saturated
		// too; otherwise the app itself is slow: optimize.
		saturated := false
		for _, f := range a.Findings {
			if (f.Metric == "cpu" || f.Metric == "memory") && f.Level == Scale {
				saturated = true
			}
		}
		lf := Finding{Metric: "latency", Now: ps.Last, Mean: round1(mean(lat)), Max: round1(maxOf(lat)),
			Threshold: ps.SLA, Samples: len(lat)}
		if len(lat) > 0 {
			lf.Above = math.Round(fractionOver(lat, ps.SLA)*1000) / 1000
		}
		if ps.P95 > ps.SLA {
			lf.Level = Optimize
			if saturated {
				lf.Level = Scale
			}
		}
		if ps.Last > ps.SLA {
			lf.NowLevel = Optimize
		}
		ef := Finding{Metric: "errors", Now: round1(ps.ErrorPercent()), Mean: round1(ps.ErrorPercent()), Max: round1(ps.ErrorPercent()),
			Threshold: r.ErrorRate, Samples: ps.Requests, Above: math.Round(float64(ps.Errors)/float64(max(1, ps.Requests))*1000) / 1000}
		if ps.ErrorPercent() > r.ErrorRate {
			ef.Level, ef.NowLevel = Optimize, Optimize
		}
		a.Findings = append(a.Findings, lf, ef)
	}
	for _, f := range a.Findings {
		if f.Level > a.Verdict {
			a.Verdict = f.Level
		}
	}
	if a.Verdict > Monitor {
		for _, f := range a.Findings {
			if f.Level == a.Verdict {
				a.Focus = append(a.Focus, f.Metric)
			}
		}
	}
	a.Summary = summarize(a)
	return a
}

// probeStats gathers the window's probe results; nil when there are none.
// Percentiles are over the requests that got an answer or timed out (a
// refused connection has no latency worth the name).
func probeStats(window []sampler.Snapshot, r Rules) (*ProbeStats, []float64) {
	ps := ProbeStats{SLA: float64(r.SLA.Milliseconds())}
	var lat []float64
	for _, s := range window {
		for _, p := range s.Probe {
			ps.Requests++
			if p.Failed() {
				ps.Errors++
			}
			if p.Err == "timeout" {
				ps.Timeouts++
			}
			if p.Err == "" || p.Err == "timeout" {
				lat = append(lat, p.MS)
				ps.Last = p.MS
			}
		}
	}
	if ps.Requests == 0 {
		return nil, nil
	}
	sorted := append([]float64(nil), lat...)
	sort.Float64s(sorted)
	ps.P50, ps.P95, ps.P99 = percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99)
	return &ps, lat
}

// percentile is the nearest-rank percentile of sorted values.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return round1(sorted[max(0, min(len(sorted)-1, rank-1))])
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func maxOf(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}

func fractionOver(v []float64, t float64) float64 {
	n := 0
	for _, x := range v {
		if x > t {
			n++
		}
	}
	return float64(n) / float64(len(v))
}

// judge computes one metric's finding over the window; ok is false when no
// sample has the metric.
func judge(window []sampler.Snapshot, name string, m sampler.Metric, th Threshold, sustain float64) (Finding, bool) {
	st := sampler.Stats(window, m)
	if st.N == 0 {
		return Finding{}, false
	}
	f := Finding{Metric: name, Now: round1(st.Now), Mean: round1(st.Mean), Max: round1(st.Max),
		NowLevel: th.level(st.Now), Samples: st.N}
	for _, l := range []Level{Scale, Optimize} {
		if sampler.FractionAtLeast(window, m, th.of(l)) >= sustain {
			f.Level = l
			break
		}
	}
	f.Threshold = th.of(max(f.Level, Optimize))
	f.Above = math.Round(sampler.FractionAtLeast(window, m, f.Threshold)*1000) / 1000
	return f, true
}

func round1(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return math.Round(v*10) / 10
}

// summarize words the verdict as the framework's decision guidance does.
func summarize(a Advice) string {
	level := func(metric string) Level {
		f, _ := a.Finding(metric)
		return f.Level
	}
	cpu, mem, swap := level("cpu"), level("memory"), level("swap")
	var disksAt = func(l Level) []string {
		var out []string
		for _, f := range a.Findings {
			if strings.HasPrefix(f.Metric, "disk:") && f.Level == l {
				out = append(out, strings.TrimPrefix(f.Metric, "disk:"))
			}
		}
		return out
	}
	var parts []string
	switch {
	case cpu == Scale && mem == Scale:
		parts = append(parts, "CPU and memory both at capacity: scale the server (more or larger machines).")
	case cpu == Scale:
		s := "CPU-bound: optimize hot paths, or move to a higher-CPU instance."
		if mem == Optimize {
			s = "CPU-bound, memory high too: optimize hot paths, or move to a larger instance."
		}
		parts = append(parts, s)
	case mem == Scale:
		s := "Memory-bound: cut memory (fewer workers, smaller caches, leaks), or move to a higher-memory instance."
		if cpu == Optimize {
			s = "Memory-bound, CPU high too: cut memory (workers, caches, leaks), or move to a larger instance."
		}
		parts = append(parts, s)
	}
	if d := disksAt(Scale); len(d) > 0 {
		parts = append(parts, fmt.Sprintf("Disk %s nearly full: add storage or clean up.", strings.Join(d, ", ")))
	}
	if swap == Scale {
		parts = append(parts, "Heavy swap use: memory pressure; cut memory use or add memory.")
	}
	if len(parts) == 0 {
		var high []string
		if cpu == Optimize {
			high = append(high, "CPU")
		}
		if mem == Optimize {
			high = append(high, "memory")
		}
		if len(high) > 0 {
			parts = append(parts, strings.Join(high, " and ")+" high: monitor closely, optimize if it holds.")
		}
	}
	if a.Probe != nil {
		switch level("latency") {
		case Scale:
			parts = append(parts, fmt.Sprintf("p95 latency %.0f ms is over the %.0f ms SLA with the machine saturated: scale out.", a.Probe.P95, a.Probe.SLA))
		case Optimize:
			parts = append(parts, fmt.Sprintf("p95 latency %.0f ms is over the %.0f ms SLA while the machine has room: optimize the app (queries, caching, workers).", a.Probe.P95, a.Probe.SLA))
		}
		if level("errors") > Monitor {
			parts = append(parts, fmt.Sprintf("%.1f%% of probe requests failed (%d timeouts).", a.Probe.ErrorPercent(), a.Probe.Timeouts))
		}
	}
	if a.Verdict < Scale {
		if d := disksAt(Optimize); len(d) > 0 {
			parts = append(parts, fmt.Sprintf("Disk %s filling up: plan a clean-up.", strings.Join(d, ", ")))
		}
		if swap == Optimize {
			parts = append(parts, "Swap in use: watch memory.")
		}
	}
	// After a load ends the window still remembers it: say that it has eased.
	if a.Verdict > Monitor {
		eased := true
		for _, m := range a.Focus {
			if f, _ := a.Finding(m); f.NowLevel != Monitor {
				eased = false
			}
		}
		if eased {
			parts = append(parts, "Now back under the thresholds.")
		}
	}
	// A peak the window does not confirm is worth a word, never a verdict.
	var peaks []string
	for _, f := range a.Findings {
		if f.NowLevel > f.Level && f.NowLevel == Scale {
			peaks = append(peaks, fmt.Sprintf("%s %.0f%%", f.Metric, f.Now))
		}
	}
	if len(peaks) > 0 {
		parts = append(parts, fmt.Sprintf("Now %s: not sustained over the window (yet).", strings.Join(peaks, ", ")))
	}
	if len(parts) == 0 {
		parts = append(parts, "Usage acceptable.")
	}
	return strings.Join(parts, " ")
}

// WorkerRules are the worker formula's settings.
type WorkerRules struct {
	// AssumedMiB is the per-worker memory used when no workers are running (the framework's 0.25 GB).
	AssumedMiB float64 `toml:"assumed_mib"`
	// MemoryFraction is the share of memory the workers may use.
	MemoryFraction float64 `toml:"memory_fraction"`
}

// WorkerSuggestion is a gunicorn worker count that fits the machine.
type WorkerSuggestion struct {
	Cores       float64 `json:"cores"`
	MemoryMiB   int     `json:"memory_mib"`
	CPUBased    int     `json:"cpu_based"`
	MemoryBased int     `json:"memory_based"`
	Recommended int     `json:"recommended"`
	// PerWorkerMiB is the memory one worker is taken to need.
	PerWorkerMiB float64 `json:"per_worker_mib"`
	// PerWorkerSource is "measured" (median PSS of running workers),
	// "measured-rss" (PSS unreadable, RSS instead) or "assumed".
	PerWorkerSource string `json:"per_worker_source"`
	// Running is the number of app-server workers found; Server their kind.
	Running int    `json:"running"`
	Server  string `json:"server,omitempty"`
	// WorkerMemoryMiB is the memory each worker may use at Recommended.
	WorkerMemoryMiB int `json:"worker_memory_mib"`
}

// SuggestWorkers applies the framework's formula:
// cpu-based = min(2 × cores + 1, 4 × cores); memory-based = floor(memory ×
// fraction / per-worker); recommended = max(1, min(both)).
func SuggestWorkers(cores float64, memBytes uint64, procs []sampler.Process, r WorkerRules) WorkerSuggestion {
	return suggestWorkers(cores, memBytes, procs, apps.Apps(procs), r)
}

// suggestWorkers is SuggestWorkers with procs already grouped into apps.
func suggestWorkers(cores float64, memBytes uint64, procs []sampler.Process, found []apps.App, r WorkerRules) WorkerSuggestion {
	memMiB := float64(memBytes) / (1 << 20)
	w := WorkerSuggestion{Cores: cores, MemoryMiB: int(memMiB), PerWorkerMiB: r.AssumedMiB, PerWorkerSource: "assumed"}
	w.CPUBased = int(math.Floor(math.Min(2*cores+1, 4*cores)))
	workers, server := workersOf(procs, found)
	w.Running, w.Server = len(workers), server
	if len(workers) > 0 {
		var pss, rss []float64
		for _, p := range workers {
			if p.PSS > 0 {
				pss = append(pss, float64(p.PSS)/(1<<20))
			}
			rss = append(rss, float64(p.RSS)/(1<<20))
		}
		if len(pss) > 0 {
			w.PerWorkerMiB, w.PerWorkerSource = math.Round(sampler.Median(pss)), "measured"
		} else {
			w.PerWorkerMiB, w.PerWorkerSource = math.Round(sampler.Median(rss)), "measured-rss"
		}
		if w.PerWorkerMiB < 1 {
			w.PerWorkerMiB = 1
		}
	}
	if w.PerWorkerMiB > 0 {
		w.MemoryBased = int(math.Floor(memMiB * r.MemoryFraction / w.PerWorkerMiB))
	}
	w.Recommended = max(1, min(w.CPUBased, w.MemoryBased))
	w.WorkerMemoryMiB = int(math.Floor(memMiB * r.MemoryFraction / float64(w.Recommended)))
	return w
}

// workersOf finds the running app-server workers (gunicorn, uwsgi, uvicorn,
// daphne) among the apps; server is the kind with the most.
func workersOf(procs []sampler.Process, found []apps.App) (workers []sampler.Process, server string) {
	byPID := make(map[int32]sampler.Process, len(procs))
	for _, p := range procs {
		byPID[p.PID] = p
	}
	count := map[string]int{}
	for _, a := range found {
		if !apps.IsAppServer(a.Kind) {
			continue
		}
		for _, pid := range a.WorkerPIDs {
			workers = append(workers, byPID[pid])
		}
		count[a.Kind] += len(a.WorkerPIDs)
	}
	for k, n := range count {
		if n > count[server] || (n == count[server] && k < server) {
			server = k
		}
	}
	return workers, server
}
