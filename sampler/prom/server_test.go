package prom

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// t0 is the end of the recorded range in testdata/range; the instant
// answers in testdata/instant are one minute later.
var t0 = time.Unix(1795000000, 0).UTC()

// fakeProm answers /api/v1/query and /api/v1/query_range from testdata by the
// query's name; a query without a fixture gets an empty result, as from a
// Prometheus without that series.
type fakeProm struct {
	t      *testing.T
	byExpr map[string]string // expr → name
	mu     sync.Mutex
	asked  map[string]int // name → requests
	fail   map[string]string
}

func newFakeProm(t *testing.T, c *Client) *fakeProm {
	f := &fakeProm{t: t, byExpr: map[string]string{}, asked: map[string]int{}, fail: map[string]string{}}
	for _, q := range c.queries {
		f.byExpr[q.expr] = q.name
	}
	return f
}

func (f *fakeProm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	expr := r.Form.Get("query")
	name, ok := f.byExpr[expr]
	if !ok {
		f.t.Errorf("unexpected query %q", expr)
		http.Error(w, "unknown query", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.asked[name]++
	msg, failing := f.fail[name]
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if failing {
		w.WriteHeader(http.StatusBadRequest)
		b, _ := json.Marshal(map[string]string{"status": "error", "errorType": "bad_data", "error": msg})
		_, _ = w.Write(b)
		return
	}
	dir, empty := "instant", `{"status":"success","data":{"resultType":"vector","result":[]}}`
	if r.URL.Path == "/api/v1/query_range" {
		dir, empty = "range", `{"status":"success","data":{"resultType":"matrix","result":[]}}`
	}
	b, err := os.ReadFile(filepath.Join("testdata", dir, name+".json"))
	if os.IsNotExist(err) {
		_, _ = w.Write([]byte(empty))
		return
	}
	if err != nil {
		f.t.Errorf("fixture: %v", err)
	}
	_, _ = w.Write(b)
}

// requests is how many times each query was asked.
func (f *fakeProm) requests() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.asked {
		out[k] = v
	}
	return out
}

// newTestClient builds a client on a fake Prometheus serving testdata.
func newTestClient(t *testing.T, o Options) (*Client, *fakeProm) {
	t.Helper()
	o.URL = "http://placeholder"
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeProm(t, c)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	o.URL = srv.URL
	if c, err = New(o); err != nil {
		t.Fatal(err)
	}
	return c, f
}

// clock is a settable "now".
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }
