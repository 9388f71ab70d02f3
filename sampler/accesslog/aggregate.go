package accesslog

import (
	"math"
	"slices"
	"sort"
	"time"
)

// Traffic is what the access logs showed over an interval or a window; its
// JSON is the `traffic` object of a snapshot. Values a log cannot give are
// absent, never zero: the percentiles without a time in the format, the
// status shares without requests.
type Traffic struct {
	RequestsPerS float64       `json:"requests_per_s"`
	P50Ms        *float64      `json:"p50_ms,omitempty"`
	P95Ms        *float64      `json:"p95_ms,omitempty"`
	P99Ms        *float64      `json:"p99_ms,omitempty"`
	Status       *StatusShares `json:"status,omitempty"`
	TopEndpoints []Endpoint    `json:"top_endpoints"`
	Unparsed     int           `json:"unparsed"` // lines that were no access-log line, or too long
}

// StatusShares are the status classes' shares of all requests, in percent
// (1xx and other codes count in the total but in no class).
type StatusShares struct {
	S2xx float64 `json:"2xx"`
	S3xx float64 `json:"3xx"`
	S4xx float64 `json:"4xx"`
	S5xx float64 `json:"5xx"`
}

// Endpoint is one of the endpoints that took the most request time
// (total = count × mean), or the most requests when the log has no times.
type Endpoint struct {
	Endpoint string   `json:"endpoint"` // "GET /users/:id", printable
	Count    int      `json:"count"`
	MeanMs   *float64 `json:"mean_ms,omitempty"`
	TotalMs  *float64 `json:"total_ms,omitempty"`
}

// EndpointTotal is one endpoint's sums over an interval, for merging into
// a window.
type EndpointTotal struct {
	Endpoint string
	Count    int     // requests
	Timed    int     // requests that had a time
	SumMs    float64 // sum of their times
}

// Interval is one aggregation interval: the Traffic to show plus the counts
// and latency summary a window over many intervals is built from (Window).
type Interval struct {
	Traffic   Traffic
	Seconds   float64
	Requests  int
	Classes   [6]int    // requests by status class: index 1..5 for 1xx..5xx
	Latency   Histogram // every timed request's ms, mergeable
	Endpoints []EndpointTotal
	Unparsed  int
}

// Settings bound an Aggregator's work and memory per interval.
type Settings struct {
	TopEndpoints int // endpoints in Traffic.TopEndpoints (default 5)
	MaxEndpoints int // distinct endpoints kept per interval, the rest as "(other)" (default 1000)
	MaxSamples   int // request times kept for exact percentiles; beyond, the histogram's (default 16384)
}

func (s Settings) withDefaults() Settings {
	if s.TopEndpoints <= 0 {
		s.TopEndpoints = 5
	}
	if s.MaxEndpoints <= 0 {
		s.MaxEndpoints = 1000
	}
	if s.MaxSamples <= 0 {
		s.MaxSamples = 16384
	}
	return s
}

// otherEndpoint collects requests beyond Settings.MaxEndpoints.
const otherEndpoint = "(other)"

// Aggregator sums parsed lines into intervals. It is not safe for
// concurrent use: one goroutine feeds it and flushes it.
type Aggregator struct {
	set      Settings
	parser   Parser
	requests int
	classes  [6]int
	unparsed int
	samples  []float64 // ms, up to set.MaxSamples
	timed    int
	hist     histAccumulator
	index    map[string]int // endpoint -> position in eps
	eps      []EndpointTotal
	key      []byte
}

// NewAggregator makes an empty aggregator.
func NewAggregator(s Settings) *Aggregator {
	return &Aggregator{set: s.withDefaults(), index: map[string]int{}}
}

// AddLine parses one line and counts it, as a request or as unparsed.
func (a *Aggregator) AddLine(line []byte) {
	r, ok := a.parser.Parse(line)
	if !ok {
		a.unparsed++
		return
	}
	a.Add(r)
}

// AddUnparsed counts n lines that were not parsed (too long, say).
func (a *Aggregator) AddUnparsed(n int) { a.unparsed += n }

// Add counts one request.
func (a *Aggregator) Add(r Request) {
	a.requests++
	if c := r.Status / 100; c >= 1 && c <= 5 {
		a.classes[c]++
	}
	ms := r.Seconds * 1000
	timed := r.Timed && ms >= 0 && !math.IsInf(ms, 0) && !math.IsNaN(ms)
	if timed {
		a.timed++
		a.hist.add(ms)
		if len(a.samples) < a.set.MaxSamples {
			a.samples = append(a.samples, ms)
		}
	}
	a.key = appendEndpoint(a.key[:0], r.Method, r.Target)
	i, ok := a.index[string(a.key)]
	if !ok {
		name := otherEndpoint
		if len(a.eps) < a.set.MaxEndpoints {
			name = string(a.key)
		}
		if i, ok = a.index[name]; !ok {
			i = len(a.eps)
			a.eps = append(a.eps, EndpointTotal{Endpoint: name})
			a.index[name] = i
		}
	}
	e := &a.eps[i]
	e.Count++
	if timed {
		e.Timed++
		e.SumMs += ms
	}
}

