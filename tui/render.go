package tui

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/sparkline"
	"github.com/charmbracelet/bubbles/table"
	"github.com/charmbracelet/lipgloss"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/apps"
)

// Layout sizes, in cells.
const (
	labelW      = 11 // the label block left of each sparkline
	sideW       = 38 // the advisor panel at 80 columns
	sideWWide   = 48 // from wideWidth on
	wideWidth   = 120
	tallHeight  = 32 // from here on: taller charts and the extra rows
	maxChartH   = 5
	minProcRows = 8
)

// layout is where each panel goes for a terminal size.
type layout struct {
	leftW, sideW int
	chartH       int  // rows per metric chart
	extra        bool // per-core, network and disk I/O rows
	topH         int  // rows of the chart/advisor block
	tableH       int  // rows of the process table, its header included
}

// computeLayout places the panels; with no swap configured the swap row is
// one line, and the process list gets the rest.
func computeLayout(w, h int, noSwap, probe bool) layout {
	l := layout{sideW: sideW, chartH: 2}
	if w >= wideWidth {
		l.sideW = sideWWide
	}
	l.leftW = w - l.sideW - 1
	if h >= tallHeight && w >= 100 {
		l.extra = true
		// Grow the charts with the height, leaving the process list a fair share.
		l.chartH = min(maxChartH, 2+(h-tallHeight)/10)
	}
	l.topH = 4*l.chartH + 1
	if noSwap {
		l.topH -= l.chartH - 1
	}
	if probe {
		l.topH += l.chartH
	}
	if l.extra {
		l.topH += 2*l.chartH + 1 // network, disk I/O, per-core line
	}
	l.tableH = h - 2 - l.topH
	return l
}

// render rebuilds the frame. It runs once per sample or key, never per
// View call. The chart and advisor block, the costly part (ntcharts draws
// every cell), is redrawn only when marked stale: a key that sorts or
// filters the process list leaves it as it was.
func (m *Model) render() {
	if m.width == 0 || m.height == 0 {
		m.frame = ""
		return
	}
	if m.width < MinWidth || m.height < MinHeight {
		msg := fmt.Sprintf("headroom needs a terminal of at least %dx%d;\nthis one is %dx%d. Enlarge it, or press q to quit.",
			MinWidth, MinHeight, m.width, m.height)
		m.frame = lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, msg)
		return
	}
	m.lay = computeLayout(m.width, m.height, m.hasAny && !m.live.HasSwap(), m.opts.ProbeURL != "")
	header, footer := m.renderHeader(), m.renderFooter()
	if m.showHelp {
		body := lipgloss.Place(m.width, m.height-2, lipgloss.Left, lipgloss.Top,
			m.styles.Title.Render("Keys")+"\n\n"+m.help.FullHelpView(m.keys.FullHelp())+"\n\n"+
				m.styles.Dim.Render(wrapText("Levels: ok = MONITOR, ▲ = OPTIMIZE, ■ = SCALE. Beside each chart: the level now. "+
					"The verdict rests on sustained levels ("+fmt.Sprintf("%.0f%% of a %s window", m.opts.Rules.Sustain*100, shortDur(m.opts.Rules.Window.Seconds()))+
					"), never on one spike. A finding reads: metric, now, mean over the window, threshold, share of the window's samples at or above it, level.", m.width)))
		m.frame = header + "\n" + body + "\n" + footer
		return
	}
	if !m.hasAny {
		// Nothing drawn before the first sample: a frame of zeros would
		// read as "idle" to someone glancing at it.
		body := lipgloss.Place(m.width, m.height-2, lipgloss.Center, lipgloss.Center, m.styles.Dim.Render("sampling…"))
		m.frame = header + "\n" + body + "\n" + footer
		return
	}
	if m.topStale || m.top == "" {
		m.top = lipgloss.JoinHorizontal(lipgloss.Top, m.renderCharts(), " ", m.renderSide())
		m.topStale = false
	}
	m.frame = header + "\n" + m.top + "\n" + m.renderProcs() + "\n" + footer
}

