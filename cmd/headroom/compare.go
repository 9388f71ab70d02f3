package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/advisor/plan"
	"github.com/headroom-dev/headroom/sampler/recording"
)

// compareCmd says whether a change between two periods is real: `headroom compare BEFORE AFTER`.
type compareCmd struct {
	Before          string `arg:"" optional:"" placeholder:"BEFORE" help:"Recording (or --log CSV) from before the change." type:"path"`
	After           string `arg:"" optional:"" placeholder:"AFTER" help:"Recording (or --log CSV) from after it." type:"path"`
	JSON            bool   `help:"Print the comparison as one JSON object."`
	AllowMixedHosts bool   `name:"allow-mixed-hosts" help:"Compare files that come from different hosts."`
	promCompareFlags
}

// metricChange is one metric's row of the comparison.
type metricChange struct {
	Metric      string       `json:"metric"`
	Unit        string       `json:"unit"`
	Before      plan.Summary `json:"before"`
	After       plan.Summary `json:"after"`
	ChangePct   *float64     `json:"change_pct"`
	Significant bool         `json:"significant"`
	CILowPct    *float64     `json:"ci_low_pct"`
	CIHighPct   *float64     `json:"ci_high_pct"`
	Sentence    string       `json:"sentence"`
}

// comparison is what compare prints.
type comparison struct {
	Metrics       []metricChange `json:"metrics"`
	VerdictBefore string         `json:"verdict_before"`
	VerdictAfter  string         `json:"verdict_after"`
	Summary       string         `json:"summary"`
	// Method names the test and its interval, so a reader can judge the claim.
	Method string `json:"method"`
}

// Run reads both files, refuses different hosts, and prints the comparison.
func (c *compareCmd) Run(env *runEnv) error {
	// The verdicts are judged by the config file's thresholds, as once
	// judges them; a config file that cannot be read is an error here too.
	st, err := loadSettings(env.configPath)
	if err != nil {
		return err
	}
	if c.wanted() {
		return c.runProm(env, st)
	}
	if c.Before == "" || c.After == "" {
		return usageError{errors.New("compare needs two files, BEFORE AFTER, or --prometheus URL --before RANGE --after RANGE")}
	}
	before, err := readHistory(c.Before)
	if err != nil {
		return usageError{err}
	}
	after, err := readHistory(c.After)
	if err != nil {
		return usageError{err}
	}
	for _, w := range append(before.warnings, after.warnings...) {
		fmt.Fprintln(env.stderr, "headroom: warning:", plan.Clean(w))
	}
	hb, ha := before.input.Host, after.input.Host
	if hb != "" && ha != "" && hb != ha && !c.AllowMixedHosts {
		return usageError{fmt.Errorf("%s is from host %q and %s from %q; pass --allow-mixed-hosts to compare them anyway",
			plan.Clean(c.Before), hb, plan.Clean(c.After), ha)}
	}
	cmp, err := compareHistories(before, after, plan.DefaultBootstrap, st.Rules)
	if err != nil {
		return usageError{err}
	}
	if c.JSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(cmp)
	}
	writeComparison(env.stdout, cmp, c.Before, c.After)
	return nil
}

