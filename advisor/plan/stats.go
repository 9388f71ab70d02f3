package plan

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// Month is the length of a month in trends: a twelfth of a Julian year.
const Month = time.Duration(365.25 / 12 * 24 * float64(time.Hour))

// Mean is the arithmetic mean (0 for no values).
func Mean(v []float64) float64 { return sampler.StatsOf(v).Mean }

// Percentile is the nearest-rank percentile p (0–100) of v, as the advisor
// computes it (0 for no values). v is not modified.
func Percentile(v []float64, p float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return sampler.Percentile(s, p)
}

// Max is the largest value (0 for no values).
func Max(v []float64) float64 { return sampler.StatsOf(v).Max }

// TQuantile is the p quantile (0 < p < 1) of Student's t distribution with
// df degrees of freedom, found by bisection on its CDF. Written here rather
// than taken from gonum's distuv.StudentsT, which gives the same figures
// but made the static binary 2 MB larger (29.4 → 31.4 MB) for this one
// function.
func TQuantile(p float64, df int) float64 {
	if df < 1 || p <= 0 || p >= 1 {
		return math.NaN()
	}
	if p < 0.5 {
		return -TQuantile(1-p, df)
	}
	lo, hi := 0.0, 1.0
	for tCDF(hi, df) < p {
		hi *= 2
		if hi > 1e12 {
			return math.Inf(1)
		}
	}
	for i := 0; i < 200 && hi-lo > 1e-12*math.Max(1, hi); i++ {
		mid := (lo + hi) / 2
		if tCDF(mid, df) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// tCDF is P(T ≤ t) for Student's t with df degrees of freedom.
func tCDF(t float64, df int) float64 {
	nu := float64(df)
	tail := 0.5 * regIncBeta(nu/2, 0.5, nu/(nu+t*t))
	if t >= 0 {
		return 1 - tail
	}
	return tail
}

// regIncBeta is the regularised incomplete beta function I_x(a, b), by its
// continued fraction (Numerical Recipes §6.4).
func regIncBeta(a, b, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log(1-x))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(a, b, x) / a
	}
	return 1 - front*betaCF(b, a, 1-x)/b
}

func betaCF(a, b, x float64) float64 {
	const tiny = 1e-300
	qab, qap, qam := a+b, a+1, a-1
	c, d := 1.0, 1-qab*x/qap
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= 300; m++ {
		fm := float64(m)
		aa := fm * (b - fm) * x / ((qam + 2*fm) * (a + 2*fm))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		h *= d * c
		aa = -(a + fm) * (qab + fm) * x / ((a + 2*fm) * (qap + 2*fm))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 3e-16 {
			break
		}
	}
	return h
}

// Trend is a least-squares line through a series, in points per month.
type Trend struct {
	Metric string
	N      int       // points fitted
	From   time.Time // first point
	To     time.Time // last point, where Now is fitted
	// Now is the fitted value at the last point.
	Now float64
	// Slope is the change per Month; SlopeLow and SlopeHigh bound its 95 %
	// confidence interval (Student's t with N−2 degrees of freedom).
	Slope, SlopeLow, SlopeHigh float64
}

// Significant reports whether the 95 % interval of the slope excludes zero.
func (t Trend) Significant() bool { return t.SlopeLow > 0 || t.SlopeHigh < 0 }

// Need says how much data a trend needs; the zero value needs nothing more
// than the arithmetic does (3 points at 2 different times).
type Need struct {
	Points int           // at least this many points
	Span   time.Duration // from the first to the last point, at least this long
}

// DefaultNeed is what plan asks before it calls anything a trend: a week of
// data (the framework compares weeks) and enough points for the t interval.
var DefaultNeed = Need{Points: 10, Span: 7 * 24 * time.Hour}

// ErrTooLittle is wrapped by Fit's error when the series is too short.
var ErrTooLittle = errors.New("too little data for a trend")

// Fit fits value = a + b·t by least squares (t in months) and gives the
// slope's 95 % interval. It refuses a series shorter than need, saying how
// much is there and how much is needed.
func Fit(s Series, need Need) (Trend, error) {
	n := len(s.Points)
	minPts := max(need.Points, 3)
	var span time.Duration
	if n > 0 {
		span = s.Points[n-1].T.Sub(s.Points[0].T)
	}
	if n < minPts || span < need.Span || span <= 0 {
		want := fmt.Sprintf("at least %d points", minPts)
		if need.Span > 0 {
			want += " over " + humanDuration(need.Span)
		}
		return Trend{}, fmt.Errorf("%s: %w: %d points over %s; a trend needs %s", s.Metric, ErrTooLittle, n, humanDuration(span), want)
	}
	t0 := s.Points[0].T
	xs := make([]float64, n)
	var sx, sy float64
	for i, p := range s.Points {
		xs[i] = float64(p.T.Sub(t0)) / float64(Month)
		sx += xs[i]
		sy += p.V
	}
	xbar, ybar := sx/float64(n), sy/float64(n)
	var sxx, sxy float64
	for i, p := range s.Points {
		dx := xs[i] - xbar
		sxx += dx * dx
		sxy += dx * (p.V - ybar)
	}
	b := sxy / sxx
	a := ybar - b*xbar
	var ssr float64
	for i, p := range s.Points {
		r := p.V - (a + b*xs[i])
		ssr += r * r
	}
	se := math.Sqrt(ssr / float64(n-2) / sxx)
	half := TQuantile(0.975, n-2) * se
	return Trend{Metric: s.Metric, N: n, From: t0, To: s.Points[n-1].T,
		Now: a + b*xs[n-1], Slope: b, SlopeLow: b - half, SlopeHigh: b + half}, nil
}

// MonthsTo is how many months from the trend's last point until its line
// reaches level: 0 when it is already there, nil when the trend is not
// significant, heads away from the level, or gets there only after horizon
// months.
func (t Trend) MonthsTo(level, horizon float64) *float64 {
	if !t.Significant() {
		return nil
	}
	if t.Now >= level {
		zero := 0.0
		return &zero
	}
	if t.Slope <= 0 {
		return nil
	}
	m := (level - t.Now) / t.Slope
	if m > horizon {
		return nil
	}
	return &m
}

// humanDuration prints a span the way a capacity ticket says it.
func humanDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%.1f days", d.Hours()/24)
	case d >= 2*time.Hour:
		return fmt.Sprintf("%.1f hours", d.Hours())
	case d >= 2*time.Minute:
		return fmt.Sprintf("%.0f minutes", d.Minutes())
	}
	return fmt.Sprintf("%.0f seconds", d.Seconds())
}
