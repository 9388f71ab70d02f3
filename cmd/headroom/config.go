package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/pelletier/go-toml/v2"
)

// fileConfig is the TOML config file. Pointers tell "not set" from zero.
// Every key with its default is in config.example.toml.
type fileConfig struct {
	Window     *duration `toml:"window"`
	Sustain    *float64  `toml:"sustain"`
	Interval   *duration `toml:"interval"`
	Theme      *string   `toml:"theme"`
	Thresholds map[string]*struct {
		Optimize *float64 `toml:"optimize"`
		Scale    *float64 `toml:"scale"`
	} `toml:"thresholds"`
	Workers *struct {
		AssumedMiB     *float64 `toml:"assumed_mib"`
		MemoryFraction *float64 `toml:"memory_fraction"`
	} `toml:"workers"`
	Probe *struct {
		SLA       *duration `toml:"sla"`
		ErrorRate *float64  `toml:"error_rate"`
	} `toml:"probe"`
}

// duration reads "5m", "90s" in TOML.
type duration struct{ time.Duration }

func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration (like 90s, 5m, 1h)", b)
	}
	d.Duration = v
	return nil
}

// sharedFlags are the flags every command takes; settings merges them
// over the config file.
type sharedFlags struct {
	Interval time.Duration `placeholder:"DUR" help:"Time between samples (default 1s, or the config file's)."`
	Window   time.Duration `placeholder:"DUR" help:"How far back the advisor's sustained levels look (default 5m, or the config file's)."`
	OnChange string        `name:"on-change" placeholder:"CMD" help:"Run CMD when the verdict changes (once: from the previous run's); the advice is in HEADROOM_* variables and JSON on stdin."`
	probeFlags
}

// settings reads the config file and applies the flags over it.
func (f sharedFlags) settings(env *runEnv) (settings, []string, error) {
	st, err := loadSettings(env.configPath)
	if err != nil {
		return st, nil, err
	}
	if f.Interval != 0 {
		if f.Interval < 100*time.Millisecond {
			return st, nil, usageError{fmt.Errorf("--interval %v is too short; use at least 100ms", f.Interval)}
		}
		st.Interval = f.Interval
	}
	if f.Window < 0 {
		return st, nil, usageError{errors.New("--window must be positive, like 5m")}
	}
	if f.Window > 0 {
		st.Rules.Window = f.Window
	}
	if err := f.probeFlags.apply(&st); err != nil {
		return st, nil, err
	}
	argv, err := parseOnChange(f.OnChange)
	return st, argv, err
}

// settings are the options shared by every command after the config file
// and the flags are merged: defaults < file < flags.
type settings struct {
	Rules    advisor.Rules
	Interval time.Duration
	Theme    string
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
	b, err := os.ReadFile(path)
	if err != nil {
		if !named && errors.Is(err, os.ErrNotExist) {
			return s, nil
		}
		return s, usageError{fmt.Errorf("config %s: cannot read: %v", path, unwrapPath(err))}
	}
	if err := parseConfig(b, path, &s); err != nil {
		return s, usageError{err}
	}
	return s, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// parseConfig applies a config file's text to s. Errors name the file, the
// line and the key.
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
			msg := tomlMessage(de.Error())
			if key != "" {
				return fmt.Errorf("config %s line %d: key %q: %s", path, row, key, msg)
			}
			return fmt.Errorf("config %s line %d: %s", path, row, msg)
		}
		return fmt.Errorf("config %s: %v", path, err)
	}
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("config %s line %d: key %q: %s", path, keyLine(b, key), key, fmt.Sprintf(format, args...))
	}
	if fc.Window != nil {
		if fc.Window.Duration <= 0 {
			return bad("window", "must be positive, like \"5m\"")
		}
		s.Rules.Window = fc.Window.Duration
	}
	if fc.Interval != nil {
		if fc.Interval.Duration < 100*time.Millisecond {
			return bad("interval", "must be at least 100ms")
		}
		s.Interval = fc.Interval.Duration
	}
	if fc.Sustain != nil {
		if *fc.Sustain <= 0 || *fc.Sustain > 1 {
			return bad("sustain", "must be a share between 0 and 1, like 0.8; got %v", *fc.Sustain)
		}
		s.Rules.Sustain = *fc.Sustain
	}
	if fc.Theme != nil {
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
		for _, v := range []struct {
			k string
			x float64
		}{{"optimize", merged.Optimize}, {"scale", merged.Scale}} {
			if v.x <= 0 || v.x > 100 {
				return bad("thresholds."+name+"."+v.k, "must be a percentage above 0 and at most 100; got %v", v.x)
			}
		}
		if merged.Optimize >= merged.Scale {
			return bad("thresholds."+name+".scale", "must be above optimize (%v); got %v", merged.Optimize, merged.Scale)
		}
		s.Rules.SetThreshold(name, merged)
	}
	if w := fc.Workers; w != nil {
		if w.AssumedMiB != nil {
			if *w.AssumedMiB <= 0 {
				return bad("workers.assumed_mib", "must be positive; got %v", *w.AssumedMiB)
			}
			s.Rules.Workers.AssumedMiB = *w.AssumedMiB
		}
		if w.MemoryFraction != nil {
			if *w.MemoryFraction <= 0 || *w.MemoryFraction > 1 {
				return bad("workers.memory_fraction", "must be a share between 0 and 1, like 0.75; got %v", *w.MemoryFraction)
			}
			s.Rules.Workers.MemoryFraction = *w.MemoryFraction
		}
	}
	if p := fc.Probe; p != nil {
		if p.SLA != nil {
			if p.SLA.Duration <= 0 {
				return bad("probe.sla", "must be positive, like \"300ms\"")
			}
			s.Rules.SLA = p.SLA.Duration
		}
		if p.ErrorRate != nil {
			if *p.ErrorRate < 0 || *p.ErrorRate > 100 {
				return bad("probe.error_rate", "must be a percentage between 0 and 100; got %v", *p.ErrorRate)
			}
			s.Rules.ErrorRate = *p.ErrorRate
		}
	}
	return nil
}

var tomlTypeErr = regexp.MustCompile(`cannot decode TOML (\w+) into .* of type (\S+)$`)

// tomlMessage shortens go-toml's messages for a person: a type mismatch
// names the Go struct it failed to fill, which says nothing to a user.
func tomlMessage(msg string) string {
	msg = strings.TrimPrefix(msg, "toml: ")
	if m := tomlTypeErr.FindStringSubmatch(msg); m != nil {
		want := map[string]string{"float64": "a number", "string": "a string", "int": "a whole number"}[strings.TrimPrefix(m[2], "*")]
		if want == "" {
			want = "another type"
		}
		return fmt.Sprintf("a %s here; expected %s", m[1], want)
	}
	return msg
}

// keyLine finds the line that sets a dotted key ("thresholds.cpu.scale").
// go-toml reports positions only for syntax and type errors, not for values
// that decode fine but make no sense, so the line is looked up here; 0 if
// not found.
func keyLine(b []byte, dotted string) int {
	parts := strings.Split(dotted, ".")
	leaf := parts[len(parts)-1]
	table := strings.Join(parts[:len(parts)-1], ".")
	cur := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(t, "[") {
			cur = strings.TrimSpace(strings.Trim(t, "[]"))
			if cur == table && leaf == "" {
				return line
			}
			continue
		}
		k, _, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if (cur == table && k == leaf) || (cur == "" && k == dotted) {
			return line
		}
	}
	// A whole table that is wrong: point at its header.
	if leaf != "" && table != "" {
		return keyLine(b, dotted+".")
	}
	return 0
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
