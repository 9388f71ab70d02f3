package advisor

import (
	"math"
	"strings"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/accesslog"
	"github.com/headroom-dev/headroom/sampler/services/stats"
)

// The keys of the app's own metrics. Each names one instance itself, so
// its thresholds are a [thresholds."cache:redis"] table of its own.
const (
	KeyCacheRedis     = "cache:redis"     // hit rate, % (lower is worse)
	KeyCacheMemcached = "cache:memcached" // hit rate, % (lower is worse)
	KeyDBConnections  = "db:connections"  // client backends, % of max_connections
	KeyDBSlow         = "db:slow"         // the top statement's share of DB time, %
)

func init() { registerMetrics(appMetrics) }

// appMetrics are the metrics of the app's services. A hit rate has no
// scale line (0): a cold cache is the app's to fix, never a reason to buy
// machines on its own (framework §4.3).
func appMetrics() Vocabulary {
	return Vocabulary{
		{Key: KeyCacheRedis, Label: "cache", Unit: Percent, LowerIsWorse: true, Default: Threshold{70, 0}, Counts: "samples",
			Instances: cacheInstances(stats.KindRedis), Judge: judgeCache},
		{Key: KeyCacheMemcached, Label: "cache", Unit: Percent, LowerIsWorse: true, Default: Threshold{70, 0}, Counts: "samples",
			Instances: cacheInstances(stats.KindMemcached), Judge: judgeCache},
		{Key: KeyDBConnections, Label: "db", Unit: Percent, Default: Threshold{80, 100}, Counts: "samples",
			Instances: dbInstances, Read: plain(DBConnectionsMetric), Judge: judgeDBConnections},
		{Key: KeyDBSlow, Label: "db", Unit: Percent, Default: Threshold{30, 100}, Counts: "samples",
			Instances: slowInstances, Judge: judgeDBSlow},
	}
}

// hasTraffic: the snapshot's access logs showed requests.
func hasTraffic(s sampler.Snapshot) bool { return s.Traffic != nil && s.Traffic.Requests > 0 }

// cacheOf is the snapshot's answering cache of a kind.
func cacheOf(s sampler.Snapshot, kind string) (stats.CacheStats, bool) {
	for _, c := range s.Cache {
		if c.Kind == kind && c.State == stats.StateOK {
			return c, true
		}
	}
	return stats.CacheStats{}, false
}

// hitRate reads a cache's hit rate; absent without lookups in the interval.
func hitRate(kind string) sampler.Metric {
	return func(s sampler.Snapshot) (float64, bool) {
		c, ok := cacheOf(s, kind)
		if !ok || c.HitRate == nil {
			return 0, false
		}
		return *c.HitRate, true
	}
}

func cacheInstances(kind string) func([]sampler.Snapshot) []string {
	return func(w []sampler.Snapshot) []string {
		rate := hitRate(kind) // one closure, not one per snapshot
		for _, s := range w {
			if _, ok := rate(s); ok {
				return []string{""}
			}
		}
		return nil
	}
}

// judgeCache is the sustained rule, lower being worse. It reads the hit
// rate itself (the definition has no Read), which keeps hit rates out of
// the report's "time ≥ threshold" table, where higher reads as worse; the
// report's Services section has them.
func judgeCache(j *judgement) (Finding, bool) {
	kind := strings.TrimPrefix(j.def.Key, "cache:")
	return judge(j.window, j.name, hitRate(kind), j.rules.Threshold(j.def.Key), j.rules.Sustain, true)
}

// DBConnectionsMetric is client backends in % of max_connections.
func DBConnectionsMetric(s sampler.Snapshot) (float64, bool) {
	p := s.Postgres
	if p == nil || p.State != stats.StateOK || p.MaxConnections <= 0 {
		return 0, false
	}
	return float64(p.Connections) / float64(p.MaxConnections) * 100, true
}

func dbInstances(w []sampler.Snapshot) []string {
	for _, s := range w {
		if _, ok := DBConnectionsMetric(s); ok || waiting(s) >= 0 {
			return []string{""}
		}
	}
	return nil
}

// waiting is the PgBouncer clients waiting for a server connection; -1
// when PgBouncer was not read.
func waiting(s sampler.Snapshot) int64 {
	b := s.PgBouncer
	if b == nil || b.State != stats.StateOK {
		return -1
	}
	var n int64
	for _, p := range b.Pools {
		n += p.ClWaiting
	}
	return n
}

// judgeDBConnections: connections from 80 % of max_connections are
// OPTIMIZE (pool them), and SCALE only when the machine's CPU or memory is
// at SCALE too; PgBouncer clients waiting over the window are OPTIMIZE.
func judgeDBConnections(j *judgement) (Finding, bool) {
	th := j.rules.Threshold(j.def.Key)
	f, ok := judge(j.window, j.name, DBConnectionsMetric, th, j.rules.Sustain, false)
	if f.Level > Monitor {
		f.Level = Optimize
		if j.saturated() {
			f.Level = Scale
		}
	}
	if f.NowLevel > Optimize {
		f.NowLevel = Optimize
	}
	var n, waited int
	for _, s := range j.window {
		if w := waiting(s); w >= 0 {
			n++
			if w > 0 {
				waited++
			}
		}
	}
	if n > 0 && float64(waited)/float64(n) >= j.rules.Sustain {
		if !ok {
			f = Finding{Metric: j.name, Samples: n, Threshold: th.Optimize}
			ok = true
		}
		f.Level = max(f.Level, Optimize)
	}
	if n > 0 && waiting(last(j.window)) > 0 {
		f.NowLevel = max(f.NowLevel, Optimize)
	}
	return f, ok
}

func slowInstances(w []sampler.Snapshot) []string {
	if _, ok := topStatement(w, nil); ok {
		return []string{""}
	}
	return nil
}

