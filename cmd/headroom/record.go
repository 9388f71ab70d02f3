package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/headroom-dev/headroom/advisor/pipeline"
	"github.com/headroom-dev/headroom/sampler/live"
	"github.com/headroom-dev/headroom/sampler/probe"
	"github.com/headroom-dev/headroom/sampler/recording"
)

// recordCmd records headless: `headroom record -o FILE`.
type recordCmd struct {
	Output string `short:"o" xor:"out" placeholder:"FILE" help:"Recording to create (JSON Lines, mode 0600; never overwritten); or --dir."`
	recordDirFlags
	For positiveDuration `placeholder:"DUR" help:"Stop after this long (e.g. 10m). Default: until Ctrl+C or SIGTERM."`
	sharedFlags
}

func (c *recordCmd) Run(env *runEnv) error {
	st, onChange, err := c.settings(env)
	if err != nil {
		return err
	}
	if c.Output == "-" {
		return usageError{errors.New("-o -: recordings go to a file (mode 0600: command lines can carry secrets), not to standard output")}
	}
	if err := c.check(c.Output); err != nil {
		return usageError{err}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if c.For > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(c.For)+live.FirstSampleDelay)
		defer cancel()
	}
	src, host, err := c.liveSource(ctx, st)
	if err != nil {
		return err
	}
	defer src.Close()
	h := recording.Header{Host: host, IntervalMS: st.Interval.Milliseconds(), Started: time.Now(), ProbeURL: probe.Shown(c.Probe)}
	rec, err := c.create(c.Output, h, env.stderr)
	if err != nil {
		return usageError{err}
	}
	p := pipeline.New(src, st.Rules, st.Interval)
	watch := newVerdictWatch(onChange, env.stderr)
	defer watch.Close() // no hook outlives the recording
	p.Subscribe(watch.observe)
	tfDone := c.subscribeTextfile(p, env.stderr)
	recDone := subscribeRecorder(p, rec)
	fmt.Fprintf(env.stderr, "headroom: recording to %s every %v; Ctrl+C stops\n", rec.Path(), st.Interval)
	werr := p.Run(ctx) // --for reached, or a signal: a clean stop
	<-tfDone           // the last verdict is in headroom.prom
	if err := <-recDone; err != nil {
		werr = errors.Join(werr, err)
	}
	fmt.Fprintf(env.stderr, "headroom: recorded %s to %s\n", plural(rec.Count(), "snapshot"), rec.Path())
	if werr != nil {
		return exitError{code: exitBadInput, err: werr}
	}
	return nil
}