// compareHistories compares every metric the two have in common, and per
// request where both know their traffic (an "rps" series).
func compareHistories(before, after history, b plan.Bootstrap, rules advisor.Rules) (comparison, error) {
	out := comparison{Metrics: []metricChange{}, Method: b.Method(),
		VerdictBefore: verdictOf(before, rules), VerdictAfter: verdictOf(after, rules)}
	pairs := [][2]plan.Series{}
	for _, sb := range before.input.Series {
		if sa, ok := after.input.Get(sb.Metric); ok {
			pairs = append(pairs, [2]plan.Series{sb, sa})
		}
	}
	cb, okb := before.input.Get("cpu")
	rb, okrb := before.input.Get("rps")
	ca, oka := after.input.Get("cpu")
	ra, okra := after.input.Get("rps")
	if okb && okrb && oka && okra && before.input.Cores > 0 && after.input.Cores > 0 {
		pairs = append(pairs, [2]plan.Series{plan.PerRequest(cb, rb, before.input.Cores), plan.PerRequest(ca, ra, after.input.Cores)})
	}
	if len(pairs) == 0 {
		return out, errors.New("the two files have no metric in common")
	}
	var real []string
	for _, p := range pairs {
		ch, err := b.Compare(p[0].Values(), p[1].Values())
		if err != nil {
			continue // a metric with a single sample on one side: nothing to test
		}
		s := ch.Sentence(labelOf(p[0].Metric))
		unit := unitOf(p[0].Metric)
		material := true
		if unit == "%" {
			// A share's change reads in points too: 2 % → 73 % is "+71
			// points", which a relative +3555 % hides. Under a point is no
			// practical difference, however certain.
			pts := ch.After.Mean - ch.Before.Mean
			s += fmt.Sprintf(" (%.1f %% → %.1f %%, %+.1f points)", ch.Before.Mean, ch.After.Mean, pts)
			if math.Abs(pts) < 1 {
				material = false
				if ch.Significant {
					s += "; under a point: no practical difference"
				}
			}
		}
		out.Metrics = append(out.Metrics, metricChange{Metric: p[0].Metric, Unit: unit,
			Before: ch.Before, After: ch.After, ChangePct: ch.Pct, Significant: ch.Significant,
			CILowPct: ch.CILow, CIHighPct: ch.CIHigh, Sentence: s})
		if ch.Significant && material {
			real = append(real, s)
		}
	}
	if len(out.Metrics) == 0 {
		return out, errors.New("too little data: each file needs at least 2 samples of a metric the other has")
	}
	if len(real) == 0 {
		out.Summary = "No metric changed beyond the noise."
	} else {
		out.Summary = capitalize(strings.Join(real, "; ")) + "."
	}
	return out, nil
}

// verdictOf is a recording's verdict at its end, as `once --replay` judges
// it by rules; for a CSV, the verdict of its newest row.
func verdictOf(h history, rules advisor.Rules) string {
	if len(h.snaps) > 0 {
		src := recording.NewReplay(&recording.Recording{Snapshots: h.snaps})
		last, _, _, _ := judge(context.Background(), src, rules, time.Second, 0, nil)
		return last.Advice.Verdict.String()
	}
	if n := len(h.verdicts); n > 0 {
		return plan.Clean(h.verdicts[n-1])
	}
	return ""
}

// unitOf is the unit a metric's values are in.
func unitOf(metric string) string {
	switch metric {
	case "latency":
		return "ms"
	case "cpu_s_per_request":
		return "s"
	}
	return "%"
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// labelOf is how a sentence names a metric.
func labelOf(metric string) string {
	switch metric {
	case "cpu":
		return "CPU"
	case "cpu_s_per_request":
		return "CPU-seconds per request"
	}
	return metric
}

// capitalize starts a sentence with a capital letter.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// writeComparison prints the comparison for a person: the two verdicts, one
// row per metric, the sentences, and the method.
func writeComparison(w io.Writer, c comparison, before, after string) {
	fmt.Fprintf(w, "before: %s — verdict %s\n", plan.Clean(before), orDash(c.VerdictBefore))
	fmt.Fprintf(w, "after:  %s — verdict %s\n\n", plan.Clean(after), orDash(c.VerdictAfter))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "metric\tbefore mean / p95 / max\tafter mean / p95 / max\tchange\t95 % CI\t")
	for _, m := range c.Metrics {
		change, ci := "-", "-"
		if m.ChangePct != nil {
			change = fmt.Sprintf("%+.1f %%", *m.ChangePct)
			ci = fmt.Sprintf("%+.1f to %+.1f %%", *m.CILowPct, *m.CIHighPct)
		}
		verdict := "noise"
		if m.Significant {
			verdict = "real"
			if strings.Contains(m.Sentence, "no practical difference") {
				verdict = "real, under a point"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", plan.Clean(m.Metric), triple(m.Before, m.Unit), triple(m.After, m.Unit), change, ci, verdict)
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%s\n%s\n", c.Summary, c.Method)
}

func triple(s plan.Summary, unit string) string {
	f := "%.1f / %.1f / %.1f %s"
	if unit == "s" {
		f = "%.4f / %.4f / %.4f %s"
	}
	return fmt.Sprintf(f, s.Mean, s.P95, s.Max, unit)
}