// Flush ends the interval that lasted elapsed and starts the next.
func (a *Aggregator) Flush(elapsed time.Duration) Interval {
	iv := Interval{
		Seconds:   elapsed.Seconds(),
		Requests:  a.requests,
		Classes:   a.classes,
		Latency:   a.hist.take(),
		Endpoints: slices.Clone(a.eps),
		Unparsed:  a.unparsed,
	}
	iv.Traffic = traffic(iv, a.set.TopEndpoints)
	if a.timed > 0 && a.timed <= len(a.samples) {
		slices.Sort(a.samples)
		iv.Traffic.P50Ms = roundedPtr(a.samples[nearestRank(0.50, len(a.samples))-1], 1000)
		iv.Traffic.P95Ms = roundedPtr(a.samples[nearestRank(0.95, len(a.samples))-1], 1000)
		iv.Traffic.P99Ms = roundedPtr(a.samples[nearestRank(0.99, len(a.samples))-1], 1000)
	}
	a.requests, a.classes, a.unparsed, a.timed = 0, [6]int{}, 0, 0
	a.samples = a.samples[:0]
	a.eps = a.eps[:0]
	clear(a.index)
	return iv
}

// Window merges intervals (oldest first or not: order does not matter)
// into one Traffic, with percentiles from the merged histograms.
func Window(intervals []Interval, top int) Traffic {
	var sum Interval
	hs := make([]Histogram, 0, len(intervals))
	index := map[string]int{}
	for _, iv := range intervals {
		sum.Seconds += iv.Seconds
		sum.Requests += iv.Requests
		sum.Unparsed += iv.Unparsed
		for c := range iv.Classes {
			sum.Classes[c] += iv.Classes[c]
		}
		hs = append(hs, iv.Latency)
		for _, e := range iv.Endpoints {
			i, ok := index[e.Endpoint]
			if !ok {
				i = len(sum.Endpoints)
				index[e.Endpoint] = i
				sum.Endpoints = append(sum.Endpoints, EndpointTotal{Endpoint: e.Endpoint})
			}
			s := &sum.Endpoints[i]
			s.Count += e.Count
			s.Timed += e.Timed
			s.SumMs += e.SumMs
		}
	}
	sum.Latency = MergeHistograms(hs...)
	if top <= 0 {
		top = Settings{}.withDefaults().TopEndpoints
	}
	return traffic(sum, top)
}

// traffic computes the shares, histogram percentiles and top endpoints of
// summed counts.
func traffic(iv Interval, top int) Traffic {
	t := Traffic{Unparsed: iv.Unparsed, TopEndpoints: []Endpoint{}}
	if iv.Seconds > 0 {
		t.RequestsPerS = round(float64(iv.Requests)/iv.Seconds, 1000)
	}
	if iv.Requests > 0 {
		pct := func(n int) float64 { return round(float64(n)*100/float64(iv.Requests), 100) }
		t.Status = &StatusShares{S2xx: pct(iv.Classes[2]), S3xx: pct(iv.Classes[3]), S4xx: pct(iv.Classes[4]), S5xx: pct(iv.Classes[5])}
	}
	if v, ok := iv.Latency.Quantile(0.50); ok {
		t.P50Ms = roundedPtr(v, 1000)
		v, _ = iv.Latency.Quantile(0.95)
		t.P95Ms = roundedPtr(v, 1000)
		v, _ = iv.Latency.Quantile(0.99)
		t.P99Ms = roundedPtr(v, 1000)
	}
	eps := slices.Clone(iv.Endpoints)
	sort.SliceStable(eps, func(i, j int) bool {
		ti, tj := endpointTotalMs(eps[i]), endpointTotalMs(eps[j])
		if ti != tj {
			return ti > tj
		}
		if eps[i].Count != eps[j].Count {
			return eps[i].Count > eps[j].Count
		}
		return eps[i].Endpoint < eps[j].Endpoint
	})
	for _, e := range eps[:min(top, len(eps))] {
		out := Endpoint{Endpoint: e.Endpoint, Count: e.Count}
		if e.Timed > 0 {
			out.MeanMs = roundedPtr(e.SumMs/float64(e.Timed), 1000)
			out.TotalMs = roundedPtr(endpointTotalMs(e), 1000)
		}
		t.TopEndpoints = append(t.TopEndpoints, out)
	}
	return t
}

// endpointTotalMs is count × mean: requests without a time are assumed to
// take the mean of those with one.
func endpointTotalMs(e EndpointTotal) float64 {
	if e.Timed == 0 {
		return 0
	}
	return float64(e.Count) * e.SumMs / float64(e.Timed)
}

func round(v, scale float64) float64 { return math.Round(v*scale) / scale }

func roundedPtr(v, scale float64) *float64 {
	r := round(v, scale)
	return &r
}
