package advisor

import (
	"strings"
	"testing"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/accesslog"
	"github.com/headroom-dev/headroom/sampler/saturation"
	"github.com/headroom-dev/headroom/sampler/services/stats"
	"github.com/headroom-dev/headroom/sampler/sqllog"
)

func f64(v float64) *float64 { return &v }
func i64(v int64) *int64     { return &v }

// withTraffic adds one access-log interval per snapshot: rps requests, of
// which errPct % answered 5xx, each taking ms (ms(i) for snapshot i).
func withTraffic(snaps []sampler.Snapshot, rps func(i int) int, errPct float64, ms func(i int) float64) []sampler.Snapshot {
	for i := range snaps {
		agg := accesslog.NewAggregator(accesslog.Settings{})
		n := rps(i)
		bad := int(float64(n) * errPct / 100)
		for k := 0; k < n; k++ {
			st := 200
			if k < bad {
				st = 503
			}
			agg.Add(accesslog.Request{Status: st, Method: []byte("GET"), Target: []byte("/items/7"), Seconds: ms(i) / 1000, Timed: true})
		}
		iv := agg.Flush(1e9)
		snaps[i].Traffic = &sampler.TrafficSample{Traffic: iv.Traffic, Seconds: iv.Seconds, Requests: iv.Requests,
			Classes: iv.Classes, Latency: iv.Latency, State: stats.StateOK}
		for _, e := range iv.Endpoints {
			snaps[i].Traffic.Endpoints = append(snaps[i].Traffic.Endpoints, sampler.EndpointSum{Endpoint: e.Endpoint, Count: e.Count, Timed: e.Timed, SumMs: e.SumMs})
		}
	}
	return snaps
}

func constInt(n int) func(int) int        { return func(int) int { return n } }
func constMS(v float64) func(int) float64 { return func(int) float64 { return v } }

