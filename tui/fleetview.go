package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/text"
)

// fleetChrome is the rows around the host list: title, two of fleet
// summary, status, column header, and the key hint.
const fleetChrome = 6

// visibleRows is how many hosts fit on screen.
func (m FleetModel) visibleRows() int { return max(1, m.height-fleetChrome) }

// hostVerdict is a host's level word; a host Prometheus cannot scrape is DOWN.
func hostVerdict(h advisor.HostAdvice) string {
	if !h.Up {
		return "DOWN"
	}
	return h.Verdict.String()
}

// fleetColumns are the widths of a row's parts at a screen width.
type fleetColumns struct{ host, spark, disk, focus int }

func columnsFor(w int) fleetColumns {
	// mark+verdict 11, cpu/mem " NNN%" 5 each, workers 4, gaps 6.
	c := fleetColumns{host: 16, disk: 11}
	if w >= 120 {
		c.host, c.disk = 24, 16
	}
	rest := w - 11 - c.host - 10 - c.disk - 4 - 6
	c.spark = max(4, min(30, rest*2/5))
	c.focus = max(0, rest-2*c.spark)
	return c
}

// render lays the fleet screen out; it runs once per refresh or key.
func (m *FleetModel) render() {
	if f, ok := undrawable(m.width, m.height); ok {
		m.frame = f
		return
	}
	st := m.styles
	w := m.width
	lines := make([]string, 0, m.height)
	title := fmt.Sprintf(" headroom fleet · %s %s · %d hosts", text.Printable(m.opts.URL), text.Printable(m.opts.Selector), len(m.adv.Hosts))
	if m.filter != "" {
		title += fmt.Sprintf(" (%d shown)", len(m.rows))
	}
	lines = append(lines, st.Header.Render(fit(title, w)))
	summary := []string{"waiting for Prometheus…", ""}
	if m.hasAny {
		c := m.adv.Fleet
		head := fmt.Sprintf("FLEET %s · %d at SCALE · %d at OPTIMIZE · %d down — ", m.adv.Verdict, c.AtScale, c.AtOptimize, c.Down)
		summary = wrap(head+text.Printable(m.adv.Summary), w, 2)
		for len(summary) < 2 {
			summary = append(summary, "")
		}
		summary[0] = m.levelStyle(m.adv.Verdict.String()).Render(fit(summary[0], w))
	}
	lines = append(lines, summary...)
	lines = append(lines, fit(m.statusLine(), w))
	c := columnsFor(w)
	hdr := fmt.Sprintf("  %-8s %s %s %s %s %s %s", "VERDICT", fit("HOST", c.host), fit("CPU", c.spark+5), fit("MEMORY", c.spark+5),
		fit("DISK", c.disk), fit("WKRS", 4), "FOCUS")
	lines = append(lines, st.TableHdr.Render(fit(hdr, w)))
	visible := m.visibleRows()
	for i := m.offset; i < len(m.rows) && i < m.offset+visible; i++ {
		row := m.row(m.adv.Hosts[m.rows[i]], c, w)
		if i == m.cursor {
			row = st.Selected.Render(fit("▶"+row[1:], w))
		}
		lines = append(lines, row)
	}
	for len(lines) < m.height-1 {
		lines = append(lines, "")
	}
	foot := m.keys.hint()
	if m.filtering {
		foot = "filter: " + m.filter + "▏ (enter keeps it, esc clears)"
	} else if m.filter != "" {
		foot = "filter “" + m.filter + "” · esc clears · " + foot
	}
	if n := len(m.rows); n > visible {
		foot = fmt.Sprintf("%d–%d of %d · ", m.offset+1, min(n, m.offset+visible), n) + foot
	}
	lines = append(lines, st.Dim.Render(fit(foot, w)))
	m.frame = strings.Join(lines[:m.height], "\n")
}