func (m *Model) renderHeader() string {
	s, _ := m.shown()
	right := ""
	switch {
	case m.paused:
		newest, _ := m.hist.Latest()
		right = "⏸ PAUSED " + ago(newest.Time.Sub(s.Time)) + " "
	case m.opts.Replay:
		right = fmt.Sprintf("REPLAY %sx ", trimFloat(m.opts.ReplaySpeed))
	}
	room := m.width - lipgloss.Width(right)
	var facts []string
	if m.hasAny {
		facts = []string{
			"up " + uptime(s.Uptime),
			fmt.Sprintf("load %.2f %.2f %.2f", s.Load[0], s.Load[1], s.Load[2]),
			fmt.Sprintf("%s cores", trimFloat(s.Cores())),
			bytesIEC(float64(s.MemoryLimit())) + " mem",
			s.Time.Local().Format("15:04:05"),
		}
	} else {
		facts = []string{"sampling…"}
	}
	// The facts come first; the program's name goes when room is short,
	// then the host name is shortened.
	factsW := lipgloss.Width(strings.Join(facts, "  "))
	host := m.opts.Host
	prefix := " headroom  "
	if 1+lipgloss.Width(prefix)+lipgloss.Width(host)+2+factsW > room {
		prefix = " "
	}
	if hw := room - lipgloss.Width(prefix) - 2 - factsW; lipgloss.Width(host) > hw {
		host = fit(host, max(hw, 1))
	}
	left := prefix + host + "  " + strings.Join(facts, "  ")
	if m.paused {
		return m.styles.Header.Render(fit(left, room)) + m.styles.Paused.Render(right)
	}
	return m.styles.Header.Render(fit(left, room) + right)
}

// wrapText wraps plain text to width w.
func wrapText(s string, w int) string { return strings.Join(wrap(s, w, 100), "\n") }

