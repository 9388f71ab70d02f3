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

func probeFor(t *testing.T, url string, d, interval, timeout time.Duration) []sampler.ProbeResult {
	t.Helper()
	p, err := New(url, interval, timeout)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	select {
	case <-done:
	case <-time.After(d + 2*time.Second):
		t.Fatal("prober did not stop with its context")
	}
	return p.Drain()
}

func TestProber(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			time.Sleep(300 * time.Millisecond)
		case "/fail":
			w.WriteHeader(503)
		case "/moved":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}
		n.Add(1)
	}))
	defer srv.Close()

	res := probeFor(t, srv.URL+"/ok", 500*time.Millisecond, 50*time.Millisecond, time.Second)
	// Bounds are loose: other test packages (the end-to-end one puts wrk
	// load on this machine) run at the same time.
	if len(res) < 3 || len(res) > 12 {
		t.Errorf("%d requests in 500 ms at 50 ms", len(res))
	}
	for _, r := range res {
		if r.Failed() || r.Status != 200 || r.MS <= 0 || r.MS > 1000 {
			t.Errorf("ok: %+v", r)
		}
	}
	// A hanging app: timeouts, and never two requests at once.
	n.Store(0)
	res = probeFor(t, srv.URL+"/slow", 700*time.Millisecond, 50*time.Millisecond, 100*time.Millisecond)
	if len(res) < 2 {
		t.Fatalf("%d results", len(res))
	}
	for _, r := range res {
		if r.Err != "timeout" || !r.Failed() || r.MS < 90 || r.MS > 1000 {
			t.Errorf("slow: %+v", r)
		}
	}
	if res := probeFor(t, srv.URL+"/fail", 120*time.Millisecond, 50*time.Millisecond, time.Second); len(res) == 0 || res[0].Status != 503 || !res[0].Failed() {
		t.Errorf("fail: %+v", res)
	}
	if res := probeFor(t, srv.URL+"/moved", 120*time.Millisecond, 50*time.Millisecond, time.Second); len(res) == 0 || res[0].Status != 302 || res[0].Failed() {
		t.Errorf("a redirect is an answer, not followed and not an error: %+v", res)
	}
	// Nothing listening: refused.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	if res := probeFor(t, "http://"+addr+"/", 120*time.Millisecond, 50*time.Millisecond, time.Second); len(res) == 0 || res[0].Err != "refused" {
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
