package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/text"
)

// reqMetric and p95Metric read the access logs' interval figures.
func reqMetric(s sampler.Snapshot) (float64, bool) {
	if s.Traffic == nil || s.Traffic.State != "ok" {
		return 0, false
	}
	return s.Traffic.RequestsPerS, true
}

func p95Metric(s sampler.Snapshot) (float64, bool) {
	if s.Traffic == nil || s.Traffic.P95Ms == nil {
		return 0, false
	}
	return *s.Traffic.P95Ms, true
}

func init() { registerDetail(appPanel) }

// appPanel is the app's panel on large screens, under the APP line: req/s
// and p95 sparklines of the newest intervals, the costliest endpoints over
// the window and the costliest statement. The advice carries the series,
// so a scrubbed moment draws its own.
func appPanel(_ sampler.Snapshot, a advisor.Advice) []string {
	if a.Traffic == nil && a.TopStatement == nil {
		return nil
	}
	var out []string
	if t := a.Traffic; t != nil {
		// A sparkline ends in the newest interval, which the APP line
		// above shows too: it is named "now", and the window's figure
		// beside it "window", so the two never read as one number twice.
		l := fmt.Sprintf("    req/s %s %s now, %s window", textSpark(a.RequestsSeries), num(lastOf(a.RequestsSeries)), num(t.RequestsPerS))
		if t.P95Ms != nil {
			l += fmt.Sprintf("   p95 %s %.0fms now, %.0fms window", textSpark(a.P95Series), lastOf(a.P95Series), *t.P95Ms)
		}
		out = append(out, l)
		if len(t.TopEndpoints) > 0 {
			out = append(out, fmt.Sprintf("    %-28s %7s %8s %8s", "costliest endpoints", "reqs", "mean", "total"))
		}
		for i, e := range t.TopEndpoints {
			if i == 3 {
				break
			}
			l := fmt.Sprintf("    %-28s %6d×", advisor.ShortStatement(text.Printable(e.Endpoint), 28), e.Count)
			if e.MeanMs != nil && e.TotalMs != nil {
				l += fmt.Sprintf(" %6.0fms %7.1fs", *e.MeanMs, *e.TotalMs/1000)
			}
			out = append(out, l)
		}
	}
	if st := a.TopStatement; st != nil {
		out = append(out, fmt.Sprintf("    sql %-34s %3.0f%% %s/s %.2fms", advisor.ShortStatement(st.Query, 34), st.SharePct, num(st.CallsPerS), st.MeanMS))
	}
	return out
}

// textSpark draws values as one row of block characters, scaled to their
// own maximum; a missing interval is a space.
func textSpark(vals []float64) string {
	const blocks = "▁▂▃▄▅▆▇█"
	top := 0.0
	for _, v := range vals {
		if !math.IsNaN(v) {
			top = math.Max(top, v)
		}
	}
	var b strings.Builder
	for _, v := range vals {
		switch {
		case math.IsNaN(v):
			b.WriteByte(' ')
		case top <= 0:
			b.WriteRune('▁')
		default:
			i := int(v / top * 7)
			b.WriteRune([]rune(blocks)[min(7, max(0, i))])
		}
	}
	return b.String()
}

// appBaseline is the traffic's change since the baseline for the `b` line
// (" req +30 ↑52 p95 +120 ↑400"); "" without access-log traffic.
func appBaseline(h *sampler.History, base time.Time, end uint64) string {
	s, ok := h.Get(end)
	if !ok || s.Traffic == nil {
		return ""
	}
	out := " · req " + deltaPeak(h, base, end, reqMetric, "/s")
	if s.Traffic.P95Ms != nil {
		out += " · p95 " + deltaPeak(h, base, end, p95Metric, "ms")
	}
	return out
}

// lastOf is the newest of a series; 0 for none.
func lastOf(vals []float64) float64 {
	if len(vals) == 0 {
		return 0
	}
	return vals[len(vals)-1]
}
