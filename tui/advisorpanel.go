package tui

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/themes"
)

// advisorInput is what decides the advisor panel: the moment judged (its
// sequence number), the change since the baseline, and the theme.
type advisorInput struct {
	seq      uint64
	baseline string // the change since the b mark, "" without one
	styleGen int
}

// advisorPanel is the verdict, focus, summary, one line per finding, the
// change since the baseline, the app servers and the worker suggestion.
type advisorPanel struct {
	styles *themes.Styles
	w, h   int
	in     advisorInput
	advice advisor.Advice
	view   string
	stale  bool
}

// SetSize sets the panel's width and height.
func (p *advisorPanel) SetSize(w, h int) {
	if w != p.w || h != p.h {
		p.w, p.h, p.stale = w, h, true
	}
}

// Set gives the panel the advice to show; it redraws only when the input changed.
func (p *advisorPanel) Set(in advisorInput, advice advisor.Advice) {
	if in != p.in || p.view == "" {
		p.in, p.advice, p.stale = in, advice, true
	}
}

// View is the panel, drawn at most once per change.
func (p *advisorPanel) View() string {
	if p.stale || p.view == "" {
		p.view, p.stale = p.render(), false
	}
	return p.view
}

func (p *advisorPanel) render() string {
	w, h, st := p.w, p.h, p.styles
	a := p.advice
	verdict := levelTag(st, a.Verdict)
	if a.Verdict == advisor.Monitor {
		verdict = st.OK.Render("✓ MONITOR")
	}
	if a.Provisional {
		verdict += st.Dim.Render(" provisional") // judged on under a fifth of the window
	}
	head := st.Title.Render("ADVISOR ") + verdict
	lines := []string{head + focusList(st, a.Focus, w-lipgloss.Width(head))}
	workerLines := wrap(advisor.WorkerLine(a.Workers, true), w, 2)
	findings := a.Findings
	// The summary is the one thing no other monitor shows: it gets the
	// room it needs first, and only a small panel cuts it.
	summaryMax := 3
	if h >= 14 {
		summaryMax = max(3, h-1-len(workerLines)-min(len(findings), 3))
	} else {
		// A small panel (80x24): the rows of findings at MONITOR go to the
		// summary before its action is cut; those above MONITOR stay.
		summaryMax = max(3, h-1-len(workerLines)-aboveMonitor(findings))
	}
	summary := wrapSummary(a.Summary, w, summaryMax)
	room := h - 1 - len(summary) - len(workerLines)
	if p.in.baseline != "" {
		room-- // the change since the baseline comes before the least findings
	}
	if room < len(findings) {
		// Keep the findings that matter most: highest level first.
		sorted := append([]advisor.Finding(nil), findings...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Level > sorted[j].Level })
		findings = sorted[:max(0, room)]
	}
	for _, l := range summary {
		lines = append(lines, st.Text.Render(l))
	}
	lines = append(lines, findingLines(st, a, findings, w)...)
	if p.in.baseline != "" && h-len(lines)-len(workerLines) > 0 {
		lines = append(lines, st.Text.Render(fitParts(p.in.baseline, w)))
	}
	if room := h - len(lines) - len(workerLines); room > 0 && h >= 14 {
		lines = append(lines, st.Dim.Render(fit(fmt.Sprintf("window %s, covered %s", shortDur(a.WindowS), shortDur(a.CoveredS)), w)))
	}
	// Tall screens have room for the app servers, one line each.
	if room := h - len(lines) - len(workerLines); room > 1 && len(a.Apps) > 0 {
		title := st.Title.Render("APPS")
		shown := min(len(a.Apps), room-1)
		if shown < len(a.Apps) { // say what the panel leaves out
			title += st.Dim.Render(fmt.Sprintf(" %d of %d", shown, len(a.Apps)))
		}
		lines = append(lines, title)
		for _, app := range a.Apps[:shown] {
			lines = append(lines, st.Text.Render(fit(advisor.AppLine(app, true), w)))
		}
	}
	for len(lines) < h-len(workerLines) {
		lines = append(lines, "")
	}
	for _, l := range workerLines {
		lines = append(lines, st.Text.Render(l))
	}
	for i := range lines {
		lines[i] = fit(lines[i], w)
	}
	return strings.Join(lines[:h], "\n")
}

// aboveMonitor counts the findings over their line.
func aboveMonitor(fs []advisor.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Level > advisor.Monitor {
			n++
		}
	}
	return n
}

// levelTag is a level in words and a symbol, so it reads without colour.
func levelTag(st *themes.Styles, l advisor.Level) string {
	switch l {
	case advisor.Down:
		return st.Crit.Render("✖ DOWN")
	case advisor.Scale:
		return st.Crit.Render("■ SCALE")
	case advisor.Optimize:
		return st.Warn.Render("▲ OPTIMIZE")
	}
	return st.OK.Render("· ok")
}

