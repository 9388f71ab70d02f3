package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/themes"
)

// chartsInput is what decides the charts: the moment on screen (its
// sequence number in History; the snapshot and its advice follow from it),
// the baseline, and the theme.
type chartsInput struct {
	seq      uint64
	evidence string // the registered evidence lines, one per row
	baseline time.Time
	probe    bool // --probe: a latency chart
	styleGen int
}

// chartsPanel is the CPU, memory, swap, disk (and latency, network, disk
// I/O, per-core) sparklines with their labels. Drawing every cell costs,
// so the panel is redrawn only when its input or size changes.
type chartsPanel struct {
	styles *themes.Styles
	hist   *sampler.History
	sla    int // ms, for the load test's p95 chart
	lay    layout
	in     chartsInput
	snap   sampler.Snapshot
	advice advisor.Advice
	view   string
	stale  bool
}

// SetSize places the panel by the root's layout.
func (p *chartsPanel) SetSize(l layout) {
	if l != p.lay {
		p.lay, p.stale = l, true
	}
}

// Set gives the panel the moment to show; it redraws only when the input changed.
func (p *chartsPanel) Set(in chartsInput, snap sampler.Snapshot, advice advisor.Advice) {
	if in != p.in || p.view == "" {
		p.in, p.snap, p.advice, p.stale = in, snap, advice, true
	}
}

// View is the panel, drawn at most once per change.
func (p *chartsPanel) View() string {
	if p.stale || p.view == "" {
		p.view, p.stale = p.render(), false
	}
	return p.view
}

func (p *chartsPanel) render() string {
	s, st := p.snap, p.styles
	w := p.lay.leftW - labelW - 1
	lab := st.Label
	nowLevel := func(metric string) string {
		f, ok := p.advice.Finding(metric)
		if !ok {
			return levelTag(st, advisor.Monitor)
		}
		return levelTag(st, f.NowLevel)
	}
	series := func(m sampler.Metric) []float64 { return p.hist.Series(p.in.seq, w, m) }
	// With a baseline marked, the third line of a label is the change since
	// it and the peak since (when the chart is tall enough to have one).
	since := func(label []string, f sampler.Metric) []string {
		if d := p.deltaPeak(f); d != "" && len(label) > 2 {
			label[2] = st.Text.Render(d)
		}
		return label
	}
	var rows []string
	cpuLevel := nowLevel(advisor.KeyCPU)
	if s.Short > 0 { // a first figure over a few clock ticks: say so until a full interval
		cpuLevel = st.Dim.Render(fmt.Sprintf("over %.0f ms", s.Short*1000))
	}
	cpuLabel := since([]string{lab.Render("CPU") + fmt.Sprintf(" %5.1f%%", s.CPU.Percent), cpuLevel,
		st.Dim.Render(fmt.Sprintf("iowait %.0f%%", s.CPU.IOWait)), st.Dim.Render(fmt.Sprintf("steal %.0f%%", s.CPU.Steal))}, sampler.CPUMetric)
	rows = append(rows, p.chartRow(cpuLabel, series(sampler.CPUMetric), 100, st.CPU))
	memLabel := since([]string{lab.Render("MEM") + fmt.Sprintf(" %5.1f%%", s.MemPercent()), nowLevel(advisor.KeyMemory),
		st.Dim.Render(bytesIEC(float64(s.Mem.Available)) + " avail")}, sampler.MemMetric)
	rows = append(rows, p.chartRow(memLabel, series(sampler.MemMetric), 100, st.Mem))
	if pct, ok := s.SwapPercent(); ok {
		rows = append(rows, p.chartRow([]string{lab.Render("SWP") + fmt.Sprintf(" %5.1f%%", pct), nowLevel(advisor.KeySwap),
			st.Dim.Render(bytesIEC(float64(s.Swap.Used)) + " used")}, series(sampler.SwapMetric), 100, st.Swap))
	} else {
		rows = append(rows, fit(lab.Render("SWP")+"  none "+st.Dim.Render("(no swap configured)"), p.lay.leftW))
	}
	// The fullest disk gets the chart; the others are in the advisor's findings.
	if d, ok := fullestDisk(s); ok {
		rows = append(rows, p.chartRow([]string{lab.Render("DSK") + fmt.Sprintf(" %5.1f%%", d.Percent()), nowLevel(advisor.MetricName(advisor.KeyDisk, d.Mount)),
			st.Dim.Render(d.Mount)}, series(sampler.DiskMetric(d.Mount)), 100, st.Disk))
	} else {
		rows = append(rows, p.chartRow([]string{lab.Render("DSK") + "  none"}, nil, 100, st.Disk))
	}
	if p.in.probe {
		rows = append(rows, p.chartRow(since(p.latencyLabel(), latencyMetric), series(latencyMetric), 0, st.Net))
	}
	rows = append(rows, p.loadCharts(s)...)
	if p.lay.extra {
		rows = append(rows, p.chartRow(p.rateLabel("NET", s.Net, "↓", "↑"), series(netMetric), 0, st.Net))
		rows = append(rows, p.chartRow(p.rateLabel("I/O", s.IO, "r", "w"), series(ioMetric), 0, st.IO))
		rows = append(rows, fit(p.perCore(s), p.lay.leftW))
	}
	rows = append(rows, fit(p.infoLine(s), p.lay.leftW))
	if p.in.evidence != "" {
		for _, l := range strings.Split(p.in.evidence, "\n") {
			rows = append(rows, st.Text.Render(fitParts(l, p.lay.leftW)))
		}
	}
	return padBlock(strings.Join(rows, "\n"), p.lay.leftW)
}

