package accesslog

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"testing"
	"time"
)

// nginxLine is a line in the nginx format this package documents.
func nginxLine(method, path string, status int, seconds float64) []byte {
	return fmt.Appendf(nil, `127.0.0.1 - - [27/Nov/2026:11:00:01 +0000] "%s %s HTTP/1.1" %d 10 "-" "test" %.3f -`,
		method, path, status, seconds)
}

func TestAggregatorInterval(t *testing.T) {
	a := NewAggregator(Settings{TopEndpoints: 2})
	// 10 requests: 6 × 2xx, 1 × 3xx, 1 × 4xx, 2 × 5xx; times 1..10 ms.
	statuses := []int{200, 200, 201, 200, 200, 204, 301, 404, 500, 503}
	for i, st := range statuses {
		path := "/users/" + fmt.Sprint(i)
		if i >= 8 {
			path = "/slow"
		}
		a.AddLine(nginxLine("GET", path, st, float64(i+1)/1000))
	}
	a.AddLine([]byte("not a log line"))
	a.AddUnparsed(2)
	iv := a.Flush(4 * time.Second)

	tr := iv.Traffic
	if tr.RequestsPerS != 2.5 {
		t.Errorf("requests_per_s %v, want 10/4 s = 2.5", tr.RequestsPerS)
	}
	wantStatus := StatusShares{S2xx: 60, S3xx: 10, S4xx: 10, S5xx: 20}
	if tr.Status == nil || *tr.Status != wantStatus {
		t.Errorf("status %+v, want %+v", tr.Status, wantStatus)
	}
	// nearest rank over 1..10 ms: p50 = 5th, p95 = 10th, p99 = 10th
	for name, got := range map[string]*float64{"p50": tr.P50Ms, "p95": tr.P95Ms, "p99": tr.P99Ms} {
		want := map[string]float64{"p50": 5, "p95": 10, "p99": 10}[name]
		if got == nil || *got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if tr.Unparsed != 3 {
		t.Errorf("unparsed %d, want 3", tr.Unparsed)
	}
	// /users/:id: 8 requests, 1..8 ms → total 36; /slow: 9+10 = 19.
	want := []Endpoint{
		{Endpoint: "GET /users/:id", Count: 8, MeanMs: ptr(4.5), TotalMs: ptr(36)},
		{Endpoint: "GET /slow", Count: 2, MeanMs: ptr(9.5), TotalMs: ptr(19)},
	}
	if !reflect.DeepEqual(tr.TopEndpoints, want) {
		t.Errorf("top endpoints %s, want %s", jsonOf(t, tr.TopEndpoints), jsonOf(t, want))
	}
	if iv.Requests != 10 || iv.Latency.Count() != 10 || len(iv.Endpoints) != 2 {
		t.Errorf("interval counts: %d requests, %d latencies, %d endpoints", iv.Requests, iv.Latency.Count(), len(iv.Endpoints))
	}

	next := a.Flush(time.Second)
	if next.Requests != 0 || next.Traffic.Status != nil || next.Traffic.P50Ms != nil || next.Traffic.Unparsed != 0 || len(next.Traffic.TopEndpoints) != 0 {
		t.Errorf("the next interval kept counts: %s", jsonOf(t, next.Traffic))
	}
}

func TestTrafficJSONShape(t *testing.T) {
	a := NewAggregator(Settings{})
	a.AddLine(nginxLine("GET", "/", 200, 0.002))
	got := jsonOf(t, a.Flush(time.Second).Traffic)
	want := `{"requests_per_s":1,"p50_ms":2,"p95_ms":2,"p99_ms":2,"status":{"2xx":100,"3xx":0,"4xx":0,"5xx":0},` +
		`"top_endpoints":[{"endpoint":"GET /","count":1,"mean_ms":2,"total_ms":2}],"unparsed":0}`
	if got != want {
		t.Errorf("JSON\n got %s\nwant %s", got, want)
	}
	empty := jsonOf(t, a.Flush(time.Second).Traffic)
	if empty != `{"requests_per_s":0,"top_endpoints":[],"unparsed":0}` {
		t.Errorf("an interval without requests: %s", empty)
	}
}

func TestAggregatorWithoutTimes(t *testing.T) {
	a := NewAggregator(Settings{})
	for range 3 {
		a.AddLine([]byte(`::1 - - [27/Nov/2026:11:00:01 +0000] "GET /a HTTP/1.1" 200 1 "-" "-"`))
	}
	a.AddLine([]byte(`::1 - - [27/Nov/2026:11:00:01 +0000] "GET /b HTTP/1.1" 200 1 "-" "-"`))
	tr := a.Flush(time.Second).Traffic
	if tr.P50Ms != nil || tr.P95Ms != nil || tr.P99Ms != nil {
		t.Errorf("percentiles from a log without times: %s", jsonOf(t, tr))
	}
	if len(tr.TopEndpoints) != 2 || tr.TopEndpoints[0].Endpoint != "GET /a" || tr.TopEndpoints[0].Count != 3 || tr.TopEndpoints[0].MeanMs != nil {
		t.Errorf("without times endpoints rank by count, without means: %s", jsonOf(t, tr.TopEndpoints))
	}
}

func TestAggregatorBoundsEndpoints(t *testing.T) {
	a := NewAggregator(Settings{MaxEndpoints: 3, TopEndpoints: 10})
	for i := range 10 {
		a.AddLine(nginxLine("GET", fmt.Sprintf("/page-%c", 'a'+i), 200, 0.001))
	}
	iv := a.Flush(time.Second)
	if len(iv.Endpoints) != 4 {
		t.Fatalf("%d endpoints kept, want 3 and %q", len(iv.Endpoints), otherEndpoint)
	}
	other := iv.Traffic.TopEndpoints[0]
	if other.Endpoint != otherEndpoint || other.Count != 7 {
		t.Errorf("top endpoint %+v, want %q with the 7 beyond the bound", other, otherEndpoint)
	}
}

func TestAggregatorPercentilesBeyondSamples(t *testing.T) {
	a := NewAggregator(Settings{MaxSamples: 100})
	var exact []float64
	for i := range 1000 {
		ms := float64((i*7919)%1000 + 1) // 1..1000 ms, shuffled
		exact = append(exact, ms)
		a.AddLine(nginxLine("GET", "/", 200, ms/1000))
	}
	sort.Float64s(exact)
	tr := a.Flush(time.Second).Traffic
	for q, got := range map[float64]*float64{0.5: tr.P50Ms, 0.95: tr.P95Ms, 0.99: tr.P99Ms} {
		want := exact[nearestRank(q, len(exact))-1]
		if got == nil || math.Abs(*got-want)/want > 0.005 {
			t.Errorf("q%v = %v, want %v within 0.5%% (from the histogram, not the first 100 samples)", q, got, want)
		}
	}
}

func TestWindowMergesIntervals(t *testing.T) {
	a := NewAggregator(Settings{})
	var ivs []Interval
	var all []float64
	for n := range 3 {
		for i := range 100 {
			ms := float64(n*100 + i + 1)
			all = append(all, ms)
			st := 200
			if i%10 == 0 {
				st = 500
			}
			a.AddLine(nginxLine("GET", fmt.Sprintf("/item/%d", i), st, ms/1000))
		}
		a.AddUnparsed(1)
		ivs = append(ivs, a.Flush(2*time.Second))
	}
	w := Window(ivs, 1)
	if w.RequestsPerS != 50 || w.Unparsed != 3 {
		t.Errorf("window: %v req/s, %d unparsed; want 300/6 s = 50 and 3", w.RequestsPerS, w.Unparsed)
	}
	if w.Status == nil || w.Status.S5xx != 10 || w.Status.S2xx != 90 {
		t.Errorf("window status %+v, want 90 %% 2xx and 10 %% 5xx", w.Status)
	}
	for q, got := range map[float64]*float64{0.5: w.P50Ms, 0.95: w.P95Ms, 0.99: w.P99Ms} {
		want := all[nearestRank(q, len(all))-1]
		if got == nil || math.Abs(*got-want)/want > 0.005 {
			t.Errorf("window q%v = %v, want %v within 0.5%%", q, got, want)
		}
	}
	sum := 0.0
	for _, ms := range all {
		sum += ms
	}
	if len(w.TopEndpoints) != 1 || w.TopEndpoints[0].Count != 300 || math.Abs(*w.TopEndpoints[0].TotalMs-sum) > 1e-6 {
		t.Errorf("window endpoints %s, want one with 300 requests and %v ms", jsonOf(t, w.TopEndpoints), sum)
	}
}

func ptr(v float64) *float64 { return &v }

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
