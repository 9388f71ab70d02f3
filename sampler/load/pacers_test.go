package load

import (
	"math"
	"testing"
	"time"
)

// simulate drives a pacer the way vegeta's attack loop does, on a fake
// clock: it counts the hits sent in each second of d.
func simulate(t *testing.T, p interface {
	Pace(time.Duration, uint64) (time.Duration, bool)
}, d time.Duration) []int {
	t.Helper()
	perSec := make([]int, int(d/time.Second))
	var now time.Duration
	var hits uint64
	for i := 0; i < 1_000_000; i++ {
		if now >= d {
			return perSec
		}
		wait, stop := p.Pace(now, hits)
		if stop {
			return perSec
		}
		now += wait
		if now >= d {
			return perSec
		}
		perSec[int(now/time.Second)]++
		hits++
	}
	t.Fatal("pacer never finished")
	return nil
}

func TestStepsHoldEachRate(t *testing.T) {
	got := simulate(t, Steps([]float64{10, 20, 40}, 6*time.Second), 6*time.Second)
	want := []int{10, 10, 20, 20, 40, 40}
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1 {
			t.Fatalf("hits per second %v, want about %v", got, want)
		}
	}
	if r := Steps([]float64{10, 20}, 4*time.Second).Rate(3 * time.Second); r != 20 {
		t.Errorf("Rate at 3 s = %v, want 20", r)
	}
}

// A closed loop is held to the cap every run promises, however fast the
// server answers: the pacer lets no more than MaxRate through a second.
func TestUsersAreHeldToTheRateCap(t *testing.T) {
	got := simulate(t, Pattern{Kind: "users", Users: 3}.Pacer(3*time.Second), 3*time.Second)
	for _, n := range got {
		if math.Abs(float64(n)-MaxRate) > 1 {
			t.Fatalf("hits per second %v, want at most about %v", got, MaxRate)
		}
	}
}

func TestSpikeRisesAndFalls(t *testing.T) {
	got := simulate(t, Spike(5, 50, 10*time.Second), 10*time.Second)
	want := []int{5, 5, 5, 5, 50, 50, 5, 5, 5, 5}
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1 {
			t.Fatalf("hits per second %v, want about %v", got, want)
		}
	}
}

func TestRampIsLinear(t *testing.T) {
	got := simulate(t, Ramp(10, 110, 10*time.Second), 10*time.Second)
	// second i averages the rate at i+0.5 s: 10 + 10×(i+0.5).
	for i, n := range got {
		want := 15 + 10*float64(i)
		if math.Abs(float64(n)-want) > 2 {
			t.Fatalf("second %d: %d hits, want about %v (all: %v)", i, n, want, got)
		}
	}
}

func TestPiecewiseStopsAtTheEnd(t *testing.T) {
	if _, stop := Steps([]float64{10}, time.Second).Pace(time.Second, 10); !stop {
		t.Error("a pacer past its last segment must stop the attack")
	}
}

func TestPatternString(t *testing.T) {
	for _, c := range []struct {
		p    Pattern
		want string
	}{
		{Pattern{Kind: "ramp", Rates: []float64{10, 200}}, "ramp 10..200/s"},
		{Pattern{Kind: "steps", Rates: []float64{10, 20}}, "steps 10,20/s"},
		{Pattern{Kind: "users", Users: 30}, "users 30"},
		{Pattern{Kind: "rate", Rates: []float64{5}}, "rate 5/s"},
		{Pattern{}, "no pattern"},
		{Pattern{Kind: "rate"}, "rate []/s"},
		{Pattern{Kind: "spike", Rates: []float64{5}}, "spike [5]/s"},
	} {
		if got := c.p.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.p, got, c.want)
		}
	}
}
