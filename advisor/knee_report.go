package advisor

import (
	"fmt"
	"sort"
	"strings"

	"github.com/headroom-dev/headroom/sampler/text"
)

// LoadReport is what a `headroom load --report` page is made of.
type LoadReport struct {
	Session Session // the machine while the load ran
	Points  []LoadPoint
	Verdict LoadVerdict
	Plan    string // the plan as printed before the first request
	// TargetRPS is the rate to plan instances for (0: no plan); Hosts the
	// hosts the tested machine stands for.
	TargetRPS float64
	Hosts     int
}

// LoadReportMarkdown is the load profile, the knee and the instance count,
// then the machine's own report of the same samples.
func LoadReportMarkdown(r LoadReport) string {
	var b strings.Builder
	b.WriteString("# headroom load report\n\n")
	fmt.Fprintf(&b, "- Plan: %s\n", text.Printable(r.Plan))
	if k := r.Verdict.Knee; k != nil {
		fmt.Fprintf(&b, "- Knee: **%s**\n", k.Sentence)
		if k.PlateauRPS > 0 {
			fmt.Fprintf(&b, "- Throughput stopped rising at about %s req/s\n", num(k.PlateauRPS))
		}
		if len(k.Findings) > 0 {
			fmt.Fprintf(&b, "- Findings at the knee: %s\n", strings.Join(k.Findings, "; "))
		}
	} else {
		fmt.Fprintf(&b, "- No knee: %s\n", r.Verdict.Summary)
	}
	if r.TargetRPS > 0 {
		capacity := r.Verdict.MaxRPS
		what := "the highest rate reached (the SLA held there; the real knee is higher)"
		if k := r.Verdict.Knee; k != nil {
			capacity, what = k.RPS, "the knee"
		}
		hosts := max(r.Hosts, 1)
		if n := Instances(hosts, r.TargetRPS, capacity); n > 0 {
			fmt.Fprintf(&b, "- Instances for %s req/s: **%d** = max(ceil(%d × %s / %s) + 1, 2), with %s req/s per instance from %s\n",
				num(r.TargetRPS), n, hosts, num(r.TargetRPS), num(capacity), num(capacity), what)
		} else {
			fmt.Fprintf(&b, "- Instances for %s req/s: unknown, no rate kept the SLA\n", num(r.TargetRPS))
		}
	}
	b.WriteString("\n## Load profile\n\n| s | target req/s | req/s | users | success | p50 | p95 | p99 | errors | verdict |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, p := range r.Points {
		l := p.Snap.LoadTest
		target := "—"
		if l.TargetRPS > 0 {
			target = num(l.TargetRPS)
		}
		fmt.Fprintf(&b, "| %.0f | %s | %s | %d | %.1f %% | %.0f ms | %.0f ms | %.0f ms | %s | %s |\n", l.ElapsedS, target, num(l.RPS), l.Users,
			l.SuccessPct, l.P50, l.P95, l.P99, errorsText(l.Errors), p.Advice.Verdict)
	}
	b.WriteString("\n")
	b.WriteString(strings.Replace(ReportMarkdown(r.Session), "# headroom report:", "## The machine:", 1))
	return b.String()
}

// errorsText is errors by kind, "none" without.
func errorsText(errs map[string]int) string {
	if len(errs) == 0 {
		return "none"
	}
	kinds := make([]string, 0, len(errs))
	for k := range errs {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for i, k := range kinds {
		kinds[i] = fmt.Sprintf("%s %d", k, errs[k])
	}
	return strings.Join(kinds, ", ")
}
