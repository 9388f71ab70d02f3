package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/sampler/userfile"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler/prom"
	"github.com/headroom-dev/headroom/sampler/text"
	"github.com/headroom-dev/headroom/themes"
	"github.com/pelletier/go-toml/v2"
)

// fileConfig is the TOML config file. Pointers tell "not set" from zero.
// Every key with its default is in config.example.toml.
//
// Durations are read as strings and parsed here, not by go-toml through
// UnmarshalText: its errors from there lose the line and the key.
type fileConfig struct {
	Window     *string  `toml:"window"`
	Sustain    *float64 `toml:"sustain"`
	Interval   *string  `toml:"interval"`
	Theme      *string  `toml:"theme"`
	Thresholds map[string]*struct {
		Optimize *float64 `toml:"optimize"`
		Scale    *float64 `toml:"scale"`
	} `toml:"thresholds"`
	Workers *struct {
		AssumedMiB     *float64 `toml:"assumed_mib"`
		MemoryFraction *float64 `toml:"memory_fraction"`
	} `toml:"workers"`
	Probe *struct {
		SLA       *string  `toml:"sla"`
		ErrorRate *float64 `toml:"error_rate"`
	} `toml:"probe"`
	Prometheus *prom.Options `toml:"prometheus"`
	App        *appConfig    `toml:"app"`
}

// keyWants says what each key of the config file holds, for messages about a
// value of the wrong type; "*" stands for any metric name.
var keyWants = map[string]string{
	"window":                  `a duration in quotes, like "5m"`,
	"interval":                `a duration in quotes, like "1s"`,
	"sustain":                 "a share between 0 and 1, like 0.8",
	"theme":                   `a theme name in quotes, like "dark"`,
	"thresholds":              "a table per metric, like [thresholds.cpu]",
	"thresholds.*":            "a table with optimize and scale, like [thresholds.cpu]",
	"thresholds.*.optimize":   "a percentage, like 70",
	"thresholds.*.scale":      "a percentage, like 85",
	"workers":                 "a table, like [workers]",
	"workers.assumed_mib":     "a number of MiB, like 256",
	"workers.memory_fraction": "a share between 0 and 1, like 0.75",
	"probe":                   "a table, like [probe]",
	"probe.sla":               `a duration in quotes, like "300ms"`,
	"probe.error_rate":        "a percentage, like 1",
	"prometheus":              "a table, like [prometheus]",
}

// keyWant is keyWants' entry for a dotted key, "" for a key it lacks.
func keyWant(key string) string {
	parts := strings.Split(key, ".")
	if len(parts) >= 2 && parts[0] == "thresholds" {
		parts[1] = "*"
	}
	return keyWants[strings.Join(parts, ".")]
}

// maxConfigSize bounds the config file read: the example with every key is
// about 1.5 kB, and a path like /dev/zero must fail at once, not fill memory.
const maxConfigSize = 1 << 20

// sharedFlags are the flags every command takes; settings merges them
// over the config file.
type sharedFlags struct {
	Interval positiveDuration `placeholder:"DUR" help:"Time between samples (default 1s, or the config file's)."`
	Window   positiveDuration `placeholder:"DUR" help:"How far back the advisor's sustained levels look (default 5m, or the config file's)."`
	OnChange string           `name:"on-change" placeholder:"CMD" help:"Run CMD when the verdict changes (once: from the previous run's); the advice is in HEADROOM_* variables and JSON on stdin."`
	probeFlags
	textfileFlags
	appFlags
}