// levelTagShort is levelTag for a narrow panel: "▲ OPT" (the help says
// what ▲ is), so that the figures before it keep their room.
func levelTagShort(st *themes.Styles, l advisor.Level) string {
	if l == advisor.Optimize {
		return st.Warn.Render("▲ OPT")
	}
	return levelTag(st, l)
}

// findingLines lays the findings out as one table: each row's level padded
// to the widest shown, so that the figures line up from row to row; where
// a name would not fit, the levels go short ("▲ OPT") for every row before
// any row gives up its mean and share.
func findingLines(st *themes.Styles, a advisor.Advice, findings []advisor.Finding, w int) []string {
	out := make([]string, 0, len(findings))
	for _, short := range []bool{false, true} {
		tag := levelTag
		if short {
			tag = levelTagShort
		}
		tagW := 0
		for _, f := range findings {
			tagW = max(tagW, lipgloss.Width(tag(st, f.Level)))
		}
		fits := true
		for _, f := range findings {
			fits = fits && findingNameRoom(f, w, tagW, latencyP95(a, f)) >= min(lipgloss.Width(f.Label), 10)
		}
		if !fits && !short {
			continue
		}
		for _, f := range findings {
			out = append(out, findingLine(st, f, w, latencyP95(a, f), tag, tagW))
		}
		break
	}
	return out
}

// findingNums are a finding's figures: now, mean (or the latency's p95),
// threshold and the share of the window at or past it.
func findingNums(f advisor.Finding, p95 *float64) string {
	// The mean carries a unit only where it can change scale (ms → s).
	meanUnit := advisor.Unit("")
	if f.Unit == advisor.Millis {
		meanUnit = f.Unit
	}
	stat, v := "avg", f.Mean
	if p95 != nil { // the latency's level rests on the window's p95, as the summary says
		stat, v = "p95", *p95
	}
	return fmt.Sprintf("%s %s %s %s%-3s %3.0f%%", compactNum(f.Now, f.Unit), stat, compactNum(v, meanUnit), f.Past(),
		thresholdNum(f.Threshold), f.Above)
}

// findingNameRoom is the room left for a finding's name in w.
func findingNameRoom(f advisor.Finding, w, tagW int, p95 *float64) int {
	return w - lipgloss.Width(findingNums(f, p95)) - tagW - 2
}

// findingLine: "cpu     92% avg  91 ≥85  97% ■ SCALE", its level padded to
// tagW. Every column keeps a gap whatever the width of a number: the name
// gives way first.
func findingLine(st *themes.Styles, f advisor.Finding, w int, p95 *float64, tag func(*themes.Styles, advisor.Level) string, tagW int) string {
	nums := findingNums(f, p95)
	nameW := findingNameRoom(f, w, tagW, p95)
	if want := min(lipgloss.Width(f.Label), 10); nameW < want {
		// A narrow panel ("lat…", "psi…" said nothing): the name, the
		// value now and the line; the rest is in the summary and the charts.
		nums = fmt.Sprintf("%s %s%s", compactNum(f.Now, f.Unit), f.Past(), thresholdNum(f.Threshold))
		if p95 != nil { // the latency's level is its p95's: keep that one, not the last request
			nums = fmt.Sprintf("p95 %s %s%s", compactNum(*p95, f.Unit), f.Past(), thresholdNum(f.Threshold))
		}
		nameW = w - lipgloss.Width(nums) - tagW - 2
	}
	t := tag(st, f.Level)
	return fit(f.Label, nameW) + " " + nums + " " + t + strings.Repeat(" ", max(0, tagW-lipgloss.Width(t)))
}

// focusList is " focus cpu,latency" in at most w cells: the metrics that
// fit, then how many more ("+2") rather than a name cut in the middle.
func focusList(st *themes.Styles, focus []string, w int) string {
	if len(focus) == 0 {
		return ""
	}
	label := st.Dim.Render(" focus ")
	room := w - lipgloss.Width(label)
	shown := ""
	for i, f := range focus {
		next := f
		if shown != "" {
			next = shown + "," + f
		}
		more := ""
		if rest := len(focus) - i - 1; rest > 0 {
			more = fmt.Sprintf(" +%d", rest)
		}
		if lipgloss.Width(next+more) > room {
			if shown == "" {
				return fit(label+strings.Join(focus, ","), w) // not even one: cut, as before
			}
			return label + shown + st.Dim.Render(fmt.Sprintf(" +%d", len(focus)-i))
		}
		shown = next
	}
	return label + shown
}

// latencyP95 is the window's p95 the latency finding rests on
// (Advice.LatencyP95); nil for any other finding.
func latencyP95(a advisor.Advice, f advisor.Finding) *float64 {
	if v, ok := a.LatencyP95(); ok && f.Metric == advisor.KeyLatency {
		return &v
	}
	return nil
}

// thresholdNum prints a line as set: 85, 0.1 (never "0" for a small one).
func thresholdNum(v float64) string {
	if v == math.Trunc(v) || v >= 100 {
		return strings.TrimSpace(compactNum(v, ""))
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}
