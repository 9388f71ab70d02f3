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

// startPgBouncer puts a session-mode PgBouncer with a pool of two server
// connections in front of the lab Postgres and returns its port.
func startPgBouncer(t *testing.T, pgPort int) int {
	t.Helper()
	bin := findBinary(t, "pgbouncer", "pgbouncer", "/usr/sbin/pgbouncer")
	dir, attr := labDir(t, "postgres")
	port := freePort(t)
	ini := fmt.Sprintf(`[databases]
app = host=127.0.0.1 port=%d dbname=postgres pool_size=2
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
admin_users = postgres
pool_mode = session
logfile = %s
`, pgPort, port, filepath.Join(dir, "users.txt"), filepath.Join(dir, "pgbouncer.log"))
	for name, text := range map[string]string{
		"pgbouncer.ini": ini,
		"users.txt":     fmt.Sprintf("%q %q\n", "postgres", labPassword),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	logPath := filepath.Join(dir, "stdout.log")
	startServer(t, attr, logPath, syscall.SIGINT, bin, filepath.Join(dir, "pgbouncer.ini"))
	waitFor(t, "pgbouncer", logPath, 10*time.Second, func() error {
		conn, err := pgx.Connect(context.Background(), bouncerDSN(port, "app"))
		if err == nil {
			conn.Close(context.Background())
		}
		return err
	})
	return port
}

func bouncerDSN(port int, db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", port, db)
}

func TestPgBouncerE2E(t *testing.T) {
	port := startPgBouncer(t, startPostgres(t))
	ctx := context.Background()
	c, err := NewPgBouncer(bouncerDSN(port, "pgbouncer"), Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })

	// Two clients take both server connections; a third has to wait.
	for i := 0; i < 2; i++ {
		mustExec(t, pgConnect(t, bouncerDSN(port, "app")), "SELECT 1")
	}
	third := pgConnect(t, bouncerDSN(port, "app"))
	inBackground(t, func(ctx context.Context) { third.Exec(ctx, "SELECT 1") })

	poll(t, 10*time.Second, func() string {
		got := c.Collect(ctx)
		if got.State != StateOK {
			return "state: " + got.Reason
		}
		for _, p := range got.Pools {
			if p.Database == "pgbouncer" {
				return "the admin console's pool is listed"
			}
			if p.Database == "app" && p.User == "postgres" && p.ClActive == 2 && p.ClWaiting == 1 && p.SvActive == 2 && p.MaxWaitS > 0 {
				return ""
			}
		}
		return fmt.Sprintf("pools: %+v", got.Pools)
	})
}

func TestPgBouncerUnavailableE2E(t *testing.T) {
	c, err := NewPgBouncer(fmt.Sprintf("postgres://postgres:Wr0ng@127.0.0.1:%d/pgbouncer", freePort(t)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := c.Collect(context.Background())
	if got.State != StateUnavailable || got.Reason != "connection refused" || strings.Contains(c.Addr(), "Wr0ng") {
		t.Fatalf("got %+v from %s", got, c.Addr())
	}
}
