package main

import (
	"context"
	"os"
	"time"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/advisor/pipeline"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/prom"
	"github.com/headroom-dev/headroom/tui"
	"github.com/headroom-dev/headroom/tui/screen"
)

// runFleetWatch is the fleet screen: `headroom --prometheus URL`.
func runFleetWatch(env *runEnv, st settings, o prom.Options) error {
	c, err := prom.New(o)
	if err != nil {
		return usageError{err}
	}
	if o.Selector == "" {
		o.Selector = prom.DefaultSelector
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	model := tui.NewFleet(tui.FleetOptions{Feed: fleetFeed(ctx, c, st.Rules, o.Step), Rules: st.Rules, Theme: st.Theme,
		Interval: o.Step, URL: c.URL(), Selector: o.Selector})
	if _, err := screen.NewProgram(model, env.stdout.(*os.File), time.Second/dashboardFPS).Run(); err != nil {
		return exitError{code: exitBadInput, err: err}
	}
	return nil
}

// fleetFeed runs the fleet's pipeline on its own goroutine: the screen
// only ever receives finished refreshes as messages, so a slow or failing
// Prometheus shows as such and never holds a key back.
func fleetFeed(ctx context.Context, c *prom.Client, rules advisor.Rules, step time.Duration) <-chan tui.FleetUpdate {
	ch := make(chan tui.FleetUpdate)
	go pipeline.NewFleet(c, rules).Run(ctx, step, sampler.RealClock, func(u pipeline.FleetUpdate) bool {
		select {
		case ch <- tui.FleetUpdate{Advice: u.Advice, Windows: u.Windows, Updated: u.Updated, Err: u.Err}:
			return true
		case <-ctx.Done():
			return false
		}
	})
	return ch
}
