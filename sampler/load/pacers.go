package load

import (
	"fmt"
	"math"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Segment is a stretch of a piecewise-constant rate: Rate requests a
// second until Until (elapsed since the start).
type Segment struct {
	Rate  float64
	Until time.Duration
}

// PiecewisePacer holds a constant rate per segment: the steps and spike
// patterns. vegeta has constant, linear and sine pacers but none that
// holds a rate for a while and then jumps, so this one implements its
// Pacer interface the way its ConstantPacer does: send at once when behind
// the expected hit count, else wait until the next hit is due.
type PiecewisePacer struct {
	Segments []Segment
}

var _ vegeta.Pacer = PiecewisePacer{}

// hits is the number of hits expected after elapsed: the integral of the rate.
func (p PiecewisePacer) hits(elapsed time.Duration) float64 {
	var n float64
	var from time.Duration
	for _, s := range p.Segments {
		if elapsed <= from {
			break
		}
		end := min(elapsed, s.Until)
		n += s.Rate * (end - from).Seconds()
		from = s.Until
	}
	return n
}

// Pace is the wait before the next hit; stop is true past the last segment.
func (p PiecewisePacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if len(p.Segments) == 0 || elapsed >= p.Segments[len(p.Segments)-1].Until {
		return 0, true
	}
	if float64(hits) < p.hits(elapsed) {
		return 0, false // behind: send now
	}
	// Walk forward to the moment the (hits+1)th hit is due.
	need := float64(hits+1) - p.hits(elapsed)
	at := elapsed
	for _, s := range p.Segments {
		if at >= s.Until {
			continue
		}
		if s.Rate > 0 {
			span := s.Until - at
			if can := s.Rate * span.Seconds(); can >= need {
				return at - elapsed + time.Duration(need/s.Rate*float64(time.Second)), false
			} else {
				need -= can
			}
		}
		at = s.Until
	}
	return 0, true
}

// Rate is the rate of the segment elapsed falls in (0 past the end).
func (p PiecewisePacer) Rate(elapsed time.Duration) float64 {
	for _, s := range p.Segments {
		if elapsed < s.Until {
			return s.Rate
		}
	}
	return 0
}

// Steps holds each rate for an equal share of d, in order.
func Steps(rates []float64, d time.Duration) PiecewisePacer {
	var p PiecewisePacer
	for i, r := range rates {
		p.Segments = append(p.Segments, Segment{Rate: r, Until: d * time.Duration(i+1) / time.Duration(len(rates))})
	}
	return p
}

// Spike holds base for the first 40 % of d, peak for the next 20 % and
// base again for the rest: long enough before to see the baseline, long
// enough after to see whether the machine recovers.
func Spike(base, peak float64, d time.Duration) PiecewisePacer {
	return PiecewisePacer{Segments: []Segment{
		{Rate: base, Until: d * 4 / 10},
		{Rate: peak, Until: d * 6 / 10},
		{Rate: base, Until: d},
	}}
}

// Ramp is vegeta's LinearPacer from one rate to another over d. from
// must be at least 1 req/s: vegeta reads a zero start as "no limit".
func Ramp(from, to float64, d time.Duration) vegeta.Pacer {
	return vegeta.LinearPacer{
		StartAt: vegeta.Rate{Freq: int(math.Max(1, math.Round(from))), Per: time.Second},
		Slope:   (to - math.Max(1, math.Round(from))) / d.Seconds(),
	}
}

// Constant is vegeta's ConstantPacer at n requests a second.
func Constant(n float64) vegeta.Pacer {
	return vegeta.Rate{Freq: int(math.Round(n)), Per: time.Second}
}

// Pattern is what a load test does over time, as the user asked for it.
type Pattern struct {
	Kind  string    // "rate", "ramp", "steps", "spike" or "users"
	Rates []float64 // rate: [n]; ramp and spike: [from, to]; steps: each step
	Users int       // users: the closed-loop concurrency
}

// String is the pattern as the flags spell it: "ramp 10..200/s".
func (p Pattern) String() string {
	switch p.Kind {
	case "users":
		return fmt.Sprintf("users %d", p.Users)
	case "":
		return "no pattern" // the zero Pattern, which a failed parse returns
	case "rate":
		if len(p.Rates) == 0 {
			break
		}
		return fmt.Sprintf("rate %g/s", p.Rates[0])
	case "steps":
		s := ""
		for i, r := range p.Rates {
			if i > 0 {
				s += ","
			}
			s += fmt.Sprintf("%g", r)
		}
		return "steps " + s + "/s"
	}
	if len(p.Rates) != 2 {
		return fmt.Sprintf("%s %v/s", p.Kind, p.Rates) // malformed: shown, never a panic
	}
	return fmt.Sprintf("%s %g..%g/s", p.Kind, p.Rates[0], p.Rates[1])
}

// Peak is the highest rate the pattern asks for (0 for users).
func (p Pattern) Peak() float64 {
	m := 0.0
	for _, r := range p.Rates {
		m = math.Max(m, r)
	}
	return m
}

// Pacer is the vegeta pacer of the pattern over d. For users it is the
// MaxRate cap: with the worker count fixed at Users, vegeta holds a tick
// until a worker is free, so that is a closed loop, each worker sending its
// next request when the last one is answered, never faster in all than the
// cap. (Rate 0, "as fast as the workers go", took 3 users past 2,000 req/s
// against a fast server: over the cap every run promises.)
func (p Pattern) Pacer(d time.Duration) vegeta.Pacer {
	switch p.Kind {
	case "rate":
		return Constant(p.Rates[0])
	case "ramp":
		return Ramp(p.Rates[0], p.Rates[1], d)
	case "steps":
		return Steps(p.Rates, d)
	case "spike":
		return Spike(p.Rates[0], p.Rates[1], d)
	}
	return Constant(MaxRate)
}
