package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/collect"
	"github.com/headroom-dev/headroom/sampler/services"
	"github.com/headroom-dev/headroom/sampler/text"
)

// appFlags name the app's own sources: access logs, the database, its
// pool, the caches and a SQL log. Each is off unless given here or in the
// config file's [app] table; the dashboard, once and record all take them.
type appFlags struct {
	AccessLog []string `name:"access-log" placeholder:"PATH" help:"Follow an access log (nginx with $request_time, gunicorn with %(L)s or %(D)s, JSON lines) for requests/s, status shares and latency; repeatable."`
	Postgres  string   `placeholder:"DSN" help:"Read Postgres statistics (connections, locks, pg_stat_statements) from DSN, e.g. postgres://monitor@127.0.0.1/app; the password from PGPASSWORD, the passfile or the config file."`
	PgBouncer string   `name:"pgbouncer" placeholder:"DSN" help:"Read SHOW POOLS from PgBouncer's admin console, e.g. postgres://stats@127.0.0.1:6432/pgbouncer."`
	Redis     string   `placeholder:"URL" help:"Read Redis INFO (hit rate, evictions, memory) from URL, e.g. redis://127.0.0.1:6379/0."`
	Memcached string   `placeholder:"ADDR" help:"Read memcached stats (hit rate, evictions, memory) from host:port."`
	SQLLog    string   `name:"sql-log" placeholder:"FILE" help:"Follow a SQL query log (Django's django.db.backends or Postgres's duration log) for the slow-statement finding where pg_stat_statements is not there." type:"path"`
}

// appSettings are the app sources after the config file and the flags.
type appSettings struct {
	AccessLogs                            []string
	Postgres, PgBouncer, Redis, Memcached string
	SQLLog                                string
	secretInConfig                        bool   // a DSN or URL in the config file holds a password
	accessLogsFrom                        string // where AccessLogs were named, for errors
}

// appConfig is the config file's [app] table: the same keys as the flags.
type appConfig struct {
	AccessLog []string `toml:"access_log"`
	Postgres  *string  `toml:"postgres"`
	PgBouncer *string  `toml:"pgbouncer"`
	Redis     *string  `toml:"redis"`
	Memcached *string  `toml:"memcached"`
	SQLLog    *string  `toml:"sql_log"`
}

func init() {
	keyWants["app"] = "a table, like [app]"
	keyWants["app.access_log"] = `a list of paths, like ["/var/log/nginx/access.log"]`
	keyWants["app.postgres"] = `a DSN in quotes, like "postgres://monitor@127.0.0.1/app"`
	keyWants["app.pgbouncer"] = `a DSN in quotes, like "postgres://stats@127.0.0.1:6432/pgbouncer"`
	keyWants["app.redis"] = `a URL in quotes, like "redis://127.0.0.1:6379/0"`
	keyWants["app.memcached"] = `an address in quotes, like "127.0.0.1:11211"`
	keyWants["app.sql_log"] = `a path in quotes, like "/var/log/app/sql.log"`
}

// applyAppConfig copies the [app] table into the settings.
func applyAppConfig(c *appConfig, s *settings) {
	if c == nil {
		return
	}
	a := &s.App
	a.AccessLogs = append([]string(nil), c.AccessLog...)
	a.accessLogsFrom = "config [app] access_log"
	for _, kv := range []struct {
		from *string
		to   *string
	}{{c.Postgres, &a.Postgres}, {c.PgBouncer, &a.PgBouncer}, {c.Redis, &a.Redis}, {c.Memcached, &a.Memcached}, {c.SQLLog, &a.SQLLog}} {
		if kv.from != nil {
			*kv.to = *kv.from
			a.secretInConfig = a.secretInConfig || hasPassword(*kv.from)
		}
	}
}

