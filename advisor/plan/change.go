package plan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Summary is a sample's mean, 95th percentile (nearest rank) and maximum.
type Summary struct {
	Mean float64 `json:"mean"`
	P95  float64 `json:"p95"`
	Max  float64 `json:"max"`
}

// Summarize computes the Summary of v.
func Summarize(v []float64) Summary {
	return Summary{Mean: Mean(v), P95: Percentile(v, 95), Max: Max(v)}
}

// Bootstrap configures the test of a change: a moving-block bootstrap of the
// difference of means, so samples taken a second apart (which move together)
// do not pass for independent evidence.
type Bootstrap struct {
	Resamples int    // resamples of each side; DefaultBootstrap has 2000
	Seed      uint64 // the RNG seed: the same inputs and seed give the same interval
}

// DefaultBootstrap is the test compare runs.
var DefaultBootstrap = Bootstrap{Resamples: 2000, Seed: 1}

// Method describes the test in words, for the output.
func (b Bootstrap) Method() string {
	return fmt.Sprintf("moving-block bootstrap of the change in the mean (%d resamples, block length ∛n, seed %d); 95 %% percentile interval", b.Resamples, b.Seed)
}

// Change is how a metric moved from one sample to another.
type Change struct {
	Before, After Summary
	// Pct is the change of the mean in % of the before mean; nil when the
	// before mean is 0 (no percentage of nothing). CILow and CIHigh bound
	// its 95 % interval; nil likewise.
	Pct, CILow, CIHigh *float64
	// Significant is set when the interval excludes zero.
	Significant bool
}

// Compare summarises before and after and tests whether their means differ.
// Both need at least 2 values.
func (b Bootstrap) Compare(before, after []float64) (Change, error) {
	if len(before) < 2 || len(after) < 2 {
		return Change{}, fmt.Errorf("a comparison needs at least 2 values on each side (have %d before, %d after)", len(before), len(after))
	}
	if b.Resamples < 100 {
		return Change{}, fmt.Errorf("a bootstrap needs at least 100 resamples (have %d)", b.Resamples)
	}
	c := Change{Before: Summarize(before), After: Summarize(after)}
	mb, ma := c.Before.Mean, c.After.Mean
	rng := rand.New(rand.NewPCG(b.Seed, 0x9e3779b97f4a7c15))
	diffs := make([]float64, b.Resamples)
	for i := range diffs {
		diffs[i] = blockMean(rng, after) - blockMean(rng, before)
	}
	sort.Float64s(diffs)
	lo, hi := Percentile(diffs, 2.5), Percentile(diffs, 97.5)
	c.Significant = lo > 0 || hi < 0
	if mb != 0 && !math.IsInf((ma-mb)/mb, 0) && !math.IsInf((hi-lo)/mb, 0) {
		pct := func(d float64) *float64 { v := d / math.Abs(mb) * 100; return &v }
		c.Pct, c.CILow, c.CIHigh = pct(ma-mb), pct(lo), pct(hi)
	}
	return c, nil
}

// blockMean is the mean of one moving-block resample of v: blocks of ∛n
// consecutive values from random starts, until n values are drawn.
func blockMean(rng *rand.Rand, v []float64) float64 {
	n := len(v)
	l := max(1, int(math.Round(math.Cbrt(float64(n)))))
	sum, got := 0.0, 0
	for got < n {
		start := rng.IntN(n - l + 1)
		for j := start; j < start+l && got < n; j++ {
			sum += v[j]
			got++
		}
	}
	return sum / float64(n)
}

// Sentence says a change in one line: "cpu mean fell 14.0 % (95 % CI
// 12.1–16.2 %): the change is real".
func (c Change) Sentence(metric string) string {
	if c.Pct == nil {
		verdict := "noise"
		if c.Significant {
			verdict = "real"
		}
		return fmt.Sprintf("%s mean went from %.1f to %.1f: the change is %s", Clean(metric), c.Before.Mean, c.After.Mean, verdict)
	}
	dir := "rose"
	if *c.Pct < 0 {
		dir = "fell"
	}
	lo, hi := *c.CILow, *c.CIHigh
	if *c.Pct < 0 {
		lo, hi = -hi, -lo
	}
	s := fmt.Sprintf("%s mean %s %.1f %% (95 %% CI %.1f to %.1f %%)", Clean(metric), dir, math.Abs(*c.Pct), lo, hi)
	if c.Significant {
		return s + ": the change is real"
	}
	return s + ": within the noise"
}

// PerRequest divides a CPU % series by a requests/s series at the same
// times: CPU-seconds per request = cpu% / 100 × cores / rps. Points where
// either is missing or rps is 0 are left out.
func PerRequest(cpu, rps Series, cores float64) Series {
	out := Series{Metric: "cpu_s_per_request"}
	byTime := make(map[int64]float64, len(rps.Points))
	for _, p := range rps.Points {
		byTime[p.T.UnixNano()] = p.V
	}
	for _, p := range cpu.Points {
		r, ok := byTime[p.T.UnixNano()]
		if !ok || r <= 0 {
			continue
		}
		out.Points = append(out.Points, Point{p.T, p.V / 100 * cores / r})
	}
	return out
}