func (p *chartsPanel) latencyLabel() []string {
	st := p.styles
	label := []string{st.Label.Render("LAT") + " " + st.Dim.Render("no data")}
	pr := p.advice.Probe
	if pr == nil {
		return label
	}
	if pr.Answered == 0 {
		return []string{st.Label.Render("LAT") + "  none", st.Dim.Render("no answer")}
	}
	if pr.Failing > 0 {
		// The newest requests failed: their latency is not the last one
		// that answered, which would read as an app still answering.
		return []string{st.Label.Render("LAT") + " failed", st.Dim.Render(fmt.Sprintf("%d failing", pr.Failing)),
			st.Dim.Render("p95 " + millis(pr.P95))}
	}
	if p.advice.LatencyFromTraffic() {
		// The finding is the access log's: no level for the probe here.
		// Within the label's 11 columns: "probe p95 25ms" would be cut.
		return []string{st.Label.Render("LAT") + " " + fit(millis(pr.Last), 6), st.Dim.Render("p95 " + millis(pr.P95)),
			st.Dim.Render("(probe)")}
	}
	level := advisor.Monitor // the newest request's level, as beside every chart
	if f, ok := p.advice.Finding(advisor.KeyLatency); ok {
		level = f.NowLevel
	}
	label = []string{st.Label.Render("LAT") + " " + fit(millis(pr.Last), 6), levelTag(st, level),
		st.Dim.Render("p95 " + millis(pr.P95))}
	if level == advisor.Monitor {
		label[1] = st.Dim.Render("p95 " + millis(pr.P95))
		label[2] = st.Dim.Render("SLA " + millis(pr.SLA))
	}
	return label
}

