package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/advisor/pipeline"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/recording"
)

// onceCmd judges once and exits with the verdict: `headroom once`.
type onceCmd struct {
	JSON   bool          `help:"Print the advice as one JSON object."`
	For    time.Duration `placeholder:"DUR" help:"Live: sample for this long and judge over it (default 5s)."`
	Replay string        `placeholder:"FILE" help:"Judge a recording at its last sample instead of this machine." type:"path"`
	Log    string        `placeholder:"FILE" help:"Append one CSV row per run (time, cpu, memory, swap, worst disk, load, verdict)."`
	sharedFlags
}

// onceReport is what --json prints: the advice plus where it came from.
type onceReport struct {
	advisor.Advice
	Host   string `json:"host"`
	Source string `json:"source"`
}

func (c *onceCmd) Run(env *runEnv) error {
	st, argv, err := c.settings(env)
	if err != nil {
		return err
	}
	if c.For < 0 {
		return usageError{errors.New("--for must be positive, like 30s")}
	}
	probeURL := c.Probe

	report := onceReport{}
	var src sampler.Source
	interval := st.Interval
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if c.Replay != "" {
		if c.For > 0 {
			return usageError{errors.New("--for samples this machine; it cannot be used with --replay")}
		}
		rec, err := recording.ReadFile(c.Replay)
		if err != nil {
			return usageError{err}
		}
		for _, w := range rec.Warnings {
			fmt.Fprintln(env.stderr, "headroom: warning:", w)
		}
		report.Source = "replay:" + c.Replay
		if rec.Header != nil {
			report.Host = rec.Header.Host
			probeURL = rec.Header.ProbeURL
			if rec.Header.IntervalMS > 0 {
				interval = time.Duration(rec.Header.IntervalMS) * time.Millisecond
			}
		}
		src = recording.NewReplay(rec)
	} else {
		var err error
		if src, report.Host, err = c.liveSource(ctx, st); err != nil {
			return err
		}
		defer src.Close()
		report.Source = "live"
	}
	last, n, err := judge(ctx, src, st.Rules, interval, c.sampleFor())
	if err != nil {
		return exitError{code: exitBadInput, err: err}
	}
	if n == 0 {
		return exitError{code: exitBadInput, err: errors.New("no samples to judge")}
	}
	report.Advice = last.Advice
	if report.Probe != nil {
		report.Probe.URL = probeURL
	}

	if c.JSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			return exitError{code: exitBadInput, err: err}
		}
	} else {
		writeAdviceText(env.stdout, report, n)
	}
	if c.Log != "" {
		if err := appendCSV(c.Log, report.Advice, last.Snapshot); err != nil {
			fmt.Fprintln(env.stderr, "headroom: warning:", err)
		}
	}
	if err := c.notify(argv, report.Advice); err != nil {
		fmt.Fprintln(env.stderr, "headroom: warning:", err)
	}
	switch report.Verdict {
	case advisor.Scale:
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
		return c.For
	}
	return 5 * time.Second
}

// judge runs src through a pipeline and returns the last judged update
// and how many snapshots it saw. With d > 0 it stops once the snapshots
// span d (by their own times, not the wall clock's); else at the source's
// end. An interrupt judges what it has.
func judge(ctx context.Context, src sampler.Source, rules advisor.Rules, interval, d time.Duration) (pipeline.Update, int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := pipeline.New(src, rules, interval)
	var last pipeline.Update
	var first time.Time
	n := 0
	p.Subscribe(func(ev pipeline.Event) {
		if ev.Update == nil {
			return
		}
		last, n = *ev.Update, n+1
		if n == 1 {
			first = last.Snapshot.Time
		}
		if d > 0 && last.Snapshot.Time.Sub(first)+interval/2 > d {
			cancel()
		}
	})
	err := p.Run(ctx)
	return last, n, err
}

