package main

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler/prom"
	"github.com/headroom-dev/headroom/tui"
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
	if _, err := tea.NewProgram(model, tea.WithAltScreen(), tea.WithOutput(env.stdout), tea.WithFPS(20)).Run(); err != nil {
		return exitError{code: exitBadInput, err: err}
	}
	return nil
}

// fleetFeed reads the window once (query_range), then refreshes it every
// step with instant queries, on its own goroutine: the screen only ever
// receives finished refreshes as messages, so a slow or failing Prometheus
// shows as such and never holds a key back. Until the first window is read
// every attempt is a query_range again.
func fleetFeed(ctx context.Context, c *prom.Client, rules advisor.Rules, step time.Duration) <-chan tui.FleetUpdate {
	ch := make(chan tui.FleetUpdate)
	go func() {
		var f *prom.Fleet
		for {
			var err error
			if f == nil {
				f, err = c.Start(ctx)
			} else {
				err = f.Refresh(ctx)
			}
			u := tui.FleetUpdate{Err: err}
			if err == nil {
				u.Windows, u.Updated = f.Snapshots(), f.Updated
				u.Advice = advisor.AdviseFleet(u.Windows, downHosts(f), rules)
			}
			select {
			case ch <- u:
			case <-ctx.Done():
				return
			}
			select {
			case <-time.After(step):
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}
