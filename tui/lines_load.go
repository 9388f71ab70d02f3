package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/text"
)

// A `headroom load` test gets one line of figures at every size and two
// charts (requests/s and p95) beside the machine's, drawn from the same
// History so they move in step with CPU and memory.
func init() { registerInfoLine(loadLine) }

// loadLine is the load test's figures that have no chart, the most
// telling first (the line is cut at 80 columns): "load 12 users · ok 100%
// · p99 1800ms · 5xx 3 · p50 20ms · ramp 10..130/s 60s".
func loadLine(s sampler.Snapshot, _ advisor.Advice) string {
	l := s.LoadTest
	if l == nil {
		return ""
	}
	parts := []string{fmt.Sprintf("load %d users", l.Users)}
	if l.Requests > 0 {
		parts = append(parts, fmt.Sprintf("ok %.0f%%", l.SuccessPct), fmt.Sprintf("p99 %.0fms", l.P99))
	}
	kinds := make([]string, 0, len(l.Errors))
	for k := range l.Errors {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %d", text.Printable(k), l.Errors[k]))
	}
	if l.Requests > 0 {
		parts = append(parts, fmt.Sprintf("p50 %.0fms", l.P50))
	}
	state := fmt.Sprintf("%.0fs", l.ElapsedS)
	if l.Done {
		state = "done"
	}
	return strings.Join(append(parts, text.Printable(l.Pattern)+" "+state), " · ")
}

// loadRPS and loadP95 are the load's chart metrics.
func loadRPS(s sampler.Snapshot) (float64, bool) {
	if s.LoadTest == nil {
		return 0, false
	}
	return s.LoadTest.RPS, true
}

func loadP95(s sampler.Snapshot) (float64, bool) {
	if s.LoadTest == nil || s.LoadTest.Requests == 0 {
		return 0, false
	}
	return s.LoadTest.P95, true
}

// loadCharts are the two chart rows of a load test (none without one).
func (p *chartsPanel) loadCharts(s sampler.Snapshot) []string {
	l, st := s.LoadTest, p.styles
	if l == nil {
		return nil
	}
	w := p.lay.leftW - labelW - 1
	target := st.Dim.Render("closed loop")
	switch {
	case l.Done: // the pattern is over: no target, open loop or not
		target = st.Dim.Render("load done")
	case l.TargetRPS > 0:
		target = st.Dim.Render(fmt.Sprintf("of %.0f", l.TargetRPS))
	}
	level := advisor.Monitor
	if l.Requests > 0 && (l.P95 > float64(p.sla) || 100-l.SuccessPct >= 1) {
		level = advisor.Optimize
	}
	req := p.chartRow([]string{st.Label.Render("REQ") + fmt.Sprintf(" %4.0f/s", l.RPS), target,
		st.Dim.Render(fmt.Sprintf("ok %.0f%%", l.SuccessPct))}, p.hist.Series(p.in.seq, w, loadRPS), 0, st.Net)
	// No answered request in the interval is no latency: never "0ms · ok".
	latLabel := []string{st.Label.Render("P95") + fmt.Sprintf(" %4.0fms", l.P95), levelTag(st, level), st.Dim.Render(fmt.Sprintf("SLA %dms", p.sla))}
	if l.Requests == 0 {
		latLabel = []string{st.Label.Render("P95") + "     —", st.Dim.Render("no requests"), latLabel[2]}
	}
	lat := p.chartRow(latLabel, p.hist.Series(p.in.seq, w, loadP95), 0, st.IO)
	return []string{req, lat}
}

// withLoad makes room for the load charts: two chart rows more on top,
// taken from the process list.
func withLoad(l layout, loading bool) layout {
	if loading {
		l.topH += 2 * l.chartH
		l.tableH -= 2 * l.chartH
	}
	return l
}
