package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAppConfigAndFlags(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	conf := "[app]\naccess_log = [\"/var/log/nginx/access.log\"]\npostgres = \"postgres://mon:pw@db/app\"\nredis = \"redis://127.0.0.1:6379/0\"\n"
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	f := sharedFlags{appFlags: appFlags{Redis: "redis://10.0.0.2:6379/0", SQLLog: "/tmp/sql.log"}}
	st, _, err := f.settings(&runEnv{stderr: &stderr, configPath: path})
	if err != nil {
		t.Fatal(err)
	}
	a := st.App
	if len(a.AccessLogs) != 1 || a.Postgres != "postgres://mon:pw@db/app" || a.Redis != "redis://10.0.0.2:6379/0" || a.SQLLog != "/tmp/sql.log" {
		t.Errorf("settings: %+v (flags over the file)", a)
	}
	// A password in a file others can read: warned once, like ssh, without the password.
	if w := stderr.String(); !strings.Contains(w, "holds a secret and is readable by others (mode 0644)") || strings.Contains(w, "pw@") {
		t.Errorf("warning: %q", w)
	}
	os.Chmod(path, 0o600)
	stderr.Reset()
	if _, _, err := f.settings(&runEnv{stderr: &stderr, configPath: path}); err != nil || stderr.Len() != 0 {
		t.Errorf("mode 600: %v %q", err, stderr.String())
	}
	// No password, no warning, whatever the mode.
	os.WriteFile(path, []byte("[app]\npostgres = \"postgres://mon@db/app\"\n"), 0o644)
	stderr.Reset()
	if _, _, err := (sharedFlags{}).settings(&runEnv{stderr: &stderr, configPath: path}); err != nil || stderr.Len() != 0 {
		t.Errorf("no password: %v %q", err, stderr.String())
	}
}

func TestHasPassword(t *testing.T) {
	for dsn, want := range map[string]bool{
		"postgres://u:p@h/db": true, "postgres://u@h/db": false, "postgres://u@h/db?password=x": true,
		"host=h user=u password=x": true, "host=h user=u": false, "redis://:p@h:6379/0": true, "127.0.0.1:11211": false,
	} {
		if hasPassword(dsn) != want {
			t.Errorf("hasPassword(%q) = %v", dsn, !want)
		}
	}
}

func TestAppConfigErrors(t *testing.T) {
	for conf, want := range map[string]string{
		"[app]\npostgres = 5\n":                      `key "app.postgres": a number here; expected a DSN in quotes`,
		"[app]\naccess_log = \"x.log\"\n":            `key "app.access_log": a string here; expected a list of paths`,
		"[app]\nmysql = \"x\"\n":                     `unknown key "app.mysql"`,
		"[thresholds.\"cache:redis\"]\nscale = 80\n": `key "thresholds.cache:redis.scale": must be 0 (never) or a percentage below optimize`,
	} {
		st := defaultSettings()
		err := parseConfig([]byte(conf), "c.toml", &st)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", conf, err, want)
		}
	}
	// A bad DSN is bad input, named without its password.
	isolate(t)
	code, _, stderr := runCLI(t, "once", "--for", "1s", "--postgres", "postgres://u:s3cret@h:notaport/db")
	if code != exitBadInput || strings.Contains(stderr, "s3cret") || !strings.Contains(stderr, "postgres") {
		t.Errorf("bad DSN: %d %q", code, stderr)
	}
	code, _, stderr = runCLI(t, "once", "--replay", "x.jsonl", "--redis", "redis://h")
	if code != exitBadInput || !strings.Contains(stderr, "cannot be used with --replay") {
		t.Errorf("--redis with --replay: %d %q", code, stderr)
	}
}
