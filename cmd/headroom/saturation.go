package main

import (
	"context"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/collect"
	"github.com/headroom-dev/headroom/sampler/saturation"
)

// saturationCollectors: the kernel's saturation counters are always read;
// they need no configuration, and what an unprivileged user cannot read is
// reported as unknown in the snapshot, never as an error.
func saturationCollectors(context.Context, sharedFlags, settings) ([]sampler.Collector, error) {
	return []sampler.Collector{collect.NewSaturation(saturation.Config{})}, nil
}
