// Package labtest starts the repository's lab (testdata/lab: gunicorn and
// nginx, PostgreSQL with pgbouncer, redis, memcached, Prometheus) for
// end-to-end tests: each service on a free 127.0.0.1 port, its state in
// t.TempDir(), stopped by PID in t.Cleanup. A test skips, naming the Debian
// package, when a service's binary is missing.
package labtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// scriptTimeout bounds every lab script run; starts take a few seconds,
// tens on a busy machine.
const scriptTimeout = 90 * time.Second

// Lab is one lab instance: the scripts in Root, the state in Dir.
type Lab struct {
	Root string // testdata/lab of this repository
	Dir  string // LAB_DIR: every file and log of this instance
	t    testing.TB
}

// New finds testdata/lab above the working directory and gives the test its
// own LAB_DIR. It skips the test when the lab is not there.
func New(t testing.TB) *Lab {
	t.Helper()
	root, err := findRoot()
	if err != nil {
		t.Skipf("no lab: %v", err)
	}
	return &Lab{Root: root, Dir: t.TempDir(), t: t}
}

// findRoot walks up from the working directory to the module root (go.mod)
// and returns its testdata/lab.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			lab := filepath.Join(dir, "testdata", "lab")
			if _, err := os.Stat(filepath.Join(lab, "start.sh")); err != nil {
				return "", fmt.Errorf("%s has no start.sh", lab)
			}
			return lab, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// need skips the test unless every binary exists; pkg is the Debian package
// that provides them.
func (l *Lab) need(pkg string, bins ...string) {
	l.t.Helper()
	for _, b := range bins {
		if _, err := os.Stat(b); err != nil {
			l.t.Skipf("%s is not installed (apt-get install %s; testdata/lab/install.sh installs it)", b, pkg)
		}
	}
}

// run runs a lab script with LAB_DIR set and env added; it fails the test
// with the script's output when the script fails.
func (l *Lab) run(env []string, script string, args ...string) string {
	l.t.Helper()
	out, err := l.exec(env, script, args...)
	if err != nil {
		l.t.Fatalf("%s %s: %v\n%s", script, strings.Join(args, " "), err, out)
	}
	return out
}

