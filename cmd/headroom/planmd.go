package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/advisor/plan"
)

// sparkWidth is how many characters a trend's sparkline takes on the page.
const sparkWidth = 24

// writePlanMarkdown prints the plan as a page for a capacity ticket.
func writePlanMarkdown(w io.Writer, r planReport) {
	title := "Capacity plan"
	if r.Host != "" {
		title += ": " + md(r.Host)
	}
	fmt.Fprintf(w, "# %s\n\n", title)
	if r.From != nil {
		fmt.Fprintf(w, "%s from %s to %s UTC (%s).\n\n", plural(r.Samples, "sample"), r.From.UTC().Format("2006-01-02 15:04"),
			r.To.UTC().Format("2006-01-02 15:04"), md(planSource(r)))
		if len(r.Gaps) > 0 {
			fmt.Fprintln(w, "Gaps in the data (reported, not filled in):")
			for _, g := range r.Gaps {
				fmt.Fprintf(w, "- %s to %s (%s)\n", g.From.UTC().Format("2006-01-02 15:04:05"), g.To.UTC().Format("2006-01-02 15:04:05"), fmtDur(g.Seconds))
			}
			fmt.Fprintln(w)
		}
		writeTrendsMarkdown(w, r)
	}
	if rt := r.ResponseTime; rt != nil {
		fmt.Fprintf(w, "## Response time\n\nFirst week %.0f ms, last week %.0f ms: %+.1f %% (SLA %.0f ms) → **%s**. "+
			"The framework's rule: over +50 %% with the last week over the SLA, scale; over +30 %%, optimize.\n\n",
			rt.FirstWeekMS, rt.LastWeekMS, rt.ChangePct, rt.SLAMS, rt.Level)
	}
	if c := r.Capacity; c != nil {
		writeCapacityMarkdown(w, c, shortHistory(r))
	}
	if cb := r.CostBenefit; cb != nil {
		writeCostsMarkdown(w, cb)
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(w, "## Notes")
		fmt.Fprintln(w)
		for _, n := range r.Notes {
			fmt.Fprintf(w, "- %s\n", md(n))
		}
		fmt.Fprintln(w)
	}
}

func writeTrendsMarkdown(w io.Writer, r planReport) {
	fmt.Fprintln(w, "## Trends")
	fmt.Fprintln(w)
	if len(r.Trends) == 0 {
		fmt.Fprintln(w, "No metric has enough data for a trend (see the notes).")
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintln(w, "Least-squares lines with the 95 % interval of their slope; months to a line only where the slope is significant and the crossing falls within the horizon.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| metric | now | per month | 95 % interval | to optimize | to scale | trend |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---|")
	for _, t := range r.Trends {
		lo, hi := plan.Percentile(t.values, 0), plan.Percentile(t.values, 100)
		fmt.Fprintf(w, "| %s | %.1f %s | %+.2f | %+.2f to %+.2f | %s | %s | `%s` |\n", md(t.Metric), t.Now, t.Unit,
			t.SlopePerMonth, t.SlopeCILow, t.SlopeCIHigh, crossing(t.OptimizeAt, t.MonthsToOptimize, t), crossing(t.ScaleAt, t.MonthsToScale, t),
			plan.Sparkline(t.values, sparkWidth, lo, hi))
	}
	fmt.Fprintln(w)
}

// crossing says when a trend reaches a line, or why it is not said.
func crossing(line, months *float64, t trendRow) string {
	switch {
	case line == nil:
		return "—"
	case months != nil && *months == 0:
		return fmt.Sprintf("already (%.0f %s)", *line, t.Unit)
	case months != nil:
		return fmt.Sprintf("%.1f months (%.0f %s)", *months, *line, t.Unit)
	case !t.Significant:
		return "no significant trend"
	case t.SlopePerMonth <= 0:
		return "not rising"
	}
	return "beyond the horizon"
}

// shortHistory words a history too short to size a machine by ("" when
// it spans a day or more): a load test's minutes are its peak, not the
// machine's use.
func shortHistory(r planReport) string {
	if r.From == nil || r.To == nil {
		return ""
	}
	span := r.To.Sub(*r.From)
	if span >= 24*time.Hour {
		return ""
	}
	return fmt.Sprintf("**From %s of history only**: \"in use now\" is that stretch's, and a short one (a load test, an incident) is a peak, not the machine's use; record a day or more before sizing a machine by it.", span.Round(time.Second))
}

func writeCapacityMarkdown(w io.Writer, c *capacityReport, caveat string) {
	fmt.Fprintf(w, "## Capacity in %g months\n\n", c.HorizonMonths)
	if caveat != "" {
		fmt.Fprintf(w, "%s\n\n", caveat)
	}
	if len(c.Requirements) > 0 {
		fmt.Fprintf(w, "required = in use now × (1 + monthly growth)^months / %.0f %% target utilisation, rounded up.\n\n", c.TargetPct)
		fmt.Fprintln(w, "| resource | in use now | growth a month (a year) | in use then | required | this machine |")
		fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
		for _, q := range c.Requirements {
			fmt.Fprintf(w, "| %s | %.2f %s | %+.1f %% (%+.1f %%), %s | %.2f %s | **%.0f %s** | %.2f %s |\n", q.Resource, q.Current, q.Unit,
				q.GrowthPctPerMonth, q.GrowthPctPerYear, q.GrowthSource, q.Projected, q.Unit, q.Required, q.Unit, q.Have, q.Unit)
		}
		fmt.Fprintln(w)
	}
	if c.Instances != nil {
		fmt.Fprintf(w, "Instances for %.0f req/s (now %.0f req/s on %d): **%d** = max(ceil(%d × %.0f / %.0f) + 1, 2).\n\n",
			*c.RPSTarget, *c.RPSNow, c.InstancesNow, *c.Instances, c.InstancesNow, *c.RPSTarget, *c.RPSNow)
	}
	if c.CPUSecondsPerRequest != nil {
		fmt.Fprintf(w, "CPU per request now: %.4f CPU-seconds (at %.0f req/s).\n\n", *c.CPUSecondsPerRequest, *c.RPSNow)
	}
}

func writeCostsMarkdown(w io.Writer, cb *plan.CostBenefit) {
	fmt.Fprintf(w, "## Cost-benefit\n\nEffective capacity gain from optimization: %.1f %%.\n", cb.EffectiveGainPct)
	if cb.BreakEvenMonths != nil {
		fmt.Fprintf(w, "Optimization breaks even in %.1f months compared to scaling.\n\n", *cb.BreakEvenMonths)
	} else {
		fmt.Fprintf(w, "The next machine is not dearer than this one: scaling costs nothing more, so there is no break-even.\n\n")
	}
	fmt.Fprintln(w, "| scenario | initial | monthly | 1-year total | relative capacity |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	for _, s := range cb.Scenarios {
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.0f | %.2f |\n", s.Name, s.Initial, s.Monthly, s.Year, s.RelativeCapacity)
	}
	fmt.Fprintln(w)
}

// md keeps text from outside from breaking a Markdown table or the terminal.
func md(s string) string {
	return strings.ReplaceAll(plan.Clean(s), "|", `\|`)
}