func trimFloat(f float64) string {
	if f == math.Trunc(f) {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.1f", f)
}

// levelTag is a level in words and a symbol, so it reads without colour.
func (m *Model) levelTag(l advisor.Level) string {
	switch l {
	case advisor.Scale:
		return m.styles.Crit.Render("■ SCALE")
	case advisor.Optimize:
		return m.styles.Warn.Render("▲ OPTIMIZE")
	}
	return m.styles.OK.Render("· ok")
}

// series is the metric's values for the w samples ending at end.
func (m *Model) series(end, w int, f sampler.Metric) []float64 {
	start := max(0, end-w+1)
	out := make([]float64, 0, w)
	for i := start; i <= end && i < m.hist.Len(); i++ {
		v, ok := f(m.hist.At(i))
		if !ok || math.IsNaN(v) {
			v = 0
		}
		out = append(out, v)
	}
	return out
}

// spark draws a sparkline of data (newest at the right), scaled to max (0: auto).
// ntcharts styles every cell on its own, which costs an escape sequence per
// cell on the wire and a lipgloss render per cell in CPU; so the chart is
// drawn unstyled and each line gets one style run, blanks left plain.
func spark(data []float64, w, h int, maxV float64, st lipgloss.Style) string {
	opts := []sparkline.Option{sparkline.WithStyle(lipgloss.NewStyle())}
	if maxV > 0 {
		opts = append(opts, sparkline.WithMaxValue(maxV), sparkline.WithNoAutoMaxValue())
	}
	sl := sparkline.New(w, h, opts...)
	// A small non-zero value still gets the lowest block: memory at 3 %
	// drawn as nothing reads as a broken chart.
	if maxV > 0 {
		least := maxV / float64(8*h)
		for i, v := range data {
			if v > 0 && v < least {
				data[i] = least
			}
		}
	}
	// Left-pad with zeros so the newest sample is always at the right edge.
	for i := len(data); i < w; i++ {
		sl.Push(0)
	}
	sl.PushAll(data)
	sl.Draw()
	lines := strings.Split(sl.View(), "\n")
	for i, l := range lines {
		body := strings.TrimLeft(l, " ")
		if body == "" {
			continue
		}
		lines[i] = l[:len(l)-len(body)] + st.Render(body)
	}
	return strings.Join(lines, "\n")
}

// chartRow is a label block beside a sparkline, h rows tall.
func (m *Model) chartRow(label []string, data []float64, maxV float64, st lipgloss.Style) string {
	h := m.lay.chartH
	w := m.lay.leftW - labelW - 1
	lines := make([]string, h)
	for i := range lines {
		l := ""
		if i < len(label) {
			l = label[i]
		}
		lines[i] = fit(l, labelW)
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, strings.Join(lines, "\n"), " ", spark(data, w, h, maxV, st))
}

func (m *Model) renderCharts() string {
	s, end := m.shown()
	w := m.lay.leftW - labelW - 1
	lab := m.styles.Label
	nowLevel := func(metric string) string {
		f, ok := m.advice.Finding(metric)
		if !ok {
			return m.levelTag(advisor.Monitor)
		}
		return m.levelTag(f.NowLevel)
	}
	var rows []string
	cpuLabel := []string{lab.Render("CPU") + fmt.Sprintf(" %5.1f%%", s.CPU.Percent), nowLevel(advisor.KeyCPU),
		m.styles.Dim.Render(fmt.Sprintf("iowait %.0f%%", s.CPU.IOWait)), m.styles.Dim.Render(fmt.Sprintf("steal %.0f%%", s.CPU.Steal))}
	// With a baseline marked, the third line of a label is the change since
	// it and the peak since (when the chart is tall enough to have one).
	since := func(label []string, f sampler.Metric) []string {
		if d := m.deltaPeak(f); d != "" && len(label) > 2 {
			label[2] = m.styles.Text.Render(d)
		}
		return label
	}
	cpuLabel = since(cpuLabel, sampler.CPUMetric)
	rows = append(rows, m.chartRow(cpuLabel, m.series(end, w, sampler.CPUMetric), 100, m.styles.CPU))
	memLabel := since([]string{lab.Render("MEM") + fmt.Sprintf(" %5.1f%%", s.MemPercent()), nowLevel(advisor.KeyMemory),
		m.styles.Dim.Render(bytesIEC(float64(s.Mem.Available)) + " avail")}, sampler.MemMetric)
	rows = append(rows, m.chartRow(memLabel, m.series(end, w, sampler.MemMetric), 100, m.styles.Mem))
	if p, ok := s.SwapPercent(); ok {
		rows = append(rows, m.chartRow([]string{lab.Render("SWP") + fmt.Sprintf(" %5.1f%%", p), nowLevel(advisor.KeySwap),
			m.styles.Dim.Render(bytesIEC(float64(s.Swap.Used)) + " used")}, m.series(end, w, sampler.SwapMetric), 100, m.styles.Swap))
	} else {
		rows = append(rows, fit(lab.Render("SWP")+"  none "+m.styles.Dim.Render("(no swap configured)"), m.lay.leftW))
	}
	// The fullest disk gets the chart; the others are in the advisor's findings.
	if d, ok := fullestDisk(s); ok {
		rows = append(rows, m.chartRow([]string{lab.Render("DSK") + fmt.Sprintf(" %5.1f%%", d.Percent()), nowLevel(advisor.MetricName(advisor.KeyDisk, d.Mount)),
			m.styles.Dim.Render(d.Mount)}, m.series(end, w, sampler.DiskMetric(d.Mount)), 100, m.styles.Disk))
	} else {
		rows = append(rows, m.chartRow([]string{lab.Render("DSK") + "  none"}, nil, 100, m.styles.Disk))
	}
	if m.opts.ProbeURL != "" {
		label := []string{lab.Render("LAT") + " " + m.styles.Dim.Render("no data")}
		if p := m.advice.Probe; p != nil {
			level := advisor.Monitor
			if f, ok := m.advice.Finding(advisor.KeyLatency); ok {
				level = f.Level
			}
			label = []string{lab.Render("LAT") + fmt.Sprintf(" %4.0fms", p.Last), m.levelTag(level),
				m.styles.Dim.Render(fmt.Sprintf("p95 %.0f/%.0f", p.P95, p.SLA))}
			if level == advisor.Monitor {
				label[1] = m.styles.Dim.Render(fmt.Sprintf("p95 %.0fms", p.P95))
				label[2] = m.styles.Dim.Render(fmt.Sprintf("SLA %.0fms", p.SLA))
			}
		}
		rows = append(rows, m.chartRow(since(label, latencyMetric), m.series(end, w, latencyMetric), 0, m.styles.Net))
	}
	if m.lay.extra {
		rows = append(rows, m.chartRow(m.rateLabel("NET", s.Net, "↓", "↑"), m.series(end, w, netMetric), 0, m.styles.Net))
		rows = append(rows, m.chartRow(m.rateLabel("I/O", s.IO, "r", "w"), m.series(end, w, ioMetric), 0, m.styles.IO))
		rows = append(rows, fit(m.perCore(s), m.lay.leftW))
	}
	rows = append(rows, fit(m.infoLine(s), m.lay.leftW))
	return lipgloss.NewStyle().Width(m.lay.leftW).MaxWidth(m.lay.leftW).Render(strings.Join(rows, "\n"))
}

func (m *Model) rateLabel(name string, r *sampler.Rates, in, out string) []string {
	if r == nil {
		return []string{m.styles.Label.Render(name), m.styles.Dim.Render("n/a")}
	}
	return []string{m.styles.Label.Render(name) + " " + fit(bytesIEC(r.In+r.Out)+"/s", 7),
		m.styles.Dim.Render(in + bytesIEC(r.In) + " " + out + bytesIEC(r.Out))}
}

// latencyMetric is the slowest probe request of a sample (ms).
func latencyMetric(s sampler.Snapshot) (float64, bool) {
	v, ok := 0.0, false
	for _, p := range s.Probe {
		v, ok = math.Max(v, p.MS), true
	}
	return v, ok
}

func netMetric(s sampler.Snapshot) (float64, bool) {
	if s.Net == nil {
		return 0, false
	}
	return s.Net.In + s.Net.Out, true
}

func ioMetric(s sampler.Snapshot) (float64, bool) {
	if s.IO == nil {
		return 0, false
	}
	return s.IO.In + s.IO.Out, true
}

func fullestDisk(s sampler.Snapshot) (sampler.Disk, bool) {
	var best sampler.Disk
	found := false
	for _, d := range s.Disks {
		if !found || d.Percent() > best.Percent() {
			best, found = d, true
		}
	}
	return best, found
}

// perCore is one line of small per-core gauges.
func (m *Model) perCore(s sampler.Snapshot) string {
	blocks := []rune(" ▁▂▃▄▅▆▇█")
	var b strings.Builder
	b.WriteString(m.styles.Label.Render("cores "))
	for i, v := range s.CPU.PerCore {
		idx := int(math.Round(v / 100 * float64(len(blocks)-1)))
		idx = max(0, min(len(blocks)-1, idx))
		fmt.Fprintf(&b, "%d%s%3.0f%% ", i, m.styles.CPU.Render(string(blocks[idx])), v)
	}
	return b.String()
}

// infoLine carries the figures that have no chart at 80x24.
func (m *Model) infoLine(s sampler.Snapshot) string {
	var parts []string
	if c := s.Cores(); c > 0 && m.lay.extra {
		parts = append(parts, fmt.Sprintf("load/core %.2f", s.Load[0]/c))
	}
	if !m.lay.extra {
		if s.Net != nil {
			parts = append(parts, "net ↓"+bytesIEC(s.Net.In)+"/s ↑"+bytesIEC(s.Net.Out)+"/s")
		}
		if s.IO != nil {
			parts = append(parts, "io r"+bytesIEC(s.IO.In)+"/s w"+bytesIEC(s.IO.Out)+"/s")
		}
	}
	if s.PSI != nil && m.lay.extra {
		parts = append(parts, fmt.Sprintf("psi cpu %.1f mem %.1f io %.1f", s.PSI.CPU.Avg10, s.PSI.Memory.Avg10, s.PSI.IO.Avg10))
	}
	parts = append(parts, fmt.Sprintf("%d tasks", s.NProcs))
	return m.styles.Dim.Render(strings.Join(parts, "  "))
}

// renderSide is the advisor panel: verdict, focus, summary, one line per
// finding, the worker suggestion.
func (m *Model) renderSide() string {
	w, h := m.lay.sideW, m.lay.topH
	a := m.advice
	var lines []string
	verdict := m.levelTag(a.Verdict)
	if a.Verdict == advisor.Monitor {
		verdict = m.styles.OK.Render("✓ MONITOR")
	}
	focus := ""
	if len(a.Focus) > 0 {
		focus = m.styles.Dim.Render(" focus ") + strings.Join(a.Focus, ",")
	}
	lines = append(lines, m.styles.Title.Render("ADVISOR ")+verdict+focus)
	workerLines := wrap(advisor.WorkerLine(a.Workers, true), w, 2)
	findings := a.Findings
	summaryMax := 2
	if h >= 14 {
		summaryMax = 3
	}
	summary := wrap(a.Summary, w, summaryMax)
	room := h - 1 - len(summary) - len(workerLines)
	if !m.baselineAt.IsZero() {
		room-- // the change since the baseline comes before the least findings
	}
	if room < len(findings) {
		// Keep the findings that matter most: highest level first.
		sorted := append([]advisor.Finding(nil), findings...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Level > sorted[j].Level })
		findings = sorted[:max(0, room)]
	}
	for _, l := range summary {
		lines = append(lines, m.styles.Text.Render(l))
	}
	for _, f := range findings {
		lines = append(lines, m.findingLine(f, w))
	}
	if !m.baselineAt.IsZero() && h-len(lines)-len(workerLines) > 0 {
		lines = append(lines, m.styles.Text.Render(fit(m.sinceBaseline(), w)))
	}
	if room := h - len(lines) - len(workerLines); room > 0 && h >= 14 {
		lines = append(lines, m.styles.Dim.Render(fit(fmt.Sprintf("window %s, covered %s", shortDur(a.WindowS), shortDur(a.CoveredS)), w)))
	}
	// Tall screens have room for the app servers, one line each.
	if room := h - len(lines) - len(workerLines); room > 1 && len(a.Apps) > 0 {
		lines = append(lines, m.styles.Title.Render("APPS"))
		for _, app := range a.Apps[:min(len(a.Apps), room-1)] {
			lines = append(lines, m.styles.Text.Render(fit(advisor.AppLine(app, true), w)))
		}
	}
	for len(lines) < h-len(workerLines) {
		lines = append(lines, "")
	}
	for _, l := range workerLines {
		lines = append(lines, m.styles.Text.Render(l))
	}
	for i := range lines {
		lines[i] = fit(lines[i], w)
	}
	return strings.Join(lines[:h], "\n")
}