func TestAppFindings(t *testing.T) {
	cache := func(hit float64, evict float64, used, maxb int64) func([]sampler.Snapshot) []sampler.Snapshot {
		return func(s []sampler.Snapshot) []sampler.Snapshot {
			for i := range s {
				s[i].Cache = []stats.CacheStats{{Kind: "redis", Addr: "redis://127.0.0.1:6379/0", HitRate: f64(hit),
					EvictionsPerS: f64(evict), UsedBytes: used, MaxBytes: i64(maxb), State: "ok"}}
			}
			return s
		}
	}
	pg := func(conns, maxc int) func([]sampler.Snapshot) []sampler.Snapshot {
		return func(s []sampler.Snapshot) []sampler.Snapshot {
			for i := range s {
				s[i].Postgres = &stats.PostgresStats{Connections: conns, MaxConnections: maxc, State: "ok",
					TopStatements: []stats.Statement{
						{Query: "SELECT * FROM lab_category WHERE id = $1", Calls: 400, CallsPerS: 400, MeanMS: 0.5, TotalMS: 200, SharePct: 50},
						{Query: "SELECT * FROM lab_item", Calls: 20, CallsPerS: 20, MeanMS: 5, TotalMS: 100, SharePct: 25}}}
			}
			return s
		}
	}
	idle := func() []sampler.Snapshot { return series(60, flat(10, 20, -1, 40)) }
	hot := func() []sampler.Snapshot { return series(60, flat(95, 20, -1, 40)) }
	cases := []struct {
		name    string
		snaps   []sampler.Snapshot
		metric  string
		level   Level
		verdict Level
		summary string
	}{
		{"warm cache", cache(91, 0, 1, 100)(idle()), KeyCacheRedis, Monitor, Monitor, "Usage acceptable."},
		{"cold cache", cache(40, 0, 1, 100)(idle()), KeyCacheRedis, Optimize, Optimize, "redis hit rate 40% (mean 40%) is under 70%: improve the cache strategy"},
		// Never SCALE on a hit rate alone, even on a saturated machine.
		{"cold cache, hot machine", cache(10, 0, 1, 100)(hot()), KeyCacheRedis, Optimize, Scale, "improve the cache strategy"},
		{"cache full", cache(60, 5, 99, 100)(idle()), KeyCacheRedis, Optimize, Optimize, "cache full: give it memory or shorter TTLs"},
		{"connections fine", pg(30, 100)(idle()), KeyDBConnections, Monitor, Optimize, "Statement"},
		{"connections high", pg(85, 100)(idle()), KeyDBConnections, Optimize, Optimize, "pool connections: PgBouncer, CONN_MAX_AGE"},
		{"connections high, hot machine", pg(85, 100)(hot()), KeyDBConnections, Scale, Scale, "scale the database host"},
		{"slow statement", pg(10, 100)(idle()), KeyDBSlow, Optimize, Optimize, "“SELECT * FROM lab_category WHERE id = $1” takes 50% of DB time"},
		{"N+1 with traffic", pg(10, 100)(withTraffic(idle(), constInt(20), 0, constMS(50))), KeyDBSlow, Optimize, Optimize, "runs 20 times per request"},
		{"traffic slow", withTraffic(idle(), constInt(50), 0, constMS(450)), KeyLatency, Optimize, Optimize, "ms at 50 req/s is over the 300 ms SLA while the machine has room"},
		{"traffic slow, hot", withTraffic(hot(), constInt(50), 0, constMS(450)), KeyLatency, Scale, Scale, "with the machine saturated: scale out"},
		{"traffic fast", withTraffic(idle(), constInt(50), 0, constMS(20)), KeyLatency, Monitor, Monitor, "Usage acceptable."},
		{"5xx", withTraffic(idle(), constInt(100), 5, constMS(20)), KeyErrors, Optimize, Optimize, "5.0% of requests answered 5xx"},
		{"5xx, hot", withTraffic(hot(), constInt(100), 5, constMS(20)), KeyErrors, Scale, Scale, "5xx with the machine saturated"},
		{"every request 5xx", withTraffic(idle(), constInt(10), 100, constMS(2)), KeyErrors, Down, Down, "answers every request with 5xx"},
		{"capacity", withTraffic(hot(), func(i int) int { return min(100, 10+i*5) }, 0, func(i int) float64 { return 50 + float64(max(0, i-18))*20 }),
			KeyLatency, Scale, Scale, "capacity reached at about 100 req/s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := Advise(c.snaps, DefaultRules())
			f, ok := a.Finding(c.metric)
			if !ok {
				t.Fatalf("no %s finding in %+v", c.metric, a.Findings)
			}
			if f.Level != c.level || a.Verdict != c.verdict {
				t.Errorf("%s level %v verdict %v, want %v / %v (%+v)", c.metric, f.Level, a.Verdict, c.level, c.verdict, f)
			}
			if !strings.Contains(a.Summary, c.summary) {
				t.Errorf("summary %q lacks %q", a.Summary, c.summary)
			}
		})
	}
}

func TestAppPgBouncerWaiting(t *testing.T) {
	s := series(30, flat(10, 20, -1, 40))
	for i := range s {
		s[i].PgBouncer = &stats.PgBouncerStats{State: "ok", Pools: []stats.Pool{{Database: "lab", User: "lab", ClWaiting: 3, ClActive: 10}}}
	}
	a := Advise(s, DefaultRules())
	if f, _ := a.Finding(KeyDBConnections); f.Level != Optimize {
		t.Errorf("db:connections %+v, want OPTIMIZE", f)
	}
	if !strings.Contains(a.Summary, "PgBouncer pool lab/lab has 3 clients waiting") {
		t.Errorf("summary %q", a.Summary)
	}
}

// A queue seen over the window is named even when the newest reading
// happens to catch the pool with no one waiting.
func TestAppPgBouncerWaitingNamedFromTheWindow(t *testing.T) {
	s := series(30, flat(10, 20, -1, 40))
	for i := range s {
		waiting := int64(3)
		if i == len(s)-1 {
			waiting = 0
		}
		s[i].PgBouncer = &stats.PgBouncerStats{State: "ok", Pools: []stats.Pool{{Database: "lab", User: "lab", ClWaiting: waiting, ClActive: 10}}}
	}
	a := Advise(s, DefaultRules())
	if f, _ := a.Finding(KeyDBConnections); f.Level != Optimize || !strings.Contains(a.Summary, "PgBouncer pool lab/lab has 3 clients waiting") {
		t.Errorf("db:connections %+v, summary %q; want OPTIMIZE naming the pool", f, a.Summary)
	}
}

