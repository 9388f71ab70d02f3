// Package collect adapts the reader packages to sampler.Collector: one
// file per kind of evidence.
package collect

import (
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/load"
)

// Load puts a running load test's interval into each snapshot, so the
// screen, the advisor's moment, recordings and reports all see the load
// beside the machine.
type Load struct {
	Run *load.Run
}

// Name is "load".
func (Load) Name() string { return "load" }

// Collect takes the interval since the previous snapshot (never blocks).
func (l Load) Collect(s *sampler.Snapshot) {
	now := s.Time
	if now.IsZero() {
		now = time.Now()
	}
	in := sampler.LoadStats(l.Run.Take(now))
	s.LoadTest = &in
}

// Close stops the load.
func (l Load) Close() error {
	l.Run.Stop()
	return nil
}
