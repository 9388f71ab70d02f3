package collect

import (
	"testing"

	"github.com/headroom-dev/headroom/sampler"
)

// TestCollectShortSampleHasLimitsOnly: the short first sample gets the
// masters' limits but leaves the services (every process's group) to the
// first full interval.
func TestCollectShortSampleHasLimitsOnly(t *testing.T) {
	c, _ := fixtureCgroups(t, fixture)
	procs := gunicornProcs
	s := sampler.Snapshot{Short: 0.05, Procs: procs}
	c.Collect(&s)
	if s.Services != nil || len(s.ProcLimits) != 1 {
		t.Fatalf("short sample: services %+v, limits %+v; want no services and the master's limits", s.Services, s.ProcLimits)
	}
	s = sampler.Snapshot{Procs: procs}
	c.Collect(&s)
	if len(s.Services) != 1 || s.Services[0].Procs != 2 {
		t.Errorf("full sample: services %+v; want gunicorn.service with 2 processes", s.Services)
	}
}
