package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/headroom-dev/headroom/sampler/userfile"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/advisor/pipeline"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/probe"
	"github.com/headroom-dev/headroom/sampler/services"
)

// onceCmd judges once and exits with the verdict: `headroom once`.
type onceCmd struct {
	JSON   bool             `help:"Print the advice as one JSON object (its schema: testdata/schema/headroom.schema.json)."`
	For    positiveDuration `placeholder:"DUR" help:"Live: sample for this long and judge over it (default 5s; a minute or more for a verdict that means something, see the README)."`
	Replay string           `placeholder:"PATH" help:"Judge a recording (a file, a .zst/.gz file or a record --dir directory; --since/--until pick a stretch), whole: the verdict at its end and the worst that held in it (the exit status is the worst)." type:"path"`
	Log    string           `placeholder:"FILE" help:"Append one CSV row per run (time, cpu, memory, swap, fullest disk and its mount, load, verdict, probe p95 and errors, workers, queue, psi_memory, oom, fds, provisional)."`
	State  string           `placeholder:"FILE" help:"Keep the verdict here for the next run to compare with (default with --on-change: $XDG_STATE_HOME/headroom/last-verdict)."`
	rangeFlags
	sharedFlags
	promFlags
}

// onceReport is what --json prints: the advice plus where it came from,
// the worst verdict that held, and what went wrong on the side.
type onceReport struct {
	advisor.Advice
	Host   string `json:"host"`
	Source string `json:"source"`
	// Worst is the highest sustained verdict of the run and when it held.
	Worst *worstVerdict `json:"worst,omitempty"`
	// Warnings are problems that did not stop the judgement (state not
	// kept, a hook that failed, a log not written).
	Warnings []string `json:"warnings,omitempty"`
	// sampled is how long a live run sampled (--for); 0 for a replay.
	sampled time.Duration
}

// worstVerdict is the highest verdict a run reached, from when it was
// first reached to when it last held.
type worstVerdict struct {
	Verdict advisor.Level     `json:"verdict"`
	From    advisor.Timestamp `json:"from"`
	To      advisor.Timestamp `json:"to"`
	Focus   []string          `json:"focus"`
}

func (c *onceCmd) Run(env *runEnv) error {
	st, argv, err := c.settings(env)
	if err != nil {
		return err
	}
	probeURL := probe.Shown(c.Probe)

	report := onceReport{}
	var src sampler.Source
	var prober *probe.Prober // live with --probe
	interval := st.Interval
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := c.checkReplay(c.Replay); err != nil {
		return err
	}
	if c.For != 0 && time.Duration(c.For) < st.Interval {
		return usageError{fmt.Errorf("--for %v is shorter than the interval (%v): nothing to judge over; give a longer --for or a shorter --interval", time.Duration(c.For), st.Interval)}
	}
	for _, f := range []struct{ flag, path string }{{"--log", c.Log}, {"--state", c.State}} {
		if f.path != "" {
			if err := checkWritable(f.flag, f.path); err != nil {
				return err
			}
		}
	}
	if o, fleet, err := c.fleetOptions(env, st, c.sharedFlags, c.Replay != "" || c.Log != "" || c.For != 0); err != nil || fleet {
		if err != nil {
			return err
		}
		if c.Replay != "" || c.Log != "" || c.For != 0 {
			return usageError{errors.New("--replay, --log and --for are about this machine; they cannot be used with --prometheus")}
		}
		return runFleetOnce(ctx, env, st, o, c.JSON)
	}
	if c.Replay != "" {
		if c.For > 0 {
			return usageError{errors.New("--for samples this machine; it cannot be used with --replay")}
		}
		rg, err := c.recordingRange(time.Now())
		if err != nil {
			return err
		}
		stream, err := openReplay(c.Replay, rg)
		if err != nil {
			return err
		}
		defer stream.Close()
		defer func() { // warnings found on the way: a cut or damaged end
			for _, w := range stream.Warnings() {
				fmt.Fprintln(env.stderr, "headroom: warning:", w)
			}
		}()
		report.Source = "replay:" + c.Replay
		if h := stream.Header(); h != nil {
			report.Host = h.Host
			probeURL = probe.Shown(h.ProbeURL)
			if h.IntervalMS > 0 {
				interval = time.Duration(h.IntervalMS) * time.Millisecond
			}
		}
		src = stream
	} else {
		if c.rangeFlags.used() {
			return usageError{errors.New("--since and --until select part of a recording; use them with --replay")}
		}
		var err error
		if src, report.Host, prober, err = c.liveSourceProbe(ctx, st); err != nil {
			return err
		}
		defer src.Close()
		report.Source = "live"
		report.sampled = c.sampleFor()
	}
	last, worst, n, err := judge(ctx, src, st.Rules, interval, c.sampleFor(), prober)
	if err != nil {
		return exitError{code: exitBadInput, err: err}
	}
	if n == 0 {
		return exitError{code: exitBadInput, err: errors.New("no samples to judge")}
	}
	report.Advice, report.Worst = last.Advice, worst
	if report.Probe != nil {
		report.Probe.URL = probeURL
	}
	warn := func(err error) {
		if err != nil {
			fmt.Fprintln(env.stderr, "headroom: warning:", printableLines(err.Error()))
			report.Warnings = append(report.Warnings, err.Error())
		}
	}
	// A log that cannot be followed leaves no finding to show; say why.
	if t := last.Snapshot.Traffic; t != nil && t.State != services.StateOK {
		warn(fmt.Errorf("--access-log: %s", t.Reason))
	}
	if q := last.Snapshot.SQL; q != nil && q.State != services.StateOK {
		warn(fmt.Errorf("--sql-log: %s", q.Reason))
	}
	if c.Log != "" {
		warn(appendCSV(c.Log, report.Advice, last.Snapshot))
	}
	for _, err := range c.notify(ctx, argv, report.Advice) {
		warn(err)
	}
	warn(c.writeTextfileOnce(report.Advice))

	if c.JSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			return exitError{code: exitBadInput, err: err}
		}
	} else {
		writeAdviceText(env.stdout, report, n)
	}
	// Live: the verdict now. A replay is judged whole: after an incident
	// the question is what happened, so its status is the worst verdict.
	status := report.Verdict
	if c.Replay != "" {
		status = worst.Verdict
	}
	return verdictStatus(status)
}

