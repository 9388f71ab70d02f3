package collect

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/cgroup"
)

// TestCollectShortSampleHasLimitsOnly: the short first sample gets the
// masters' limits but leaves the services (every process's group) to the
// first full interval.
func TestCollectShortSampleHasLimitsOnly(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	c, err := NewCgroups(cgroup.Options{ProcRoot: filepath.Join(fixture, "proc"), HostRoot: fixture, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	gun := "/usr/bin/python3 /usr/bin/gunicorn app.wsgi"
	procs := []sampler.Process{{PID: 100, PPID: 1, Name: "gunicorn", Cmd: gun}, {PID: 101, PPID: 100, Name: "gunicorn", Cmd: gun}}
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