// judgeDBSlow: the window's costliest statement is OPTIMIZE when it takes
// at least the optimize line (30 %) of DB time, or its mean is 30 ms or
// more at one call per second or more. Slow statements are optimized,
// never scaled: the verdict never goes past OPTIMIZE on this alone.
func judgeDBSlow(j *judgement) (Finding, bool) {
	st, ok := topStatement(j.window, j.advice.Traffic)
	if !ok {
		return Finding{}, false
	}
	j.advice.TopStatement = &st
	line := j.rules.Threshold(j.def.Key).Optimize
	f := Finding{Metric: j.name, Now: st.SharePct, Mean: st.SharePct, Max: st.SharePct, Threshold: line, Samples: st.Samples}
	busy := st.CallsPerS*st.MeanMS >= minStatementMSPerS
	nPlusOne := st.PerRequest != nil && *st.PerRequest >= nPlusOnePerRequest
	if (st.SharePct >= line && (busy || nPlusOne)) || (st.MeanMS >= slowMeanMS && st.CallsPerS >= 1) {
		f.Level, f.NowLevel, f.Above = Optimize, Optimize, 100
	}
	return f, true
}

// minStatementMSPerS is the database time a second (ms) under which a
// statement's share says nothing: on an idle database one small query is
// always "100 % of DB time".
const minStatementMSPerS = 5

// slowMeanMS is the mean time at which a statement run once a second or
// more is slow whatever its share.
const slowMeanMS = 30

// trafficWindow is the window's access-log intervals.
func trafficWindow(w []sampler.Snapshot) []accesslog.Interval {
	var out []accesslog.Interval
	for _, s := range w {
		if s.Traffic != nil && s.Traffic.State == stats.StateOK {
			out = append(out, s.Traffic.Interval())
		}
	}
	return out
}

// trafficLatency judges latency from the access logs' request times when
// they have any (used true): the window's p95 over the SLA is OPTIMIZE,
// SCALE with the machine saturated, as for the probe.
func trafficLatency(j *judgement) (f Finding, ok, used bool) {
	t := j.advice.Traffic
	if t == nil || t.P95Ms == nil {
		return Finding{}, false, false
	}
	ivs := j.advice.intervals
	hists := make([]accesslog.Histogram, 0, len(ivs))
	var p95s []float64
	for _, iv := range ivs {
		hists = append(hists, iv.Latency)
		if iv.Traffic.P95Ms != nil {
			p95s = append(p95s, *iv.Traffic.P95Ms)
		}
	}
	sla := float64(j.rules.SLA.Milliseconds())
	merged := accesslog.MergeHistograms(hists...)
	st := sampler.StatsOf(p95s)
	// The window's p95 cannot exceed the worst interval's (at most 5 % of
	// each interval's requests are above that): where the merged
	// histogram's interpolation puts it a little above, it is the worst.
	p95 := *t.P95Ms
	if st.N > 0 && p95 > st.Max {
		p95 = st.Max
	}
	f = Finding{Metric: j.name, Now: round1(st.Now), Mean: round1(p95), Max: round1(st.Max), Threshold: sla,
		Samples: int(merged.Count()), Above: round1(shareOver(merged, sla) * 100)}
	if p95 > sla {
		f.Level = Optimize
		if j.saturated() {
			f.Level = Scale
		}
	}
	if st.Now > sla {
		f.NowLevel = Optimize
	}
	if n, ok := capacityReached(ivs, j.level(KeyCPU)); ok {
		j.advice.CapacityRPS = &n
	}
	return f, true, true
}

// shareOver is the share of a histogram's values above v: the smallest
// quantile at or over v, found by bisection (the histogram's quantiles
// are all it offers, and 30 steps reach a millionth).
func shareOver(h accesslog.Histogram, v float64) float64 {
	if h.Count() == 0 {
		return 0
	}
	if q, _ := h.Quantile(1); q <= v {
		return 0
	}
	lo, hi := 0.0, 1.0
	for range 30 {
		mid := (lo + hi) / 2
		if q, _ := h.Quantile(math.Max(mid, 1e-9)); q > v {
			hi = mid
		} else {
			lo = mid
		}
	}
	return 1 - hi
}

// trafficErrors judges the 5xx share of the access logs' requests (used
// true when they had requests): over the error rate is OPTIMIZE, SCALE
// with the machine saturated. Every request failing in the newest
// intervals (or the probe's) is DOWN, whatever the machine.
func trafficErrors(j *judgement) (f Finding, ok, used bool) {
	t := j.advice.Traffic
	if t == nil || t.Status == nil {
		return Finding{}, false, false
	}
	ivs := j.advice.intervals
	var reqs, errs, failing int
	for _, iv := range ivs {
		reqs += iv.Requests
		errs += iv.Classes[5]
		switch {
		case iv.Requests == 0:
		case iv.Classes[5] == iv.Requests:
			failing++
		default:
			failing = 0
		}
	}
	pct := t.Status.S5xx
	now := 0.0
	if lastIv := ivs[len(ivs)-1]; lastIv.Requests > 0 {
		now = float64(lastIv.Classes[5]) / float64(lastIv.Requests) * 100
	}
	f = Finding{Metric: j.name, Now: round1(now), Mean: round1(pct), Max: round1(pct), Threshold: j.rules.ErrorRate,
		Samples: reqs, Above: round1(float64(errs) / float64(max(1, reqs)) * 100)}
	if pct > j.rules.ErrorRate {
		f.Level, f.NowLevel = Optimize, Optimize
		if j.saturated() {
			f.Level = Scale
		}
	}
	if failing >= downAfter { // every request of the newest intervals a 5xx
		f.Level, f.NowLevel = Down, Down
	}
	return f, true, true
}
