package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// A closed loop of 3 users against a server on 127.0.0.1 keeps 3 requests
// in flight, and Stop aborts requests that would hang for a minute.
func TestRunClosedLoopAndStopE2E(t *testing.T) {
	var hang atomic.Bool
	var inFlight, peak atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		if hang.Load() {
			select {
			case <-r.Context().Done():
			case <-time.After(time.Minute):
			}
			return
		}
		time.Sleep(5 * time.Millisecond)
	}))
	defer srv.Close()
	tg, err := NewTarget(srv.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	run := Start(context.Background(), Spec{Targets: []Target{tg}, Pattern: Pattern{Kind: "users", Users: 3}, Duration: time.Minute})
	time.Sleep(500 * time.Millisecond)
	in := run.Take(time.Now())
	if in.Requests < 20 || in.Users != 3 || in.SuccessPct != 100 || in.TargetRPS != 0 {
		t.Errorf("first half second: %+v", in)
	}
	if p := peak.Load(); p != 3 {
		t.Errorf("the server saw %d requests at once, want the 3 users", p)
	}
	hang.Store(true)
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	run.Stop()
	select {
	case <-run.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("Stop did not end the run: requests in flight were waited for")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Stop took %v", d)
	}
	m, errs := run.Total()
	if m.Requests < 20 || len(errs) != 0 {
		t.Errorf("total %d requests, errors %v: requests we aborted are not the server's errors", m.Requests, errs)
	}
}

// An open-loop rate sends what it is asked for, and the interval knows
// the rate it was asked for.
func TestRunRateE2E(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.URL.Path == "/bad" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	good, _ := NewTarget(srv.URL + "/ok")
	bad, _ := NewTarget(srv.URL + "/bad")
	good.Weight = 3
	run := Start(context.Background(), Spec{Targets: []Target{good, bad}, Pattern: Pattern{Kind: "rate", Rates: []float64{40}}, Duration: time.Second})
	mid := run.Take(time.Now().Add(0)) // the rate asked for while running
	<-run.Done()
	if got := n.Load(); got < 36 || got > 41 {
		t.Errorf("%d requests in 1 s at 40/s", got)
	}
	if mid.TargetRPS != 40 {
		t.Errorf("target %v, want 40", mid.TargetRPS)
	}
	m, errs := run.Total()
	if errs["5xx"] != int(m.Requests)/4 {
		t.Errorf("%d of %d failed with 5xx, want a quarter (weights 3:1)", errs["5xx"], m.Requests)
	}
}
