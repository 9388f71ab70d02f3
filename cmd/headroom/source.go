package main

import (
	"context"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/live"
	"github.com/headroom-dev/headroom/sampler/probe"
)

// collectorSet makes the collectors one kind of evidence needs from the
// settings (none when it is not configured). Each kind lives in its own
// file and adds one line to collectorSets.
type collectorSet func(ctx context.Context, f sharedFlags, st settings) ([]sampler.Collector, error)

// collectorSets are every kind of evidence a live source can gather
// beside /proc, in the order they fill a snapshot.
var collectorSets = []collectorSet{
	cgroupCollectors,
	saturationCollectors,
	appCollectors, // access logs, Postgres, PgBouncer, Redis, memcached, SQL log (appflags.go)
}

// liveSource is this machine as a source for every command: /proc, the
// probe (--probe) and the configured collectors. It returns the host name
// too; closing the source closes everything it started.
func (f sharedFlags) liveSource(ctx context.Context, st settings) (sampler.Source, string, error) {
	src, host, _, err := f.liveSourceProbe(ctx, st)
	return src, host, err
}

// liveSourceProbe is liveSource with its prober (nil without --probe).
func (f sharedFlags) liveSourceProbe(ctx context.Context, st settings) (sampler.Source, string, *probe.Prober, error) {
	l, err := live.New(st.Interval)
	if err != nil {
		return nil, "", nil, exitError{code: exitBadInput, err: err}
	}
	src, prober, err := f.probeFlags.wrap(ctx, l, st.Interval)
	if err != nil {
		l.Close()
		return nil, "", nil, err
	}
	var cols []sampler.Collector
	for _, set := range collectorSets {
		c, err := set(ctx, f, st)
		if err != nil {
			for _, done := range cols {
				done.Close()
			}
			l.Close()
			return nil, "", nil, err
		}
		cols = append(cols, c...)
	}
	if len(cols) > 0 {
		src = sampler.Collected{Source: src, Collectors: cols}
	}
	return src, l.Host(), prober, nil
}
