package services

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const labPassword = "s3cret-Pa55"

// startPostgres initdb's a cluster with password auth and
// pg_stat_statements preloaded, starts it on a free loopback port and
// returns its port.
func startPostgres(t *testing.T) int {
	t.Helper()
	bin := "/usr/lib/postgresql/15/bin/"
	initdb := findBinary(t, "postgresql-15", bin+"initdb")
	postgres := findBinary(t, "postgresql-15", bin+"postgres")
	if _, err := os.Stat("/usr/lib/postgresql/15/lib/pg_stat_statements.so"); err != nil {
		t.Skip("pg_stat_statements not found: install the Debian package postgresql-15 (or postgresql-contrib)")
	}
	dir, attr := labDir(t, "postgres")
	pwfile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwfile, []byte(labPassword+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	runAs(t, attr, initdb, "-D", data, "-U", "postgres", "--auth=scram-sha-256", "--pwfile="+pwfile,
		"-E", "UTF8", "--no-sync", "--no-instructions")
	port := freePort(t)
	logPath := filepath.Join(dir, "postgres.log")
	startServer(t, attr, logPath, syscall.SIGINT, postgres, "-D", data, "-p", fmt.Sprint(port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
		"-c", "shared_preload_libraries=pg_stat_statements", "-c", "fsync=off",
		"-c", "max_connections=20", "-c", "shared_buffers=16MB", "-c", "deadlock_timeout=50ms")
	waitFor(t, "postgres", logPath, 20*time.Second, func() error {
		conn, err := pgx.Connect(context.Background(), pgDSN(port, "postgres", labPassword))
		if err == nil {
			conn.Close(context.Background())
		}
		return err
	})
	admin := pgConnect(t, pgDSN(port, "postgres", labPassword))
	for _, q := range []string{"CREATE EXTENSION pg_stat_statements",
		"CREATE TABLE item (id int PRIMARY KEY, v int)",
		"INSERT INTO item SELECT g, g % 10 FROM generate_series(1, 1000) g"} {
		if _, err := admin.Exec(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return port
}

func pgDSN(port int, db, password string) string {
	return fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/%s?sslmode=disable", password, port, db)
}

// pgConnect opens a client session closed at the end of the test.
func pgConnect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("connect %s: %v", Redact(dsn), err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func mustExec(t *testing.T, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestPostgresE2E(t *testing.T) {

	port := startPostgres(t)
	ctx := context.Background()
	clock := newStepClock()
	c, err := NewPostgres(pgDSN(port, "postgres", labPassword), Options{Now: clock.Now, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	first := c.Collect(ctx)
	if first.State != StateOK || first.MaxConnections != 20 || first.Connections < 2 {
		t.Fatalf("first sample: %+v", first)
	}
	if first.CacheHitPct != nil || first.XactPerS != nil || first.TopStatements != nil {
		t.Fatalf("first sample has interval values without an interval: %+v", first)
	}

	// An idle-in-transaction session holding a lock, a session waiting on
	// it, a repeated statement, a deadlock and a sort spilling to disk.
	holder := pgConnect(t, pgDSN(port, "postgres", labPassword))
	mustExec(t, holder, "BEGIN")
	mustExec(t, holder, "LOCK TABLE item IN ACCESS EXCLUSIVE MODE")
	waiter := pgConnect(t, pgDSN(port, "postgres", labPassword))
	inBackground(t, func(ctx context.Context) { waiter.Exec(ctx, "SELECT count(*) FROM item") })
	busy := pgConnect(t, pgDSN(port, "postgres", labPassword))
	for i := 0; i < 60; i++ {
		mustExec(t, busy, "SELECT pg_sleep(0.001), $1::int + 1", i)
	}
	// Sessions that end flush their statistics at once (an idle one may
	// hold them up to 10 s), so the spill and the deadlock use their own.
	spill := pgConnect(t, pgDSN(port, "postgres", labPassword))
	mustExec(t, spill, "SET work_mem = '64kB'")
	mustExec(t, spill, "SELECT g FROM generate_series(1, 100000) g ORDER BY g DESC")
	spill.Close(ctx)
	deadlock(t, port)

	// Deadlocks and temp files count per interval, and backends report
	// them to the statistics system within about a second: add them up.
	var got PostgresStats
	var deadlocks, temps int64
	poll(t, 10*time.Second, func() string {
		clock.Advance(time.Second)
		got = c.Collect(ctx)
		if got.Deadlocks != nil && got.TempFiles != nil {
			deadlocks, temps = deadlocks+*got.Deadlocks, temps+*got.TempFiles
		}
		switch {
		case got.State != StateOK:
			return "state: " + got.Reason
		case got.Connections < 4 || got.ByState["idle in transaction"] < 1 || got.ByState["active"] < 2:
			return fmt.Sprintf("connections %d by state %v", got.Connections, got.ByState)
		case got.IdleInXact < 1 || got.IdleInXactOldestS <= 0 || got.LongestXactS < got.IdleInXactOldestS:
			return fmt.Sprintf("idle in xact %d oldest %v, longest xact %v", got.IdleInXact, got.IdleInXactOldestS, got.LongestXactS)
		case got.LockWaits < 1 || got.LongestQueryS <= 0:
			return fmt.Sprintf("lock waits %d, longest query %v", got.LockWaits, got.LongestQueryS)
		case got.XactPerS == nil || *got.XactPerS <= 0 || got.CacheHitPct == nil:
			return fmt.Sprintf("xact/s %v, cache hit %v", got.XactPerS, got.CacheHitPct)
		case deadlocks != 1 || temps < 1:
			return fmt.Sprintf("deadlocks %d, temp files %d so far", deadlocks, temps)
		}
		return ""
	})
	checkStatements(t, c, clock, busy)
}

// checkStatements runs a statement many times in one interval and expects
// it at the top, with the collector's own queries left out.
func checkStatements(t *testing.T, c *PostgresCollector, clock *stepClock, busy *pgx.Conn) {
	ctx := context.Background()
	clock.Advance(time.Second)
	c.Collect(ctx) // baseline
	for i := 0; i < 40; i++ {
		mustExec(t, busy, "SELECT pg_sleep(0.002), $1::int * 2", i)
	}
	clock.Advance(2 * time.Second)
	got := c.Collect(ctx)
	if len(got.TopStatements) == 0 {
		t.Fatalf("no top statements: %+v (%s)", got, got.StatementsReason)
	}
	top := got.TopStatements[0]
	if !strings.Contains(top.Query, "pg_sleep") || top.Calls != 40 || top.CallsPerS != 20 ||
		top.MeanMS < 2 || top.SharePct <= 50 || top.TotalMS < 80 {
		t.Fatalf("top statement: %+v", top)
	}
	for _, s := range got.TopStatements {
		if strings.Contains(s.Query, "headroom") {
			t.Fatalf("the collector's own query is listed: %+v", s)
		}
	}
}

// deadlock makes two sessions wait on each other's rows until Postgres
// breaks the cycle (deadlock_timeout is 50 ms in the lab).
func deadlock(t *testing.T, port int) {
	a := pgConnect(t, pgDSN(port, "postgres", labPassword))
	b := pgConnect(t, pgDSN(port, "postgres", labPassword))
	mustExec(t, a, "CREATE TABLE pair (id int PRIMARY KEY)")
	mustExec(t, a, "INSERT INTO pair VALUES (1), (2)")
	mustExec(t, a, "BEGIN")
	mustExec(t, b, "BEGIN")
	mustExec(t, a, "UPDATE pair SET id = id WHERE id = 1")
	mustExec(t, b, "UPDATE pair SET id = id WHERE id = 2")
	errs := make(chan error, 1)
	go func() { _, err := a.Exec(context.Background(), "UPDATE pair SET id = id WHERE id = 2"); errs <- err }()
	_, errB := b.Exec(context.Background(), "UPDATE pair SET id = id WHERE id = 1")
	errA := <-errs
	if (errA == nil) == (errB == nil) {
		t.Fatalf("want exactly one deadlock victim: %v / %v", errA, errB)
	}
	mustExec(t, a, "ROLLBACK")
	mustExec(t, b, "ROLLBACK")
	a.Close(context.Background())
	b.Close(context.Background())
}

func TestPostgresUnavailableE2E(t *testing.T) {
	port := startPostgres(t)
	ctx := context.Background()
	for _, tc := range []struct{ name, dsn, want string }{
		{"wrong password URL", pgDSN(port, "postgres", "Wr0ng-Pa55"), "auth failed"},
		{"wrong password key=value", fmt.Sprintf("host=127.0.0.1 port=%d user=postgres password='Wr0ng Pa55' sslmode=disable", port), "auth failed"},
		{"nothing listening", pgDSN(freePort(t), "postgres", "Wr0ng-Pa55"), "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewPostgres(tc.dsn, Options{Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			got := c.Collect(ctx)
			if got.State != StateUnavailable || got.Reason != tc.want {
				t.Fatalf("got %q %q, want unavailable %q", got.State, got.Reason, tc.want)
			}
			if strings.Contains(got.Reason, "Wr0ng") || strings.Contains(c.Addr(), "Wr0ng") {
				t.Fatalf("password leaked: %q / %q", got.Reason, c.Addr())
			}
		})
	}
}
