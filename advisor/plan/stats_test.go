package plan

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// Quantiles from the t table.
func TestTQuantile(t *testing.T) {
	tests := []struct {
		p    float64
		df   int
		want float64
	}{
		{0.975, 1, 12.706},
		{0.975, 2, 4.303},
		{0.975, 10, 2.228},
		{0.975, 30, 2.042},
		{0.975, 1000, 1.962},
		{0.95, 5, 2.015},
		{0.025, 10, -2.228},
	}
	for _, tt := range tests {
		if got := TQuantile(tt.p, tt.df); math.Abs(got-tt.want) > 0.001 {
			t.Errorf("TQuantile(%v, %d) = %.4f, want %.3f", tt.p, tt.df, got, tt.want)
		}
	}
	if !math.IsNaN(TQuantile(0.975, 0)) {
		t.Error("TQuantile with 0 degrees of freedom should be NaN")
	}
}

// hourly builds a series of one point an hour over days, value f(hours, i).
func hourly(metric string, days int, f func(h float64, i int) float64) Series {
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	s := Series{Metric: metric}
	for i := 0; i < days*24; i++ {
		s.Points = append(s.Points, Point{t0.Add(time.Duration(i) * time.Hour), f(float64(i), i)})
	}
	return s
}

func TestFitRecoversLinearTrend(t *testing.T) {
	perHour := 10.0 / (float64(Month) / float64(time.Hour)) // 10 points a month
	rng := rand.New(rand.NewPCG(7, 7))
	s := hourly("cpu", 30, func(h float64, _ int) float64 { return 40 + perHour*h + rng.NormFloat64() })
	tr, err := Fit(s, DefaultNeed)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(tr.Slope-10) > 0.3 || !tr.Significant() {
		t.Errorf("slope = %.3f [%.3f, %.3f], want ≈10 and significant", tr.Slope, tr.SlopeLow, tr.SlopeHigh)
	}
	if tr.SlopeLow > 10 || tr.SlopeHigh < 10 {
		t.Errorf("95 %% interval [%.3f, %.3f] misses the true slope 10", tr.SlopeLow, tr.SlopeHigh)
	}
	wantNow := 40 + perHour*float64(len(s.Points)-1)
	if math.Abs(tr.Now-wantNow) > 0.5 {
		t.Errorf("now = %.2f, want ≈%.2f", tr.Now, wantNow)
	}
	// ≈49.9 now, 10 a month: optimize (70) in ≈2 months, scale (85) in ≈3.5.
	opt, scale := tr.MonthsTo(70, 24), tr.MonthsTo(85, 24)
	if opt == nil || math.Abs(*opt-(70-tr.Now)/tr.Slope) > 1e-9 || math.Abs(*opt-2.0) > 0.15 {
		t.Errorf("months to 70 = %v, want ≈2", opt)
	}
	if scale == nil || math.Abs(*scale-3.5) > 0.2 {
		t.Errorf("months to 85 = %v, want ≈3.5", scale)
	}
	if tr.MonthsTo(85, 3) != nil {
		t.Error("a crossing beyond the horizon should be nil")
	}
	if m := tr.MonthsTo(40, 24); m == nil || *m != 0 {
		t.Errorf("a line already crossed: %v, want 0", m)
	}
}

func TestFitFlatNoiseNotSignificant(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 11))
	s := hourly("memory", 30, func(float64, int) float64 { return 50 + 5*rng.NormFloat64() })
	tr, err := Fit(s, DefaultNeed)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Significant() {
		t.Errorf("flat noise judged a trend: slope %.3f [%.3f, %.3f]", tr.Slope, tr.SlopeLow, tr.SlopeHigh)
	}
	if tr.MonthsTo(70, 24) != nil || tr.MonthsTo(85, 24) != nil {
		t.Error("months to a line should be nil for a trend that is not significant")
	}
}

func TestFitFalling(t *testing.T) {
	s := hourly("disk:/", 10, func(h float64, i int) float64 { return 80 - h/100 + float64(i%3)/10 })
	tr, err := Fit(s, DefaultNeed)
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Significant() || tr.Slope >= 0 || tr.MonthsTo(90, 24) != nil {
		t.Errorf("falling series: slope %.2f, significant %v, months to 90 %v; want negative, significant, nil", tr.Slope, tr.Significant(), tr.MonthsTo(90, 24))
	}
}

func TestFitTooLittle(t *testing.T) {
	s := hourly("cpu", 2, func(h float64, _ int) float64 { return h })
	_, err := Fit(s, DefaultNeed)
	if !errors.Is(err, ErrTooLittle) || !strings.Contains(err.Error(), "over 7.0 days") || !strings.Contains(err.Error(), "48 points over 47.0 hours") {
		t.Errorf("2 days: err = %v; want it to say what is there and that 7 days are needed", err)
	}
	if _, err := Fit(Series{Metric: "cpu"}, Need{}); !errors.Is(err, ErrTooLittle) {
		t.Errorf("no points: err = %v", err)
	}
	same := Series{Metric: "cpu", Points: []Point{{time.Unix(0, 0), 1}, {time.Unix(0, 0), 2}, {time.Unix(0, 0), 3}}}
	if _, err := Fit(same, Need{}); err == nil {
		t.Error("points all at one time: no error")
	}
}

func TestGaps(t *testing.T) {
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	var ts []time.Time
	for i := 0; i < 10; i++ {
		ts = append(ts, t0.Add(time.Duration(i)*time.Minute))
	}
	ts = append(ts, t0.Add(20*time.Minute), t0.Add(21*time.Minute), t0.Add(24*time.Minute))
	g := Gaps(ts, 0)
	if len(g) != 1 || !g[0].From.Equal(t0.Add(9*time.Minute)) || g[0].Seconds != 660 {
		t.Errorf("gaps = %+v, want one of 11 minutes after 00:09 (the 3-minute step is not a gap)", g)
	}
	if g := Gaps(ts, 5*time.Minute); len(g) != 0 {
		t.Errorf("with a declared 5 min interval: gaps = %+v, want none", g)
	}
}

func TestSparkline(t *testing.T) {
	if got := Sparkline([]float64{0, 50, 100}, 10, 0, 100); got != "▁▅█" {
		t.Errorf("Sparkline = %q", got)
	}
	if got := Sparkline([]float64{0, 0, 100, 100}, 2, 0, 100); got != "▁█" {
		t.Errorf("Sparkline bucketed = %q", got)
	}
	if got := Sparkline(nil, 5, 0, 1); got != "" {
		t.Errorf("empty Sparkline = %q", got)
	}
}

func TestClean(t *testing.T) {
	if got := Clean("a\x1b[31mb\n"); got != "a\uFFFD[31mb\uFFFD" {
		t.Errorf("Clean = %q", got)
	}
}