// sinceBaseline is the change since the baseline and the peak since:
// "since 16:20:01 cpu +47 ↑100 mem +0 ↑3".
func (m *Model) sinceBaseline() string {
	if _, ok := m.baseIndex(); !ok {
		return "baseline is older than the history kept"
	}
	s := "since " + m.baselineAt.Local().Format("15:04:05") + " cpu " + m.deltaPeak(sampler.CPUMetric) + " mem " + m.deltaPeak(sampler.MemMetric)
	if m.opts.ProbeURL != "" {
		s += " lat " + m.deltaPeak(latencyMetric)
	}
	return s
}

// baseIndex is the first snapshot at or after the baseline mark.
func (m *Model) baseIndex() (int, bool) {
	_, end := m.shown()
	for i := 0; i <= end && i < m.hist.Len(); i++ {
		if !m.hist.At(i).Time.Before(m.baselineAt) {
			return i, true
		}
	}
	return 0, false
}

// deltaPeak is a metric's change since the baseline and its peak since:
// "+47 ↑100"; "" without a baseline.
func (m *Model) deltaPeak(f sampler.Metric) string {
	if m.baselineAt.IsZero() {
		return ""
	}
	base, ok := m.baseIndex()
	if !ok {
		return ""
	}
	_, end := m.shown()
	b, _ := f(m.hist.At(base))
	now, _ := f(m.hist.At(end))
	peak := now
	for i := base; i <= end; i++ {
		if v, ok := f(m.hist.At(i)); ok {
			peak = math.Max(peak, v)
		}
	}
	return fmt.Sprintf("%+.0f ↑%.0f", now-b, peak)
}

