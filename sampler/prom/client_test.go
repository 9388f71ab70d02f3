package prom

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func exprOf(t *testing.T, c *Client, name string) string {
	t.Helper()
	for _, q := range c.queries {
		if q.name == name {
			return q.expr
		}
	}
	t.Fatalf("no query %s", name)
	return ""
}

func TestQueriesFollowTheMixin(t *testing.T) {
	c, err := New(Options{URL: "http://prom:9090", Step: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"cpu":       `1 - avg by (instance) (rate(node_cpu_seconds_total{job="node", mode="idle"}[8s]))`,
		"iowait":    `avg by (instance) (rate(node_cpu_seconds_total{job="node", mode="iowait"}[8s]))`,
		"cores":     `count by (instance) (node_cpu_seconds_total{job="node", mode="idle"})`,
		"mem_total": `max by (instance) (node_memory_MemTotal_bytes{job="node"})`,
		"fs_avail":  `max by (instance, mountpoint, device, fstype) (node_filesystem_avail_bytes{job="node", fstype!="", fstype!~"` + pseudoFS + `", mountpoint!="", readonly!="1"})`,
		"net_in":    `sum by (instance) (rate(node_network_receive_bytes_total{job="node", device!="lo"}[8s]))`,
		"psi_io_60": `100 * sum by (instance) (rate(node_pressure_io_waiting_seconds_total{job="node"}[1m]))`,
	} {
		if got := exprOf(t, c, name); got != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	for _, q := range c.queries {
		if strings.Contains(q.expr, "instance=") {
			t.Errorf("query %s selects one instance: %s", q.name, q.expr)
		}
	}
}

func TestSelectorAndRateRangeReachEveryQuery(t *testing.T) {
	c, err := New(Options{URL: "http://prom:9090", Selector: ` {env="prod",job=~"node|host"} `, RateRange: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if got := exprOf(t, c, "load1"); got != `max by (instance) (node_load1{env="prod",job=~"node|host"})` {
		t.Errorf("load1: %s", got)
	}
	if got := exprOf(t, c, "io_read"); !strings.Contains(got, `[1m]`) || !strings.Contains(got, `{env="prod",job=~"node|host", device!~`) {
		t.Errorf("io_read: %s", got)
	}
	if c, err = New(Options{URL: "http://prom:9090", Selector: "{}"}); err != nil {
		t.Fatal(err)
	}
	if got := exprOf(t, c, "up"); got != `max by (instance) (up{})` {
		t.Errorf("empty selector up: %s", got)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{URL: "prom:9090"}, "want http://host:port"},
		{Options{URL: "ftp://prom"}, "want http://host:port"},
		{Options{URL: "http://prom:9090", Selector: `job="node"`}, "want label matchers in braces"},
		{Options{URL: "http://prom:9090", Selector: `{job="node"}{a="b"}`}, "want one set"},
		{Options{URL: "http://prom:9090", Selector: "{job=\"no\x1bde\"}"}, "want one set"},
		{Options{URL: "http://u:hunter2@prom:9090", BearerToken: "tok"}, "not both"},
		{Options{URL: "http://prom:9090", Window: 24 * time.Hour, Step: time.Second}, "at most 11000"},
		{Options{URL: "https://prom:9090", CAFile: filepath.Join(t.TempDir(), "none.pem")}, "CA file"},
	} {
		_, err := New(tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want an error with %q", tc.o.URL, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error shows the password: %v", err)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"http://u:secret@prom:9090/x": "http://prom:9090/x",
		"http://prom:9090":            "http://prom:9090",
		"http://u:se cret@%zz":        "(unparsable URL)",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestErrorsNameTheURLAndTheReason(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	release := make(chan struct{})
	blocking := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm() // a handler that read the body sees the client hang up
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(blocking.Close)
	t.Cleanup(func() { close(release) })
	empty := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"matrix","result":[]}}`))
	}))
	t.Cleanup(empty.Close)
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("<html>hello</html>"))
	}))
	t.Cleanup(html.Close)
	notFound := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notFound.Close)
	withPass := func(u string) string { return strings.Replace(u, "http://", "http://admin:hunter2@", 1) }
	for _, tc := range []struct {
		name, url string
		want      []string
	}{
		{"unreachable", closed.URL, []string{closed.URL, "connection refused"}},
		{"timeout", blocking.URL, []string{blocking.URL, "no answer within 50ms"}},
		{"no target", empty.URL, []string{empty.URL, `selector {job="node"} matches no target`}},
		{"a web page", html.URL, []string{html.URL, "the answer is not Prometheus' HTTP API"}},
		{"not found", notFound.URL, []string{notFound.URL, "the answer is not Prometheus' HTTP API"}},
	} {
		c, err := New(Options{URL: withPass(tc.url), Timeout: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Start(context.Background())
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v lacks %q", tc.name, err, w)
			}
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "admin") {
			t.Errorf("%s: error shows credentials: %v", tc.name, err)
		}
	}
	// A token in the query is a credential too (a proxy in front of
	// Prometheus): sent, never shown.
	c, err := New(Options{URL: closed.URL + "/?token=s3cret&x=1", Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(context.Background()); err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "token=xxxxx&x=1") {
		t.Errorf("error %v; want the token hidden", err)
	}
	if strings.Contains(c.URL(), "s3cret") {
		t.Errorf("URL() %q shows the token", c.URL())
	}
}

func TestAFailingQueryFailsTheRefresh(t *testing.T) {
	f, fp, clk := startFleet(t)
	fp.fail["fs_size"] = "parse error:\x1b[31m bad"
	clk.now = t0.Add(time.Minute)
	err := f.Refresh(context.Background())
	if err == nil || !strings.Contains(err.Error(), "query fs_size") || !strings.Contains(err.Error(), "bad_data") {
		t.Fatalf("err = %v, want the failing query and Prometheus' reason", err)
	}
	if strings.ContainsRune(err.Error(), 0x1b) {
		t.Errorf("error carries a raw escape: %q", err)
	}
	if len(f.Hosts) != 2 || !f.Updated.Equal(t0) {
		t.Errorf("a failed refresh changed the fleet: %v at %v", f.Instances(), f.Updated)
	}
}

func TestAuthHeaders(t *testing.T) {
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{BearerToken: "tok3n"}, "Bearer tok3n"},
		{Options{Username: "admin", Password: "pw"}, "Basic YWRtaW46cHc="},
	} {
		var got string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = r.Header.Get("Authorization")
			http.Error(w, "no", http.StatusUnauthorized)
		}))
		tc.o.URL = srv.URL
		c, err := New(tc.o)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Start(context.Background())
		srv.Close()
		if got != tc.want {
			t.Errorf("Authorization %q, want %q", got, tc.want)
		}
		if err == nil || strings.Contains(err.Error(), "tok3n") {
			t.Errorf("err = %v, want a refusal without the token", err)
		}
	}
}

func TestCAFileTrustsTheServer(t *testing.T) {
	clk := &clock{now: t0}
	probe, _ := New(Options{URL: "http://placeholder"})
	srv := httptest.NewUnstartedServer(newFakeProm(t, probe))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	der := srv.Certificate().Raw
	if _, err := x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{URL: srv.URL, CAFile: ca, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(context.Background()); err != nil {
		t.Errorf("with the CA file: %v", err)
	}
	c, _ = New(Options{URL: srv.URL, Now: clk.Now})
	if _, err := c.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without the CA file: %v, want a certificate error", err)
	}
}
