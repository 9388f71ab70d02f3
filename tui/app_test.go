package tui

import (
	"strings"
	"testing"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/accesslog"
	"github.com/headroom-dev/headroom/sampler/services/stats"
)

// withApp gives each snapshot traffic (rps climbing), Postgres and Redis.
func withApp(snaps []sampler.Snapshot) []sampler.Snapshot {
	out := make([]sampler.Snapshot, len(snaps))
	for i, s := range snaps {
		agg := accesslog.NewAggregator(accesslog.Settings{})
		for k := 0; k < 10+i%40; k++ {
			st := 200
			if k == 0 && i%2 == 1 {
				st = 502
			}
			agg.Add(accesslog.Request{Status: st, Method: []byte("GET"), Target: []byte("/db/?n=20"), Seconds: 0.18, Timed: true})
		}
		iv := agg.Flush(1e9)
		s.Traffic = &sampler.TrafficSample{Traffic: iv.Traffic, Seconds: iv.Seconds, Requests: iv.Requests, Classes: iv.Classes,
			Latency: iv.Latency, State: stats.StateOK}
		for _, e := range iv.Endpoints {
			s.Traffic.Endpoints = append(s.Traffic.Endpoints, sampler.EndpointSum{Endpoint: e.Endpoint, Count: e.Count, Timed: e.Timed, SumMs: e.SumMs})
		}
		hit := 91.0
		s.Postgres = &stats.PostgresStats{Connections: 37, MaxConnections: 100, State: "ok", TopStatements: []stats.Statement{
			{Query: "SELECT id, name FROM lab_category WHERE id = $1", Calls: 200, CallsPerS: 200, MeanMS: 0.4, TotalMS: 80, SharePct: 60}}}
		s.Cache = []stats.CacheStats{{Kind: "redis", Addr: "redis://127.0.0.1:6379/0", HitRate: &hit, State: "ok"},
			{Kind: "memcached", Addr: "127.0.0.1:11211", State: "unavailable", Reason: "connection refused"}}
		out[i] = s
	}
	return out
}

func TestAppLineAndPanel(t *testing.T) {
	snaps := withApp(load(t, "cpu-ramp.jsonl")[:120])
	small := plain(model(t, 80, 24, snaps))
	checkFrame(t, small, 80, 24)
	if !strings.Contains(small, "APP req 49/s p95 18") || !strings.Contains(small, "5xx 2.0%") {
		t.Errorf("80x24 lacks the APP line:\n%s", small)
	}
	if strings.Contains(small, "req/s ▁") {
		t.Errorf("80x24 shows the large app panel:\n%s", small)
	}
	large := plain(model(t, 200, 60, snaps))
	checkFrame(t, large, 200, 60)
	for _, want := range []string{"db 37/100 · redis 91% hit · memcached unavailable: connection refused",
		"req/s ", " 49 now, ", " window   p95 ", "costliest endpoints", "GET /db/", "sql SELECT id, name FROM lab_category"} {
		if !strings.Contains(large, want) {
			t.Errorf("200x60 lacks %q:\n%s", want, large)
		}
	}
}

// b: the change since the baseline names requests/s and p95 too, and the
// session handed to --report carries the traffic.
func TestAppBaseline(t *testing.T) {
	snaps := withApp(load(t, "cpu-ramp.jsonl")[:60])
	m := model(t, 200, 60, snaps[:10]) // wide enough for the whole line
	m = feed(keys(m, "b"), snaps[10:])
	v := plain(m)
	// 10+i%40 requests: 20 at the baseline, 49 at the peak, 29 at the end.
	if !strings.Contains(v, "req +10 ↑49") {
		t.Errorf("no req/p95 change since the baseline:\n%s", v)
	}
	sess := m.Session()
	if last := sess.Snaps[len(sess.Snaps)-1]; last.Traffic == nil || last.Postgres == nil {
		t.Errorf("session lost the app's numbers")
	}
}
