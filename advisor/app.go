package advisor

import (
	"math"
	"sort"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/accesslog"
	"github.com/headroom-dev/headroom/sampler/services/stats"
)

// AppAdvice is the app's side of the window, for once --json, the screen
// and hooks: traffic over the whole window; each service as last read.
type AppAdvice struct {
	// Traffic is the access logs over the window: percentiles from the
	// merged histograms, the costliest endpoints.
	Traffic   *accesslog.Traffic    `json:"traffic,omitempty"`
	Postgres  *stats.PostgresStats  `json:"postgres,omitempty"`
	PgBouncer *stats.PgBouncerStats `json:"pgbouncer,omitempty"`
	Cache     []stats.CacheStats    `json:"cache,omitempty"`
	// TopStatement is the statement that cost the database the most time
	// over the window (pg_stat_statements, else the SQL log).
	TopStatement *TopStatement `json:"top_statement,omitempty"`
	// CapacityRPS is the request rate at which throughput stopped rising
	// while latency rose with CPU at SCALE: the load test's answer.
	CapacityRPS *float64 `json:"capacity_req_per_s,omitempty"`

	// RequestsSeries and P95Series are the newest intervals' requests/s
	// and p95 (ms; 0 where none was timed), oldest first, for sparklines.
	RequestsSeries []float64 `json:"-"`
	P95Series      []float64 `json:"-"`

	// intervals are the window's access-log intervals, read once for
	// every judge that needs them.
	intervals []accesslog.Interval
	// latencyFromProbe and errorsFromProbe: with an access log too, the
	// probe's finding was the worse one and is the one given.
	latencyFromProbe, errorsFromProbe bool
}

// seriesLen is how many intervals RequestsSeries and P95Series keep.
const seriesLen = 30

// minCapacityIntervals is how many access-log intervals a capacity claim
// needs: a few seconds of noise must not name a capacity.
const minCapacityIntervals = 15

// capacityReached splits the window's access-log intervals in thirds:
// requests/s that rose into the middle third and then stayed within 10 %
// while p95 rose by a quarter (and 20 ms), with CPU at SCALE, is the
// machine's capacity, at the newest third's rate. A ramp still climbing
// is not, nor a load that fell away.
func capacityReached(ivs []accesslog.Interval, cpu Level) (float64, bool) {
	if cpu != Scale || len(ivs) < minCapacityIntervals {
		return 0, false
	}
	k := len(ivs) / 3
	rate := func(part []accesslog.Interval) (rps, p95 float64, ok bool) {
		var reqs int
		var secs float64
		hs := make([]accesslog.Histogram, 0, len(part))
		for _, iv := range part {
			reqs += iv.Requests
			secs += iv.Seconds
			hs = append(hs, iv.Latency)
		}
		p95, ok = accesslog.MergeHistograms(hs...).Quantile(0.95)
		return float64(reqs) / max(secs, 1e-9), p95, ok && reqs > 0
	}
	r0, _, ok0 := rate(ivs[len(ivs)-3*k : len(ivs)-2*k])
	r1, l1, ok1 := rate(ivs[len(ivs)-2*k : len(ivs)-k])
	r2, l2, ok2 := rate(ivs[len(ivs)-k:])
	rising := r1 >= r0*1.1                 // it was still climbing
	flat := r2 >= r1*0.9 && r2 < r1*1.1    // and stopped: not a load that ended
	slower := l2 >= l1*1.25 && l2-l1 >= 20 // while requests took longer
	if !ok0 || !ok1 || !ok2 || !rising || !flat || !slower {
		return 0, false
	}
	return round1(r2), true
}

// TopStatement is the window's costliest statement.
type TopStatement struct {
	Query     string  `json:"query"`  // normalized, printable, shortened by its reader
	Source    string  `json:"source"` // "pg_stat_statements" or "sql_log"
	Calls     int64   `json:"calls"`
	CallsPerS float64 `json:"calls_per_s"`
	MeanMS    float64 `json:"mean_ms"`
	TotalMS   float64 `json:"total_ms"`
	SharePct  float64 `json:"share_pct"` // of all statements' time over the window
	// PerRequest is calls per request when the access logs give the
	// request rate; 10 or more is a likely N+1.
	PerRequest *float64 `json:"per_request,omitempty"`
	// Fix is the SQL log's suggestion for an N+1 it saw ("select_related('category')").
	Fix     string `json:"fix,omitempty"`
	Samples int    `json:"-"`
}

// nPlusOnePerRequest is the calls per request from which a statement is
// named a likely N+1 (the SQL log reader's run length).
const nPlusOnePerRequest = 10

