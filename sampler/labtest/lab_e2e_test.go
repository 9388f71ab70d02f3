package labtest

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// getJSON fetches url (bounded) and decodes the lab's JSON answer.
func getJSON(t *testing.T, url string) map[string]any {
	t.Helper()
	c := http.Client{Timeout: 15 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", url, resp.Status, b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("GET %s: %v: %s", url, err, b)
	}
	return m
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

var seconds = regexp.MustCompile(` [0-9]+\.[0-9]+$`)

func TestLabServicesE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts postgres, pgbouncer, redis, memcached, gunicorn and nginx")
	}
	lab := New(t)
	var pids []int
	// Registered first, so it runs after every stop: nothing we started survives.
	t.Cleanup(func() {
		for _, pid := range pids {
			if alive(pid) {
				t.Errorf("PID %d still running after the lab stopped", pid)
			}
		}
	})
	pg := lab.Postgres("", WithPgBouncer(3), WithMaxConnections(30))
	caches := lab.Caches("", 16)
	app := lab.App(AppConfig{DatabaseURL: pg.DSN, Cache: caches.RedisURL, AccessLog: true, Nginx: true, SQLLog: true})
	pids = append(pids, pg.PID, pg.PgBouncerPID, caches.RedisPID, caches.MemcachedPID, app.MasterPID, app.NginxPID)

	if !strings.HasPrefix(pg.DSN, "postgres://lab@127.0.0.1:") || PortOf(pg.DSN) != pg.Port {
		t.Errorf("DSN %q does not match port %d", pg.DSN, pg.Port)
	}
	if !strings.HasSuffix(pg.PgBouncerAdmin, "/pgbouncer?sslmode=disable") {
		t.Errorf("pgbouncer admin DSN = %q", pg.PgBouncerAdmin)
	}
	if m := getJSON(t, app.NginxURL+"/db/?n=7"); m["queries"] != 8.0 {
		t.Errorf("/db/?n=7 made %v queries, want 8", m["queries"])
	}
	if m := getJSON(t, app.NginxURL+"/cache/?key=e2e"); m["hit"] != false || m["backend"] != "redis" {
		t.Errorf("first /cache/?key=e2e = %v, want a redis miss", m)
	}
	if m := getJSON(t, app.URL+"/cache/?key=e2e"); m["hit"] != true {
		t.Errorf("second /cache/?key=e2e = %v, want a hit", m)
	}
	for _, log := range []string{app.NginxAccessLog, app.AccessLog} {
		b, err := os.ReadFile(log)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if last := lines[len(lines)-1]; !seconds.MatchString(last) {
			t.Errorf("%s: last line does not end in a time in seconds: %q", log, last)
		}
	}
	b, err := os.ReadFile(app.SQLLog)
	if err != nil || !strings.Contains(string(b), `FROM "lab_category"`) {
		t.Errorf("SQL log lacks the category lookups (%v)", err)
	}
}
