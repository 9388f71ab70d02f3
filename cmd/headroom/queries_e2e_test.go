package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The query-log end-to-end test runs the lab's Django app (Debian's
// python3-django 3.2 under /usr/bin/python3) with SQL logging on, drives
// its N+1 endpoint through Django's test client, and reads the log back.

// queriesLabApp is the lab's Django project directory — the one place that
// knows where the lab lives: testdata/lab/app in the repository (looked
// for in each parent directory). It skips the test when the lab or Django is
// missing.
func queriesLabApp(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Skip(err)
	}
	app := ""
	for d := dir; app == ""; d = filepath.Dir(d) {
		for _, c := range []string{"testdata/lab/app"} {
			if _, err := os.Stat(filepath.Join(d, c, "manage.py")); err == nil {
				app = filepath.Join(d, c)
				break
			}
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	if app == "" {
		t.Skipf("no lab app (testdata/lab/app) above %s: the end-to-end test needs the lab's Django project", dir)
	}
	if exec.Command("/usr/bin/python3", "-c", "import django").Run() != nil {
		t.Skip("/usr/bin/python3 cannot import django: install the Debian package python3-django")
	}
	return app
}

// sqlLogSettings is a settings module on top of the lab's: DEBUG on (Django
// logs SQL only then) and django.db.backends at DEBUG into one file, with a
// logging prefix in front of each statement.
const sqlLogSettings = `DEBUG = True
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"prefixed": {"format": "%(asctime)s %(levelname)s [%(process)d] %(name)s %(message)s"}},
    "handlers": {"sql": {"class": "logging.FileHandler", "filename": SQL_LOG, "formatter": "prefixed"}},
    "loggers": {"django.db.backends": {"handlers": ["sql"], "level": "DEBUG", "propagate": False}},
}
`

// driveDB requests /db/?n=30 five times through Django's test client.
const driveDB = `from django.test import Client
c = Client()
for _ in range(5):
    r = c.get("/db/?n=30", HTTP_HOST="127.0.0.1")
    print(r.status_code, r.json()["queries"])
`

func TestEndToEndQueriesDjango(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs Django")
	}
	app := queriesLabApp(t)
	dir := isolate(t)
	sqlLog := filepath.Join(dir, "sql.log")
	// After the lab's settings, which have a SQL_LOG of their own.
	settings := "from labproject.settings import *\nSQL_LOG = " + jsonString(sqlLog) + "\n" + sqlLogSettings
	if err := os.WriteFile(filepath.Join(dir, "sqllog_settings.py"), []byte(settings), 0o600); err != nil {
		t.Fatal(err)
	}
	manage := func(settingsModule string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a bound, not a measurement
		defer cancel()
		cmd := exec.CommandContext(ctx, "/usr/bin/python3", append([]string{"manage.py"}, args...)...)
		cmd.Dir = app
		cmd.Env = append(os.Environ(), "LAB_DIR="+dir, "PYTHONPATH="+dir, "DJANGO_SETTINGS_MODULE="+settingsModule)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("manage.py %s: %v\n%s", args[0], err, out)
		}
		return string(out)
	}
	// Migrate without SQL logging, so the log holds only the requests.
	manage("labproject.settings", "migrate", "--noinput")
	if out := manage("sqllog_settings", "shell", "-c", driveDB); strings.Count(out, "200 31") != 5 {
		t.Fatalf("/db/?n=30 did not run its 31 queries five times:\n%s", out)
	}

	code, out, stderr := runCLI(t, "queries", "--json", sqlLog)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r struct {
		Lines      int `json:"lines"`
		Statements []struct {
			Fingerprint string `json:"fingerprint"`
			Count       int    `json:"count"`
		} `json:"statements"`
		NPlusOne []struct {
			Table string `json:"table"`
			Run   int    `json:"run"`
			Count int    `json:"count"`
			Fix   string `json:"fix"`
		} `json:"n_plus_one"`
		Summary string `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(r.Statements) == 0 || !strings.Contains(r.Statements[0].Fingerprint, "FROM lab_category WHERE lab_category.id = ?") || r.Statements[0].Count != 150 {
		t.Errorf("the category lookup is not ranked first:\n%s", out)
	}
	if len(r.NPlusOne) != 1 || r.NPlusOne[0].Table != "lab_category" || r.NPlusOne[0].Run != 30 || r.NPlusOne[0].Count != 150 ||
		r.NPlusOne[0].Fix != "select_related('category')" {
		t.Errorf("n_plus_one: %+v", r.NPlusOne)
	}
	if !strings.Contains(r.Summary, "called 150 times in runs of 30 — an N+1 on lab_category: select_related('category')") {
		t.Errorf("summary: %q", r.Summary)
	}
}

// jsonString quotes s as a Python (and JSON) string literal.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