// appAdvice gathers the app's side of a window.
func appAdvice(w []sampler.Snapshot) AppAdvice {
	var a AppAdvice
	if a.intervals = trafficWindow(w); len(a.intervals) > 0 {
		t := accesslog.Window(a.intervals, 5)
		a.Traffic = &t
		for _, iv := range a.intervals[max(0, len(a.intervals)-seriesLen):] {
			p95 := 0.0
			if iv.Traffic.P95Ms != nil {
				p95 = *iv.Traffic.P95Ms
			}
			a.RequestsSeries = append(a.RequestsSeries, iv.Traffic.RequestsPerS)
			a.P95Series = append(a.P95Series, p95)
		}
	}
	// Services as last read: a service seen once in the window and gone
	// since is still shown, with its state.
	for i := len(w) - 1; i >= 0; i-- {
		s := w[i]
		if a.Postgres == nil && s.Postgres != nil {
			a.Postgres = s.Postgres
		}
		// PgBouncer: the newest reading, unless an older one in the window
		// had clients waiting and the newest has none: a queue that came
		// and went between two readings is still the window's finding.
		if s.PgBouncer != nil && (a.PgBouncer == nil || waitingOf(s.PgBouncer) > waitingOf(a.PgBouncer)) {
			a.PgBouncer = s.PgBouncer
		}
		if a.Cache == nil && len(s.Cache) > 0 {
			a.Cache = s.Cache
		}
	}
	return a
}

// latencyFromTraffic: the latency finding was judged from access logs.
func (a Advice) latencyFromTraffic() bool {
	return a.Traffic != nil && a.Traffic.P95Ms != nil && !a.latencyFromProbe
}

// LatencyFromTraffic: the latency finding was judged from access logs, not
// from the probe (whose figures may be shown beside it).
func (a Advice) LatencyFromTraffic() bool { return a.latencyFromTraffic() }

// LatencyP95 is the window's p95 the latency finding rests on: the access
// logs' when they judge it, else the probe's; ok is false with neither.
func (a Advice) LatencyP95() (float64, bool) {
	if a.latencyFromTraffic() {
		return *a.Traffic.P95Ms, true
	}
	if a.Probe != nil && a.Probe.Answered > 0 {
		return a.Probe.P95, true
	}
	return 0, false
}

// errorsFromTraffic: the errors finding was judged from access logs.
func (a Advice) errorsFromTraffic() bool {
	return a.Traffic != nil && a.Traffic.Status != nil && !a.errorsFromProbe
}

// stmtSum is one statement's sums over a window.
type stmtSum struct {
	calls   int64
	totalMS float64
	fix     string
}

// topStatement ranks the window's statements by total time: from
// pg_stat_statements where any snapshot has them, else from the SQL log.
// Shares are of all statements' time; the per-request count needs traffic.
func topStatement(w []sampler.Snapshot, traffic *accesslog.Traffic) (TopStatement, bool) {
	sums := map[string]*stmtSum{}
	var dbMS, secs float64
	n := 0
	add := func(q string, calls int64, ms float64) {
		s := sums[q]
		if s == nil {
			s = &stmtSum{}
			sums[q] = s
		}
		s.calls += calls
		s.totalMS += ms
	}
	source := "pg_stat_statements"
	for _, s := range w {
		p := s.Postgres
		if p == nil || p.State != stats.StateOK || len(p.TopStatements) == 0 {
			continue
		}
		n++
		first := p.TopStatements[0]
		if first.SharePct > 0 {
			dbMS += first.TotalMS / first.SharePct * 100
		}
		if first.CallsPerS > 0 {
			secs += float64(first.Calls) / first.CallsPerS
		}
		for _, st := range p.TopStatements {
			add(st.Query, st.Calls, st.TotalMS)
		}
	}
	if n == 0 {
		source = "sql_log"
		for _, s := range w {
			q := s.SQL
			if q == nil || q.State != stats.StateOK {
				continue
			}
			secs += q.Seconds
			if len(q.Statements) == 0 {
				continue
			}
			n++
			dbMS += q.TotalMS
			for _, st := range q.Statements {
				add(st.Fingerprint, int64(st.Count), st.TotalMS)
			}
			for _, np := range q.NPlusOne {
				if s := sums[np.Fingerprint]; s != nil && np.Fix != "" {
					s.fix = np.Fix
				}
			}
		}
	}
	if len(sums) == 0 || dbMS <= 0 {
		return TopStatement{}, false
	}
	keys := make([]string, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if sums[keys[i]].totalMS != sums[keys[j]].totalMS {
			return sums[keys[i]].totalMS > sums[keys[j]].totalMS
		}
		return keys[i] < keys[j]
	})
	top := sums[keys[0]]
	st := TopStatement{Query: keys[0], Source: source, Calls: top.calls, TotalMS: round1(top.totalMS),
		SharePct: round1(min(100, top.totalMS/dbMS*100)), Fix: top.fix, Samples: n}
	if top.calls > 0 {
		st.MeanMS = math.Round(top.totalMS/float64(top.calls)*1000) / 1000 // µs matter: an N+1's lookups take a few
	}
	if secs > 0 {
		st.CallsPerS = round1(float64(top.calls) / secs)
		if traffic != nil && traffic.RequestsPerS > 0 {
			per := round1(float64(top.calls) / secs / traffic.RequestsPerS)
			st.PerRequest = &per
		}
	}
	return st, true
}

// Past is how a finding's line is crossed, for display: "≥" where higher
// is worse, "≤" where lower is (a hit rate).
func (f Finding) Past() string {
	if f.LowerIsWorse {
		return "≤"
	}
	return "≥"
}

// waitingOf is the clients waiting in a PgBouncer reading's busiest pool.
func waitingOf(b *stats.PgBouncerStats) int64 {
	_, n := waitingPool(b)
	return n
}
