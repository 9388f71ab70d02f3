package plan

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Growth compounds a monthly growth rate g (0.05 = 5 % a month) over months:
// (1 + g)^months. The monitoring guide writes (1 + G)^(months/12) with G a
// yearly rate; the two agree when G = (1 + g)^12 − 1 (see YearlyRate).
func Growth(g, months float64) float64 { return math.Pow(1+g, months) }

// YearlyRate is the yearly growth rate a monthly rate g compounds to.
func YearlyRate(g float64) float64 { return math.Pow(1+g, 12) - 1 }

// GrowthFromTrend is the monthly growth rate that, compounded over horizon
// months, lands where the trend's straight line does: ((now + slope ×
// horizon) / now)^(1/horizon) − 1. (The slope as a share of now, compounded,
// would overshoot a linear trend badly.) ok is false when the trend is not
// significant, its value now is not positive, or the line reaches zero.
func GrowthFromTrend(t Trend, horizon float64) (g float64, ok bool) {
	if !t.Significant() || t.Now <= 0 || !(horizon > 0) {
		return 0, false
	}
	then := t.Now + t.Slope*horizon
	if then <= 0 {
		return 0, false
	}
	return math.Pow(then/t.Now, 1/horizon) - 1, true
}

// Requirement is how much of a resource the machine needs at the horizon.
type Requirement struct {
	Resource  string  `json:"resource"` // cpu or memory
	Unit      string  `json:"unit"`     // cores or GiB
	Current   float64 `json:"current"`  // in use now
	Projected float64 `json:"projected"`
	Required  float64 `json:"required"` // projected / target, rounded up
	Have      float64 `json:"have"`     // the machine's size now; 0 when unknown
}

// Require applies the guide's arithmetic: required = current × growth over
// months / target utilisation, rounded up to whole units.
func Require(resource, unit string, current, have, g, months, target float64) (Requirement, error) {
	if err := checkGrowth(g, months, target); err != nil {
		return Requirement{}, err
	}
	if current < 0 || math.IsNaN(current) || math.IsInf(current, 0) {
		return Requirement{}, fmt.Errorf("current %s use %v is not a usable number", resource, current)
	}
	p := current * Growth(g, months)
	if math.IsInf(p/target, 0) || p/target > 1e12 {
		return Requirement{}, fmt.Errorf("%s: growth of %.4g %% a month over %v months is too large to project", resource, g*100, months)
	}
	return Requirement{Resource: resource, Unit: unit, Current: current, Projected: p, Required: math.Ceil(p/target - 1e-9), Have: have}, nil
}

func checkGrowth(g, months, target float64) error {
	switch {
	case math.IsNaN(g) || g <= -1 || math.IsInf(g, 0):
		return fmt.Errorf("growth %v is not a rate above -100 %%", g*100)
	case math.IsNaN(months) || months < 0 || math.IsInf(months, 0):
		return fmt.Errorf("horizon %v months is not a number of months", months)
	case math.IsNaN(target) || target <= 0 || target > 1:
		return fmt.Errorf("target utilisation %v %% must be above 0 and at most 100", target*100)
	}
	return nil
}

// maxRPS bounds the request rates a plan takes.
const maxRPS = 1e9

// Instances is the guide's instance count for a target request rate:
// max(ceil(instances × target/now) + 1, 2): one spare, and never fewer than two.
func Instances(instances int, rpsNow, rpsTarget float64) (int, error) {
	switch {
	case instances < 1:
		return 0, fmt.Errorf("instances %d: there must be at least one running now", instances)
	case !(rpsNow > 0) || math.IsInf(rpsNow, 0):
		return 0, fmt.Errorf("requests/s now %v must be above 0", rpsNow)
	case !(rpsTarget > 0) || math.IsInf(rpsTarget, 0):
		return 0, fmt.Errorf("requests/s target %v must be above 0", rpsTarget)
	case rpsNow > maxRPS || rpsTarget > maxRPS:
		// A figure no site serves: a typo, and printed whole it fills a screen.
		return 0, fmt.Errorf("requests/s %g now, %g target: at most %g; check the numbers", rpsNow, rpsTarget, float64(maxRPS))
	}
	ratio := float64(instances) * rpsTarget / rpsNow
	if ratio > 1e6 {
		return 0, fmt.Errorf("requests/s target %v over now %v needs more than a million instances; check the numbers", rpsTarget, rpsNow)
	}
	need := int(math.Ceil(ratio - 1e-9))
	return max(need+1, 2), nil
}

