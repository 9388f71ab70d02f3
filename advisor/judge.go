package advisor

import (
	"fmt"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// judgement is what a metric's Judge sees: the window, the rules, the
// metric being judged, and the advice so far (the findings before it in
// the vocabulary's order, for rules that depend on them).
type judgement struct {
	window []sampler.Snapshot
	rules  Rules
	def    MetricDef
	name   string
	advice *Advice
}

// level reports the sustained level of an earlier finding (MONITOR if absent).
func (j *judgement) level(metric string) Level {
	f, _ := j.advice.Finding(metric)
	return f.Level
}

// saturated: CPU or memory is at SCALE over the window.
func (j *judgement) saturated() bool {
	return j.level(KeyCPU) == Scale || j.level(KeyMemory) == Scale
}

// reached reports whether v is at or past line, the way the metric worsens.
func reached(v, line float64, lowerIsWorse bool) bool {
	if lowerIsWorse {
		return v <= line
	}
	return v >= line
}

// share is the fraction of values at or past line.
func share(values []float64, line float64, lowerIsWorse bool) float64 {
	if !lowerIsWorse {
		return sampler.ShareAtLeast(values, line)
	}
	return sampler.ShareAtMost(values, line)
}

// valueBufs are judge's reused value slices.
var valueBufs = sync.Pool{New: func() any { return new([]float64) }}

// judge computes one metric's finding over the window by the sustained
// rule; ok is false when no sample has the metric.
func judge(window []sampler.Snapshot, name string, m sampler.Metric, th Threshold, sustain float64, lowerIsWorse bool) (Finding, bool) {
	// The values live only for this call: a dashboard judges some twenty
	// metrics over a 300-sample window every second, and a fresh slice for
	// each was a sixth of what a sample allocated.
	buf := valueBufs.Get().(*[]float64)
	values := sampler.AppendValues((*buf)[:0], window, m)
	defer func() { *buf = values; valueBufs.Put(buf) }()
	st := sampler.StatsOf(values)
	if st.N == 0 {
		return Finding{}, false
	}
	f := Finding{Metric: name, Now: round1(st.Now), Mean: round1(st.Mean), Max: round1(st.Max), Samples: st.N}
	for _, l := range []Level{Scale, Optimize} {
		line := th.of(l)
		if line == 0 && l == Scale && lowerIsWorse {
			continue // no scale line: never SCALE on this metric alone
		}
		if reached(st.Now, line, lowerIsWorse) && f.NowLevel == Monitor {
			f.NowLevel = l
		}
		if f.Level == Monitor && share(values, line, lowerIsWorse) >= sustain {
			f.Level = l
		}
	}
	f.Threshold = th.of(max(f.Level, Optimize))
	f.Above = round1(share(values, f.Threshold, lowerIsWorse) * 100)
	return f, true
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
				ps.Failing++
				ps.LastError = failureCause(p)
				if p.Err == "timeout" {
					ps.failingTimeouts++
				} else {
					ps.failingTimeouts = 0
				}
			} else {
				ps.Failing, ps.failingTimeouts = 0, 0
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
	ps.Answered = len(lat)
	sorted := append([]float64(nil), lat...)
	sort.Float64s(sorted)
	ps.P50, ps.P95, ps.P99 = round1(sampler.Percentile(sorted, 50)), round1(sampler.Percentile(sorted, 95)), round1(sampler.Percentile(sorted, 99))
	return &ps, lat
}

// judgeLatency: the window's p95 over the SLA is OPTIMIZE — the app is slow
// while the machine has room — and SCALE only when CPU or memory is at
// SCALE too: the machine is saturated.
//
// With both an access log and a probe, the access log judges (it sees every
// request, not one a second) unless the probe's level is worse: an access
// log's time starts when a worker takes the request, so requests queued
// behind busy workers are slow only at the probe, which waits in the same
// queue as the users.
func judgeLatency(j *judgement) (Finding, bool) {
	ps, lat := probeStats(j.window, j.rules)
	if ps != nil {
		j.advice.Probe = ps // its figures are shown beside its chart either way
	}
	pf, pok := probeLatency(j, ps, lat)
	if f, ok, used := trafficLatency(j); used {
		// Two sources of one latency, far apart when requests queue: the
		// row says whose it is.
		if pok && pf.Level > f.Level {
			j.advice.latencyFromProbe = true
			pf.Counts = "probe requests"
			return pf, true
		}
		if pok {
			f.Counts = "access-log requests"
		}
		return f, ok
	}
	return pf, pok
}

// probeLatency is the latency finding from the probe alone.
func probeLatency(j *judgement, ps *ProbeStats, lat []float64) (Finding, bool) {
	if ps == nil || len(lat) == 0 {
		return Finding{}, false // nothing answered: no latency, never a 0 ms one
	}
	st := sampler.StatsOf(lat)
	f := Finding{Metric: j.name, Now: ps.Last, Mean: round1(st.Mean), Max: round1(st.Max), Threshold: ps.SLA, Samples: len(lat)}
	if len(lat) > 0 {
		f.Above = round1(sampler.ShareAtLeast(lat, ps.SLA) * 100)
	}
	if ps.P95 > ps.SLA {
		f.Level = Optimize
		if j.saturated() {
			f.Level = Scale
		}
	}
	if ps.Last > ps.SLA {
		f.NowLevel = Optimize
	}
	return f, true
}

// downAfter is how many requests in a row must fail for the app to be
// DOWN: one failure is noise, three at one a second is an outage.
const downAfter = 3

// failureCause says why a request failed, for people.
func failureCause(p sampler.ProbeResult) string {
	switch p.Err {
	case "":
		return fmt.Sprintf("HTTP %d", p.Status)
	case "refused":
		return "connection refused"
	case "reset":
		return "connection reset"
	case "dns":
		return "host name not found"
	case "timeout":
		return "timeout after " + FormatDuration(time.Duration(p.MS*float64(time.Millisecond)))
	}
	return p.Err
}

// judgeErrors: failed probe requests above the error rate are OPTIMIZE;
// the newest downAfter or more all failing is DOWN, whatever the machine.
//
// With an access log too, the probe's finding is taken when its level is
// worse: an app that is down writes no access-log lines, and 0 % of no
// requests is not an answer.
func judgeErrors(j *judgement) (Finding, bool) {
	ps := j.advice.Probe
	if ps == nil {
		ps, _ = probeStats(j.window, j.rules)
	}
	pf, pok := probeErrors(j, ps)
	if f, ok, used := trafficErrors(j); used {
		if pok && pf.Level > f.Level {
			j.advice.Probe, j.advice.errorsFromProbe = ps, true
			return pf, true
		}
		return f, ok
	}
	return pf, pok
}

// probeErrors is the errors finding from the probe alone.
func probeErrors(j *judgement, ps *ProbeStats) (Finding, bool) {
	if ps == nil {
		return Finding{}, false
	}
	pct := round1(ps.ErrorPercent())
	now := pct
	for i := len(j.window) - 1; i >= 0; i-- { // the newest interval's requests
		if rs := j.window[i].Probe; len(rs) > 0 {
			failed := 0
			for _, r := range rs {
				if r.Failed() {
					failed++
				}
			}
			now = round1(float64(failed) / float64(len(rs)) * 100)
			break
		}
	}
	f := Finding{Metric: j.name, Now: now, Mean: pct, Max: max(pct, now), Threshold: j.rules.ErrorRate, Samples: ps.Requests,
		Above: round1(float64(ps.Errors) / float64(max(1, ps.Requests)) * 100)}
	if ps.ErrorPercent() > j.rules.ErrorRate {
		f.Level, f.NowLevel = Optimize, Optimize
	}
	if ps.Failing >= downAfter {
		f.Level, f.NowLevel = Down, Down
		// Timeouts while requests wait in the listen queue: the app is
		// busy, not down; "restart it" would drop the queued requests.
		// The queue's own finding says what to do.
		if ps.failingTimeouts >= ps.Failing && queuedNow(j.window) {
			f.Level, f.NowLevel = Optimize, Optimize
			if j.saturated() {
				f.Level = Scale
			}
		}
	}
	return f, true
}

// queuedNow: the newest snapshot shows requests waiting in a listen queue.
func queuedNow(w []sampler.Snapshot) bool {
	if len(w) == 0 {
		return false
	}
	q, ok := QueueMetric(w[len(w)-1])
	return ok && q > 0
}

func round1(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return math.Round(v*10) / 10
}
