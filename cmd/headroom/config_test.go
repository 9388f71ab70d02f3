package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/advisor"
)

// The example config holds every default: reading it changes nothing.
func TestExampleConfigIsTheDefaults(t *testing.T) {
	st, err := loadSettings("config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := effective(st), effective(defaultSettings()); got != want {
		t.Errorf("example config differs from the defaults:\n%s\n%s", got, want)
	}
}

func TestParseConfig(t *testing.T) {
	cases := []struct {
		name, text, wantErr string
		check               func(settings) bool
	}{
		{"window and one threshold", "window = \"2m\"\n[thresholds.cpu]\nscale = 95\n", "",
			func(s settings) bool {
				return s.Rules.Window == 2*time.Minute && s.Rules.Threshold("cpu") == advisor.Threshold{Optimize: 70, Scale: 95}
			}},
		{"workers", "[workers]\nassumed_mib = 128\nmemory_fraction = 0.5\n", "",
			func(s settings) bool {
				return s.Rules.Workers.AssumedMiB == 128 && s.Rules.Workers.MemoryFraction == 0.5
			}},
		{"theme and interval", "theme = \"mono\"\ninterval = \"2s\"\n", "",
			func(s settings) bool { return s.Theme == "mono" && s.Interval == 2*time.Second }},
		{"probe", "[probe]\nsla = \"1s\"\nerror_rate = 5\n", "",
			func(s settings) bool { return s.Rules.SLA == time.Second && s.Rules.ErrorRate == 5 }},
		{"bad sla", "[probe]\nsla = \"0s\"\n", "line 2: key \"probe.sla\"", nil},
		{"unknown key", "window = \"5m\"\nwindwo = 3\n", "line 2: unknown key \"windwo\"", nil},
		{"unknown nested key", "[thresholds.cpu]\noptimise = 70\n", "line 2: unknown key \"thresholds.cpu.optimise\"", nil},
		{"syntax error", "window = \n", "line 1", nil},
		{"wrong type", "[thresholds.cpu]\nscale = \"high\"\n", "line 2: key \"thresholds.cpu.scale\"", nil},
		{"bad duration", "\nwindow = \"5 minutes\"\n", "line 2: key \"window\"", nil},
		{"scale below optimize", "[thresholds.memory]\noptimize = 80\nscale = 60\n", "line 3: key \"thresholds.memory.scale\": must be above optimize", nil},
		{"over 100", "[thresholds.disk]\nscale = 120\n", "line 2: key \"thresholds.disk.scale\"", nil},
		{"unknown metric", "[thresholds.gpu]\nscale = 90\n", "line 1: key \"thresholds.gpu\": unknown metric", nil},
		{"sustain", "sustain = 2\n", "line 1: key \"sustain\"", nil},
		{"fraction", "[workers]\nmemory_fraction = 0\n", "line 2: key \"workers.memory_fraction\"", nil},
		{"tiny assumed_mib", "[workers]\nassumed_mib = 1e-300\n", "line 2: key \"workers.assumed_mib\": must be a number of MiB from 1", nil},
		{"inline table value", "workers = {memory_fraction = 2}\n", "line 1: key \"workers.memory_fraction\"", nil},
		{"zero window", "window = \"0s\"\n", "line 1: key \"window\": must be positive", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := defaultSettings()
			err := parseConfig([]byte(c.text), "c.toml", &st)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.HasPrefix(err.Error(), "config c.toml") {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !c.check(st) {
				t.Errorf("settings = %+v", st)
			}
		})
	}
}

// Every numeric key refuses NaN and both infinities (TOML spells them nan,
// inf, -inf), naming the key and its line, and saying what it expects.
func TestParseConfigRefusesNaNAndInf(t *testing.T) {
	keys := []struct{ table, key string }{
		{"", "sustain"},
		{"thresholds.cpu", "optimize"},
		{"thresholds.disk", "scale"},
		{"workers", "assumed_mib"},
		{"workers", "memory_fraction"},
		{"probe", "error_rate"},
	}
	for _, k := range keys {
		for _, v := range []string{"nan", "inf", "-inf", "+nan"} {
			text, dotted, line := "# comment\n", k.key, 2
			if k.table != "" {
				text += "[" + k.table + "]\n"
				dotted, line = k.table+"."+k.key, 3
			}
			text += k.key + " = " + v + "\n"
			st := defaultSettings()
			err := parseConfig([]byte(text), "c.toml", &st)
			want := fmt.Sprintf("config c.toml line %d: key %q: must be ", line, dotted)
			if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "; got "+strings.TrimPrefix(v, "+")) {
				t.Errorf("%s = %s: err = %v, want %q…got %s", dotted, v, err, want, v)
			}
		}
	}
}

