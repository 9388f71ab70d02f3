package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sqlFixtures = "../../sampler/sqllog/testdata/"

func TestQueriesJSONShape(t *testing.T) {
	isolate(t)
	code, out, stderr := runCLI(t, "queries", "--json", "--top", "2", sqlFixtures+"django32_plain.log")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not JSON (%v):\n%s", err, out)
	}
	for _, k := range []string{"lines", "unparsed", "statements", "n_plus_one", "summary"} {
		if _, ok := m[k]; !ok {
			t.Errorf("missing %q", k)
		}
	}
	if m["lines"].(float64) != 18 || m["unparsed"].(float64) != 1 {
		t.Errorf("lines %v unparsed %v", m["lines"], m["unparsed"])
	}
	stmts := m["statements"].([]any)
	if len(stmts) != 2 {
		t.Fatalf("--top 2 gave %d statements", len(stmts))
	}
	for _, k := range []string{"fingerprint", "count", "mean_ms", "p95_ms", "total_ms", "share_pct", "example"} {
		if _, ok := stmts[0].(map[string]any)[k]; !ok {
			t.Errorf("statement lacks %q", k)
		}
	}
	n1 := m["n_plus_one"].([]any)
	if len(n1) != 1 {
		t.Fatalf("n_plus_one: %v", n1)
	}
	for k, want := range map[string]any{"table": "lab_item", "run": 12.0, "count": 12.0} {
		if got := n1[0].(map[string]any)[k]; got != want {
			t.Errorf("n_plus_one %s = %v, want %v", k, got, want)
		}
	}
	if _, ok := n1[0].(map[string]any)["fingerprint"]; !ok {
		t.Error("n_plus_one lacks fingerprint")
	}
}

func TestQueriesText(t *testing.T) {
	isolate(t)
	code, out, _ := runCLI(t, "queries", sqlFixtures+"django4_prefix.log", sqlFixtures+"postgres.log")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"88 lines, 1 unparsed, 69 statements", "N+1 on lab_tag", "prefetch_related('tags')", "FROM orders o"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestQueriesGzip(t *testing.T) {
	isolate(t)
	plain, err := os.ReadFile(sqlFixtures + "django4_plain.log")
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	path := filepath.Join(t.TempDir(), "sql.log.gz")
	os.WriteFile(path, gz.Bytes(), 0o600)
	code, out, stderr := runCLI(t, "queries", "--json", path)
	var r struct {
		Lines    int `json:"lines"`
		NPlusOne []struct {
			Table string `json:"table"`
		} `json:"n_plus_one"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &r) != nil || r.Lines != 11 || len(r.NPlusOne) != 1 || r.NPlusOne[0].Table != "lab_category" {
		t.Errorf("exit %d %s\n%s", code, stderr, out)
	}
}

func TestQueriesBadInput(t *testing.T) {
	dir := isolate(t)
	noSQL := filepath.Join(dir, "app.log")
	os.WriteFile(noSQL, []byte("GET / 200\nGET /db/ 200\n"), 0o600)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"queries", noSQL}, "no SQL statements in 2 lines of " + noSQL},
		{[]string{"queries", filepath.Join(dir, "missing.log")}, "missing.log: no such file"},
		{[]string{"queries", dir}, "is a directory"},
		{[]string{"queries", "--top=-1", noSQL}, "--top -1"},
		{[]string{"queries"}, "expected \"<FILE> ...\""},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, _, stderr := runCLI(t, c.args...)
			if code != exitBadInput || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitBadInput, c.want)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("want a one-line error, got %q", stderr)
			}
		})
	}
}
