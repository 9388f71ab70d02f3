package accesslog

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

func TestHistogramQuantileError(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var acc histAccumulator
	var vals []float64
	for range 5000 {
		ms := math.Exp(rng.NormFloat64()*2 + 3) // log-normal, about 0.05 ms .. 20 s
		vals = append(vals, ms)
		acc.add(ms)
	}
	h := acc.take()
	sort.Float64s(vals)
	for _, q := range []float64{0.01, 0.5, 0.9, 0.95, 0.99, 1} {
		want := vals[nearestRank(q, len(vals))-1]
		got, ok := h.Quantile(q)
		if !ok || math.Abs(got-want)/want > 0.005 {
			t.Errorf("q%v = %v, want %v within 0.5%%", q, got, want)
		}
	}
	if h.Count() != 5000 {
		t.Errorf("count %d, want 5000", h.Count())
	}
	if again := acc.take(); again.Count() != 0 {
		t.Errorf("take did not reset: %d left", again.Count())
	}
}

func TestHistogramZerosAndExtremes(t *testing.T) {
	var acc histAccumulator
	for _, ms := range []float64{0, 0, 0.0001, math.NaN(), 1e12} {
		acc.add(ms)
	}
	h := acc.take()
	if h.Zero != 4 {
		t.Errorf("zero bucket %d, want 4 (0, 0, under 1 µs, NaN)", h.Zero)
	}
	if v, _ := h.Quantile(0.5); v != 0 {
		t.Errorf("median %v, want 0", v)
	}
	if v, _ := h.Quantile(1); v < 1e7 {
		t.Errorf("max %v, want the last bucket (≥ 1e7 ms)", v)
	}
	if _, ok := (Histogram{}).Quantile(0.5); ok {
		t.Error("an empty histogram gave a quantile")
	}
}

func TestMergeHistograms(t *testing.T) {
	var a, b, both histAccumulator
	for i := 1; i <= 300; i++ {
		ms := float64(i) / 3
		both.add(ms)
		if i%2 == 0 {
			a.add(ms)
		} else {
			b.add(ms)
		}
	}
	a.add(0)
	both.add(0)
	merged := MergeHistograms(a.take(), b.take())
	whole := both.take()
	if merged.Zero != whole.Zero || len(merged.Buckets) != len(whole.Buckets) {
		t.Fatalf("merged %d zero %d buckets, whole %d zero %d buckets", merged.Zero, len(merged.Buckets), whole.Zero, len(whole.Buckets))
	}
	for i := range whole.Buckets {
		if merged.Buckets[i] != whole.Buckets[i] {
			t.Errorf("bucket %d: merged %+v, whole %+v", i, merged.Buckets[i], whole.Buckets[i])
		}
	}
}
