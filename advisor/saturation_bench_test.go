package advisor

import (
	"testing"

	"github.com/headroom-dev/headroom/sampler/saturation"
)

// BenchmarkAdviseSaturation is one Advise over a full 5-minute window of
// 1-second snapshots carrying the saturation counters: the pipeline's
// per-sample cost.
func BenchmarkAdviseSaturation(b *testing.B) {
	snaps := saturated(series(300, flat(40, 30, -1, 20)), 48, saturation.StateWaiting)
	r := DefaultRules()
	b.ReportAllocs()
	for b.Loop() {
		Advise(snaps, r)
	}
}

// BenchmarkAdvisePlain is the same window (the same processes) without
// the counters, for comparison.
func BenchmarkAdvisePlain(b *testing.B) {
	snaps := saturated(series(300, flat(40, 30, -1, 20)), 48, saturation.StateWaiting)
	for i := range snaps {
		snaps[i].Saturation = nil
	}
	r := DefaultRules()
	b.ReportAllocs()
	for b.Loop() {
		Advise(snaps, r)
	}
}
