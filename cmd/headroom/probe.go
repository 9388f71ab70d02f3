package main

import (
	"context"
	"fmt"
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/probe"
)

// probeFlags are the HTTP probe's flags, shared by every command.
type probeFlags struct {
	Probe        string           `placeholder:"URL" help:"Request URL once per interval and judge its latency and errors (http:// or https://)."`
	SLA          positiveDuration `placeholder:"DUR" help:"Latency target for --probe: p95 above it is a finding (default 300ms)."`
	ProbeTimeout positiveDuration `name:"probe-timeout" placeholder:"DUR" help:"Give up on a probe request after this long; it counts as an error (default 5s)."`
}

// apply checks the flags and puts --sla into the settings.
func (f probeFlags) apply(st *settings) error {
	if f.SLA != 0 {
		st.Rules.SLA = time.Duration(f.SLA)
	}
	if f.Probe != "" {
		if _, err := probe.ParseURL(f.Probe); err != nil {
			return usageError{err}
		}
	}
	// A request is waited for this long, once's last one too: a minute is
	// past any answer a user waits for.
	if d := time.Duration(f.ProbeTimeout); d > maxProbeTimeout {
		return usageError{fmt.Errorf("--probe-timeout %s: use at most %s", fmtDur(d.Seconds()), fmtDur(maxProbeTimeout.Seconds()))}
	}
	return nil
}

// maxProbeTimeout bounds --probe-timeout.
const maxProbeTimeout = time.Minute

// wrap starts the prober (when --probe is given) and returns a source that
// attaches its results to each snapshot; the prober stops with ctx.
func (f probeFlags) wrap(ctx context.Context, src sampler.Source, interval time.Duration) (sampler.Source, *probe.Prober, error) {
	if f.Probe == "" {
		return src, nil, nil
	}
	timeout := time.Duration(f.ProbeTimeout)
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	p, err := probe.New(f.Probe, interval, timeout)
	if err != nil {
		return nil, nil, usageError{err}
	}
	go p.Run(ctx)
	return probe.Probed{Source: src, Prober: p}, p, nil
}
