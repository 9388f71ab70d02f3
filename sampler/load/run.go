// Package load drives a bounded HTTP load test with vegeta's attacker and
// cuts its results into intervals: target and achieved requests/s,
// concurrency, success %, p50/p95/p99 and errors by kind, as data for the
// sampler (it does not import it; sampler/collect adapts it).
package load

import (
	"context"

	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/headroom-dev/headroom/sampler/services"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Caps every run is held to; asking for more is refused before the first request.
const (
	MaxRate     = 2000.0    // requests a second
	MaxUsers    = 1000      // closed-loop users, and open-loop workers
	MaxDuration = time.Hour // --for
	Timeout     = 10 * time.Second
	endGrace    = time.Second
)

// Spec is one load test.
type Spec struct {
	Targets  []Target
	Pattern  Pattern
	Duration time.Duration
	Timeout  time.Duration // per request; Timeout when 0
}

// Interval is what the load did between two Takes.
type Interval struct {
	URL        string         `json:"url"`
	Pattern    string         `json:"pattern"`
	ElapsedS   float64        `json:"elapsed_s"`
	TargetRPS  float64        `json:"target_rps,omitempty"` // 0 with --users
	RPS        float64        `json:"rps"`                  // responses (or failures) per second
	Users      int            `json:"users"`                // most requests in flight at once
	Requests   int            `json:"requests"`
	SuccessPct float64        `json:"success_pct"`
	P50        float64        `json:"p50_ms"`
	P95        float64        `json:"p95_ms"`
	P99        float64        `json:"p99_ms"`
	Errors     map[string]int `json:"errors,omitempty"`
	Done       bool           `json:"done,omitempty"`
	// WorkersCPUWait is left 0 here: the load knows nothing of the app
	// server; sampler/collect measures it from /proc.
	WorkersCPUWait float64 `json:"workers_cpu_wait_pct,omitempty"`
}

// Run is a load test in progress.
type Run struct {
	spec     Spec
	pacer    vegeta.Pacer
	attacker *vegeta.Attacker
	cancel   context.CancelFunc
	began    time.Time
	done     chan struct{}
	inflight atomic.Int64

	mu       sync.Mutex
	cur      []*vegeta.Result
	peak     int64
	last     time.Time
	total    vegeta.Metrics
	errs     map[string]int
	finished bool
	// shownURL and shownPattern are the intervals' URL (redacted) and pattern.
	shownURL, shownPattern string
}

// Start begins the load; it stops at the end of the duration, on Stop, or
// when ctx ends, whichever is first. Cancelling aborts the requests in flight.
func Start(ctx context.Context, spec Spec) *Run {
	ctx, cancel := context.WithCancel(ctx)
	if spec.Timeout == 0 {
		spec.Timeout = Timeout
	}
	r := &Run{spec: spec, pacer: spec.Pattern.Pacer(spec.Duration), cancel: cancel, done: make(chan struct{}), errs: map[string]int{}}
	workers, maxWorkers := uint64(vegeta.DefaultWorkers), uint64(MaxUsers)
	if spec.Pattern.Kind == "users" {
		workers, maxWorkers = uint64(spec.Pattern.Users), uint64(spec.Pattern.Users)
	}
	tr := &http.Transport{
		Proxy:               nil, // a load test of this machine must not go through a proxy
		DialContext:         (&net.Dialer{Timeout: spec.Timeout}).DialContext,
		MaxIdleConnsPerHost: int(maxWorkers),
	}
	client := &http.Client{Timeout: spec.Timeout, Transport: ctxTransport{ctx: ctx, next: tr},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r.attacker = vegeta.NewAttacker(vegeta.Client(client), vegeta.Workers(workers), vegeta.MaxWorkers(maxWorkers), vegeta.MaxBody(0))
	w := newWeighted(spec.Targets)
	var mu sync.Mutex
	targeter := func(t *vegeta.Target) error {
		if ctx.Err() != nil {
			return vegeta.ErrNoTargets
		}
		mu.Lock()
		*t = w.targets[w.next()]
		mu.Unlock()
		r.started()
		return nil
	}
	r.began = time.Now()
	r.last = r.began
	results := r.attacker.Attack(targeter, r.pacer, spec.Duration, "headroom")
	go func() {
		// At the end of the duration the requests still waiting are
		// given a moment, then aborted: a run ends when it says it does,
		// not a request timeout later.
		select {
		case <-ctx.Done():
		case <-time.After(spec.Duration + endGrace):
			cancel()
		}
		r.attacker.Stop()
	}()
	go func() {
		defer close(r.done)
		defer cancel()
		for res := range results {
			r.add(res)
		}
		r.mu.Lock()
		r.finished = true
		r.mu.Unlock()
	}()
	return r
}

// ctxTransport ties every request to the run's context, so stopping the
// run aborts the requests in flight at once instead of waiting for them.
type ctxTransport struct {
	ctx  context.Context
	next http.RoundTripper
}

func (c ctxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return c.next.RoundTrip(req.WithContext(c.ctx))
}

func (r *Run) started() {
	n := r.inflight.Add(1)
	r.mu.Lock()
	r.peak = max(r.peak, n)
	r.mu.Unlock()
}

func (r *Run) add(res *vegeta.Result) {
	if res.Error == vegeta.ErrNoTargets.Error() {
		return // the targeter refused after a stop: never sent
	}
	r.inflight.Add(-1)
	if ErrorKind(res.Code, res.Error) == "cancelled" {
		return // aborted by our own stop: not the server's failure
	}
	res.Body = nil
	r.mu.Lock()
	r.cur = append(r.cur, res)
	r.total.Add(res)
	if k := ErrorKind(res.Code, res.Error); k != "" {
		r.errs[k]++
	}
	r.mu.Unlock()
}

// Stop ends the load now.
func (r *Run) Stop() { r.cancel() }

// Done is closed when the last result is in.
func (r *Run) Done() <-chan struct{} { return r.done }

// Pattern is the run's pattern.
func (r *Run) Pattern() Pattern { return r.spec.Pattern }

// Take returns what happened since the previous Take (or the start).
func (r *Run) Take(now time.Time) Interval {
	r.mu.Lock()
	if r.shownURL == "" { // once: the target and pattern do not change
		// The interval goes into snapshots, recordings and reports: never a password.
		r.shownURL, r.shownPattern = services.RedactKeepQuery(r.spec.Targets[0].URL), r.spec.Pattern.String()
	}
	cur, peak, since, fin, url, pattern := r.cur, r.peak, r.last, r.finished, r.shownURL, r.shownPattern
	r.cur, r.peak, r.last = nil, r.inflight.Load(), now
	r.mu.Unlock()
	in := Summarize(cur, now.Sub(since))
	in.URL, in.Pattern = url, pattern
	in.ElapsedS = round1(now.Sub(r.began).Seconds())
	in.Users = int(peak)
	if r.spec.Pattern.Kind == "users" {
		in.Users = r.spec.Pattern.Users
	} else if !fin {
		in.TargetRPS = round1(r.pacer.Rate(now.Sub(r.began)))
	}
	in.Done = fin
	if in.Users < 0 {
		in.Users = 0
	}
	return in
}

// Total is the whole run so far as vegeta's metrics, with errors by kind.
func (r *Run) Total() (vegeta.Metrics, map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.total
	m.Close()
	errs := make(map[string]int, len(r.errs))
	for k, v := range r.errs {
		errs[k] = v
	}
	return m, errs
}

// Summarize cuts a batch of results, finished over span, into an
// Interval, with vegeta's metrics for the percentiles.
func Summarize(results []*vegeta.Result, span time.Duration) Interval {
	var in Interval
	var m vegeta.Metrics
	for _, res := range results {
		m.Add(res)
		if k := ErrorKind(res.Code, res.Error); k != "" {
			if in.Errors == nil {
				in.Errors = map[string]int{}
			}
			in.Errors[k]++
		}
	}
	m.Close()
	in.Requests = len(results)
	if span > 0 {
		in.RPS = round1(float64(len(results)) / span.Seconds())
	}
	if len(results) > 0 {
		in.SuccessPct = round1(m.Success * 100)
		in.P50, in.P95, in.P99 = ms(m.Latencies.P50), ms(m.Latencies.P95), ms(m.Latencies.P99)
	}
	return in
}

// ErrorKind names why a request failed ("" when it did not): "5xx",
// "4xx", "timeout", "refused", "reset", "other".
func ErrorKind(code uint16, err string) string {
	switch {
	case code >= 500:
		return "5xx"
	case code >= 400:
		return "4xx"
	case code >= 200 && err == "":
		return ""
	case strings.Contains(err, "Client.Timeout") || strings.Contains(err, "deadline exceeded") || strings.Contains(err, "i/o timeout"):
		return "timeout"
	case strings.Contains(err, "connection refused"):
		return "refused"
	case strings.Contains(err, "connection reset") || strings.Contains(err, "EOF") || strings.Contains(err, "broken pipe"):
		return "reset"
	case strings.Contains(err, context.Canceled.Error()):
		return "cancelled"
	case code > 0:
		return strconv.Itoa(int(code))
	}
	return "other"
}

func ms(d time.Duration) float64 { return round1(float64(d) / float64(time.Millisecond)) }

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }
