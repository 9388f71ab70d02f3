package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler/labtest"
)

// The app end-to-end test starts the lab's real services (PostgreSQL 15
// with pg_stat_statements and pgbouncer, redis, memcached, the Django app
// under gunicorn behind nginx logging $request_time), drives bounded load
// at endpoints that hit or miss the cache, run the N+1 loop and hold
// connections, and checks that `once --json` follows. labtest skips, naming
// the Debian package, when a service is not installed.

// appOnce is the part of once --json this test reads.
type appOnce struct {
	Verdict  string       `json:"verdict"`
	Summary  string       `json:"summary"`
	Findings []appFinding `json:"findings"`
	advisor.AppAdvice
}

// appFinding is a finding as once --json prints it.
type appFinding struct {
	Metric         string
	Now, Mean, Max float64
	Level          string
}

func (o appOnce) finding(m string) (appFinding, bool) {
	for _, f := range o.Findings {
		if f.Metric == m {
			return f, true
		}
	}
	return appFinding{}, false
}

// drive sends GETs to url(i) from conns goroutines until ctx ends; the
// requests are bounded by the client's timeout and all end before it returns.
func drive(ctx context.Context, conns int, url func(i int) string) *sync.WaitGroup {
	var wg sync.WaitGroup
	c := &http.Client{Timeout: 10 * time.Second}
	for g := 0; g < conns; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; ctx.Err() == nil; i += conns {
				req, _ := http.NewRequestWithContext(ctx, "GET", url(i), nil)
				if resp, err := c.Do(req); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	return &wg
}

// underLoad runs once --json with args while url is driven, and stops the
// load before returning.
func underLoad(t *testing.T, conns int, url func(i int) string, args ...string) appOnce {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	wg := drive(ctx, conns, url)
	time.Sleep(700 * time.Millisecond) // the load is on before the first sample
	code, out, stderr := runCLI(t, append([]string{"once", "--json", "--for", "4s", "--interval", "500ms"}, args...)...)
	cancel()
	wg.Wait()
	if code == exitBadInput {
		t.Fatalf("once: %s", stderr)
	}
	var o appOnce
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, s := range []string{out, stderr} {
		if strings.Contains(s, "s3cret") {
			t.Fatalf("the password was printed:\n%s", s)
		}
	}
	return o
}

func TestAppEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts postgres, pgbouncer, redis, memcached, gunicorn and nginx")
	}
	lab := labtest.New(t)
	isolate(t)
	pg := lab.Postgres("s3cret", labtest.WithMaxConnections(20), labtest.WithPgBouncer(2))
	t.Setenv("PGPASSWORD", "s3cret") // for the pgbouncer console: the passfile route pgx reads
	caches := lab.Caches("", 16)
	app := lab.App(labtest.AppConfig{Workers: 2, Threads: 8, DatabaseURL: pg.DSN, PGPassword: "s3cret", Cache: caches.RedisURL,
		ConnMaxAge: 60, Nginx: true})
	// The password in the DSN itself: it must reach Postgres and nowhere else.
	dsn := strings.Replace(pg.DSN, "postgres://lab@", "postgres://lab:s3cret@", 1)
	flags := []string{"--access-log", app.NginxAccessLog, "--postgres", dsn, "--pgbouncer", pg.PgBouncerAdmin,
		"--redis", caches.RedisURL, "--memcached", caches.MemcachedAddr}
	url := func(path string) func(int) string { return func(int) string { return app.NginxURL + path } }

	// Cache hits: one key over and over.
	hits := underLoad(t, 4, url("/cache/?key=home"), flags...)
	t.Logf("hits: %s", hits.Summary)
	if hits.Traffic == nil || hits.Traffic.RequestsPerS < 5 || hits.Traffic.P95Ms == nil || hits.Traffic.Status == nil || hits.Traffic.Status.S2xx < 99 {
		t.Fatalf("traffic under load: %+v", hits.Traffic)
	}
	if len(hits.Traffic.TopEndpoints) == 0 || hits.Traffic.TopEndpoints[0].Endpoint != "GET /cache/" {
		t.Errorf("top endpoints: %+v", hits.Traffic.TopEndpoints)
	}
	redis, ok := hits.finding(advisor.KeyCacheRedis)
	if !ok || redis.Now < 90 || redis.Level != "MONITOR" {
		t.Errorf("redis hit rate with one key: %+v", redis)
	}
	if hits.Postgres == nil || hits.Postgres.State != "ok" || hits.Postgres.MaxConnections != 20 || hits.Postgres.Connections < 1 {
		t.Errorf("postgres: %+v", hits.Postgres)
	}
	if hits.PgBouncer == nil || hits.PgBouncer.State != "ok" {
		t.Errorf("pgbouncer: %+v", hits.PgBouncer)
	}
	if len(hits.Cache) != 2 || hits.Cache[1].Kind != "memcached" || hits.Cache[1].State != "ok" {
		t.Errorf("caches: %+v", hits.Cache)
	}

	// Cache misses: a fresh key each request.
	misses := underLoad(t, 4, func(i int) string { return fmt.Sprintf("%s/cache/?key=k%d-%d", app.NginxURL, time.Now().UnixNano(), i) }, flags...)
	t.Logf("misses: %s", misses.Summary)
	if f, ok := misses.finding(advisor.KeyCacheRedis); !ok || f.Now > 20 || f.Level != "OPTIMIZE" {
		t.Errorf("redis hit rate with fresh keys: %+v (want under 70 %%, OPTIMIZE)", f)
	}
	if !strings.Contains(misses.Summary, "redis hit rate") {
		t.Errorf("summary does not name the cold cache: %s", misses.Summary)
	}

	// The N+1 loop: 1 + 25 queries a request, the category lookup 25 of them.
	nplus := underLoad(t, 4, url("/db/?n=25"), flags...)
	t.Logf("n+1: %s", nplus.Summary)
	st := nplus.TopStatement
	if st == nil || st.Source != "pg_stat_statements" || !strings.Contains(st.Query, "lab_category") || st.PerRequest == nil || *st.PerRequest < 15 {
		t.Fatalf("top statement under the N+1 load: %+v", st)
	}
	if f, ok := nplus.finding(advisor.KeyDBSlow); !ok || f.Level != "OPTIMIZE" || !strings.Contains(nplus.Summary, "a likely N+1") {
		t.Errorf("db:slow %+v; summary %s", f, nplus.Summary)
	}

	// Held connections: 16 threads each holding one for a second.
	held := underLoad(t, 16, url("/hold/?ms=1000"), flags...)
	t.Logf("held: %s", held.Summary)
	before, _ := hits.finding(advisor.KeyDBConnections)
	if f, ok := held.finding(advisor.KeyDBConnections); !ok || f.Max < before.Now+20 {
		t.Errorf("db:connections while 16 threads hold connections: %+v (before: %+v)", f, before)
	}
	if held.Traffic == nil || held.Traffic.P95Ms == nil || *held.Traffic.P95Ms < 900 {
		t.Errorf("p95 while holding for 1 s: %+v", held.Traffic)
	}
	if f, ok := held.finding(advisor.KeyLatency); !ok || (f.Level != "OPTIMIZE" && f.Level != "SCALE") {
		t.Errorf("latency from the access log over the 300 ms SLA: %+v", f)
	}

	// Through PgBouncer with a pool of 2: clients queue for a server
	// connection, and the finding names the pool.
	pooled := labtest.New(t).App(labtest.AppConfig{ // a second lab dir: one app per lab
		Workers: 2, Threads: 4, DatabaseURL: pg.PgBouncerDSN, PGPassword: "s3cret", Cache: caches.RedisURL})
	queued := underLoad(t, 8, func(int) string { return pooled.URL + "/hold/?ms=300" }, flags...)
	t.Logf("pgbouncer: %s", queued.Summary)
	if f, ok := queued.finding(advisor.KeyDBConnections); !ok || f.Level != "OPTIMIZE" || !strings.Contains(queued.Summary, "PgBouncer pool lab/lab has") {
		t.Errorf("clients waiting in pgbouncer: %+v; pools %+v", f, queued.PgBouncer)
	}

	// The password reaches no recording (header included) and no hook.
	dir := t.TempDir()
	rec := filepath.Join(dir, "rec.jsonl")
	hook := filepath.Join(dir, "hook.out")
	code, _, stderr := runCLI(t, append([]string{"record", "-o", rec, "--for", "2s", "--interval", "500ms",
		"--on-change", "sh -c 'env > " + hook + "; cat >> " + hook + "'", "--probe", "http://127.0.0.1:" + fmt.Sprint(freeClosedPort(t)) + "/"}, flags...)...)
	if code != exitOK {
		t.Fatalf("record: %d %s", code, stderr)
	}
	for _, f := range []string{rec, hook} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("%v (the hook runs when the failing probe turns the verdict DOWN)", err)
		}
		if strings.Contains(string(b), "s3cret") {
			t.Errorf("%s holds the password", f)
		}
		if !strings.Contains(string(b), `"postgres"`) && f == rec {
			t.Errorf("recording has no postgres field")
		}
	}
}

// freeClosedPort is a loopback port nothing listens on: a probe there is refused.
func freeClosedPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Without pg_stat_statements, a SQL log that grows during the run feeds
// db:slow: the lab's app on SQLite writes Django's query log while its N+1
// endpoint runs; gunicorn's access log gives the request rate.
func TestSQLLogEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts gunicorn")
	}
	lab := labtest.New(t)
	isolate(t)
	app := lab.App(labtest.AppConfig{Workers: 2, SQLLog: true, AccessLog: true})
	o := underLoad(t, 3, func(int) string { return app.URL + "/db/?n=20" }, "--sql-log", app.SQLLog, "--access-log", app.AccessLog)
	t.Logf("sql log: %s", o.Summary)
	st := o.TopStatement
	if st == nil || st.Source != "sql_log" || !strings.Contains(st.Query, "lab_category") || st.PerRequest == nil || *st.PerRequest < 10 {
		t.Fatalf("top statement from the SQL log: %+v", st)
	}
	if f, ok := o.finding(advisor.KeyDBSlow); !ok || f.Level != "OPTIMIZE" || !strings.Contains(o.Summary, "a likely N+1") {
		t.Errorf("db:slow %+v; summary %s", f, o.Summary)
	}
}
