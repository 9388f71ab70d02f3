package sampler

import (
	"github.com/headroom-dev/headroom/sampler/accesslog"
	"github.com/headroom-dev/headroom/sampler/services/stats"
	"github.com/headroom-dev/headroom/sampler/sqllog"
)

// AppEvidence is what the app's side showed in one interval: its traffic
// from access logs, its database and pool, its caches and its SQL log. Each
// field is nil where not configured; a service that is down is a state in
// its field ("unavailable" with the reason), never an absent field. The
// JSON keys are the snapshot's top-level keys of a recording line.
type AppEvidence struct {
	Traffic   *TrafficSample        `json:"traffic,omitempty"`
	Postgres  *stats.PostgresStats  `json:"postgres,omitempty"`
	PgBouncer *stats.PgBouncerStats `json:"pgbouncer,omitempty"`
	Cache     []stats.CacheStats    `json:"cache,omitempty"`
	SQL       *SQLSample            `json:"sql_log,omitempty"`
}

// TrafficSample is one interval of the access logs: the Traffic to show,
// plus the counts and the mergeable latency histogram a window is judged
// from (a window's p95 is not a mean of p95s).
type TrafficSample struct {
	accesslog.Traffic
	Seconds  float64             `json:"seconds"`
	Requests int                 `json:"requests"`
	Classes  [6]int              `json:"classes"` // requests by status class: 1..5 for 1xx..5xx
	Latency  accesslog.Histogram `json:"latency_hist"`
	// Endpoints are the interval's costliest endpoints' sums (at most
	// MaxEndpointTotals), for a window's top endpoints.
	Endpoints []EndpointSum `json:"endpoint_sums,omitempty"`
	// Files are the followed logs' states; State is "unavailable" when none
	// of them can be read, with the first one's reason.
	Files  []accesslog.FileStatus `json:"files,omitempty"`
	State  string                 `json:"state"`
	Reason string                 `json:"reason,omitempty"`
}

// EndpointSum is one endpoint's sums over an interval (accesslog.EndpointTotal with JSON names).
type EndpointSum struct {
	Endpoint string  `json:"endpoint"`
	Count    int     `json:"count"`
	Timed    int     `json:"timed"`
	SumMs    float64 `json:"sum_ms"`
}

// MaxEndpointTotals bounds the endpoint sums a snapshot keeps.
const MaxEndpointTotals = 20

// Interval turns the sample back into the accesslog.Interval it came from,
// for accesslog.Window.
func (t TrafficSample) Interval() accesslog.Interval {
	iv := accesslog.Interval{Traffic: t.Traffic, Seconds: t.Seconds, Requests: t.Requests, Classes: t.Classes,
		Latency: t.Latency, Unparsed: t.Traffic.Unparsed}
	for _, e := range t.Endpoints {
		iv.Endpoints = append(iv.Endpoints, accesslog.EndpointTotal{Endpoint: e.Endpoint, Count: e.Count, Timed: e.Timed, SumMs: e.SumMs})
	}
	return iv
}

// SQLSample is one interval of a followed SQL query log (--sql-log): the
// statements finished in it, ranked by total time.
type SQLSample struct {
	Seconds    float64           `json:"seconds"`
	Count      int               `json:"count"`    // statements in the interval
	TotalMS    float64           `json:"total_ms"` // their time
	Statements []sqllog.Stat     `json:"statements,omitempty"`
	NPlusOne   []sqllog.NPlusOne `json:"n_plus_one,omitempty"`
	State      string            `json:"state"`
	Reason     string            `json:"reason,omitempty"`
}