// settings reads the config file and applies the flags over it.
func (f sharedFlags) settings(env *runEnv) (settings, []string, error) {
	st, err := loadSettings(env.configPath)
	if err != nil {
		return st, nil, err
	}
	if f.Interval != 0 {
		if d := time.Duration(f.Interval); d < 100*time.Millisecond {
			return st, nil, usageError{fmt.Errorf("--interval %v is too short; use at least 100ms", d)}
		}
		st.Interval = time.Duration(f.Interval)
	}
	if f.Window != 0 {
		st.Rules.Window = time.Duration(f.Window)
	}
	if st.Rules.Window < 2*st.Interval {
		return st, nil, usageError{fmt.Errorf("a window of %v holds less than two samples %v apart; give a longer --window or a shorter --interval", st.Rules.Window, st.Interval)}
	}
	if err := f.probeFlags.apply(&st); err != nil {
		return st, nil, err
	}
	if err := f.textfileFlags.check(); err != nil {
		return st, nil, err
	}
	f.appFlags.apply(&st, env.configPath, env.stderr)
	argv, err := parseOnChange(f.OnChange)
	return st, argv, err
}

// settings are the options shared by every command after the config file
// and the flags are merged: defaults < file < flags.
type settings struct {
	Rules    advisor.Rules
	Interval time.Duration
	Theme    string
	Fleet    *prom.Options // the [prometheus] table: where the fleet is, its credentials
	App      appSettings   // the app's own sources: access logs, services, SQL log
}

func defaultSettings() settings {
	return settings{Rules: advisor.DefaultRules(), Interval: time.Second, Theme: "dark"}
}

// defaultConfigPath is $XDG_CONFIG_HOME/headroom/config.toml (~/.config if unset).
func defaultConfigPath() string { return xdgPath("XDG_CONFIG_HOME", ".config", "config.toml") }

// xdgPath is $envVar/headroom/name, or ~/fallback/headroom/name when the
// variable is unset; "" when there is no home directory either.
func xdgPath(envVar, fallback, name string) string {
	dir := os.Getenv(envVar)
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, fallback)
	}
	return filepath.Join(dir, "headroom", name)
}

// loadSettings reads the config file: the one named (which must exist), or
// the default path (which may not).
func loadSettings(path string) (settings, error) {
	s := defaultSettings()
	named := path != ""
	if !named {
		path = defaultConfigPath()
		if path == "" {
			return s, nil
		}
	}
	b, err := readConfigFile(path)
	if err != nil {
		if !named && errors.Is(err, os.ErrNotExist) {
			return s, nil
		}
		return s, usageError{fmt.Errorf("config %s: %v", path, err)}
	}
	if err := parseConfig(b, path, &s); err != nil {
		return s, usageError{err}
	}
	return s, nil
}

// readConfigFile reads at most maxConfigSize bytes of path; a longer file
// (or an endless one) is an error.
func readConfigFile(path string) ([]byte, error) {
	f, err := userfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", unwrapPath(err)) // errors.Is(…, os.ErrNotExist) still holds
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read: %v", unwrapPath(err))
	}
	if len(b) > maxConfigSize {
		return nil, fmt.Errorf("larger than %d MiB; not a headroom config file (config.example.toml is the model)", maxConfigSize>>20)
	}
	return b, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// parseConfig applies a config file's text to s. Errors name the file, the