// findingLine: "cpu     92% avg 91 ≥85 97% ■ SCALE".
func (m *Model) findingLine(f advisor.Finding, w int) string {
	// Every column keeps a gap, whatever the width of a number: the name
	// gives way first.
	nums := fmt.Sprintf("%s avg %s ≥%s %3.0f%%", compactNum(f.Now, f.Unit), compactNum(f.Mean, ""), strings.TrimSpace(compactNum(f.Threshold, "")), f.Above*100)
	tag := m.levelTag(f.Level)
	nameW := w - lipgloss.Width(nums) - lipgloss.Width(tag) - 2
	return fit(f.Label, nameW) + " " + nums + " " + tag
}

func shortDur(sec float64) string {
	return advisor.FormatDuration(time.Duration(sec * float64(time.Second)))
}

// renderProcs is the process table, sorted and filtered.
func (m *Model) renderProcs() string {
	s, _ := m.shown()
	procs := s.Procs
	w := m.width
	// Numbers are right-aligned, as in htop.
	cols := []table.Column{{Title: padLeft("PID", 7), Width: 7}, {Title: "USER", Width: 9}, {Title: padLeft("CPU%", 6), Width: 6}, {Title: padLeft("MEM", 6), Width: 6}}
	if w >= wideWidth {
		cols = append(cols, table.Column{Title: padLeft("MEM%", 5), Width: 5}, table.Column{Title: padLeft("PSS", 6), Width: 6})
	}
	used := 0
	for _, c := range cols {
		used += c.Width + 1
	}
	cmdW := w - used - 1
	title := "COMMAND"
	if f := m.filter.Value(); f != "" {
		title = fmt.Sprintf("COMMAND (filter %q)", f)
	}
	title += " · by " + m.sortBy.String()
	if m.reverse {
		title += " ↑"
	}
	cols = append(cols, table.Column{Title: title, Width: cmdW})

	shown := filterProcs(procs, m.filter.Value())
	sortProcs(shown, m.sortBy, m.reverse)
	var groups []table.Row
	if m.grouped {
		groups, shown = m.groupRows(procs, shown, w >= wideWidth, m.filter.Value())
	}
	// Only the rows the cursor can reach before the next frame are built:
	// formatting every one of a thousand processes each second would cost
	// more than sampling them. The limit follows the cursor, so every
	// process can still be reached.
	limit := min(len(shown), max(m.table.Cursor()+2*m.lay.tableH, 3*m.lay.tableH))
	rows := make([]table.Row, 0, limit+len(groups))
	rows = append(rows, groups...)
	for _, p := range shown[:limit] {
		r := table.Row{padLeft(strconv.Itoa(int(p.PID)), 7), p.User, padLeft(strconv.FormatFloat(p.CPU, 'f', 1, 64), 6), padLeft(bytesIEC(float64(p.RSS)), 6)}
		if w >= wideWidth {
			pct := 0.0
			if s.Mem.Total > 0 {
				pct = float64(p.RSS) / float64(s.Mem.Total) * 100
			}
			pss := ""
			if p.PSS > 0 {
				pss = bytesIEC(float64(p.PSS))
			}
			r = append(r, padLeft(strconv.FormatFloat(pct, 'f', 1, 64), 5), padLeft(pss, 6))
		}
		r = append(r, shortCmd(p.Cmd))
		rows = append(rows, r)
	}
	// Each table setter re-renders the visible rows, so call only the ones
	// whose input changed: this is most of a frame's cost.
	colsKey := fmt.Sprint(cols)
	if colsKey != m.colsKey {
		// Rows first: SetColumns re-renders with the current rows, which
		// may be longer than the new columns expect.
		m.table.SetRows(nil)
		m.table.SetColumns(cols)
		m.colsKey = colsKey
	}
	m.table.SetRows(rows)
	if m.table.Height() != m.lay.tableH-1 {
		m.table.SetHeight(m.lay.tableH)
	}
	// Emptying the rows leaves the cursor at -1, which hides a row.
	if c := m.table.Cursor(); len(rows) > 0 && (c < 0 || c >= len(rows)) {
		m.table.SetCursor(max(0, min(c, len(rows)-1)))
	}
	out := m.table.View()
	if len(rows) == 0 {
		msg := "no processes"
		switch {
		case m.paused && procs == nil:
			msg = "no process list this far back (kept for the last few minutes)"
		case m.filter.Value() != "":
			msg = "no process matches the filter (esc clears it)"
		case !m.hasAny:
			msg = "waiting for the first sample…"
		}
		lines := strings.Split(out, "\n")
		if len(lines) > 1 {
			lines[1] = m.styles.Dim.Render(fit(" "+msg, w))
		}
		out = strings.Join(lines, "\n")
	}
	return lipgloss.NewStyle().Width(w).Height(m.lay.tableH).MaxHeight(m.lay.tableH).MaxWidth(w).Render(out)
}

