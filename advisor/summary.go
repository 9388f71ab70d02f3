package advisor

import (
	"fmt"
	"strings"
)

// summarize words the verdict as the framework's decision guidance does.
func summarize(a Advice) string {
	level := func(metric string) Level {
		f, _ := a.Finding(metric)
		return f.Level
	}
	cpu, mem, swap := level(KeyCPU), level(KeyMemory), level(KeySwap)
	var disksAt = func(l Level) []string {
		var out []string
		for _, f := range a.Findings {
			if key, mount := SplitMetric(f.Metric); key == KeyDisk && f.Level == l {
				out = append(out, mount)
			}
		}
		return out
	}
	var parts, explain []string
	// Requests queued on a saturated machine: the saturation summary says
	// it, with the queue, in one sentence and one action (scale out); a
	// second sentence here would offer another ("optimize hot paths").
	queued := level(KeyQueue) == Scale
	switch {
	case queued && (cpu == Scale || mem == Scale):
	case cpu == Scale && mem == Scale:
		parts = append(parts, "CPU and memory both at capacity: scale the server (more or larger machines).")
	case cpu == Scale && a.CPUHog != nil:
		parts = append(parts, "CPU at capacity"+hogPhrase(a))
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
			// The level is over the window: it has held already.
			parts = append(parts, strings.Join(high, " and ")+" high: optimize before it reaches capacity.")
		}
	}
	if a.Probe != nil {
		lat := level(KeyLatency)
		if a.latencyFromTraffic() || level(KeyErrors) == Down {
			// From the access log: worded in summary_app.go. Down: the
			// window's slow answers came before the outage, and a
			// refused request waits for no worker.
			lat = Monitor
		}
		switch {
		case lat > Monitor && a.latencyFromProbe && a.Traffic != nil && a.Traffic.P95Ms != nil:
			// The log's time starts when a worker takes the request: what
			// the probe saw on top of it was spent waiting for one.
			why, fix := "requests wait for a free worker", "; add workers or threads, or make requests shorter"
			switch {
			case level(KeyQueue) > Monitor:
				fix = "" // the queue's sentence gives the action, once
			case lat == Scale:
				fix = "; the machine is saturated: scale out"
			case a.Workers.CPUBound:
				// Short: at 80x24 the action must fit the panel.
				why, fix = "the workers are on the CPU"+cpuNowPhrase(a), ": make requests cheaper or add cores, not workers"
			}
			s := fmt.Sprintf("p95 latency %.0f ms at the probe is over the %.0f ms SLA, against %.0f ms in the access log: %s%s.",
				a.Probe.P95, a.Probe.SLA, *a.Traffic.P95Ms, why, fix)
			if fix == "" {
				// An explanation only: the queue's sentence, with the
				// action, comes first (a small panel may cut what follows).
				explain = append(explain, s)
			} else {
				parts = append(parts, s)
			}
		case lat == Scale:
			parts = append(parts, fmt.Sprintf("p95 latency %.0f ms is over the %.0f ms SLA with the machine saturated: scale out.", a.Probe.P95, a.Probe.SLA))
		case lat == Optimize:
			parts = append(parts, fmt.Sprintf("p95 latency %.0f ms is over the %.0f ms SLA %s: optimize the app (queries, caching, workers).", a.Probe.P95, a.Probe.SLA, roomPhrase(a)))
		}
		switch e := level(KeyErrors); {
		case e == Down:
			// The outage comes first: nothing else matters until it answers.
			parts = append([]string{fmt.Sprintf("The app does not answer: %s (the last %d requests failed): restart or fix it before judging capacity.",
				a.Probe.LastError, a.Probe.Failing)}, parts...)
		case e > Monitor && !a.errorsFromTraffic():
			parts = append(parts, fmt.Sprintf("%.1f%% of probe requests failed (%d timeouts; last: %s).", a.Probe.ErrorPercent(), a.Probe.Timeouts, a.Probe.LastError))
		}
	}
	for _, part := range summaryParts {
		parts = append(parts, part(a)...)
	}
	parts = append(parts, explain...)
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
			peaks = append(peaks, f.Metric+" "+nowText(f))
		}
	}
	if len(peaks) > 0 {
		// "at the scale line": a row at OPTIMIZE over the window is
		// sustained at that level; what has not held is the SCALE one.
		parts = append(parts, fmt.Sprintf("Now %s: at the scale line, not sustained yet.", strings.Join(peaks, ", ")))
	}
	if len(parts) == 0 {
		parts = append(parts, "Usage acceptable.")
	}
	return strings.Join(parts, " ")
}

// roomPhrase says how much room the machine has where a problem is the
// app's (latency over its SLA, CPU and memory short of capacity): "while
// the machine has room" only when neither is high.
//
// "Room" is never said of a machine at capacity now: a CPU at 100 % that has
// not yet held long enough for the window's level is named as it is.
func roomPhrase(a Advice) string {
	var full, high, now []string
	for _, m := range []struct{ key, name string }{{KeyCPU, "CPU"}, {KeyMemory, "memory"}} {
		f, _ := a.Finding(m.key)
		switch {
		case f.Level >= Scale:
			full = append(full, m.name)
		case f.Level == Optimize:
			high = append(high, m.name)
		case f.NowLevel > Monitor:
			now = append(now, m.name+" at "+nowText(f))
		}
	}
	switch {
	case len(full) > 0:
		return "with " + strings.Join(full, " and ") + " at capacity"
	case len(high) > 0:
		return "with " + strings.Join(high, " and ") + " high but short of capacity"
	case len(now) > 0:
		return "with " + strings.Join(now, " and ") + " now, not yet sustained"
	}
	return "while the machine has room"
}

// nowText is a finding's latest value in its unit, as the summary's short
// form writes it: "97%", "1.5 s", "14" (connections waiting).
func nowText(f Finding) string {
	switch f.Unit {
	case Percent:
		return fmt.Sprintf("%.0f%%", f.Now)
	case Millis:
		return msText(f.Now)
	}
	return num(f.Now)
}

// summaryParts word the findings of each registered kind of evidence
// (saturation, services, traffic, …), after the machine's and the probe's.
var summaryParts []func(a Advice) []string

// registerSummary adds a kind of evidence's wording to every summary.
func registerSummary(f func(a Advice) []string) { summaryParts = append(summaryParts, f) }