func TestAppSlowFromSQLLog(t *testing.T) {
	s := withTraffic(series(30, flat(10, 20, -1, 40)), constInt(5), 0, constMS(40))
	for i := range s {
		s[i].SQL = &sampler.SQLSample{Seconds: 1, Count: 110, TotalMS: 60, State: "ok",
			Statements: []sqllog.Stat{{Fingerprint: "SELECT ... FROM lab_category WHERE id = ?", Count: 100, TotalMS: 50}},
			NPlusOne:   []sqllog.NPlusOne{{Fingerprint: "SELECT ... FROM lab_category WHERE id = ?", Fix: "select_related('category')"}}}
	}
	a := Advise(s, DefaultRules())
	if a.TopStatement == nil || a.TopStatement.Source != "sql_log" || a.TopStatement.SharePct != 83.3 {
		t.Fatalf("top statement %+v", a.TopStatement)
	}
	if !strings.Contains(a.Summary, "runs 20 times per request (83% of DB time): a likely N+1: select_related('category')") {
		t.Errorf("summary %q", a.Summary)
	}
}

// Unavailable services make no finding and no zero: they are states.
func TestAppUnavailable(t *testing.T) {
	s := series(10, flat(10, 20, -1, 40))
	for i := range s {
		s[i].Postgres = &stats.PostgresStats{State: "unavailable", Reason: "connection refused"}
		s[i].Cache = []stats.CacheStats{{Kind: "redis", State: "unavailable", Reason: "timeout after 2 s"}}
	}
	a := Advise(s, DefaultRules())
	for _, m := range []string{KeyDBConnections, KeyDBSlow, KeyCacheRedis} {
		if f, ok := a.Finding(m); ok {
			t.Errorf("finding %+v from an unavailable service", f)
		}
	}
	if a.Postgres == nil || a.Postgres.Reason != "connection refused" || len(a.Cache) != 1 {
		t.Errorf("advice lost the states: %+v %+v", a.Postgres, a.Cache)
	}
}

func TestAppReport(t *testing.T) {
	s := withTraffic(series(30, flat(10, 20, -1, 40)), constInt(20), 5, constMS(120))
	for i := range s {
		s[i].Cache = []stats.CacheStats{{Kind: "redis", HitRate: f64(float64(60 + i)), State: "ok"}}
		s[i].Postgres = &stats.PostgresStats{State: "unavailable", Reason: "connection refused"}
	}
	r := ReportMarkdown(Session{Snaps: s, Rules: DefaultRules()})
	for _, want := range []string{"## Traffic (access logs)", "20.0 requests/s; 2xx 95.0%", "5xx 5.0%", "| `GET /items/:id` | 600 |",
		"| redis hit rate | 74% | lowest 60% |", "Postgres was unavailable at the end: connection refused."} {
		if !strings.Contains(r, want) {
			t.Errorf("report lacks %q:\n%s", want, r)
		}
	}
	if strings.Contains(r, "| cache redis |") {
		t.Errorf("a hit rate in the higher-is-worse table:\n%s", r)
	}
}

// BenchmarkAdviseApp judges a full 5-minute window with traffic, Postgres
// statements and a cache in every snapshot: the pipeline's work each second.
func BenchmarkAdviseApp(b *testing.B) {
	s := withTraffic(series(300, flat(50, 40, -1, 40)), constInt(200), 1, func(i int) float64 { return float64(20 + i%200) })
	for i := range s {
		s[i].Cache = []stats.CacheStats{{Kind: "redis", HitRate: f64(90), State: "ok"}}
		s[i].Postgres = &stats.PostgresStats{Connections: 10, MaxConnections: 100, State: "ok", TopStatements: []stats.Statement{
			{Query: "SELECT 1", Calls: 10, CallsPerS: 10, MeanMS: 1, TotalMS: 10, SharePct: 50},
			{Query: "SELECT 2", Calls: 5, CallsPerS: 5, MeanMS: 1, TotalMS: 5, SharePct: 25}}}
	}
	r := DefaultRules()
	b.ResetTimer()
	for range b.N {
		Advise(s, r)
	}
}

