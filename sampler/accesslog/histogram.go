package accesslog

import (
	"math"
	"sort"
)

// Histogram buckets: log-spaced, each 1 % wider than the one below, from
// histMinMs up; a bucket's value is its geometric middle, so a quantile read
// from a Histogram is within 0.5 % of the true sample (values under
// histMinMs, including 0, are counted as 0).
const (
	histMinMs   = 0.001 // 1 µs
	histGrowth  = 1.01
	histBuckets = 2400 // up to about 2.3e7 ms; larger values share the last bucket
)

var histLogGrowth = math.Log(histGrowth)

// Histogram is a mergeable summary of request times in ms, kept per
// interval so that a window of many intervals can compute its own
// percentiles (MergeHistograms, then Quantile).
type Histogram struct {
	Zero    uint64   `json:"zero,omitempty"`    // values under 1 µs
	Buckets []Bucket `json:"buckets,omitempty"` // non-empty buckets, by Index ascending
}

// Bucket is one non-empty histogram bucket.
type Bucket struct {
	Index int32  `json:"i"`
	Count uint64 `json:"n"`
}

func bucketOf(ms float64) int {
	l := math.Log(ms/histMinMs) / histLogGrowth
	switch {
	case !(l > 0): // also NaN
		return 0
	case l >= histBuckets-1:
		return histBuckets - 1
	}
	return int(l)
}

func bucketValue(i int32) float64 {
	return histMinMs * math.Pow(histGrowth, float64(i)+0.5)
}

// Count is the number of values the histogram holds.
func (h Histogram) Count() uint64 {
	n := h.Zero
	for _, b := range h.Buckets {
		n += b.Count
	}
	return n
}

// Quantile returns the nearest-rank q-quantile (0 < q ≤ 1) in ms; ok is
// false for an empty histogram.
func (h Histogram) Quantile(q float64) (ms float64, ok bool) {
	n := h.Count()
	if n == 0 || !(q > 0) {
		return 0, false
	}
	rank := nearestRank(q, int(n))
	seen := h.Zero
	if uint64(rank) <= seen {
		return 0, true
	}
	for _, b := range h.Buckets {
		seen += b.Count
		if uint64(rank) <= seen {
			return bucketValue(b.Index), true
		}
	}
	return bucketValue(h.Buckets[len(h.Buckets)-1].Index), true
}

// nearestRank is the 1-based rank of the q-quantile among n sorted values:
// ceil(q × n), at least 1, at most n.
func nearestRank(q float64, n int) int {
	r := int(math.Ceil(q*float64(n) - 1e-9))
	if r < 1 {
		r = 1
	}
	if r > n {
		r = n
	}
	return r
}

// MergeHistograms adds histograms together, as for a window of intervals.
func MergeHistograms(hs ...Histogram) Histogram {
	var out Histogram
	counts := map[int32]uint64{}
	for _, h := range hs {
		out.Zero += h.Zero
		for _, b := range h.Buckets {
			counts[b.Index] += b.Count
		}
	}
	for i, n := range counts {
		out.Buckets = append(out.Buckets, Bucket{Index: i, Count: n})
	}
	sort.Slice(out.Buckets, func(a, b int) bool { return out.Buckets[a].Index < out.Buckets[b].Index })
	return out
}

// histAccumulator counts one interval's values densely and hands out a
// sparse Histogram at the end.
type histAccumulator struct {
	zero   uint64
	counts [histBuckets]uint64
	used   bool
}

func (a *histAccumulator) add(ms float64) {
	if !(ms >= histMinMs) {
		a.zero++
		return
	}
	a.counts[bucketOf(ms)]++
	a.used = true
}

// take returns the histogram so far and resets the accumulator.
func (a *histAccumulator) take() Histogram {
	h := Histogram{Zero: a.zero}
	if a.used {
		for i, n := range a.counts {
			if n > 0 {
				h.Buckets = append(h.Buckets, Bucket{Index: int32(i), Count: n})
				a.counts[i] = 0
			}
		}
	}
	a.zero, a.used = 0, false
	return h
}
