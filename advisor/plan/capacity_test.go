package plan

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// The framework's own example: $10 now, $20 next, $100 of work, 30 % gain.
func TestCostsFrameworkExample(t *testing.T) {
	cb, err := Costs(10, 20, 100, 0.30)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%.1f %%", cb.EffectiveGainPct); got != "42.9 %" {
		t.Errorf("effective gain = %s, want 42.9 %%", got)
	}
	if cb.BreakEvenMonths == nil || fmt.Sprintf("%.1f", *cb.BreakEvenMonths) != "10.0" {
		t.Errorf("break-even = %v, want 10.0 months", cb.BreakEvenMonths)
	}
	var years []string
	for _, s := range cb.Scenarios {
		years = append(years, fmt.Sprintf("%s %.0f", s.Name, s.Year))
	}
	if got := strings.Join(years, " / "); got != "current 120 / optimize 220 / scale 240" {
		t.Errorf("1-year totals = %s", got)
	}
	if rc := cb.Scenarios[2].RelativeCapacity; rc != 2 {
		t.Errorf("scale relative capacity = %v, want 2", rc)
	}
}

func TestCostsEdges(t *testing.T) {
	cb, err := Costs(20, 20, 100, 0.2)
	if err != nil || cb.BreakEvenMonths != nil {
		t.Errorf("same price: break-even %v, err %v; want none", cb.BreakEvenMonths, err)
	}
	for _, c := range [][4]float64{{0, 20, 100, 0.3}, {10, -1, 100, 0.3}, {10, 20, math.NaN(), 0.3}, {10, 20, 100, 1}, {10, 20, 100, -0.1}, {math.Inf(1), 20, 100, 0.3}} {
		if _, err := Costs(c[0], c[1], c[2], c[3]); err == nil {
			t.Errorf("Costs%v: no error", c)
		}
	}
}

func TestRequire(t *testing.T) {
	tests := []struct {
		current, g, months, target, want float64
	}{
		{1.4, 0, 12, 0.7, 2},                // no growth: 1.4 / 0.7 = 2 exactly
		{1.4, 0.05, 12, 0.7, 4},             // 1.4 × 1.05^12 = 2.514 → /0.7 = 3.59
		{10, 0.10, 24, 0.7, 141},            // 10 × 1.1^24 = 98.5 → 140.7
		{6.2, -0.02, 6, 0.8, 7},             // shrinking: 6.2 × 0.886 = 5.49 → 6.87
		{0.5, 0.05, 0, 0.5, 1},              // horizon 0: current / target
		{3, 0.01, 12, 1, 4},                 // 3 × 1.1268 = 3.38
		{24.3, 0.03, 12, 0.7, 50},           // 24.3 × 1.4258 = 34.65 → 49.5
		{100, 0.0, 0, 0.7, 143},             // 142.86
		{2.1, 0.02, 18, 0.7, 5},             // 2.1 × 1.428 = 2.999 → 4.28
		{1, YearlyToMonthly(0.5), 12, 1, 2}, // the guide's yearly 50 % over a year: 1.5 → 2
	}
	for _, tt := range tests {
		r, err := Require("cpu", "cores", tt.current, 0, tt.g, tt.months, tt.target)
		if err != nil {
			t.Fatal(err)
		}
		if r.Required != tt.want {
			t.Errorf("Require(%v, g %v, %v months, target %v) = %v (projected %v), want %v", tt.current, tt.g, tt.months, tt.target, r.Required, r.Projected, tt.want)
		}
	}
	for _, bad := range [][3]float64{{-1, 12, 0.7}, {0.05, -1, 0.7}, {0.05, 12, 0}, {0.05, 12, 1.2}, {1, 1200, 0.7}} {
		if _, err := Require("cpu", "cores", 1, 0, bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("Require(g %v, months %v, target %v): no error", bad[0], bad[1], bad[2])
		}
	}
}

// YearlyToMonthly is the inverse of YearlyRate, for the test above.
func YearlyToMonthly(G float64) float64 { return math.Pow(1+G, 1.0/12) - 1 }

func TestYearlyRate(t *testing.T) {
	if got := YearlyRate(YearlyToMonthly(0.5)); math.Abs(got-0.5) > 1e-12 {
		t.Errorf("YearlyRate round trip = %v, want 0.5", got)
	}
	if got := YearlyRate(0.05); math.Abs(got-0.795856) > 1e-6 {
		t.Errorf("YearlyRate(5 %%) = %v, want 0.7959", got)
	}
}

