package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/advisor/pipeline"
	"github.com/headroom-dev/headroom/advisor/plan"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/prom"
	"github.com/headroom-dev/headroom/sampler/text"
)

// promHistoryFlags let plan and compare read node_exporter's history from
// Prometheus instead of files. As for `once --prometheus`, credentials are
// never flags: they live in config.toml's [prometheus] table.
type promHistoryFlags struct {
	Prometheus string           `placeholder:"URL" help:"Read node_exporter's history from this Prometheus (or [prometheus] url in config.toml; credentials only there)."`
	Match      string           `placeholder:"SELECTOR" help:"With --prometheus: the series that are hosts (default {job=\"node\"})."`
	Instance   string           `placeholder:"INST" help:"With --prometheus: one host by its instance label (default: all matched hosts as one pool)."`
	Timeout    positiveDuration `name:"prometheus-timeout" placeholder:"DUR" help:"With --prometheus: how long each read may take (default 30s)."`
}

// Bounds on the points of one series: plan's trend needs a few hundred
// points (an hourly point over 30 days is 720); compare's bootstrap gains
// little past a thousand per side, and both stay far under Prometheus'
// 11000 points per series.
const (
	planPoints    = 720
	comparePoints = 1000
	// minRateRange is the shortest range rate() is taken over: four
	// scrapes at Prometheus' default 15 s, so a short step still has
	// two samples under each rate.
	minRateRange = time.Minute
	// defaultPromHistoryTimeout bounds each read; a 30-day query_range
	// on a busy Prometheus takes seconds, not tens of them.
	defaultPromHistoryTimeout = 30 * time.Second
)

// promSpan is a period read from Prometheus, as given on the command line.
type promSpan struct {
	Start, End time.Time
	text       string
}

// parseSpan reads a period: START/END, where each side is "now", a time
// before now in Prometheus' units ("-7d", "-90m", "-1w"), RFC 3339, a local
// date and time ("2026-11-20T10:00", "2026-11-20 10:00") or a time of day;
// with allowDur, a bare duration ("30d") is the period ending now.
func parseSpan(flag, s string, now time.Time, allowDur bool) (promSpan, error) {
	v := strings.TrimSpace(s)
	sp := promSpan{text: v}
	if allowDur && !strings.Contains(v, "/") {
		d, err := model.ParseDuration(v)
		if err != nil || d <= 0 {
			return sp, usageError{fmt.Errorf("%s %q: want a duration ending now (30d, 12h) or START/END (-7d/-6d, 2026-11-20T10:00/2026-11-20T12:00)", flag, s)}
		}
		sp.Start, sp.End = now.Add(-time.Duration(d)), now
		return sp, nil
	}
	a, b, ok := strings.Cut(v, "/")
	if !ok {
		return sp, usageError{fmt.Errorf("%s %q: want START/END, like -7d/-6d or 2026-11-20T10:00/2026-11-20T12:00", flag, s)}
	}
	var err error
	if sp.Start, err = parseSpanEnd(flag, a, now); err != nil {
		return sp, err
	}
	if sp.End, err = parseSpanEnd(flag, b, now); err != nil {
		return sp, err
	}
	return sp, nil
}

// parseSpanEnd reads one side of a period.
func parseSpanEnd(flag, s string, now time.Time) (time.Time, error) {
	v := strings.TrimSpace(s)
	if strings.EqualFold(v, "now") {
		return now, nil
	}
	if rest, ok := strings.CutPrefix(v, "-"); ok {
		// Prometheus' own units (d, w, y), which Go's durations lack.
		if d, err := model.ParseDuration(rest); err == nil && d > 0 {
			return now.Add(-time.Duration(d)), nil
		}
	}
	t, err := parseWhen(flag, v, now)
	if err != nil {
		return t, usageError{fmt.Errorf("%s: %q is not now, -7d, RFC 3339 (2026-11-20T10:00:00Z) or a local time (2026-11-20T10:00)", flag, s)}
	}
	return t, nil
}

// check refuses a period that is reversed, empty or not yet over, naming
// the Prometheus it was meant for.
func (sp promSpan) check(flag, url string, now time.Time) error {
	switch {
	case !sp.End.After(sp.Start):
		return usageError{fmt.Errorf("prometheus %s: %s %s ends at %s, not after its start %s; give START/END with the earlier time first",
			url, flag, text.Printable(sp.text), spanStamp(sp.End), spanStamp(sp.Start))}
	case sp.End.After(now):
		return usageError{fmt.Errorf("prometheus %s: %s %s ends at %s, in the future (now is %s); Prometheus has no data there yet",
			url, flag, text.Printable(sp.text), spanStamp(sp.End), spanStamp(now))}
	}
	return nil
}

func spanStamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// stepFor is the step that keeps a period within points per series,
// rounded up to a whole second (a step finer than that only repeats scrapes).
func stepFor(span time.Duration, points int) time.Duration {
	step := (span + time.Duration(points) - 1) / time.Duration(points)
	if r := step.Truncate(time.Second); r < step {
		step = r + time.Second
	}
	return max(step, time.Second)
}

// promOptions merges --prometheus and --match over the [prometheus] table,
// exactly as once does, and refuses to run without a URL.
func (f promHistoryFlags) promOptions(env *runEnv, st settings) (prom.Options, error) {
	o, ok, err := promFlags{Prometheus: f.Prometheus, Match: f.Match}.fleetOptions(env, st, sharedFlags{}, false)
	if err != nil {
		return o, err
	}
	if !ok {
		return o, usageError{errors.New("reading history from Prometheus needs --prometheus URL (or [prometheus] url in config.toml)")}
	}
	o.Timeout = defaultPromHistoryTimeout
	if f.Timeout != 0 {
		o.Timeout = time.Duration(f.Timeout)
	}
	return o, nil
}

