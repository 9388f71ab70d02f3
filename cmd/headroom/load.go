package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/headroom-dev/headroom/sampler/userfile"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/advisor/pipeline"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/collect"
	"github.com/headroom-dev/headroom/sampler/load"
	"github.com/headroom-dev/headroom/sampler/recording"
	"github.com/headroom-dev/headroom/sampler/services"
)

// loadCmd is `headroom load URL`: a bounded load test shown beside the machine.
type loadCmd struct {
	URLs        []string         `arg:"" optional:"" name:"URL" help:"URLs to load, in turn (loopback only unless --allow-remote names the host)."`
	Rate        string           `placeholder:"N/s" help:"Steady rate, like 50/s."`
	Ramp        string           `placeholder:"FROM..TO/s" help:"Linear ramp over --for, like 10..200/s."`
	Steps       string           `placeholder:"A,B,C/s" help:"Hold each rate for an equal share of --for, like 10,20,40,80/s."`
	Spike       string           `placeholder:"BASE..PEAK/s" help:"BASE, then PEAK for the middle fifth of --for, then BASE again."`
	Users       int              `placeholder:"N" help:"Closed loop: N users, each sending its next request when the last is answered."`
	For         positiveDuration `placeholder:"DUR" default:"60s" help:"How long the load runs (at most 1h)."`
	Targets     string           `placeholder:"FILE" type:"path" help:"Targets, one JSON object a line: {\"url\", \"method\", \"header\", \"body\", \"weight\"}."`
	JSON        bool             `help:"No screen: print the result as one JSON object."`
	Report      string           `placeholder:"FILE" help:"Write a Markdown report: the load profile, the knee, the instance count and the machine."`
	Record      string           `placeholder:"FILE" help:"Record the machine and the load's intervals (JSON Lines, mode 0600; never overwritten)."`
	TargetRPS   float64          `name:"target-rps" placeholder:"N" help:"With --report: the rate to plan instances for."`
	Hosts       int              `placeholder:"N" default:"1" help:"With --target-rps: the hosts the tested one stands for."`
	AllowRemote []string         `name:"allow-remote" placeholder:"HOST" help:"Allow loading HOST, which is not loopback. Load only what you own."`
	sharedFlags
}

// loadPlan is the checked command line.
type loadPlan struct {
	spec load.Spec
	st   settings
}

func (c *loadCmd) Run(env *runEnv) error {
	st, _, err := c.settings(env)
	if err != nil {
		return err
	}
	plan, err := c.plan(st)
	if err != nil {
		return usageError{err}
	}
	var report *os.File
	if c.Report != "" {
		f, err := createReport(c.Report)
		if err != nil {
			return err
		}
		report = f
		defer func() {
			f.Close()
			if report != nil { // not written (report is nil once it is): no empty file left behind
				os.Remove(c.Report)
			}
		}()
	}
	screen := !c.JSON && isTerminal(env.stdout)
	// Printed before the first request: what will be sent, for how long, under which caps.
	fmt.Fprintln(env.stderr, "headroom:", plan.describe())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	src, host, err := c.liveSource(ctx, st)
	if err != nil {
		return err
	}
	run := load.Start(ctx, plan.spec)
	src = sampler.Collected{Source: src, Collectors: []sampler.Collector{collect.NewLoad(run)}}
	defer src.Close()

	p := pipeline.New(src, st.Rules, st.Interval)
	var points []advisor.LoadPoint
	var snaps []sampler.Snapshot
	finished := make(chan struct{})
	p.Subscribe(func(ev pipeline.Event) {
		u := ev.Update
		if u == nil || u.Snapshot.LoadTest == nil || len(points) > 0 && points[len(points)-1].Snap.LoadTest.Done {
			return
		}
		kept := u.Snapshot
		points = append(points, advisor.LoadPoint{Snap: kept, Advice: u.Advice})
		snaps = append(snaps, kept)
		if kept.LoadTest.Done {
			close(finished)
		}
	})
	var rec *recording.Recorder
	if c.Record != "" {
		if rec, err = recording.Create(c.Record, recording.Header{Host: host, IntervalMS: st.Interval.Milliseconds(), Started: time.Now()}); err != nil {
			run.Stop()
			return usageError{err}
		}
	}
	recDone := subscribeRecorder(p, rec)
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	if screen {
		err = runLoadScreen(ctx, env, p, st, host, run)
	} else {
		select {
		case <-finished:
		case <-ctx.Done():
		}
	}
	run.Stop()
	cancel()
	if perr := <-done; err == nil && perr != nil {
		err = perr
	}
	if rerr := <-recDone; rec != nil {
		if rerr != nil {
			fmt.Fprintln(env.stderr, "headroom: warning:", rerr)
		}
		fmt.Fprintf(env.stderr, "headroom: recorded %s to %s\n", plural(rec.Count(), "snapshot"), rec.Path())
	}
	if err != nil {
		return exitError{code: exitBadInput, err: err}
	}
	res := summarizeLoad(run, points, plan, st.Rules)
	if c.Report != "" {
		sess := advisor.Session{Host: host, Snaps: snaps, Rules: st.Rules}
		md := advisor.LoadReportMarkdown(advisor.LoadReport{Session: sess, Points: points, Verdict: res.verdict,
			Plan: plan.describe(), TargetRPS: c.TargetRPS, Hosts: c.Hosts})
		if _, err := report.WriteString(md); err != nil {
			return exitError{code: exitBadInput, err: fmt.Errorf("cannot write the report %s: %v", c.Report, unwrapPath(err))}
		}
		report = nil // written: kept
		fmt.Fprintf(env.stderr, "headroom: load report written to %s\n", c.Report)
	}
	if c.JSON {
		if err := writeLoadJSON(env.stdout, res); err != nil {
			return exitError{code: exitBadInput, err: err}
		}
	} else {
		writeLoadText(env.stdout, res)
	}
	if res.verdict.Knee != nil {
		return exitError{code: exitOptimize}
	}
	if res.verdict.Unjudged {
		return exitError{code: exitBadInput} // could not judge: the app did not answer
	}
	return nil
}