// With an access log and a probe, the log judges latency; the probe's own
// figures are still there for its chart, and the summary is the log's.
func TestProbeFiguresBesideTrafficLatency(t *testing.T) {
	snaps := withProbe(withTraffic(series(60, flat(10, 20, -1, 40)), constInt(50), 0, constMS(450)), func(int) float64 { return 20 }, func(int) bool { return false })
	a := Advise(snaps, DefaultRules())
	if !a.LatencyFromTraffic() || a.Probe == nil || a.Probe.P95 != 20 {
		t.Fatalf("from traffic %v, probe %+v; want the log judging and the probe's 20 ms kept", a.LatencyFromTraffic(), a.Probe)
	}
	// Both sources there: the row says whose latency it is.
	if f, _ := a.Finding(KeyLatency); f.Counts != "access-log requests" {
		t.Errorf("latency counts %q; want the access log named", f.Counts)
	}
	if !strings.Contains(a.Summary, "at 50 req/s is over the 300 ms SLA") || strings.Contains(a.Summary, "p95 latency 20 ms") {
		t.Errorf("summary %q; want the log's latency alone", a.Summary)
	}
}

// Requests queued behind busy workers are slow at the probe and fast in the
// access log (its time starts when a worker takes the request): the
// probe's worse level is the finding, and the summary says why they differ.
func TestProbeOverTrafficLatencyIsTheQueue(t *testing.T) {
	snaps := withProbe(withTraffic(series(300, flat(40, 20, -1, 40)), constInt(50), 0, constMS(105)),
		func(i int) float64 { return 395 + float64(i%10) }, never)
	a := Advise(snaps, DefaultRules())
	f, _ := a.Finding(KeyLatency)
	if a.LatencyFromTraffic() || f.Level != Optimize || a.Verdict != Optimize {
		t.Fatalf("from traffic %v, latency %+v, verdict %v; want the probe's OPTIMIZE", a.LatencyFromTraffic(), f, a.Verdict)
	}
	if p95, ok := a.LatencyP95(); !ok || p95 < 395 {
		t.Errorf("LatencyP95 %v %v; want the probe's", p95, ok)
	}
	if f.Counts != "probe requests" {
		t.Errorf("latency counts %q; want the probe named", f.Counts)
	}
	if !strings.Contains(a.Summary, "at the probe is over the 300 ms SLA, against 105 ms in the access log: requests wait for a free worker") {
		t.Errorf("summary %q", a.Summary)
	}
	// Both over the SLA: the log, which sees every request, keeps judging.
	both := withProbe(withTraffic(series(300, flat(40, 20, -1, 40)), constInt(50), 0, constMS(450)), constMS(600), never)
	if a := Advise(both, DefaultRules()); !a.LatencyFromTraffic() {
		t.Errorf("both over the SLA: judged from the probe")
	}
}

// An app that stopped answering writes no access-log lines: the probe's
// failures are the errors finding (DOWN, 100 % of the newest), never the
// log's 0 % of nothing.
func TestProbeDownOverQuietTraffic(t *testing.T) {
	snaps := withProbe(withTraffic(series(120, flat(10, 20, -1, 40)), func(i int) int {
		if i >= 100 {
			return 0
		}
		return 50
	}, 0, constMS(20)), constMS(20), func(i int) bool { return i >= 100 })
	for i := 100; i < len(snaps); i++ {
		snaps[i].Probe[0] = sampler.ProbeResult{MS: 0.2, Err: "refused"}
	}
	a := Advise(snaps, DefaultRules())
	f, _ := a.Finding(KeyErrors)
	if a.Verdict != Down || f.Level != Down || f.Now != 100 || f.Mean < 16 || a.Probe == nil {
		t.Fatalf("verdict %v, errors %+v; want DOWN with the probe's failures", a.Verdict, f)
	}
	if !strings.HasPrefix(a.Summary, "The app does not answer: connection refused") {
		t.Errorf("summary %q", a.Summary)
	}
}

