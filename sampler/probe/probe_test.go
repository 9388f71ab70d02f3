package probe

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// probeN runs a prober on a fake clock until it has made n requests and
// returns them: the clock moves one interval each time the prober waits,
// so the count is exact and nothing sleeps.
func probeN(t *testing.T, url string, n int, timeout time.Duration) []sampler.ProbeResult {
	t.Helper()
	p, err := New(url, time.Second, timeout)
	if err != nil {
		t.Fatal(err)
	}
	clock := sampler.NewFakeClock(time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC))
	p.SetClock(clock)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	for range n - 1 {
		clock.BlockUntil(1) // the prober finished a request and waits for the next
		clock.Advance(time.Second)
	}
	clock.BlockUntil(1)
	cancel()
	<-done
	res := p.Drain()
	if len(res) != n {
		t.Fatalf("%d requests after %d intervals, want %d", len(res), n-1, n)
	}
	return res
}

func TestProber(t *testing.T) {
	var inFlight, most atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if now := inFlight.Add(1); now > most.Load() {
			most.Store(now)
		}
		defer inFlight.Add(-1)
		switch r.URL.Path {
		case "/hang":
			<-r.Context().Done() // answers only when the client gives up
		case "/fail":
			w.WriteHeader(503)
		case "/moved":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}
	}))
	defer srv.Close()

	for _, r := range probeN(t, srv.URL+"/ok", 5, time.Second) {
		if r.Failed() || r.Status != 200 || r.MS <= 0 {
			t.Errorf("ok: %+v", r)
		}
	}
	// A hanging app: each request times out, and the next waits for it.
	for _, r := range probeN(t, srv.URL+"/hang", 3, 50*time.Millisecond) {
		if r.Err != "timeout" || !r.Failed() || r.MS < 50 {
			t.Errorf("hang: %+v", r)
		}
	}
	if m := most.Load(); m != 1 {
		t.Errorf("%d requests were in flight at once; the prober makes one at a time", m)
	}
	if res := probeN(t, srv.URL+"/fail", 1, time.Second); res[0].Status != 503 || !res[0].Failed() {
		t.Errorf("fail: %+v", res)
	}
	if res := probeN(t, srv.URL+"/moved", 1, time.Second); res[0].Status != 302 || res[0].Failed() {
		t.Errorf("a redirect is an answer, not followed and not an error: %+v", res)
	}
	// Nothing listening: refused.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	if res := probeN(t, "http://"+addr+"/", 1, time.Second); res[0].Err != "refused" {
		t.Errorf("refused: %+v", res)
	}
}

func TestParseProbeURL(t *testing.T) {
	for _, bad := range []string{"", "127.0.0.1:8000", "ftp://x/", "http://", "http//x", "::"} {
		if _, err := ParseURL(bad); err == nil || !strings.Contains(err.Error(), "--probe") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if u, err := ParseURL("http://127.0.0.1:8000/health/"); err != nil || u != "http://127.0.0.1:8000/health/" {
		t.Errorf("%q %v", u, err)
	}
}

// A password is never shown, even one that url.Parse misreads ('#' makes
// it take the userinfo for the host), nor a token in the query; the path
// and the rest of the query stay.
func TestShownHidesEveryPassword(t *testing.T) {
	for raw, want := range map[string]string{
		"http://u:1#x@h/health":           "http://u:xxxxx@h/health",
		"http://bob:s3cret@h:80/h/?x=1":   "http://bob:xxxxx@h:80/h/?x=1",
		"https://h/health?token=abc&x=1":  "https://h/health?token=xxxxx&x=1",
		"http://u:p%40ss@127.0.0.1:8000/": "http://u:xxxxx@127.0.0.1:8000/",
	} {
		if got := Shown(raw); got != want {
			t.Errorf("Shown(%q) = %q, want %q", raw, got, want)
		}
	}
	if _, err := ParseURL("ftp://u:Hunter2#x@h/"); err == nil || strings.Contains(err.Error(), "Hunter2") {
		t.Errorf("ParseURL error %v: want an error without the password", err)
	}
}