// verdictStatus is the exit status of a verdict, after the monitoring-plugin
// convention: MONITOR OK, OPTIMIZE WARNING, SCALE and DOWN CRITICAL.
func verdictStatus(l advisor.Level) error {
	switch l {
	case advisor.Scale, advisor.Down:
		return exitError{code: exitScale}
	case advisor.Optimize:
		return exitError{code: exitOptimize}
	}
	return nil
}

// sampleFor is how long a live once samples (--for, default 5 s); 0 for a
// replay, which is judged whole.
func (c *onceCmd) sampleFor() time.Duration {
	switch {
	case c.Replay != "":
		return 0
	case c.For > 0:
		return time.Duration(c.For)
	}
	return 5 * time.Second
}

// judge runs src through a pipeline and returns the last judged update,
// the worst verdict of the run, and how many snapshots it saw. With d > 0
// it stops once the snapshots span d (by their own times, not the wall
// clock's); else at the source's end. An interrupt judges what it has.
//
// A probe request still waiting for its answer when d has passed is waited
// for (at most --probe-timeout): to a hung app it is the one request that
// says so, and a run that ended before it would judge the app fine.
func judge(ctx context.Context, src sampler.Source, rules advisor.Rules, interval, d time.Duration, prober *probe.Prober) (pipeline.Update, *worstVerdict, int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := pipeline.New(src, rules, interval)
	var last pipeline.Update
	var first time.Time
	worst := &worstVerdict{Focus: []string{}}
	stretch := false // the first stretch at the worst verdict is still going
	n := 0
	var waitFor uint64 // the probe request in flight at the end
	p.Subscribe(func(ev pipeline.Event) {
		if ev.Update == nil {
			return
		}
		last, n = *ev.Update, n+1
		a := last.Advice
		// The worst is the first stretch at the highest verdict: from when it
		// was reached to the last moment it held without a break.
		switch {
		case n == 1 || a.Verdict > worst.Verdict:
			worst.Verdict, worst.From, worst.To, worst.Focus = a.Verdict, a.Time, a.Time, a.Focus
			stretch = true
		case a.Verdict == worst.Verdict && stretch:
			worst.To = a.Time
		default:
			stretch = false
		}
		if n == 1 {
			first = last.Snapshot.Time
		}
		if d > 0 && last.Snapshot.Time.Sub(first)+interval/2 > d {
			if waitFor == 0 && prober != nil {
				waitFor = prober.InFlight()
			}
			if waitFor == 0 || prober.Drained(waitFor) {
				cancel()
			}
		}
	})
	err := p.Run(ctx)
	return last, worst, n, err
}

// checkWritable refuses at start a file the run could not write at its end:
// a missing directory, a directory, a file not writable. It creates nothing.
func checkWritable(flag, path string) error {
	if info, err := os.Stat(path); err == nil {
		if info.IsDir() {
			return usageError{fmt.Errorf("%s %s is a directory; give a file", flag, path)}
		}
		f, err := userfile.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return usageError{fmt.Errorf("%s %s: %v", flag, path, unwrapPath(err))}
		}
		return f.Close()
	}
	dir := filepath.Dir(path)
	info, err := os.Stat(dir)
	if err != nil {
		return usageError{fmt.Errorf("%s %s: the directory %s: %v", flag, path, dir, unwrapPath(err))}
	}
	if !info.IsDir() {
		return usageError{fmt.Errorf("%s %s: %s is not a directory", flag, path, dir)}
	}
	return nil
}