// line and the key, and say what the key expects; NaN and infinities are
// refused like any other value out of range.
func parseConfig(b []byte, path string, s *settings) error {
	var fc fileConfig
	dec := toml.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		var sm *toml.StrictMissingError
		if errors.As(err, &sm) && len(sm.Errors) > 0 {
			e := sm.Errors[0]
			row, _ := e.Position()
			return fmt.Errorf("config %s line %d: unknown key %q (headroom's config.example.toml lists the keys)", path, row, strings.Join(e.Key(), "."))
		}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, _ := de.Position()
			key := strings.Join(de.Key(), ".")
			msg := tomlMessage(de.Error(), keyWant(key))
			if key != "" {
				return fmt.Errorf("config %s line %d: key %q: %s", path, row, key, msg)
			}
			return fmt.Errorf("config %s line %d: %s", path, row, msg)
		}
		return fmt.Errorf("config %s: %s", path, text.Printable(err.Error()))
	}
	bad := func(key, format string, args ...any) error {
		where := ""
		if n := keyLine(b, key); n > 0 {
			where = fmt.Sprintf(" line %d", n)
		}
		return fmt.Errorf("config %s%s: key %q: %s", path, where, key, fmt.Sprintf(format, args...))
	}
	// dur parses a duration key; a value it cannot read says what it expects.
	dur := func(key string, v *string, min time.Duration) (time.Duration, error) {
		d, err := time.ParseDuration(*v)
		if err != nil {
			return 0, bad(key, "%q is not a duration; expected %s", *v, keyWant(key))
		}
		if d < min && min == time.Nanosecond {
			return 0, bad(key, "must be positive; got %q, expected %s", *v, keyWant(key))
		}
		if d < min {
			return 0, bad(key, "must be at least %v; got %q", min, *v)
		}
		return d, nil
	}
	// num checks a number against lo ≤ v ≤ hi (lo < v when loOpen); the
	// comparisons are written so that NaN fails them too.
	num := func(key string, v float64, lo, hi float64, loOpen bool, what string) error {
		above := v >= lo
		if loOpen {
			above = v > lo
		}
		if !above || !(v <= hi) {
			return bad(key, "must be %s; got %s", what, tomlNumber(v))
		}
		return nil
	}
	var err error
	if fc.Window != nil {
		if s.Rules.Window, err = dur("window", fc.Window, time.Nanosecond); err != nil {
			return err
		}
	}
	if fc.Interval != nil {
		if s.Interval, err = dur("interval", fc.Interval, 100*time.Millisecond); err != nil {
			return err
		}
	}
	if fc.Sustain != nil {
		if err := num("sustain", *fc.Sustain, 0, 1, true, "a share above 0 and at most 1, like 0.8"); err != nil {
			return err
		}
		s.Rules.Sustain = *fc.Sustain
	}
	if fc.Theme != nil {
		if _, ok := themes.ByName(*fc.Theme); !ok {
			return bad("theme", "unknown theme %q; the themes are %s", text.Printable(*fc.Theme), strings.Join(themes.Names(), ", "))
		}
		s.Theme = *fc.Theme
	}
	for name, th := range fc.Thresholds {
		def, ok := s.Rules.Metrics.Lookup(name)
		if !ok || def.FromRules || def.Key != name {
			return bad("thresholds."+name, "unknown metric; the metrics are %s", strings.Join(thresholdKeys(s.Rules.Metrics), ", "))
		}
		if th == nil {
			continue
		}
		merged := s.Rules.Threshold(name)
		// A table may set one of the two; the other keeps its default.
		if th.Optimize != nil {
			merged.Optimize = *th.Optimize
		}
		if th.Scale != nil {
			merged.Scale = *th.Scale
		}
		if def.LowerIsWorse { // a hit rate: scale below optimize, 0 for never
			if err := lowerIsWorseLines(name, merged, num); err != nil {
				return err
			}
			s.Rules.SetThreshold(name, merged)
			continue
		}
		for _, v := range []struct {
			k string
			x float64
		}{{"optimize", merged.Optimize}, {"scale", merged.Scale}} {
			// A line is in the metric's unit: a queue is connections, OOM
			// kills a count, a latency milliseconds; only percentages stop at 100.
			hi, what := 100.0, "a percentage above 0 and at most 100"
			switch def.Unit {
			case advisor.Count:
				hi, what = 1e9, "a count above 0"
			case advisor.Millis:
				hi, what = 1e9, "a number of milliseconds above 0"
			}
			if err := num("thresholds."+name+"."+v.k, v.x, 0, hi, true, what); err != nil {
				return err
			}
		}
		if merged.Optimize >= merged.Scale {
			return bad("thresholds."+name+".scale", "must be above optimize (%v); got %v", merged.Optimize, merged.Scale)
		}
		s.Rules.SetThreshold(name, merged)
	}
	if w := fc.Workers; w != nil {
		if w.AssumedMiB != nil {
			// At least 1 MiB: memory divided by a tiny per-worker size overflows the worker count.
			if err := num("workers.assumed_mib", *w.AssumedMiB, 1, 1<<20, false, "a number of MiB from 1 to 1048576 (1 TiB)"); err != nil {
				return err
			}
			s.Rules.Workers.AssumedMiB = *w.AssumedMiB
		}
		if w.MemoryFraction != nil {
			if err := num("workers.memory_fraction", *w.MemoryFraction, 0, 1, true, "a share above 0 and at most 1, like 0.75"); err != nil {
				return err
			}
			s.Rules.Workers.MemoryFraction = *w.MemoryFraction
		}
	}
	applyAppConfig(fc.App, s)
	if p := fc.Probe; p != nil {
		if p.SLA != nil {
			if s.Rules.SLA, err = dur("probe.sla", p.SLA, time.Nanosecond); err != nil {
				return err
			}
		}
		if p.ErrorRate != nil {
			if err := num("probe.error_rate", *p.ErrorRate, 0, 100, false, "a percentage from 0 to 100"); err != nil {
				return err
			}
			s.Rules.ErrorRate = *p.ErrorRate
		}
	}
	s.Fleet = fc.Prometheus
	return nil
}

