// Package advisor turns a window of snapshots into the decision the
// optimize-vs-scale framework describes: MONITOR, OPTIMIZE or SCALE, with
// the numbers behind it and a gunicorn worker count that fits the machine.
//
// Everything here is a pure function of its inputs: no clock, no I/O.
package advisor

import (
	"fmt"
	"math"
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
	Down                  // the app does not answer: not a capacity question
)

// String is the level's name as the framework writes it.
func (l Level) String() string {
	switch l {
	case Optimize:
		return "OPTIMIZE"
	case Scale:
		return "SCALE"
	case Down:
		return "DOWN"
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

func (t Threshold) of(l Level) float64 {
	if l == Scale {
		return t.Scale
	}
	return t.Optimize
}

// Rules are the advisor's settings; DefaultRules has the framework's values.
type Rules struct {
	// Metrics is the vocabulary judged, in order.
	Metrics Vocabulary
	// Thresholds override a metric's default lines, by key ("cpu", "disk").
	Thresholds map[string]Threshold
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
		Metrics:   DefaultVocabulary(),
		Window:    5 * time.Minute,
		Sustain:   0.8,
		Workers:   WorkerRules{AssumedMiB: 256, MemoryFraction: 0.75},
		SLA:       300 * time.Millisecond,
		ErrorRate: 1,
	}
}

// Threshold is the pair of lines in force for a metric key: the config
// file's, else the vocabulary's default.
func (r Rules) Threshold(key string) Threshold {
	if th, ok := r.Thresholds[key]; ok {
		return th
	}
	d, _ := r.Metrics.Lookup(key)
	return d.Default
}

// SetThreshold overrides the lines of one metric key.
func (r *Rules) SetThreshold(key string, th Threshold) {
	if r.Thresholds == nil {
		r.Thresholds = map[string]Threshold{}
	}
	r.Thresholds[key] = th
}

// Finding is one metric's state over the window, with its numbers.
type Finding struct {
	Metric string `json:"metric"` // a MetricName: cpu, memory, swap, disk:<mount>, …
	// Label, Unit and Counts come from the metric's definition, for display.
	Label  string  `json:"-"`
	Unit   Unit    `json:"-"`
	Counts string  `json:"-"`
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
	// Above is the share of the window's samples at or over Threshold, in
	// percent (0–100) like every share headroom prints.
	Above   float64 `json:"above"`
	Samples int     `json:"samples"`

	// LowerIsWorse is the definition's: the finding's line is a floor.
	LowerIsWorse bool `json:"-"`
}

// Advice is the advisor's answer for one moment.
type Advice struct {
	Time     Timestamp        `json:"time"`
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
	// Services are the control groups with processes at the moment judged,
	// their oom_kills counted over the window; absent without the cgroup collector.
	Services []sampler.Service `json:"services,omitempty"`
	// Provisional marks a verdict judged on less than a fifth of its window.
	Provisional bool `json:"provisional,omitempty"`
	// Saturation names what the saturation findings are about; nil without them.
	Saturation *SaturationStats `json:"saturation,omitempty"`
	// CPUHog is the process outside every app family that uses more CPU
	// than the app servers together, when CPU is at capacity: scaling
	// would buy machines for it, not for the app. nil otherwise.
	CPUHog *ProcessShare `json:"cpu_hog,omitempty"`
	// AppAdvice is the app's own numbers over the window, where configured.
	AppAdvice
}

// ProcessShare is one process and its CPU (% of one core).
type ProcessShare struct {
	PID  int32   `json:"pid"`
	Name string  `json:"name"`
	CPU  float64 `json:"cpu"`
	// Procs is how many processes of that name CPU adds up (stress-ng
	// --cpu 2 is two); PID is the busiest of them.
	Procs int `json:"procs,omitempty"`

	busiest float64 // the busiest one's CPU, while adding up
}

// cpuHog finds the process that takes the CPU from the app: with CPU (or
// its pressure) at SCALE, the busiest process of no app family, when it
// uses at least half a core and more than the app servers together.
func cpuHog(a Advice, s sampler.Snapshot) *ProcessShare {
	if max(a.level(KeyCPU), a.level(MetricName(KeyPSI, "cpu"))) < Scale {
		return nil
	}
	app := 0.0
	for _, ap := range a.Apps {
		if apps.IsAppServer(ap.Kind) {
			app += ap.CPU
		}
	}
	// Processes of one name are one hog: a job that forks a worker per
	// core takes the CPU together, each below the app's share alone.
	byName := map[string]*ProcessShare{}
	var top *ProcessShare
	for _, p := range s.Procs {
		if p.CPU <= 0 || apps.Family(p) != "" {
			continue
		}
		h := byName[p.Name]
		if h == nil {
			h = &ProcessShare{PID: p.PID, Name: p.Name}
			byName[p.Name] = h
		} else if p.CPU > h.busiest {
			h.PID = p.PID
		}
		h.busiest = max(h.busiest, p.CPU)
		h.CPU += p.CPU
		h.Procs++
		if top == nil || h.CPU > top.CPU {
			top = h
		}
	}
	if top == nil || top.CPU < 50 || top.CPU <= app {
		return nil
	}
	top.CPU = round1(top.CPU)
	return top
}

// hogPhrase ends a summary's "CPU at capacity" with the hog, in the same
// sentence (a narrow panel keeps whole sentences): "" without one.
func hogPhrase(a Advice) string {
	if a.CPUHog == nil {
		return ""
	}
	h := a.CPUHog
	who := fmt.Sprintf("%s (pid %d, %.0f %%)", h.Name, h.PID, h.CPU)
	if h.Procs > 1 {
		who = fmt.Sprintf("%d × %s (%.0f %% together; busiest pid %d)", h.Procs, h.Name, h.CPU, h.PID)
	}
	return ", mostly " + who + ", not the app: stop or move it before scaling."
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
	// LastError is why the newest failed request failed, in words
	// ("connection refused", "timeout after 5s", "HTTP 503").
	LastError string `json:"last_error,omitempty"`
	// Answered counts the requests with a latency (an answer, or a
	// timeout); with none, the percentiles are not measured and read 0.
	Answered int `json:"answered"`
	// Failing counts the newest requests that failed in a row.
	Failing int `json:"failing"`

	failingTimeouts int // of those, the newest that timed out in a row
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
		cores, mem, source, sized := workerBounds(last, a.Apps)
		a.Workers = suggestWorkers(cores, mem, last.Procs, sized, r.Workers)
		a.Workers.LimitSource = source
		queueWorkers(&a, last, r)
		a.CPUHog = cpuHog(a, last)
		a.Summary = summarize(a) // again: the wording may name the worker bound
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
	a.Time = Timestamp{last.Time}
	a.CoveredS = math.Round(last.Time.Sub(window[0].Time).Seconds()*10) / 10
	a.NoSwap = !last.HasSwap() && !last.IsAbsent(KeySwap)
	a.Services = servicesOver(window)
	a.Provisional = a.CoveredS < a.WindowS/5
	a.AppAdvice = appAdvice(window)
	j := &judgement{window: window, rules: r, advice: &a}
	for _, def := range r.Metrics {
		if last.IsAbsent(def.Key) {
			continue // not measured: no finding, rather than a false 0
		}
		for _, inst := range def.Instances(window) {
			j.def, j.name = def, MetricName(def.Key, inst)
			var f Finding
			var ok bool
			if def.Judge != nil {
				f, ok = def.Judge(j)
			} else {
				f, ok = judge(window, j.name, def.Read(inst), r.Threshold(def.Key), r.Sustain, def.LowerIsWorse)
			}
			if ok {
				f.Label, f.Unit = r.Metrics.DisplayName(j.name), def.Unit
				if f.Counts == "" { // a judge may say more (whose latency)
					f.Counts = def.Counts
				}
				f.LowerIsWorse = def.LowerIsWorse
				a.Findings = append(a.Findings, f)
			}
		}
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