// statusLine says how fresh the numbers are, and why not when they are old.
func (m FleetModel) statusLine() string {
	step := m.opts.Interval
	switch {
	case m.err != nil && m.hasAny:
		return fmt.Sprintf("⚠ %s — showing the numbers of %s", text.Printable(m.err.Error()), m.updated.Local().Format("15:04:05"))
	case m.err != nil:
		return "⚠ " + text.Printable(m.err.Error())
	case !m.hasAny:
		return "reading the last window with query_range…"
	}
	age := m.now.Sub(m.lastOK)
	if !m.now.IsZero() && age > 3*step {
		return fmt.Sprintf("⚠ Prometheus slow: no answer for %s (refresh every %s)", age.Round(1e9), step)
	}
	return fmt.Sprintf("numbers of %s · refresh every %s · window %s", m.updated.Local().Format("15:04:05"), step, advisor.FormatDuration(m.opts.Rules.Window))
}

// row is one host: verdict word, instance, CPU and memory sparklines over
// the window with the value now, the fullest disk, workers, focus.
func (m FleetModel) row(h advisor.HostAdvice, c fleetColumns, w int) string {
	win := m.windows[h.Instance]
	verdict := hostVerdict(h)
	cpu := sparkCell(win, c.spark, advisor.KeyCPU, sampler.CPUMetric)
	mem := sparkCell(win, c.spark, advisor.KeyMemory, sampler.MemMetric)
	disk := "-"
	if d, ok := fullest(h.Advice); ok {
		disk = d
	}
	workers := "-"
	if h.Workers.Cores > 0 && h.Workers.MemoryMiB > 0 {
		workers = fmt.Sprint(h.Workers.Recommended)
	}
	focus := strings.Join(h.Focus, ",")
	if c.focus > 30 {
		focus = h.Summary
	}
	s := fmt.Sprintf("  %s %s %s %s %s %s %s", m.levelStyle(verdict).Render(fit(verdict, 8)), fit(text.Printable(h.Instance), c.host),
		cpu, mem, fit(text.Printable(disk), c.disk), fit(workers, 4), text.Printable(focus))
	return fit(s, w)
}

func (m FleetModel) levelStyle(word string) lipgloss.Style {
	switch word {
	case "SCALE", "DOWN":
		return m.styles.Crit
	case "OPTIMIZE":
		return m.styles.Warn
	}
	return m.styles.OK
}

// fullest is the disk finding with the highest use now: "/var 91%".
func fullest(a advisor.Advice) (string, bool) {
	best, pct := "", -1.0
	for _, f := range a.Findings {
		if key, mount := advisor.SplitMetric(f.Metric); key == advisor.KeyDisk && f.Now > pct {
			best, pct = mount, f.Now
		}
	}
	return fmt.Sprintf("%s %.0f%%", best, pct), best != ""
}

// sparkBlocks are the eight heights of a sparkline cell.
var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// sparkCell is a sparkline of width w over the whole window (each cell the
// highest value of its share of the points, 0–100 %), then the value now;
// a point whose series is absent is a blank, never a floor.
func sparkCell(win []sampler.Snapshot, w int, key string, metric sampler.Metric) string {
	cells := make([]rune, w)
	for i := range cells {
		cells[i] = ' '
	}
	n := len(win)
	now := "   -"
	if n > 0 && !win[n-1].IsAbsent(key) {
		if v, ok := metric(win[n-1]); ok {
			now = fmt.Sprintf("%3.0f%%", v)
		}
	}
	for i := 0; i < w && n > 0; i++ {
		lo, hi := i*n/w, (i+1)*n/w
		if n < w { // fewer points than cells: right-aligned, one each
			lo = i - (w - n)
			hi = lo + 1
			if lo < 0 {
				continue
			}
		}
		top, any := 0.0, false
		for _, s := range win[lo:hi] {
			if v, ok := metric(s); ok && !s.IsAbsent(key) {
				top, any = max(top, v), true
			}
		}
		if any {
			cells[i] = sparkBlocks[min(len(sparkBlocks)-1, max(0, int(top/100*float64(len(sparkBlocks)))))]
		}
	}
	return string(cells) + " " + now
}
