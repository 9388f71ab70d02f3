package services

import "time"

// counterDelta is the growth of a cumulative counter between two samples;
// ok is false when the counter went backwards (a server restart or a stats
// reset), where no honest delta exists.
func counterDelta(prev, cur int64) (int64, bool) {
	if cur < prev {
		return 0, false
	}
	return cur - prev, true
}

// ratePerSecond is the growth of a counter per second of elapsed time;
// nil when there is no baseline, no time passed or the counter was reset.
func ratePerSecond(prev, cur int64, elapsed time.Duration) *float64 {
	d, ok := counterDelta(prev, cur)
	if !ok || elapsed <= 0 {
		return nil
	}
	r := float64(d) / elapsed.Seconds()
	return &r
}

// hitPercent is Δhits / (Δhits + Δmisses) × 100 over an interval; nil when
// there were no lookups (a percentage of nothing is not 0 % and not 100 %)
// or a counter was reset.
func hitPercent(prevHits, hits, prevMisses, misses int64) *float64 {
	dh, ok1 := counterDelta(prevHits, hits)
	dm, ok2 := counterDelta(prevMisses, misses)
	if !ok1 || !ok2 || dh+dm == 0 {
		return nil
	}
	p := float64(dh) / float64(dh+dm) * 100
	return &p
}

// countIn is the growth of a counter over the interval as a pointer;
// nil when the counter was reset.
func countIn(prev, cur int64) *int64 {
	d, ok := counterDelta(prev, cur)
	if !ok {
		return nil
	}
	return &d
}