func (l *Lab) exec(env []string, script string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(l.Root, script), args...)
	cmd.Env = append(append(os.Environ(), "LAB_DIR="+l.Dir), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// stopper registers a cleanup that runs the script's stop command.
func (l *Lab) stopper(script string, args ...string) {
	l.t.Cleanup(func() {
		if out, err := l.exec(nil, script, args...); err != nil {
			l.t.Errorf("%s %s: %v\n%s", script, strings.Join(args, " "), err, out)
		}
	})
}

// File returns the trimmed content of a file in Dir (pg.dsn, redis.url, ...).
func (l *Lab) File(name string) string {
	l.t.Helper()
	b, err := os.ReadFile(filepath.Join(l.Dir, name))
	if err != nil {
		l.t.Fatalf("lab: %v", err)
	}
	return strings.TrimSpace(string(b))
}

// PID reads a PID file in Dir.
func (l *Lab) PID(name string) int {
	l.t.Helper()
	pid, err := strconv.Atoi(l.File(name))
	if err != nil || pid <= 0 {
		l.t.Fatalf("lab: %s does not hold a PID: %v", name, err)
	}
	return pid
}

// Postgres is a running PostgreSQL 15 with pg_stat_statements in database lab.
type Postgres struct {
	DSN            string // postgres://lab@127.0.0.1:PORT/lab?sslmode=disable
	Port           int
	PID            int    // the postmaster
	PgBouncerDSN   string // database lab through pgbouncer; "" without WithPgBouncer
	PgBouncerAdmin string // pgbouncer's admin console (SHOW POOLS); "" without
	PgBouncerPID   int
}

// PostgresOption is one pg.sh start flag.
type PostgresOption []string

// WithPgBouncer also starts pgbouncer (transaction pooling, pool size n).
func WithPgBouncer(poolSize int) PostgresOption {
	return PostgresOption{"--pgbouncer", "--pool-size", strconv.Itoa(poolSize)}
}

// WithMaxConnections sets postgres's max_connections.
func WithMaxConnections(n int) PostgresOption {
	return PostgresOption{"--max-connections", strconv.Itoa(n)}
}

// Postgres starts pg.sh and stops it when the test ends. With password
// non-empty the lab user needs it (scram); DSNs never contain it.
func (l *Lab) Postgres(password string, opts ...PostgresOption) Postgres {
	l.t.Helper()
	l.need("postgresql-15", "/usr/lib/postgresql/15/bin/postgres", "/usr/lib/postgresql/15/bin/initdb", "/usr/bin/psql")
	args := []string{"start"}
	for _, o := range opts {
		if o[0] == "--pgbouncer" {
			l.need("pgbouncer", "/usr/sbin/pgbouncer")
		}
		args = append(args, o...)
	}
	var env []string
	if password != "" {
		env = append(env, "LAB_PG_PASSWORD="+password)
	}
	l.stopper("pg.sh", "stop")
	l.run(env, "pg.sh", args...)
	pg := Postgres{DSN: l.File("pg.dsn"), PID: l.PID("pg.pid")}
	pg.Port, _ = strconv.Atoi(l.File("pg.port"))
	if _, err := os.Stat(filepath.Join(l.Dir, "pgbouncer.dsn")); err == nil {
		pg.PgBouncerDSN = l.File("pgbouncer.dsn")
		pg.PgBouncerAdmin = strings.Replace(pg.PgBouncerDSN, "/lab?", "/pgbouncer?", 1)
		pg.PgBouncerPID = l.PID("pgbouncer.pid")
	}
	return pg
}

// Caches are a running redis and memcached (either may be absent).
type Caches struct {
	RedisURL      string // redis://127.0.0.1:PORT/0; "" when not started
	RedisPID      int
	MemcachedAddr string // 127.0.0.1:PORT; "" when not started
	MemcachedPID  int
}

// Caches starts cache.sh (only is "", "redis" or "memcached"; maxMB the
// memory limit of each, 0 for the default 64) and stops it when the test ends.
func (l *Lab) Caches(only string, maxMB int) Caches {
	l.t.Helper()
	args := []string{"start"}
	if only != "" {
		args = append(args, "--only", only)
	}
	if maxMB > 0 {
		args = append(args, "--maxmemory-mb", strconv.Itoa(maxMB))
	}
	if only != "memcached" {
		l.need("redis-server", "/usr/bin/redis-server")
	}
	if only != "redis" {
		l.need("memcached", "/usr/bin/memcached")
	}
	l.stopper("cache.sh", "stop")
	l.run(nil, "cache.sh", args...)
	var c Caches
	if only != "memcached" {
		c.RedisURL, c.RedisPID = l.File("redis.url"), l.PID("redis.pid")
	}
	if only != "redis" {
		c.MemcachedAddr, c.MemcachedPID = l.File("memcached.addr"), l.PID("memcached.pid")
	}
	return c
}

// AppConfig says how to run the Django app; the zero value is SQLite, local
// memory cache, 2 sync workers, no access logs, no nginx.
type AppConfig struct {
	Workers     int    // gunicorn workers (default 2)
	Threads     int    // > 1: gthread workers
	DatabaseURL string // LAB_DATABASE_URL (Postgres.DSN or PgBouncerDSN)
	PGPassword  string // PGPASSWORD for the app, when the database has one
	Cache       string // LAB_CACHE: Caches.RedisURL or "memcached://"+MemcachedAddr
	ConnMaxAge  int    // LAB_CONN_MAX_AGE seconds
	SQLLog      bool   // LAB_SQL_LOG=Dir/sql.log
	AccessLog   bool   // gunicorn access log with %(L)s
	Nginx       bool   // nginx in front, access log with $request_time $upstream_response_time
}

// App is the running Django app.
type App struct {
	URL            string // http://127.0.0.1:PORT (gunicorn), no trailing slash
	MasterPID      int
	NginxURL       string // "" without nginx
	NginxPID       int
	AccessLog      string // gunicorn's access log path, "" without
	NginxAccessLog string // nginx's access log path, "" without
	SQLLog         string // "" without
}

// App starts start.sh with cfg on a free port and stops it when the test ends.
func (l *Lab) App(cfg AppConfig) App {
	l.t.Helper()
	l.need("gunicorn", "/usr/bin/gunicorn")
	if exec.Command("/usr/bin/python3", "-c", "import django").Run() != nil {
		l.t.Skip("python3-django is not installed (testdata/lab/install.sh installs it)")
	}
	if cfg.Workers == 0 {
		cfg.Workers = 2
	}
	port, err := FreePort()
	if err != nil {
		l.t.Fatal(err)
	}
	args := []string{"--workers", strconv.Itoa(cfg.Workers), "--port", strconv.Itoa(port)}
	if cfg.Threads > 1 {
		args = append(args, "--threads", strconv.Itoa(cfg.Threads))
	}
	var env []string
	add := func(k, v string) {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	add("LAB_DATABASE_URL", cfg.DatabaseURL)
	add("PGPASSWORD", cfg.PGPassword)
	add("LAB_CACHE", cfg.Cache)
	if cfg.ConnMaxAge > 0 {
		add("LAB_CONN_MAX_AGE", strconv.Itoa(cfg.ConnMaxAge))
	}
	app := App{URL: "http://127.0.0.1:" + strconv.Itoa(port)}
	if cfg.SQLLog {
		app.SQLLog = filepath.Join(l.Dir, "sql.log")
		add("LAB_SQL_LOG", app.SQLLog)
	}
	if cfg.AccessLog {
		args = append(args, "--access-log")
		app.AccessLog = filepath.Join(l.Dir, "access.log")
	}
	if cfg.Nginx {
		l.need("nginx-light", "/usr/sbin/nginx")
		args = append(args, "--nginx")
		app.NginxAccessLog = filepath.Join(l.Dir, "nginx-access.log")
	}
	l.stopper("stop.sh")
	l.run(env, "start.sh", args...)
	app.MasterPID = l.PID("gunicorn.pid")
	if cfg.Nginx {
		app.NginxURL = "http://127.0.0.1:" + l.File("nginx.port")
		app.NginxPID = l.PID("nginx.pid")
	}
	return app
}

// Prometheus is a running node exporter and a Prometheus scraping it.
type Prometheus struct {
	NodeExporterURL string // http://127.0.0.1:PORT/metrics
	NodeExporterPID int
	URL             string // http://127.0.0.1:PORT/ ("" with nodeOnly)
	PID             int
}

// Prometheus starts prom.sh (just the node exporter with nodeOnly) and stops
// it when the test ends.
func (l *Lab) Prometheus(nodeOnly bool) Prometheus {
	l.t.Helper()
	l.need("prometheus-node-exporter", "/usr/bin/prometheus-node-exporter")
	args := []string{"start"}
	if nodeOnly {
		args = append(args, "--only", "node-exporter")
	} else {
		l.need("prometheus", "/usr/bin/prometheus")
	}
	l.stopper("prom.sh", "stop")
	l.run(nil, "prom.sh", args...)
	p := Prometheus{NodeExporterURL: l.File("node-exporter.url"), NodeExporterPID: l.PID("node-exporter.pid")}
	if !nodeOnly {
		p.URL, p.PID = l.File("prometheus.url"), l.PID("prometheus.pid")
	}
	return p
}

// Load runs load.sh against port for the given seconds and returns wrk's
// summary; path is the request path (e.g. "/cache/?key=home").
func (l *Lab) Load(port, seconds, connections int, path string) string {
	l.t.Helper()
	l.need("wrk", "/usr/bin/wrk")
	return l.run(nil, "load.sh", loadArgs(port, seconds, connections, path)...)
}

// StartLoad starts load.sh as Load does, but in the background and in a
// process group of its own: the test measures while it runs, and may stop
// it early with syscall.Kill(-cmd.Process.Pid, SIGTERM). The caller waits
// for it.
func (l *Lab) StartLoad(port, seconds, connections int, path string) *exec.Cmd {
	l.t.Helper()
	l.need("wrk", "/usr/bin/wrk")
	cmd := exec.Command(filepath.Join(l.Root, "load.sh"), loadArgs(port, seconds, connections, path)...)
	cmd.Env = append(os.Environ(), "LAB_DIR="+l.Dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		l.t.Fatal(err)
	}
	return cmd
}

func loadArgs(port, seconds, connections int, path string) []string {
	return []string{"--port", strconv.Itoa(port), "--seconds", strconv.Itoa(seconds),
		"--connections", strconv.Itoa(connections), "--path", path}
}
