package collect

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

func TestTrafficCollector(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	c, err := NewTraffic([]string{path}, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	line := `127.0.0.1 - - [27/Nov/2026:12:00:00 +0000] "GET /items/%d HTTP/1.1" %d 12 "-" "wrk" 0.%03d 0.%03d` + "\n"
	for i := 0; i < 10; i++ {
		st := 200
		if i == 0 {
			st = 502
		}
		f.WriteString(fmtLine(line, i, st))
	}
	s := sampler.Snapshot{Time: t0.Add(2 * time.Second)}
	c.Collect(&s)
	tr := s.Traffic
	if tr == nil || tr.State != "ok" || tr.Requests != 10 || tr.RequestsPerS != 5 || tr.Classes[5] != 1 || len(tr.Endpoints) != 1 || tr.Endpoints[0].Endpoint != "GET /items/:id" {
		t.Fatalf("traffic: %+v", tr)
	}
	if tr.Status == nil || tr.Status.S5xx != 10 || tr.P95Ms == nil {
		t.Errorf("status or latency: %+v", tr.Traffic)
	}
	// The histogram round-trips through Interval for a window's percentiles.
	if iv := tr.Interval(); iv.Latency.Count() != 10 || iv.Endpoints[0].Count != 10 {
		t.Errorf("interval: %+v", iv)
	}
}

func fmtLine(format string, i, status int) string {
	return fmt.Sprintf(format, i, status, 10+i*10, 10+i*10)
}

func TestTrafficUnavailable(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	c, err := NewTraffic([]string{dir}, t0) // a directory: no log can be read there
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := sampler.Snapshot{Time: t0.Add(time.Second)}
	c.Collect(&s)
	if s.Traffic == nil || s.Traffic.State != "unavailable" || s.Traffic.Reason == "" {
		t.Errorf("traffic of a directory: %+v", s.Traffic)
	}
}

func TestSQLLogCollector(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sql.log")
	c := NewSQLLog(path)
	defer c.Close()
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	s := sampler.Snapshot{Time: t0}
	c.Collect(&s)
	if s.SQL == nil || s.SQL.State != "unavailable" {
		t.Fatalf("missing log: %+v", s.SQL)
	}
	os.WriteFile(path, nil, 0o600)
	s = sampler.Snapshot{Time: t0.Add(time.Second)}
	c.Collect(&s) // opens the file, at its end
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	for i := 0; i < 12; i++ {
		f.WriteString(fmt.Sprintf("(0.002) SELECT \"lab_category\".\"id\" FROM \"lab_category\" WHERE \"lab_category\".\"id\" = %d; args=(%d,); alias=default\n", i, i))
	}
	f.Close()
	s = sampler.Snapshot{Time: t0.Add(2 * time.Second)}
	c.Collect(&s)
	q := s.SQL
	if q == nil || q.State != "ok" || q.Count != 12 || q.Seconds != 1 || len(q.Statements) != 1 || q.Statements[0].Count != 12 || len(q.NPlusOne) != 1 {
		t.Errorf("sql: %+v", q)
	}
}
