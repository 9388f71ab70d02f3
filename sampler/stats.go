package sampler

import (
	"math"
	"sort"
)

// ValueStats are the count, last value, mean and maximum of a series.
type ValueStats struct {
	N    int
	Now  float64 // the last value
	Mean float64
	Max  float64
}

// StatsOf summarises values (oldest first); NaN and ±Inf are left out.
func StatsOf(values []float64) ValueStats {
	var st ValueStats
	sum := 0.0
	st.Max = math.Inf(-1)
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		st.N++
		sum += v
		st.Now = v
		st.Max = math.Max(st.Max, v)
	}
	if st.N == 0 {
		st.Max = 0
		return st
	}
	st.Mean = sum / float64(st.N)
	return st
}

// ShareAtLeast is the share (0–1) of values at or above threshold: the one
// rule of "above a line" that every finding uses.
func ShareAtLeast(values []float64, threshold float64) float64 {
	if len(values) == 0 {
		return 0
	}
	n := 0
	for _, v := range values {
		if v >= threshold {
			n++
		}
	}
	return float64(n) / float64(len(values))
}

// ShareAtMost is the share (0–1) of values at or below threshold: the same
// rule for a metric where lower is worse (a cache's hit rate).
func ShareAtMost(values []float64, threshold float64) float64 {
	if len(values) == 0 {
		return 0
	}
	n := 0
	for _, v := range values {
		if v <= threshold {
			n++
		}
	}
	return float64(n) / float64(len(values))
}

// Median is the middle value of v (the mean of the two middle ones for an
// even count); v is not changed.
func Median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Percentile is the nearest-rank percentile p (0–100) of sorted values.
func Percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(0, min(len(sorted)-1, rank-1))]
}
