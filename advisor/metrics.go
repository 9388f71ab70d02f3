package advisor

import (
	"strings"

	"github.com/headroom-dev/headroom/sampler"
)

// Unit is what a metric's values count.
type Unit string

// Units of the metrics the advisor judges.
const (
	Percent Unit = "%"
	Millis  Unit = "ms"
	Count   Unit = "" // a number of things: connections waiting, kills
)

// The keys of the built-in metrics: the names findings carry, the
// [thresholds.<key>] tables of config.toml and the HEADROOM_* variables.
const (
	KeyCPU     = "cpu"
	KeyMemory  = "memory"
	KeySwap    = "swap"
	KeyDisk    = "disk"
	KeyLatency = "latency"
	KeyErrors  = "errors"
)

// MetricDef defines one kind of metric once, for every consumer: the
// advisor judges it, the screen, once, the report and the config file name
// and read it from here.
type MetricDef struct {
	// Key names the metric ("cpu"); for a metric with one instance per
	// device or mount it is the prefix of each instance's name ("disk" →
	// "disk:/var"). It is also the config file's [thresholds.<key>] table.
	Key string
	// Label is the name people read ("cpu", "disk", "run queue").
	Label string
	Unit  Unit
	// LowerIsWorse marks metrics where a low value is the problem (a hit rate).
	LowerIsWorse bool
	// Default holds the thresholds used when the config file sets none.
	Default Threshold
	// Counts is what a finding's Above is a share of: "samples" or "requests".
	Counts string
	// Instances lists the metric's instances in a snapshot: [""] for a
	// machine-wide metric, one per mount for disks, none where the
	// snapshot cannot measure it (absent, never zero).
	Instances func(window []sampler.Snapshot) []string
	// Read reads one instance from a snapshot.
	Read func(instance string) sampler.Metric
	// Judge replaces the sustained-threshold rule for metrics judged
	// another way (latency against the SLA, the error rate); nil for most.
	Judge func(j *judgement) (Finding, bool)
	// FromRules marks thresholds that come from other settings ([probe]),
	// so the config file has no [thresholds.<key>] table for it.
	FromRules bool
}

// Vocabulary is the ordered list of metrics the advisor judges; findings
// come out in this order.
type Vocabulary []MetricDef

// MetricName is the name of one instance of a metric: "cpu", "disk:/var".
// It is the only place the separator is spelled.
func MetricName(key, instance string) string {
	if instance == "" {
		return key
	}
	return key + ":" + instance
}

// SplitMetric is MetricName backwards: "disk:/var" → "disk", "/var".
func SplitMetric(name string) (key, instance string) {
	key, instance, _ = strings.Cut(name, ":")
	return key, instance
}

// Lookup finds the definition of a metric by its name or key.
func (v Vocabulary) Lookup(name string) (MetricDef, bool) {
	for _, d := range v {
		if d.Key == name { // a key that names one instance itself ("db:slow")
			return d, true
		}
	}
	key, _ := SplitMetric(name)
	for _, d := range v {
		if d.Key == key {
			return d, true
		}
	}
	return MetricDef{}, false
}

// Reader is how to read a named metric ("disk:/var") from a snapshot.
func (v Vocabulary) Reader(name string) (sampler.Metric, bool) {
	d, ok := v.Lookup(name)
	if !ok || d.Read == nil {
		return nil, false
	}
	_, inst := SplitMetric(name)
	return d.Read(inst), true
}

// DisplayName is a finding's name for people: its label, with the
// instance after it ("cpu", "disk /var").
func (v Vocabulary) DisplayName(name string) string {
	key, inst := SplitMetric(name)
	label := key
	if d, ok := v.Lookup(name); ok && d.Label != "" {
		label = d.Label
	}
	if inst == "" {
		return label
	}
	return label + " " + inst
}

// one is the instance list of a metric every snapshot has.
func one([]sampler.Snapshot) []string { return []string{""} }

// last is the newest snapshot of a window (which is never empty here).
func last(w []sampler.Snapshot) sampler.Snapshot { return w[len(w)-1] }

// plain reads a machine-wide metric whatever the instance.
func plain(m sampler.Metric) func(string) sampler.Metric {
	return func(string) sampler.Metric { return m }
}

// topicMetrics are the metrics of each kind of evidence beyond the
// machine's own (saturation, services, traffic, …): each registers its
// definitions from its own file, so adding one touches nothing else.
var topicMetrics []func() Vocabulary

// registerMetrics adds a kind of evidence's metrics to the default
// vocabulary (called from init; the files' order is the findings' order).
func registerMetrics(f func() Vocabulary) { topicMetrics = append(topicMetrics, f) }

// DefaultVocabulary is every metric headroom judges, in the order its
// findings are listed: the machine's own, then each registered kind.
func DefaultVocabulary() Vocabulary {
	v := coreVocabulary()
	for _, f := range topicMetrics {
		v = append(v, f()...)
	}
	return v
}

// coreVocabulary is the machine's own metrics and the probe's.
func coreVocabulary() Vocabulary {
	return Vocabulary{
		{Key: KeyCPU, Label: "cpu", Unit: Percent, Default: Threshold{70, 85}, Counts: "samples",
			Instances: one, Read: plain(sampler.CPUMetric)},
		{Key: KeyMemory, Label: "memory", Unit: Percent, Default: Threshold{75, 90}, Counts: "samples",
			Instances: func(w []sampler.Snapshot) []string {
				if last(w).Mem.Total == 0 {
					return nil
				}
				return []string{""}
			}, Read: plain(sampler.MemMetric)},
		{Key: KeySwap, Label: "swap", Unit: Percent, Default: Threshold{50, 70}, Counts: "samples",
			Instances: func(w []sampler.Snapshot) []string {
				if !last(w).HasSwap() {
					return nil // "no swap" is a state of its own, never 0 %
				}
				return []string{""}
			}, Read: plain(sampler.SwapMetric)},
		{Key: KeyDisk, Label: "disk", Unit: Percent, Default: Threshold{70, 90}, Counts: "samples",
			Instances: func(w []sampler.Snapshot) []string {
				disks := last(w).Disks
				out := make([]string, len(disks))
				for i, d := range disks {
					out[i] = d.Mount
				}
				return out
			}, Read: sampler.DiskMetric},
		{Key: KeyLatency, Label: "latency", Unit: Millis, Counts: "requests", FromRules: true,
			Instances: probed, Judge: judgeLatency},
		{Key: KeyErrors, Label: "errors", Unit: Percent, Counts: "requests", FromRules: true,
			Instances: probed, Judge: judgeErrors},
	}
}

// probed: the latency and error metrics exist where a probe ran in the
// window, or an access log showed requests.
func probed(w []sampler.Snapshot) []string {
	for _, s := range w {
		if len(s.Probe) > 0 || hasTraffic(s) {
			return []string{""}
		}
	}
	return nil
}