// groupRows turns each application family into one row (master pid, summed
// CPU and memory, median PSS per worker) and leaves out its members from rest.
// With a filter, a family shows when its kind or one of its processes matches.
func (m *Model) groupRows(all []sampler.Process, rest []*sampler.Process, wide bool, filter string) ([]table.Row, []*sampler.Process) {
	apps := apps.Apps(all)
	matched := make(map[int32]bool, len(rest))
	for _, p := range rest {
		matched[p.PID] = true
	}
	member := map[int32]bool{}
	users := map[int32]string{}
	for _, p := range all {
		users[p.PID] = p.User
	}
	var rows []table.Row
	for _, a := range apps {
		member[a.MasterPID] = true
		show := filter == "" || strings.Contains(a.Kind, strings.ToLower(filter)) || matched[a.MasterPID]
		for _, pid := range a.WorkerPIDs {
			member[pid] = true
			show = show || matched[pid]
		}
		if !show {
			continue
		}
		desc := fmt.Sprintf("▸ %s × %d", a.Kind, a.Workers)
		if a.Kind == "postgres" {
			desc = fmt.Sprintf("▸ postgres: %d active, %d idle, %d idle in transaction", a.States["active"], a.States["idle"], a.States["idle in transaction"])
		}
		if a.Churn5m > 0 {
			desc += fmt.Sprintf(", %d replaced in 5 min", a.Churn5m)
		}
		r := table.Row{padLeft(strconv.Itoa(int(a.MasterPID)), 7), users[a.MasterPID], padLeft(strconv.FormatFloat(a.CPU, 'f', 1, 64), 6),
			padLeft(bytesIEC(a.RSSMiB*(1<<20)), 6)}
		if wide {
			pss := ""
			if a.PSSMedianMiB > 0 {
				pss = bytesIEC(a.PSSMedianMiB * (1 << 20))
			}
			r = append(r, "", padLeft(pss, 6))
		}
		rows = append(rows, append(r, desc))
	}
	out := rest[:0:0]
	for _, p := range rest {
		if !member[p.PID] {
			out = append(out, p)
		}
	}
	return rows, out
}