// tomlNumber prints a number as TOML spells it, so that "nan" and "inf" in
// a message match what the user wrote.
func tomlNumber(v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// tomlTypeErr matches go-toml's type mismatch; what follows "into" is Go.
var tomlTypeErr = regexp.MustCompile(`cannot decode TOML ([\w -]+?) into (?:.* of type (\S+)$)?`)

// tomlValue names a kind of TOML value, as go-toml's messages call it, for a person.
var tomlValue = map[string]string{
	"integer": "a number", "float": "a number", "string": "a string", "boolean": "true or false",
	"array": "a list", "inline table": "a table", "table": "a table",
	"local date": "a date", "local time": "a time", "local datetime": "a date and time", "datetime": "a date and time",
}

// tomlMessage rewrites go-toml's message for a person: a type mismatch
// names the Go types it failed to fill, which say nothing to a user, so it
// becomes what was found and what the key expects (want, from keyWants).
// The text is made printable: a syntax error may quote the file's bytes.
func tomlMessage(msg, want string) string {
	msg = strings.TrimPrefix(msg, "toml: ")
	found := ""
	if m := tomlTypeErr.FindStringSubmatch(msg); m != nil {
		found = tomlValue[m[1]]
		if found == "" {
			found = "a " + m[1]
		}
		if want == "" {
			want = map[string]string{"float64": "a number", "string": "a string"}[strings.TrimPrefix(m[2], "*")]
		}
	} else if strings.Contains(msg, "array table") {
		found = "a list of tables ([[…]])"
	} else if strings.Contains(msg, "value out of range") || strings.Contains(msg, "unable to parse") {
		// The TOML reader's wording ("strconv.ParseFloat: parsing …") says
		// what went wrong in Go, not in the file.
		found = "a number out of range"
	}
	switch {
	case found != "" && want != "":
		return fmt.Sprintf("%s here; expected %s", found, want)
	case found != "":
		return found + " here, which this key does not take"
	}
	return text.Printable(msg)
}

// thresholdKeys are the metrics that have a [thresholds.<key>] table.
func thresholdKeys(v advisor.Vocabulary) []string {
	var out []string
	for _, d := range v {
		if !d.FromRules {
			out = append(out, d.Key)
		}
	}
	return out
}

// checkReplay refuses the flags that sample this machine beside a
// recording, the same way for every command.
func (f sharedFlags) checkReplay(replay string) error {
	if replay != "" && f.Probe != "" {
		return usageError{errors.New("--probe requests a live URL; it cannot be used with --replay")}
	}
	if replay != "" && f.appFlags.configured() {
		return usageError{errors.New("--access-log, --postgres, --pgbouncer, --redis, --memcached and --sql-log read live sources; they cannot be used with --replay")}
	}
	return nil
}