// The probe slow and the log fast, with the workers on a CPU at 100 %:
// requests wait for a worker, but a free one would compete for the same
// cores; the action is cheaper requests or more cores, not more workers.
func TestProbeOverTrafficWithWorkersOnTheCPU(t *testing.T) {
	snaps := withProbe(withTraffic(saturated(series(300, flat(100, 20, -1, 40)), 0, saturation.StateCPU), constInt(50), 0, constMS(105)),
		func(i int) float64 { return 395 + float64(i%10) }, never)
	for i := range snaps[:250] {
		snaps[i].CPU.Percent = 40 // the load began 50 s ago: the CPU's level is still MONITOR
	}
	a := Advise(snaps, DefaultRules())
	if f, _ := a.Finding(KeyCPU); f.Level != Monitor || !a.Workers.CPUBound {
		t.Fatalf("cpu %+v, workers %+v; want CPU at MONITOR over the window and the workers CPU-bound", f, a.Workers)
	}
	if !strings.Contains(a.Summary, "against 105 ms in the access log: the workers are on the CPU, at 100 %: make requests cheaper or add cores, not workers.") || strings.Contains(a.Summary, "add workers") {
		t.Errorf("summary %q", a.Summary)
	}
}

// Down after a slow spell: the window's p95 is still over the SLA, but a
// refused request waits for no worker; the summary says the outage alone.
func TestDownDropsTheLatencySentence(t *testing.T) {
	snaps := withProbe(withTraffic(series(300, flat(40, 20, -1, 40)), constInt(50), 0, constMS(105)),
		func(i int) float64 { return 395 + float64(i%10) }, never)
	for i := 290; i < len(snaps); i++ {
		snaps[i].Probe[0] = sampler.ProbeResult{MS: 0.2, Err: "refused"}
	}
	a := Advise(snaps, DefaultRules())
	if f, _ := a.Finding(KeyLatency); a.Verdict != Down || f.Level == Monitor {
		t.Fatalf("verdict %v, latency %+v; want DOWN with the latency still over the SLA", a.Verdict, f)
	}
	if !strings.HasPrefix(a.Summary, "The app does not answer: connection refused") || strings.Contains(a.Summary, "latency") || strings.Contains(a.Summary, "worker") {
		t.Errorf("summary %q", a.Summary)
	}
}

// With the queue's own sentence there, the latency's says why it differs
// from the log and leaves the action to it: one action, said once.
func TestProbeOverTrafficWithAQueueActsOnce(t *testing.T) {
	snaps := withProbe(withTraffic(saturated(series(300, flat(40, 20, -1, 40)), 30, saturation.StateWaiting), constInt(50), 0, constMS(105)),
		func(i int) float64 { return 395 + float64(i%10) }, never)
	a := Advise(snaps, DefaultRules())
	if !strings.Contains(a.Summary, "requests wait for a free worker.") || strings.Count(a.Summary, "add workers") != 1 {
		t.Errorf("summary %q", a.Summary)
	}
	// The action first, the explanation after: a small panel cuts the end.
	if q, l := strings.Index(a.Summary, "Requests queue"), strings.Index(a.Summary, "p95 latency"); q < 0 || l < q {
		t.Errorf("summary %q; want the queue's sentence before the latency's", a.Summary)
	}
}

// The window's p95 of the access log is never above its worst interval's:
// every request at 961 ms is 961 ms at every figure, whatever the
// histogram's buckets make of it.
func TestTrafficLatencyMeanNotAboveMax(t *testing.T) {
	a := Advise(withTraffic(series(30, flat(10, 20, -1, 40)), constInt(20), 0, constMS(961)), DefaultRules())
	f, ok := a.Finding(KeyLatency)
	if !ok || f.Mean > f.Max || f.Max != 961 || f.Now != 961 {
		t.Errorf("latency %+v; want now, mean and max 961 ms, the mean never above the max", f)
	}
}