// filterProcs returns pointers into procs, so that sorting moves 8 bytes
// per swap instead of a whole Process.
func filterProcs(procs []sampler.Process, f string) []*sampler.Process {
	out := make([]*sampler.Process, 0, len(procs))
	f = strings.ToLower(f)
	for i := range procs {
		p := &procs[i]
		if f == "" || strings.Contains(strings.ToLower(p.Cmd), f) || strings.Contains(strings.ToLower(p.Name), f) ||
			strings.Contains(strings.ToLower(p.User), f) || fmt.Sprint(p.PID) == f {
			out = append(out, p)
		}
	}
	return out
}

func sortProcs(p []*sampler.Process, by sortKey, reverse bool) {
	// slices.SortStableFunc, not sort.SliceStable: this runs on every frame
	// over every process, and the generic sort is several times cheaper.
	cmp := func(a, b *sampler.Process) int {
		switch by {
		case byMem:
			if a.RSS != b.RSS {
				return cmpDesc(a.RSS, b.RSS)
			}
		case byPID:
		case byName:
			if c := strings.Compare(a.Name, b.Name); c != 0 {
				return c
			}
		default:
			if a.CPU != b.CPU {
				return cmpDesc(a.CPU, b.CPU)
			}
			if a.RSS != b.RSS {
				return cmpDesc(a.RSS, b.RSS)
			}
		}
		return int(a.PID) - int(b.PID)
	}
	if reverse {
		slices.SortStableFunc(p, func(a, b *sampler.Process) int { return cmp(b, a) })
		return
	}
	slices.SortStableFunc(p, cmp)
}

