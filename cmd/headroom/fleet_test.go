package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler/prom"
	"github.com/headroom-dev/headroom/sampler/textfile"
)

func writeConfig(t *testing.T, text string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPrometheusTable(t *testing.T) {
	text := "[prometheus]\nurl = \"https://prom:9090\"\nmatch = '{job=\"web\"}'\nusername = \"u\"\npassword = \"s3cret\"\nca_file = \"/ca.pem\"\n"
	st, err := loadSettings(writeConfig(t, text, 0o600))
	if err != nil {
		t.Fatal(err)
	}
	p := st.Fleet
	if p == nil {
		t.Fatal("[prometheus] not read")
	}
	if p.URL != "https://prom:9090" || p.Selector != `{job="web"}` || p.Username != "u" || p.Password != "s3cret" || p.CAFile != "/ca.pem" {
		t.Errorf("[prometheus] read as %+v", p)
	}
	if w := secretModeWarning(writeConfig(t, text, 0o600), *p); len(w) != 0 {
		t.Errorf("mode 600: warnings %v, want none", w)
	}
	path := writeConfig(t, text, 0o644)
	if w := secretModeWarning(path, *p); len(w) != 1 || !strings.Contains(w[0], "chmod 600 "+path) || strings.Contains(w[0], "s3cret") {
		t.Errorf("mode 644 with a password: warnings %v, want one naming chmod 600 and not the password", w)
	}
	if w := secretModeWarning(path, prom.Options{URL: "http://u:S3cr3tPW@p"}); len(w) != 1 || strings.Contains(w[0], "S3cr3tPW") {
		t.Errorf("mode 644 with a password in the url: warnings %v, want one, without the password", w)
	}
	if w := secretModeWarning(path, prom.Options{URL: "http://p"}); len(w) != 0 {
		t.Errorf("no secret, mode 644: warnings %v, want none", w)
	}
	if _, err := loadSettings(writeConfig(t, "[prometheus]\ntoken = \"x\"\n", 0o600)); err == nil || !strings.Contains(err.Error(), `unknown key "prometheus.token"`) {
		t.Errorf("unknown key: %v", err)
	}
}

func TestFleetFlagRefusals(t *testing.T) {
	isolate(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"once", "--prometheus", "http://admin:hunter2@prom:9090"}, "config.toml's [prometheus] table"},
		{[]string{"once", "--match", `{job="x"}`}, "give --prometheus URL"},
		{[]string{"once", "--prometheus", "http://prom:9090", "--textfile", os.TempDir()}, "cannot be used with --prometheus"},
		{[]string{"once", "--textfile", "/nonexistent-dir"}, "--textfile /nonexistent-dir: no such file"},
		{[]string{"record", "-o", "x.jsonl", "--textfile", "../../go.mod"}, "is not a directory"},
	} {
		code, _, stderr := runCLI(t, c.args...)
		if code != exitBadInput || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "hunter2") {
			t.Errorf("%v: exit %d %q, want 3 and %q (never the password)", c.args, code, stderr, c.want)
		}
	}
}

// The config file's [prometheus] url is the default for once and the
// dashboard, not a reason to refuse a command line about this machine: a
// --replay or a --textfile there judges this machine, and Prometheus is
// not asked.
func TestConfigFleetGivesWayToThisMachine(t *testing.T) {
	isolate(t)
	asked := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { asked++ }))
	defer srv.Close()
	cfg := writeConfig(t, "[prometheus]\nurl = \""+srv.URL+"\"\n", 0o600)
	dir := t.TempDir()
	for _, args := range [][]string{
		{"once", "--replay", "../../testdata/idle.jsonl"},
		{"once", "--replay", "../../testdata/idle.jsonl", "--textfile", dir},
	} {
		if code, out, stderr := runCLI(t, append([]string{"--config", cfg}, args...)...); code != 0 || !strings.HasPrefix(out, "MONITOR") {
			t.Errorf("%v: exit %d, %q %q; want the recording judged", args, code, out, stderr)
		}
	}
	if asked != 0 {
		t.Errorf("Prometheus was asked %d times", asked)
	}
	// Named on the command line, the fleet still refuses them.
	if code, _, stderr := runCLI(t, "--config", cfg, "once", "--prometheus", srv.URL, "--replay", "../../testdata/idle.jsonl"); code != exitBadInput || !strings.Contains(stderr, "cannot be used with --prometheus") {
		t.Errorf("--prometheus with --replay: exit %d %q", code, stderr)
	}
}

// TestFleetAuthFromConfig: the bearer token of config.toml reaches
// Prometheus, and an answer with no series is exit 3 naming the URL.
func TestFleetAuthFromConfig(t *testing.T) {
	isolate(t)
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"success","data":{"resultType":"matrix","result":[]}}`))
	}))
	defer srv.Close()
	cfg := writeConfig(t, "[prometheus]\nurl = \""+srv.URL+"\"\nbearer_token = \"tok-123\"\n", 0o640)
	code, _, stderr := runCLI(t, "--config", cfg, "once", "--json")
	if auth != "Bearer tok-123" {
		t.Errorf("Authorization %q, want the config's bearer token", auth)
	}
	if !strings.Contains(stderr, "warning: config "+cfg+" holds a secret") {
		t.Errorf("a token in a group-readable config should be warned about: %q", stderr)
	}
	if code != exitBadInput || !strings.Contains(stderr, srv.URL) || !strings.Contains(stderr, "matches no target") || strings.Contains(stderr, "tok-123") {
		t.Errorf("exit %d %q, want 3 naming %s and no token", code, stderr, srv.URL)
	}
}

func TestOnceWritesTextfile(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	code, _, stderr := runCLI(t, "once", "--replay", "../../testdata/idle.jsonl", "--textfile", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, textfile.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`headroom_verdict{level="MONITOR"} 1`, `headroom_verdict{level="SCALE"} 0`, `headroom_finding_level{metric="cpu"} 0`, "headroom_workers_recommended "} {
		if !strings.Contains(string(b), want) {
			t.Errorf("headroom.prom lacks %q:\n%s", want, b)
		}
	}
}

// A Prometheus whose every series is NaN for a scraped host gives no
// verdict to exit with: exit 3 saying so, not MONITOR "with headroom".
func TestFleetWithoutNumbersIsNotJudged(t *testing.T) {
	isolate(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		val := `"NaN"`
		if strings.Contains(r.Form.Get("query"), "up{") {
			val = `"1"`
		}
		w.Header().Set("Content-Type", "application/json")
		now := float64(time.Now().Unix())
		if strings.HasSuffix(r.URL.Path, "query_range") {
			fmt.Fprintf(w, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"instance":"web1:9100","job":"node"},"values":[[%f,%s]]}]}}`, now, val)
			return
		}
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"instance":"web1:9100","job":"node"},"value":[%f,%s]}]}}`, now, val)
	}))
	defer srv.Close()
	code, out, stderr := runCLI(t, "once", "--prometheus", srv.URL)
	if code != exitBadInput || !strings.Contains(stderr, "no host has numbers to judge") || !strings.Contains(out, "every series missing or NaN: web1:9100") {
		t.Errorf("exit %d\n%s%s", code, out, stderr)
	}
}