// used reports whether any Prometheus flag was given.
func (f promHistoryFlags) used() bool {
	return f.Prometheus != "" || f.Match != "" || f.Instance != "" || f.Timeout != 0
}

// readPromHistory reads one period with query_range at a step that keeps at
// most points per series, and returns it as plan and compare take files:
// one host (--instance, or the only one), or the matched hosts as one pool.
func readPromHistory(ctx context.Context, o prom.Options, sp promSpan, points int, instance string, rules advisor.Rules) (history, string, error) {
	span := sp.End.Sub(sp.Start)
	o.Step = stepFor(span, points)
	o.Window = span
	o.RateRange = max(4*o.Step, minRateRange)
	end := sp.End
	o.Now = func() time.Time { return end }
	c, err := prom.New(o)
	if err != nil {
		return history{}, "", usageError{err}
	}
	// The fleet pipeline reads the period once (query_range) and judges it,
	// so the verdict of a pool is the fleet's, as once --prometheus gives it.
	u := pipeline.NewFleet(c, rules).Step(ctx)
	if u.Err != nil {
		return history{}, "", usageError{fmt.Errorf("%w (reading %s to %s)", u.Err, spanStamp(sp.Start), spanStamp(sp.End))}
	}
	insts := make([]string, 0, len(u.Windows))
	for inst := range u.Windows {
		insts = append(insts, inst)
	}
	sort.Strings(insts)
	sel := o.Selector
	if sel == "" {
		sel = prom.DefaultSelector
	}
	where := fmt.Sprintf("prometheus %s %s, %s to %s at %s steps", c.URL(), text.Printable(sel), spanStamp(sp.Start), spanStamp(sp.End), o.Step)
	if instance == "" && len(insts) == 1 {
		instance = insts[0]
	}
	if instance != "" {
		snaps, ok := u.Windows[instance]
		if !ok {
			return history{}, "", usageError{fmt.Errorf("prometheus %s: --instance %q is not among the %d hosts of %s in that period: %s",
				c.URL(), text.Printable(instance), len(insts), text.Printable(sel), text.Printable(strings.Join(insts, ", ")))}
		}
		h := history{snaps: snaps, input: plan.FromSnapshots(c.URL(), instance, snaps)}
		h.input.Interval = o.Step
		return h, where + ", host " + text.Printable(instance), nil
	}
	h := history{input: poolInput(c.URL(), insts, u.Windows, o.Step), verdicts: []string{u.Advice.Verdict.String()}}
	return h, fmt.Sprintf("%s, %d hosts as one pool", where, len(insts)), nil
}

// poolInput is several hosts as one machine: CPU and memory are the pool's
// (used cores over all cores, used bytes over all bytes, so a big host
// counts for its size), swap and each disk the fullest host's, since a
// full disk on one host is not relieved by space on another. Cores and
// memory are the pool's totals, for the capacity arithmetic.
func poolInput(url string, insts []string, windows map[string][]sampler.Snapshot, step time.Duration) plan.Input {
	type acc struct{ sum, weight, max float64 }
	at := map[string]map[time.Time]*acc{}
	times := map[time.Time]bool{}
	out := plan.Input{Name: url, Host: fmt.Sprintf("%d hosts", len(insts)), Interval: step}
	for _, inst := range insts {
		in := plan.FromSnapshots(url, inst, windows[inst])
		out.Cores += in.Cores
		out.MemTotal += in.MemTotal
		for _, t := range in.Times {
			times[t] = true
		}
		for _, s := range in.Series {
			w := 1.0
			switch {
			case s.Metric == "cpu" && in.Cores > 0:
				w = in.Cores
			case s.Metric == "memory" && in.MemTotal > 0:
				w = float64(in.MemTotal)
			}
			m := at[s.Metric]
			if m == nil {
				m = map[time.Time]*acc{}
				at[s.Metric] = m
			}
			for _, p := range s.Points {
				a := m[p.T]
				if a == nil {
					a = &acc{max: p.V}
					m[p.T] = a
				}
				a.sum += p.V * w
				a.weight += w
				a.max = max(a.max, p.V)
			}
		}
	}
	for t := range times {
		out.Times = append(out.Times, t)
	}
	sort.Slice(out.Times, func(i, j int) bool { return out.Times[i].Before(out.Times[j]) })
	metrics := make([]string, 0, len(at))
	for m := range at {
		metrics = append(metrics, m)
	}
	sort.Strings(metrics)
	for _, m := range metrics {
		s := plan.Series{Metric: m}
		for t, a := range at[m] {
			v := a.max
			if m == "cpu" || m == "memory" {
				v = a.sum / a.weight
			}
			s.Points = append(s.Points, plan.Point{T: t, V: v})
		}
		sort.Slice(s.Points, func(i, j int) bool { return s.Points[i].T.Before(s.Points[j].T) })
		out.Series = append(out.Series, s)
	}
	return out
}

// noLatencyNote says why the response-time rule is absent for Prometheus.
const noLatencyNote = "node_exporter measures no response times, so Prometheus history has no latency: the response-time rule needs recordings made with --probe (headroom record --probe URL)"