// Type errors keep the line and the key, say what the key expects, and never
// show Go's types.
func TestParseConfigTypeErrorMessages(t *testing.T) {
	cases := []struct{ text, want string }{
		{"window = 5\n", `config c.toml line 1: key "window": a number here; expected a duration in quotes, like "5m"`},
		{"\n[probe]\nsla = 0.5\n", `config c.toml line 3: key "probe.sla": a number here; expected a duration in quotes, like "300ms"`},
		{"interval = true\n", `config c.toml line 1: key "interval": true or false here; expected a duration in quotes, like "1s"`},
		{"interval = {a = 1}\n", `config c.toml line 1: key "interval": a table here; expected a duration in quotes, like "1s"`},
		{"window = \"5 minutes\"\n", `config c.toml line 1: key "window": "5 minutes" is not a duration; expected a duration in quotes, like "5m"`},
		{"thresholds = 5\n", `config c.toml line 1: key "thresholds": a number here; expected a table per metric, like [thresholds.cpu]`},
		{"[[thresholds]]\n", `config c.toml line 1: key "thresholds": a list of tables ([[…]]) here; expected a table per metric, like [thresholds.cpu]`},
		{"[thresholds]\ncpu = 5\n", `config c.toml line 2: key "thresholds.cpu": a number here; expected a table with optimize and scale, like [thresholds.cpu]`},
		{"workers = \"many\"\n", `config c.toml line 1: key "workers": a string here; expected a table, like [workers]`},
		{"theme = 5\n", `config c.toml line 1: key "theme": a number here; expected a theme name in quotes, like "dark"`},
		{"sustain = 1979-05-27\n", `config c.toml line 1: key "sustain": a date here; expected a share between 0 and 1, like 0.8`},
		{"[thresholds.cpu]\nscale = [90]\n", `config c.toml line 2: key "thresholds.cpu.scale": a list here; expected a percentage, like 85`},
	}
	for _, c := range cases {
		st := defaultSettings()
		err := parseConfig([]byte(c.text), "c.toml", &st)
		if err == nil || err.Error() != c.want {
			t.Errorf("%q:\n got  %v\n want %s", c.text, err, c.want)
		}
	}
}

// A syntax error may quote the file's bytes: they reach the terminal printable.
func TestParseConfigErrorsArePrintable(t *testing.T) {
	for _, text := range []string{"\x1b]0;pwned\x07 = 1\n", "window = \"\x1b[5m\"\n", "\xff\xfe = 1\n", "[\x9b5m]\n"} {
		st := defaultSettings()
		err := parseConfig([]byte(text), "c.toml", &st)
		if err == nil {
			t.Errorf("%q accepted", text)
			continue
		}
		for _, r := range err.Error() {
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
				t.Errorf("%q: control character %U in %q", text, r, err)
			}
		}
	}
}

// A config file is read with a size limit: a huge file is a one-line usage
// error (exit 3), not a read until memory runs out; /dev/zero is not a file.
func TestConfigFileSizeLimit(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.toml")
	os.WriteFile(big, []byte("# "+strings.Repeat("x", maxConfigSize)+"\n"), 0o644)
	_, err := loadSettings(big)
	var ue usageError
	if !errors.As(err, &ue) || err.Error() != "config "+big+": larger than 1 MiB; not a headroom config file (config.example.toml is the model)" {
		t.Errorf("big file: %v", err)
	}
	dir := t.TempDir()
	if _, err := loadSettings(dir); err == nil || err.Error() != "config "+dir+": cannot read: is a directory, not a file" {
		t.Errorf("directory: %v", err)
	}
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	var stdout, stderr strings.Builder
	code := run([]string{"--config", "/dev/zero", "once", "--replay", "../../testdata/idle.jsonl"}, &stdout, &stderr)
	if code != exitBadInput || strings.TrimSpace(stderr.String()) != "headroom: config /dev/zero: cannot read: is a device, not a file" {
		t.Errorf("--config /dev/zero: exit %d, stderr %q", code, stderr.String())
	}
}

func TestConfigFileLookup(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	// No file at the default path: the defaults.
	if st, err := loadSettings(""); err != nil || effective(st) != effective(defaultSettings()) {
		t.Fatalf("%v %+v", err, st)
	}
	os.MkdirAll(filepath.Join(dir, "headroom"), 0o755)
	os.WriteFile(filepath.Join(dir, "headroom", "config.toml"), []byte("window = \"1m\"\n"), 0o644)
	if st, _ := loadSettings(""); st.Rules.Window != time.Minute {
		t.Errorf("default path not read: %v", st.Rules.Window)
	}
	// A file named with --config must exist.
	if _, err := loadSettings(filepath.Join(dir, "missing.toml")); err == nil || !strings.Contains(err.Error(), "missing.toml: cannot read") {
		t.Errorf("err = %v", err)
	}
}

