package pipeline

import (
	"context"
	"time"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/prom"
)

// FleetUpdate is one step of the fleet's stream: every host's window and
// the fleet's judgement of them, or the error that kept Prometheus from
// answering (the last judgement then stands).
type FleetUpdate struct {
	Advice  advisor.FleetAdvice
	Windows map[string][]sampler.Snapshot
	// Updated is the time of the newest points.
	Updated time.Time
	Err     error
}

// Fleet is the pipeline of many hosts: Prometheus instead of /proc as the
// source, the same advisor on every host, and the fleet's judgement on top.
type Fleet struct {
	client *prom.Client
	rules  advisor.Rules
	fleet  *prom.Fleet
}

// NewFleet makes a fleet pipeline over a Prometheus client.
func NewFleet(c *prom.Client, rules advisor.Rules) *Fleet { return &Fleet{client: c, rules: rules} }

// Step reads the window the first time (query_range, again until it
// succeeds), then the newest points (instant queries), and judges.
func (f *Fleet) Step(ctx context.Context) FleetUpdate {
	var err error
	if f.fleet == nil {
		var fl *prom.Fleet
		if fl, err = f.client.Start(ctx); err == nil {
			f.fleet = fl
		}
	} else {
		err = f.fleet.Refresh(ctx)
	}
	if err != nil {
		return FleetUpdate{Err: err}
	}
	u := FleetUpdate{Windows: f.fleet.Snapshots(), Updated: f.fleet.Updated}
	u.Advice = advisor.AdviseFleet(u.Windows, DownHosts(f.fleet), f.rules)
	return u
}

// Run steps every interval on clock until ctx ends, handing each update to
// out (which may block: the next step waits for it).
func (f *Fleet) Run(ctx context.Context, step time.Duration, clock sampler.Clock, out func(FleetUpdate) bool) {
	for {
		if !out(f.Step(ctx)) {
			return
		}
		select {
		case <-clock.After(step):
		case <-ctx.Done():
			return
		}
	}
}

// DownHosts are the instances whose last scrape failed (up is 0 or absent).
func DownHosts(f *prom.Fleet) map[string]bool {
	down := map[string]bool{}
	for inst, h := range f.Hosts {
		if p, ok := h.Last(); !ok || !p.Up {
			down[inst] = true
		}
	}
	return down
}
