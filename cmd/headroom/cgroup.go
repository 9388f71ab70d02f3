package main

import (
	"context"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/cgroup"
	"github.com/headroom-dev/headroom/sampler/collect"
)

// cgroupCollectors read every process's control group (systemd units,
// containers) for the services view, the per-group findings and worker
// sizing from the app server's own limits. They run on every live source:
// a host without cgroups simply has no services.
func cgroupCollectors(context.Context, sharedFlags, settings) ([]sampler.Collector, error) {
	c, err := collect.NewCgroups(cgroup.Options{})
	if err != nil {
		return nil, nil
	}
	return []sampler.Collector{c}, nil
}