func FuzzParseConfig(f *testing.F) {
	b, _ := os.ReadFile("config.example.toml")
	f.Add(b)
	f.Add([]byte("[thresholds.cpu]\nscale = 1e400\n"))
	f.Add([]byte("window = \"-5m\"\n[[thresholds]]\n"))
	f.Add([]byte("sustain = nan\n[workers]\nassumed_mib = inf\nmemory_fraction = -inf\n[probe]\nerror_rate = nan\n"))
	f.Add([]byte("[thresholds.cpu]\noptimize = nan\nscale = +inf\n"))
	f.Add([]byte("workers = {assumed_mib = 1e-300}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		st := defaultSettings()
		if err := parseConfig(data, "f.toml", &st); err != nil {
			if !strings.HasPrefix(err.Error(), "config f.toml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		// The comparisons are written so that NaN fails each of them.
		for _, key := range thresholdKeys(st.Rules.Metrics) {
			th := st.Rules.Threshold(key)
			if def, _ := st.Rules.Metrics.Lookup(key); def.LowerIsWorse {
				if !(th.Optimize > 0 && th.Optimize <= 100 && th.Scale >= 0 && th.Scale < th.Optimize) {
					t.Fatalf("accepted lower-is-worse thresholds %+v", th)
				}
				continue
			}
			if !(th.Optimize > 0 && th.Optimize < th.Scale && th.Scale <= 100) {
				t.Fatalf("accepted thresholds %+v", th)
			}
		}
		r := st.Rules
		if r.Window <= 0 || r.SLA <= 0 || st.Interval < 100*time.Millisecond || !(r.Sustain > 0 && r.Sustain <= 1) {
			t.Fatalf("accepted %+v", st)
		}
		if !(r.Workers.AssumedMiB >= 1 && r.Workers.AssumedMiB <= 1<<20) || !(r.Workers.MemoryFraction > 0 && r.Workers.MemoryFraction <= 1) {
			t.Fatalf("accepted workers %+v", r.Workers)
		}
		if !(r.ErrorRate >= 0 && r.ErrorRate <= 100) {
			t.Fatalf("accepted error rate %v", r.ErrorRate)
		}
	})
}

// effective is every setting in force, thresholds of each metric included,
// as comparable text.
func effective(st settings) string {
	r := st.Rules
	out := fmt.Sprintf("window %v sustain %v workers %+v sla %v errors %v interval %v theme %s",
		r.Window, r.Sustain, r.Workers, r.SLA, r.ErrorRate, st.Interval, st.Theme)
	for _, key := range thresholdKeys(r.Metrics) {
		out += fmt.Sprintf(" %s %+v", key, r.Threshold(key))
	}
	return out
}

// An unknown theme in the config file is refused by every command alike,
// naming the file and the line.
func TestConfigThemeCheckedForEveryCommand(t *testing.T) {
	dir := isolate(t)
	path := filepath.Join(dir, "c.toml")
	os.WriteFile(path, []byte("window = \"5m\"\ntheme = \"nope\"\n"), 0o600)
	for _, args := range [][]string{{"once", "--replay", "../../testdata/idle.jsonl"}, {"record", "-o", filepath.Join(dir, "r.jsonl")}, {}} {
		code, _, stderr := runCLI(t, append([]string{"--config", path}, args...)...)
		if code != exitBadInput || !strings.Contains(stderr, "config "+path+` line 2: key "theme": unknown theme "nope"`) {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
}

// An error in the config file's [app] table names the table, not a flag
// the user never gave.
func TestConfigAccessLogErrorsNameTheConfig(t *testing.T) {
	dir := isolate(t)
	path := filepath.Join(dir, "c.toml")
	os.WriteFile(path, []byte("[app]\naccess_log = [\"/x\", \"/x\"]\n"), 0o600)
	code, _, stderr := runCLI(t, "--config", path, "once", "--for", "1s")
	if code != exitBadInput || !strings.Contains(stderr, "config [app] access_log: /x is named twice") || strings.Contains(stderr, "--access-log") {
		t.Errorf("exit %d, %q", code, stderr)
	}
}

// A number past what a float holds is out of range, in words, not in the
// TOML reader's Go ("strconv.ParseFloat: … value out of range").
func TestConfigNumberOutOfRange(t *testing.T) {
	st := defaultSettings()
	err := parseConfig([]byte("[thresholds.cpu]\noptimize = 1e400\n"), "c.toml", &st)
	if err == nil || err.Error() != `config c.toml line 2: key "thresholds.cpu.optimize": a number out of range here; expected a percentage, like 70` {
		t.Errorf("err = %v", err)
	}
}

// A threshold is in its metric's unit: a queue of 500 connections is a
// line, not a percentage past 100; a percentage still stops at 100.
func TestThresholdsInTheirUnits(t *testing.T) {
	st := defaultSettings()
	if err := parseConfig([]byte("[thresholds.queue]\noptimize = 100\nscale = 500\n"), "c.toml", &st); err != nil {
		t.Fatalf("queue 100/500: %v", err)
	}
	if th := st.Rules.Threshold("queue"); th.Optimize != 100 || th.Scale != 500 {
		t.Errorf("queue threshold %+v", th)
	}
	st = defaultSettings()
	if err := parseConfig([]byte("[thresholds.cpu]\nscale = 500\n"), "c.toml", &st); err == nil || !strings.Contains(err.Error(), "a percentage above 0 and at most 100") {
		t.Errorf("cpu 500: %v", err)
	}
}