// Scenario is one row of the cost-benefit table.
type Scenario struct {
	Name             string  `json:"name"` // current, optimize, scale
	Initial          float64 `json:"initial"`
	Monthly          float64 `json:"monthly"`
	Year             float64 `json:"year_total"`
	RelativeCapacity float64 `json:"relative_capacity"`
}

// CostBenefit is the framework's optimize-or-scale calculator.
type CostBenefit struct {
	// EffectiveGainPct is the capacity gained by needing (1 − gain) of the
	// resources: 1/(1 − gain) − 1, in %.
	EffectiveGainPct float64 `json:"effective_gain_pct"`
	// BreakEvenMonths is optimize cost / (next − now): after that many months
	// the optimisation has paid for itself against scaling. Nil when the
	// bigger machine is not dearer.
	BreakEvenMonths *float64   `json:"break_even_months"`
	Scenarios       []Scenario `json:"scenarios"`
}

// Costs computes the framework's cost-benefit table: costNow and costNext
// are monthly, optimizeCost is one-off, gain is the expected share (0–1) of
// resources the optimisation saves.
func Costs(costNow, costNext, optimizeCost, gain float64) (CostBenefit, error) {
	for _, c := range []struct {
		name string
		v    float64
	}{{"--cost-now", costNow}, {"--cost-next", costNext}, {"--optimize-cost", optimizeCost}} {
		if math.IsNaN(c.v) || c.v < 0 || c.v > 1e12 {
			return CostBenefit{}, fmt.Errorf("%s %v must be a cost of 0 or more (and below 10^12)", c.name, c.v)
		}
	}
	if costNow == 0 {
		return CostBenefit{}, errors.New("--cost-now must be above 0 (the relative capacity divides by it)")
	}
	if math.IsNaN(gain) || gain < 0 || gain >= 1 {
		return CostBenefit{}, fmt.Errorf("--gain %v %% must be at least 0 and below 100", gain*100)
	}
	eg := 1/(1-gain) - 1
	cb := CostBenefit{EffectiveGainPct: eg * 100, Scenarios: []Scenario{
		{"current", 0, costNow, costNow * 12, 1},
		{"optimize", optimizeCost, costNow, costNow*12 + optimizeCost, 1 + eg},
		{"scale", 0, costNext, costNext * 12, costNext / costNow},
	}}
	if costNext > costNow {
		m := optimizeCost / (costNext - costNow)
		cb.BreakEvenMonths = &m
	}
	return cb, nil
}

// Week is the framework's unit for the response-time rule.
const Week = 7 * 24 * time.Hour

// ResponseTime is the framework's response-time rule applied to a latency
// series: the last week's mean against the first week's.
type ResponseTime struct {
	FirstWeekMS float64 `json:"first_week_ms"`
	LastWeekMS  float64 `json:"last_week_ms"`
	ChangePct   float64 `json:"change_pct"`
	SLAMS       float64 `json:"sla_ms"`
	// Level is SCALE over +50 % with the last week over the SLA, OPTIMIZE
	// over +30 %, else MONITOR.
	Level string `json:"level"`
}

// ResponseTimeRule applies the rule to latency (ms); it needs two weeks that
// do not overlap.
func ResponseTimeRule(latency Series, slaMS float64) (ResponseTime, error) {
	n := len(latency.Points)
	if n < 2 || latency.Points[n-1].T.Sub(latency.Points[0].T) < 2*Week {
		span := time.Duration(0)
		if n > 0 {
			span = latency.Points[n-1].T.Sub(latency.Points[0].T)
		}
		return ResponseTime{}, fmt.Errorf("latency: %w: %s of it; the response-time rule compares the first and the last week, so it needs 14 days", ErrTooLittle, humanDuration(span))
	}
	first, last := latency.Points[0].T.Add(Week), latency.Points[n-1].T.Add(-Week)
	var a, b []float64
	for _, p := range latency.Points {
		if p.T.Before(first) {
			a = append(a, p.V)
		}
		if p.T.After(last) {
			b = append(b, p.V)
		}
	}
	r := ResponseTime{FirstWeekMS: Mean(a), LastWeekMS: Mean(b), SLAMS: slaMS, Level: "MONITOR"}
	if r.FirstWeekMS <= 0 {
		return ResponseTime{}, errors.New("latency: the first week's mean is 0 ms; no change can be measured against it")
	}
	r.ChangePct = (r.LastWeekMS - r.FirstWeekMS) / r.FirstWeekMS * 100
	switch {
	case r.ChangePct > 50 && r.LastWeekMS > slaMS:
		r.Level = "SCALE"
	case r.ChangePct > 30:
		r.Level = "OPTIMIZE"
	}
	return r, nil
}