// chartRow is a label block beside a sparkline, chartH rows tall.
func (p *chartsPanel) chartRow(label []string, data []float64, maxV float64, st lipgloss.Style) string {
	h := p.lay.chartH
	w := p.lay.leftW - labelW - 1
	chart := spark(data, w, h, maxV, st)
	// Both sides are exactly their width (fit, sparkLines): joined line by
	// line, with nothing to measure.
	var b strings.Builder
	for i := 0; i < h; i++ {
		l := ""
		if i < len(label) {
			l = label[i]
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(fit(l, labelW))
		b.WriteByte(' ')
		if i < len(chart) {
			b.WriteString(chart[i])
		}
	}
	return b.String()
}

// spark draws a sparkline of data (newest at the right), scaled to max (0:
// auto): h lines of exactly w cells.
// Styling every cell on its own costs an escape sequence per cell on the
// wire and a lipgloss render per cell in CPU; so the chart is drawn
// unstyled (sparkLines) and each line gets one style run, blanks left plain.
func spark(data []float64, w, h int, maxV float64, st lipgloss.Style) []string {
	// A small non-zero value still gets the lowest block: memory at 3 %
	// drawn as nothing reads as a broken chart, and so does a 10 ms
	// latency beside a 2 s peak on a chart scaled to its own top.
	top := maxV
	if top <= 0 { // as sparkLines scales it
		top = 1
		for _, v := range data {
			top = math.Max(top, v)
		}
	}
	least := top / float64(8*h)
	for i, v := range data {
		if v > 0 && v < least {
			data[i] = least
		}
	}
	lines := sparkLines(data, w, h, maxV) // the newest sample at the right edge
	for i, l := range lines {
		body := strings.TrimLeft(l, " ")
		if body == "" {
			continue
		}
		lines[i] = l[:len(l)-len(body)] + st.Render(body)
	}
	return lines
}

func (p *chartsPanel) rateLabel(name string, r *sampler.Rates, in, out string) []string {
	st := p.styles
	if r == nil {
		return []string{st.Label.Render(name), st.Dim.Render("n/a")}
	}
	return []string{st.Label.Render(name) + " " + fit(bytesIEC(r.In+r.Out)+"/s", 7),
		st.Dim.Render(in + bytesIEC(r.In) + " " + out + bytesIEC(r.Out))}
}

// latencyMetric is the slowest probe request of a sample (ms). A request
// that got no answer and no timeout (refused, reset) has no latency: its
// 0.3 ms would draw as the fastest answer of all.
func latencyMetric(s sampler.Snapshot) (float64, bool) {
	v, ok := 0.0, false
	for _, p := range s.Probe {
		if p.Err != "" && p.Err != "timeout" {
			continue
		}
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
func (p *chartsPanel) perCore(s sampler.Snapshot) string {
	blocks := []rune(" ▁▂▃▄▅▆▇█")
	var b strings.Builder
	b.WriteString(p.styles.Label.Render("cores "))
	for i, v := range s.CPU.PerCore {
		idx := int(math.Round(v / 100 * float64(len(blocks)-1)))
		idx = max(0, min(len(blocks)-1, idx))
		fmt.Fprintf(&b, "%d%s%3.0f%% ", i, p.styles.CPU.Render(string(blocks[idx])), v)
	}
	return b.String()
}

// infoLine carries the figures that have no chart at 80x24.
func (p *chartsPanel) infoLine(s sampler.Snapshot) string {
	var parts []string
	if c := s.Cores(); c > 0 && p.lay.extra {
		parts = append(parts, fmt.Sprintf("load/core %.2f", s.Load[0]/c))
	}
	if !p.lay.extra {
		if s.Net != nil {
			parts = append(parts, "net ↓"+bytesIEC(s.Net.In)+"/s ↑"+bytesIEC(s.Net.Out)+"/s")
		}
		if s.IO != nil {
			parts = append(parts, "io r"+bytesIEC(s.IO.In)+"/s w"+bytesIEC(s.IO.Out)+"/s")
		}
	}
	if s.PSI != nil && p.lay.extra {
		parts = append(parts, fmt.Sprintf("psi cpu %.1f mem %.1f io %.1f", s.PSI.CPU.Now(), s.PSI.Memory.Now(), s.PSI.IO.Now()))
	}
	parts = append(parts, fmt.Sprintf("%d tasks", s.NProcs))
	// Whole figures only: one that does not fit is left out, never cut
	// to "78 …".
	line := ""
	for _, part := range parts {
		next := part
		if line != "" {
			next = line + "  " + part
		}
		if lipgloss.Width(next) > p.lay.leftW {
			break
		}
		line = next
	}
	return p.styles.Dim.Render(line)
}

// deltaPeak is a metric's change since the baseline and its peak since:
// "+47 ↑100"; "" without a baseline.
func (p *chartsPanel) deltaPeak(f sampler.Metric) string {
	return deltaPeak(p.hist, p.in.baseline, p.in.seq, f, "") // the label above names the unit
}

// baseSeq is the first snapshot at or after the baseline mark, up to end.
func baseSeq(h *sampler.History, baseline time.Time, end uint64) (uint64, bool) {
	oldest, _ := h.Span()
	if oldest == 0 {
		return 0, false
	}
	seq := oldest // every snapshot held is at or after the baseline
	if before, ok := h.SeqAt(baseline.Add(-time.Nanosecond)); ok {
		seq = before + 1 // the first after the newest before it
	}
	if seq > end {
		return 0, false
	}
	return seq, true
}

// deltaPeak is the change of f from the baseline to end and its peak in
// between, in unit: "+47 ↑100%"; "" without a baseline or once it has
// fallen out.
func deltaPeak(h *sampler.History, baseline time.Time, end uint64, f sampler.Metric, unit string) string {
	if baseline.IsZero() {
		return ""
	}
	base, ok := baseSeq(h, baseline, end)
	if !ok {
		return ""
	}
	bs, _ := h.Get(base)
	es, _ := h.Get(end)
	b, _ := f(bs)
	now, _ := f(es)
	peak := now
	for _, v := range h.Series(end, int(end-base)+1, f) {
		peak = math.Max(peak, v)
	}
	return fmt.Sprintf("%+.0f ↑%.0f%s", math.Round(now-b)+0, peak, unit) // the unit once, on the peak
}

// millis prints a latency in at most six cells: 180ms, 2166ms, 12.5s.
func millis(ms float64) string {
	if ms >= 9999.5 {
		return fmt.Sprintf("%.1fs", ms/1000)
	}
	return fmt.Sprintf("%.0fms", ms)
}