// apply puts the flags over the config file's [app] table and warns, as
// ssh does, when that file holds a password others can read.
func (f appFlags) apply(st *settings, configPath string, stderr io.Writer) {
	a := &st.App
	if len(f.AccessLog) > 0 {
		a.AccessLogs, a.accessLogsFrom = f.AccessLog, "--access-log"
	}
	for _, kv := range []struct{ from, to *string }{
		{&f.Postgres, &a.Postgres}, {&f.PgBouncer, &a.PgBouncer}, {&f.Redis, &a.Redis}, {&f.Memcached, &a.Memcached}, {&f.SQLLog, &a.SQLLog},
	} {
		if *kv.from != "" {
			*kv.to = *kv.from
		}
	}
	if a.secretInConfig {
		if msg := configModeWarning(configPath); msg != "" {
			fmt.Fprintln(stderr, "headroom: warning:", msg)
		}
	}
}

// configModeWarning is a warning when the config file at path (the default
// one when "") can be read by its group or others; "" when it cannot.
func configModeWarning(path string) string {
	if path == "" {
		path = defaultConfigPath()
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return ""
	}
	path = text.Printable(path)
	return fmt.Sprintf("config %s holds a secret and is readable by others (mode %04o); run chmod 600 %s", path, fi.Mode().Perm(), path)
}

// hasPassword reports whether a DSN or URL carries a password: in a URL's
// user part or query, or as a key=value DSN's password.
func hasPassword(dsn string) bool {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		if _, ok := u.User.Password(); ok {
			return true
		}
		q := u.Query()
		return q.Get("password") != "" || q.Get("sslpassword") != ""
	}
	for _, field := range strings.Fields(dsn) {
		if strings.HasPrefix(field, "password=") || strings.HasPrefix(field, "sslpassword=") {
			return true
		}
	}
	return false
}

// configured reports whether any app source was given as a flag.
func (f appFlags) configured() bool {
	return len(f.AccessLog) > 0 || f.Postgres != "" || f.PgBouncer != "" || f.Redis != "" || f.Memcached != "" || f.SQLLog != ""
}

// appCollectors makes the collectors of the configured app sources.
func appCollectors(ctx context.Context, f sharedFlags, st settings) ([]sampler.Collector, error) {
	a := st.App
	var cols []sampler.Collector
	fail := func(err error) ([]sampler.Collector, error) {
		for _, c := range cols {
			c.Close()
		}
		return nil, usageError{err}
	}
	if len(a.AccessLogs) > 0 {
		t, err := collect.NewTraffic(a.AccessLogs, time.Now())
		if err != nil {
			return fail(fmt.Errorf("%s: %v", a.accessLogsFrom, err))
		}
		cols = append(cols, t)
	}
	cfg := collect.ServiceConfig{Postgres: a.Postgres, PgBouncer: a.PgBouncer, Redis: a.Redis, Memcached: a.Memcached,
		Interval: st.Interval, Timeout: min(services.DefaultTimeout, max(st.Interval, 500*time.Millisecond))}
	if cfg.Configured() {
		s, err := collect.NewServices(ctx, cfg)
		if err != nil {
			return fail(err)
		}
		cols = append(cols, s)
	}
	if a.SQLLog != "" {
		cols = append(cols, collect.NewSQLLog(a.SQLLog))
	}
	return cols, nil
}

// lowerIsWorseLines checks the lines of a metric where lower is worse (a
// hit rate): optimize a percentage, scale below it or 0 (never SCALE on it).
func lowerIsWorseLines(name string, th advisor.Threshold, num func(key string, v, lo, hi float64, loOpen bool, what string) error) error {
	if err := num("thresholds."+name+".optimize", th.Optimize, 0, 100, true, "a percentage above 0 and at most 100"); err != nil {
		return err
	}
	if th.Scale == 0 {
		return nil
	}
	// hi is just under optimize: the lines must differ.
	return num("thresholds."+name+".scale", th.Scale, 0, math.Nextafter(th.Optimize, 0), true, "0 (never) or a percentage below optimize, since lower is worse")
}