// interpreters are programs whose first argument is the program that matters.
var interpreters = map[string]bool{"python": true, "python3": true, "python2": true, "perl": true, "ruby": true,
	"node": true, "php": true, "bash": true, "sh": true}

// shortCmd drops the directories of the program and, after an interpreter,
// of its script: "/usr/bin/python3 /usr/bin/gunicorn app" reads
// "python3 gunicorn app", so the part that differs fits on an 80-column screen.
func shortCmd(cmd string) string {
	prog, rest, _ := strings.Cut(cmd, " ")
	if strings.HasPrefix(prog, "[") {
		return cmd // a kernel thread
	}
	prog = filepath.Base(prog)
	base := strings.TrimRight(prog, "0123456789.")
	if interpreters[prog] || interpreters[base] {
		script, after, found := strings.Cut(rest, " ")
		if strings.Contains(script, "/") && !strings.HasPrefix(script, "-") && !strings.HasPrefix(script, "/dev/") {
			rest = filepath.Base(script)
			if found {
				rest += " " + after
			}
		}
	}
	if rest == "" {
		return prog
	}
	return prog + " " + rest
}

// padLeft right-aligns s in n cells.
func padLeft(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat(" ", n-len(s)) + s
}

func cmpDesc[T int | uint64 | float64](a, b T) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

func (m *Model) renderFooter() string {
	var left string
	if m.filtering {
		left = m.filter.View()
	} else {
		left = m.help.ShortHelpView(m.keys.ShortHelp())
	}
	status := m.status
	if status == "" {
		return fit(left, m.width)
	}
	st := m.styles.Dim.Render(" " + status)
	sw := min(lipgloss.Width(st), m.width/2)
	return fit(left, m.width-sw) + fit(st, sw)
}
