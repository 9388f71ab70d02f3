package main

import (
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
	f.Fuzz(func(t *testing.T, data []byte) {
		st := defaultSettings()
		if err := parseConfig(data, "f.toml", &st); err != nil {
			if !strings.HasPrefix(err.Error(), "config f.toml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, key := range thresholdKeys(st.Rules.Metrics) {
			th := st.Rules.Threshold(key)
			if !(th.Optimize > 0 && th.Optimize < th.Scale && th.Scale <= 100) {
				t.Fatalf("accepted thresholds %+v", th)
			}
		}
		if st.Rules.Window <= 0 || st.Rules.Sustain <= 0 || st.Rules.Sustain > 1 {
			t.Fatalf("accepted %+v", st.Rules)
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