// plan checks the flags against the caps and builds the load spec.
func (c *loadCmd) plan(st settings) (loadPlan, error) {
	var pl loadPlan
	pl.st = st
	if d := time.Duration(c.For); d <= 0 || d > load.MaxDuration {
		return pl, fmt.Errorf("--for %s: use a duration above 0 and at most 1h", fmtDur(d.Seconds()))
	}
	var ts []load.Target
	for _, u := range c.URLs {
		t, err := load.NewTarget(u)
		if err != nil {
			return pl, err
		}
		ts = append(ts, t)
	}
	if c.Targets != "" {
		f, err := userfile.Open(c.Targets)
		if err != nil {
			return pl, fmt.Errorf("--targets %s: %v", c.Targets, unwrapPath(err))
		}
		more, err := load.ParseTargets(f)
		f.Close()
		if err != nil {
			return pl, fmt.Errorf("--targets %s: %w", c.Targets, err)
		}
		ts = append(ts, more...)
	}
	if len(ts) == 0 {
		return pl, errors.New("no URL to load: name one (headroom load http://127.0.0.1:8000/ --rate 10/s) or --targets FILE")
	}
	for _, h := range c.AllowRemote {
		if strings.TrimSpace(h) == "" {
			return pl, errors.New("--allow-remote needs a host name: the one host you own and mean to load")
		}
	}
	if err := load.CheckHosts(ts, c.AllowRemote); err != nil {
		return pl, err
	}
	pat, err := c.pattern()
	if err != nil {
		return pl, err
	}
	if c.Hosts < 1 || c.Hosts > 1e6 || !(c.TargetRPS >= 0 && c.TargetRPS <= 1e9) {
		return pl, errors.New("--hosts must be from 1 to 1000000 and --target-rps from 0 to 1e9 (a number of requests a second)")
	}
	// A request ten times over the SLA is a failure whatever comes of it;
	// waiting longer only lets an overloaded run drag on.
	timeout := min(max(10*st.Rules.SLA, time.Second), load.Timeout)
	pl.spec = load.Spec{Targets: ts, Pattern: pat, Duration: time.Duration(c.For), Timeout: timeout}
	return pl, nil
}

// pattern reads the one pattern flag given.
func (c *loadCmd) pattern() (load.Pattern, error) {
	var pats []load.Pattern
	var errs []error
	add := func(kind, flag, val string, n int, sep string) {
		if val == "" {
			return
		}
		rates, err := parseRates(val, sep, n)
		if err != nil {
			errs = append(errs, fmt.Errorf("--%s %s: %v", flag, val, err))
			return
		}
		pats = append(pats, load.Pattern{Kind: kind, Rates: rates})
	}
	add("rate", "rate", c.Rate, 1, "")
	add("ramp", "ramp", c.Ramp, 2, "..")
	add("steps", "steps", c.Steps, 0, ",")
	add("spike", "spike", c.Spike, 2, "..")
	if len(pats) > 0 && pats[len(pats)-1].Kind == "spike" && pats[len(pats)-1].Rates[1] <= pats[len(pats)-1].Rates[0] {
		errs = append(errs, fmt.Errorf("--spike %s: the peak must be above the base, like 20..100/s", c.Spike))
	}
	if c.Users != 0 {
		if c.Users < 0 || c.Users > load.MaxUsers {
			errs = append(errs, fmt.Errorf("--users %d: use 1 to %d", c.Users, load.MaxUsers))
		}
		pats = append(pats, load.Pattern{Kind: "users", Users: c.Users})
	}
	if len(errs) > 0 {
		return load.Pattern{}, errs[0]
	}
	if len(pats) != 1 {
		return load.Pattern{}, errors.New("give exactly one of --rate N/s, --ramp FROM..TO/s, --steps A,B,C/s, --spike BASE..PEAK/s or --users N")
	}
	return pats[0], nil
}

// parseRates reads "50/s", "10..200/s", "10,20,40/s": n numbers (any
// number ≥ 1 when n is 0), each at least 1 and at most the cap.
func parseRates(v, sep string, n int) ([]float64, error) {
	v = strings.TrimSuffix(strings.TrimSpace(v), "/s")
	parts := []string{v}
	if sep != "" {
		parts = strings.Split(v, sep)
	}
	if n > 0 && len(parts) != n {
		return nil, fmt.Errorf("want %d rates separated by %q, like 10%s200/s", n, sep, sep)
	}
	var out []float64
	for _, p := range parts {
		r, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(r) || r < 1 || r > load.MaxRate {
			return nil, fmt.Errorf("%q: use requests a second from 1 to %g", p, load.MaxRate)
		}
		out = append(out, r)
	}
	return out, nil
}

// describe is the plan as printed before the first request.
func (pl loadPlan) describe() string {
	s := pl.spec
	urls := make([]string, len(s.Targets))
	for i, t := range s.Targets {
		urls[i] = services.RedactKeepQuery(t.URL)
	}
	what := urls[0]
	if len(urls) > 1 {
		what = fmt.Sprintf("%d targets (%s, …)", len(urls), urls[0])
	}
	return fmt.Sprintf("load %s, %s for %s; SLA p95 %s, errors under %g %%; caps %g req/s, %d users, %s; request timeout %s",
		what, s.Pattern, s.Duration, pl.st.Rules.SLA, pl.st.Rules.ErrorRate, load.MaxRate, load.MaxUsers, "1h", s.Timeout)
}
