package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/advisor/pipeline"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/apps"
	"github.com/headroom-dev/headroom/sampler/recording"
	"github.com/headroom-dev/headroom/tui"
)

// rangeFlags select part of a recording for --replay, once, compare and plan.
type rangeFlags struct {
	Since string `placeholder:"TIME" help:"Read the recording from this time: RFC 3339, 03:10 (its last occurrence, local time) or -2h (before now)."`
	Until string `placeholder:"TIME" help:"Read the recording up to this time (same forms as --since)."`
}

// recordingRange reads --since and --until against now.
func (f rangeFlags) recordingRange(now time.Time) (recording.Range, error) {
	var rg recording.Range
	var err error
	if f.Since != "" {
		if rg.Since, err = parseWhen("--since", f.Since, now); err != nil {
			return rg, err
		}
	}
	if f.Until != "" {
		if rg.Until, err = parseWhen("--until", f.Until, now); err != nil {
			return rg, err
		}
	}
	if !rg.Since.IsZero() && !rg.Until.IsZero() && !rg.Until.After(rg.Since) {
		return rg, usageError{fmt.Errorf("--until %s is not after --since %s", f.Until, f.Since)}
	}
	return rg, nil
}

// used reports whether either flag was given.
func (f rangeFlags) used() bool { return f.Since != "" || f.Until != "" }

// parseWhen reads a time the way a person names one during triage: RFC 3339
// ("2026-11-23T03:10:00Z"), a local date and time ("2026-11-23 03:10"), a
// time of day ("03:10", "03:10:30": the latest such moment not after now,
// local time) or a duration before now ("-2h", "-90m").
func parseWhen(flag, s string, now time.Time) (time.Time, error) {
	t, err := parseWhenAny(flag, s, now)
	if err == nil && !recording.TimeInRange(t) {
		// Year 1 read as "no bound" and year 9999 overflowed every span
		// computed from it; no recording or Prometheus holds either.
		return time.Time{}, usageError{fmt.Errorf("%s %q: use a time from 1970 to 2199", flag, s)}
	}
	return t, err
}

func parseWhenAny(flag, s string, now time.Time) (time.Time, error) {
	v := strings.TrimSpace(s)
	if strings.HasPrefix(v, "-") {
		if d, err := time.ParseDuration(v[1:]); err == nil && d > 0 {
			return now.Add(-d), nil
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, v, now.Location()); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"15:04:05", "15:04"} {
		if c, err := time.Parse(layout, v); err == nil {
			y, m, d := now.Date()
			t := time.Date(y, m, d, c.Hour(), c.Minute(), c.Second(), 0, now.Location())
			if t.After(now) {
				t = t.AddDate(0, 0, -1)
			}
			return t, nil
		}
	}
	return time.Time{}, usageError{fmt.Errorf("%s %q: use RFC 3339 (2026-11-23T03:10:00Z), a local time (03:10 or 2026-11-23 03:10) or a time before now (-2h)", flag, s)}
}

// openReplay opens a recording (file, compressed file or directory) for
// streaming, as a bad-input error when it cannot be read.
func openReplay(path string, rg recording.Range) (*recording.Stream, error) {
	st, err := recording.Open(path, rg)
	if err != nil {
		return nil, usageError{err}
	}
	return st, nil
}

// openDashboardReplay opens --replay for the dashboard, with --since and
// --until, as a Seeker (G jumps to a time), and prints the warnings found
// on opening (a damaged first file) before the screen takes the terminal.
func (c *watchCmd) openDashboardReplay(env *runEnv, lead time.Duration) (*recording.Seeker, error) {
	rg, err := c.recordingRange(time.Now())
	if err != nil {
		return nil, err
	}
	st, err := openReplay(c.Replay, rg)
	if err != nil {
		return nil, err
	}
	for _, w := range st.Warnings() {
		fmt.Fprintln(env.stderr, "headroom: warning:", w)
	}
	return recording.NewSeeker(st, c.Replay, rg, c.Speed, sampler.RealClock, lead), nil
}

// wireGoTo connects a replay's Seeker to the pipeline (a jump clears its
// History; the end and a failed jump are said in the footer) and returns
// the dashboard's go-to function; nil for a live dashboard.
func wireGoTo(sk *recording.Seeker, p *pipeline.Pipeline) tui.GoToFunc {
	if sk == nil {
		return nil
	}
	sk.OnJump = func(time.Time) { p.History().Clear() }
	sk.Fill = func(s sampler.Snapshot) { // as the pipeline keeps it, without judging each
		s.Procs = apps.TopProcs(s.Procs, sampler.MaxRecordedProcs)
		p.History().Add(s)
	}
	sk.OnEnd = func() { p.Notify("end of the recording: G goes to a time, ←/→ scrub, q quits") }
	sk.OnError = func(err error) { p.Notify(err.Error()) }
	return func(when string, onScreen time.Time) (string, error) {
		if onScreen.IsZero() {
			onScreen = time.Now()
		}
		t, err := parseGoTo(when, onScreen.Local())
		if err != nil {
			return "", err
		}
		sk.Seek(t)
		if first := sk.Earliest(); !first.IsZero() && t.Before(first) {
			// It lands at the start: say so, not "going to" a moment it never reaches.
			return t.Local().Format("15:04:05") + " is before the recording: going to its start, " + first.Local().Format("2006-01-02 15:04:05"), nil
		}
		return "going to " + t.Local().Format("2006-01-02 15:04:05"), nil
	}
}

// parseGoTo reads the dashboard's go-to prompt against the moment on
// screen: a time of day is that time on the day shown (earlier or later),
// "+30m" and "-2h" move from the moment shown, and the rest is parseWhen's.
func parseGoTo(when string, onScreen time.Time) (time.Time, error) {
	v := strings.TrimSpace(when)
	if strings.HasPrefix(v, "+") {
		if d, err := time.ParseDuration(v[1:]); err == nil && d > 0 {
			return onScreen.Add(d), nil
		}
	}
	for _, layout := range []string{"15:04:05", "15:04"} {
		if c, err := time.Parse(layout, v); err == nil {
			y, m, d := onScreen.Date()
			return time.Date(y, m, d, c.Hour(), c.Minute(), c.Second(), 0, onScreen.Location()), nil
		}
	}
	t, err := parseWhen("go to", v, onScreen)
	if err != nil {
		return t, fmt.Errorf("go to %q: use 03:10 (on the day shown), -2h or +30m (from the moment shown) or RFC 3339", when)
	}
	return t, nil
}