func TestInstances(t *testing.T) {
	tests := []struct {
		n           int
		now, target float64
		want        int
	}{
		{1, 100, 100, 2}, // same load: 1 + 1
		{1, 100, 50, 2},  // less load: never below 2
		{2, 100, 250, 6}, // ceil(5) + 1
		{3, 120, 200, 6}, // ceil(5) + 1
		{4, 100, 101, 6}, // ceil(4.04) = 5, + 1
	}
	for _, tt := range tests {
		got, err := Instances(tt.n, tt.now, tt.target)
		if err != nil || got != tt.want {
			t.Errorf("Instances(%d, %v, %v) = %d, %v; want %d", tt.n, tt.now, tt.target, got, err, tt.want)
		}
	}
	for _, bad := range []struct {
		n        int
		now, tgt float64
	}{{0, 1, 1}, {1, 0, 1}, {1, 1, -5}, {1, math.NaN(), 1}, {1, 1e-300, 1e300}, {1, 1e308, 1}, {1, 100, 2e9}} {
		if _, err := Instances(bad.n, bad.now, bad.tgt); err == nil {
			t.Errorf("Instances(%d, %v, %v): no error", bad.n, bad.now, bad.tgt)
		}
	}
}

func daily(metric string, start time.Time, vals ...float64) Series {
	s := Series{Metric: metric}
	for i, v := range vals {
		s.Points = append(s.Points, Point{start.Add(time.Duration(i) * 24 * time.Hour), v})
	}
	return s
}

func TestResponseTimeRule(t *testing.T) {
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	days := func(first, last float64) []float64 { // 30 days: a flat first and last fortnight
		v := make([]float64, 30)
		for i := range v {
			v[i] = first
			if i >= 15 {
				v[i] = last
			}
		}
		return v
	}
	tests := []struct {
		first, last float64
		want        string
	}{
		{200, 320, "SCALE"},    // +60 %, over 300 ms
		{100, 160, "OPTIMIZE"}, // +60 % but under the SLA
		{200, 270, "OPTIMIZE"}, // +35 %
		{200, 250, "MONITOR"},  // +25 %
		{300, 200, "MONITOR"},  // faster
	}
	for _, tt := range tests {
		r, err := ResponseTimeRule(daily("latency", t0, days(tt.first, tt.last)...), 300)
		if err != nil {
			t.Fatal(err)
		}
		if r.Level != tt.want || r.FirstWeekMS != tt.first || r.LastWeekMS != tt.last {
			t.Errorf("%v → %v: %+v, want %s", tt.first, tt.last, r, tt.want)
		}
	}
	_, err := ResponseTimeRule(daily("latency", t0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 300)
	if !errors.Is(err, ErrTooLittle) || !strings.Contains(err.Error(), "14 days") {
		t.Errorf("10 days: err = %v, want too little data, needing 14 days", err)
	}
}

func TestGrowthFromTrend(t *testing.T) {
	up := Trend{Now: 50, Slope: 10, SlopeLow: 9, SlopeHigh: 11}
	g, ok := GrowthFromTrend(up, 24)
	// 50 + 10 × 24 = 290: 5.8 times in 24 months.
	if !ok || math.Abs(Growth(g, 24)-5.8) > 1e-9 {
		t.Errorf("GrowthFromTrend(+10/month from 50, 24) = %v, %v; want the rate that gives ×5.8", g, ok)
	}
	if _, ok := GrowthFromTrend(Trend{Now: 50, Slope: 10, SlopeLow: -1, SlopeHigh: 21}, 24); ok {
		t.Error("a trend that is not significant gave a growth rate")
	}
	if _, ok := GrowthFromTrend(Trend{Now: 50, Slope: -5, SlopeLow: -6, SlopeHigh: -4}, 24); ok {
		t.Error("a line that reaches zero within the horizon gave a growth rate")
	}
	if g, ok := GrowthFromTrend(Trend{Now: 50, Slope: -1, SlopeLow: -1.5, SlopeHigh: -0.5}, 10); !ok || g >= 0 {
		t.Errorf("a falling line: %v, %v; want a negative rate", g, ok)
	}
}