// notify runs the --on-change command if the verdict differs from the one
// the previous run left in the state directory (MONITOR if none).
func (c *onceCmd) notify(argv []string, a advisor.Advice) error {
	path := statePath()
	prev := advisor.Monitor
	if b, err := os.ReadFile(path); err == nil {
		switch strings.TrimSpace(string(b)) {
		case "OPTIMIZE":
			prev = advisor.Optimize
		case "SCALE":
			prev = advisor.Scale
		}
	}
	var errs []error
	if argv != nil && a.Verdict != prev {
		if err := runOnChange(argv, a, prev); err != nil {
			errs = append(errs, err)
		}
	}
	if path != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err == nil {
			if err := os.WriteFile(path, []byte(a.Verdict.String()+"\n"), 0o600); err != nil {
				errs = append(errs, fmt.Errorf("cannot keep the verdict for the next run: %v", unwrapPath(err)))
			}
		}
	}
	return errors.Join(errs...)
}

// statePath is $XDG_STATE_HOME/headroom/last-verdict (~/.local/state if unset).
func statePath() string {
	return xdgPath("XDG_STATE_HOME", filepath.Join(".local", "state"), "last-verdict")
}

// csvHeader is the --log file's first row.
var csvHeader = []string{"time", "cpu", "memory", "swap", "disk", "load1", "verdict"}

// appendCSV appends one judgement to the --log file, with a header if the
// file is new. Swap is empty when none is configured; disk is the fullest mount.
func appendCSV(path string, a advisor.Advice, last sampler.Snapshot) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("--log %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("--log %s: %v", path, err)
	}
	w := csv.NewWriter(f)
	if info.Size() == 0 {
		w.Write(csvHeader)
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	swap := ""
	if p, ok := last.SwapPercent(); ok {
		swap = num(p)
	}
	disk := 0.0
	for _, d := range last.Disks {
		disk = max(disk, d.Percent())
	}
	w.Write([]string{last.Time.UTC().Format(sampler.TimeFormat), num(last.CPU.Percent), num(last.MemPercent()),
		swap, num(disk), strconv.FormatFloat(last.Load[0], 'f', 2, 64), a.Verdict.String()})
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("--log %s: %v", path, err)
	}
	return nil
}

// writeAdviceText prints the advice for a person: verdict and summary first,
// one line per finding, then the worker suggestion.
func writeAdviceText(w io.Writer, r onceReport, samples int) {
	a := r.Advice
	fmt.Fprintf(w, "%s — %s\n", a.Verdict, a.Summary)
	when := a.Time.UTC().Format("2006-01-02 15:04:05 UTC")
	fmt.Fprintf(w, "%s · %s · window %s, covered %s (%d samples)\n\n", orDash(r.Host), when,
		fmtDur(a.WindowS), fmtDur(a.CoveredS), samples)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "metric\t   now\t  mean\t   max\tlevel\tthreshold\tabove")
	for _, f := range a.Findings {
		unit, of := string(f.Unit), f.Counts
		fmt.Fprintf(tw, "%s\t%5.1f%s\t%5.1f%s\t%5.1f%s\t%s\t≥%.0f%s\t%3.0f%% of %s\n", f.Metric, f.Now, unit, f.Mean, unit, f.Max, unit, f.Level, f.Threshold, unit, f.Above*100, of)
	}
	tw.Flush()
	if a.NoSwap {
		fmt.Fprintln(w, "swap: none configured")
	}
	if p := a.Probe; p != nil {
		fmt.Fprintf(w, "\nprobe %s: %d requests, %d errors (%d timeouts); p50 %.0f ms, p95 %.0f ms, p99 %.0f ms; SLA %.0f ms\n",
			orDash(p.URL), p.Requests, p.Errors, p.Timeouts, p.P50, p.P95, p.P99, p.SLA)
	}
	if len(a.Apps) > 0 {
		fmt.Fprintln(w)
		for _, app := range a.Apps {
			fmt.Fprintln(w, advisor.AppLine(app, false))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, advisor.WorkerLine(a.Workers, false))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// fmtDur prints seconds as a short duration ("5m0s" → "5m", "299s" → "4m59s").
func fmtDur(sec float64) string {
	return advisor.FormatDuration(time.Duration(sec * float64(time.Second)))
}
