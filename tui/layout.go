package tui

// Layout sizes, in cells.
const (
	MinWidth    = 80 // everything essential fits in 80x24
	MinHeight   = 24
	labelW      = 11 // the label block left of each sparkline
	sideW       = 38 // the advisor panel at 80 columns
	sideWWide   = 48 // from wideWidth on
	sideWMax    = 72 // the advisor panel never grows past this
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
// one line, and the process list gets the rest. On wide screens the
// advisor panel takes a third of the width (up to sideWMax), so its
// summary is never cut beside empty chart columns.
func computeLayout(w, h int, noSwap, probe bool, evidence int) layout {
	l := layout{sideW: sideW, chartH: 2}
	if w >= wideWidth {
		l.sideW = max(sideWWide, min(sideWMax, w/3))
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
	l.topH += evidence // one row per line of evidence beyond the machine's
	l.tableH = h - 2 - l.topH
	return l
}
