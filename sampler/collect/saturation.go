package collect

import (
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/apps"
	"github.com/headroom-dev/headroom/sampler/saturation"
)

// Saturation fills Snapshot.Saturation from the kernel's counters for the
// app processes of the snapshot. It needs no configuration and no
// privilege: what the kernel withholds is named in Saturation.Unknown.
type Saturation struct {
	r *saturation.Reader
}

// NewSaturation reads the live machine (cfg's zero value) or, for tests,
// whatever cfg points at.
func NewSaturation(cfg saturation.Config) *Saturation {
	return &Saturation{r: saturation.NewReader(cfg)}
}

// Name is the collector's name, for messages.
func (c *Saturation) Name() string { return "saturation" }

// Collect reads the counters for the snapshot's app servers and their
// workers. It reads /proc, /sys and one netlink dump: no network, nothing
// that can hang.
func (c *Saturation) Collect(s *sampler.Snapshot) {
	sat := c.r.Read(AppsOf(s.Procs))
	s.Saturation = &sat
}

// Close releases the kernel log.
func (c *Saturation) Close() error { return c.r.Close() }

// AppsOf lists the app processes whose sockets and descriptors are
// watched: every family's master and workers; only the workers of app
// servers (gunicorn, uwsgi, uvicorn, daphne) get a worker state, since
// "waiting to accept" means something for them alone.
func AppsOf(procs []sampler.Process) []saturation.App {
	var out []saturation.App
	for _, a := range apps.Apps(procs) {
		worker := apps.IsAppServer(a.Kind)
		if a.MasterPID > 0 {
			out = append(out, saturation.App{PID: int(a.MasterPID), Family: a.Kind})
		}
		for _, pid := range a.WorkerPIDs {
			if pid == a.MasterPID {
				continue // a single-process server is its own worker
			}
			out = append(out, saturation.App{PID: int(pid), Family: a.Kind, Worker: worker})
		}
	}
	return out
}
