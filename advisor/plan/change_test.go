package plan

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func noisy(seed uint64, n int, mean, sd float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, seed))
	v := make([]float64, n)
	for i := range v {
		v[i] = mean + sd*rng.NormFloat64()
	}
	return v
}

func TestCompareShiftIsReal(t *testing.T) {
	c, err := DefaultBootstrap.Compare(noisy(1, 300, 40, 5), noisy(2, 300, 34.4, 5))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Significant || c.Pct == nil || math.Abs(*c.Pct+14) > 2 {
		t.Fatalf("40 → 34.4: %+v pct %v, want ≈ −14 %% and significant", c, c.Pct)
	}
	if !(*c.CILow < *c.Pct && *c.Pct < *c.CIHigh && *c.CIHigh < 0) {
		t.Errorf("interval [%.1f, %.1f] should hold %.1f and lie below 0", *c.CILow, *c.CIHigh, *c.Pct)
	}
	s := c.Sentence("cpu")
	if !strings.HasPrefix(s, "cpu mean fell 1") || !strings.HasSuffix(s, "the change is real") {
		t.Errorf("sentence = %q", s)
	}
}

func TestCompareNoChangeIsNoise(t *testing.T) {
	c, err := DefaultBootstrap.Compare(noisy(3, 300, 40, 5), noisy(4, 300, 40, 5))
	if err != nil {
		t.Fatal(err)
	}
	if c.Significant || !(*c.CILow < 0 && *c.CIHigh > 0) {
		t.Errorf("same distribution judged a change: %.1f %% [%.1f, %.1f]", *c.Pct, *c.CILow, *c.CIHigh)
	}
	if !strings.HasSuffix(c.Sentence("memory"), "within the noise") {
		t.Errorf("sentence = %q", c.Sentence("memory"))
	}
}

func TestCompareReproducible(t *testing.T) {
	a, b := noisy(5, 200, 10, 3), noisy(6, 200, 11, 3)
	c1, _ := DefaultBootstrap.Compare(a, b)
	c2, _ := DefaultBootstrap.Compare(a, b)
	if *c1.CILow != *c2.CILow || *c1.CIHigh != *c2.CIHigh {
		t.Error("the same seed gave different intervals")
	}
	c3, _ := Bootstrap{Resamples: 2000, Seed: 99}.Compare(a, b)
	if *c1.CILow == *c3.CILow {
		t.Error("a different seed gave the identical interval: the seed is not used")
	}
}

// A slow wander (autocorrelated) shifted by nothing must not pass for a
// change just because it has many samples: that is what the blocks are for.
func TestCompareAutocorrelatedBlocks(t *testing.T) {
	walk := func(seed uint64) []float64 {
		rng := rand.New(rand.NewPCG(seed, 1))
		v, x := make([]float64, 2000), 0.0
		for i := range v {
			x = 0.98*x + rng.NormFloat64()
			v[i] = 50 + x
		}
		return v
	}
	before, after := walk(10), walk(11)
	blocky, _ := DefaultBootstrap.Compare(before, after)
	if !(blocky.CIHigh != nil && *blocky.CIHigh-*blocky.CILow > 0) {
		t.Fatal("no interval")
	}
	// An iid bootstrap would give an interval about √(1+ρ)/(1−ρ) narrower; the
	// block one must be clearly wider than the iid standard error.
	iidHalf := 1.96 * math.Sqrt(variance(before)/2000+variance(after)/2000) / 50 * 100
	if half := (*blocky.CIHigh - *blocky.CILow) / 2; half < 2*iidHalf {
		t.Errorf("block interval half-width %.2f %% is not wider than twice the iid one (%.2f %%)", half, iidHalf)
	}
}

func variance(v []float64) float64 {
	m, s := Mean(v), 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return s / float64(len(v)-1)
}

func TestCompareBadInput(t *testing.T) {
	if _, err := DefaultBootstrap.Compare([]float64{1}, []float64{1, 2}); err == nil {
		t.Error("one value before: no error")
	}
	c, err := DefaultBootstrap.Compare([]float64{0, 0, 0}, []float64{1, 2, 3})
	if err != nil || c.Pct != nil || !strings.Contains(c.Sentence("swap"), "from 0.0 to 2.0") {
		t.Errorf("from zero: %+v, %v, %q", c, err, c.Sentence("swap"))
	}
}

func TestPerRequest(t *testing.T) {
	t0 := time.Unix(1000, 0)
	cpu := Series{Metric: "cpu", Points: []Point{{t0, 50}, {t0.Add(time.Second), 80}, {t0.Add(2 * time.Second), 10}}}
	rps := Series{Metric: "rps", Points: []Point{{t0, 100}, {t0.Add(time.Second), 0}, {t0.Add(2 * time.Second), 20}}}
	got := PerRequest(cpu, rps, 4)
	// 50 % of 4 cores = 2 CPU-s/s over 100 req/s = 0.02; the 0 req/s point is left out.
	if len(got.Points) != 2 || got.Points[0].V != 0.02 || got.Points[1].V != 0.02 {
		t.Errorf("PerRequest = %+v, want two points of 0.02 CPU-s per request", got.Points)
	}
}
