package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/table"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// procTable is the process (and services) table: bubbles/table's columns,
// rows, keys and look, drawn by hand. bubbles/table renders every cell
// through two lipgloss styles, each measuring its text grapheme by
// grapheme: at 120x40 that was half of a frame's CPU, every second, on the
// machine being watched. Here a row is padded as plain text (nearly every
// cell is ASCII; the others are measured) and coloured once.
type procTable struct {
	cols   []table.Column
	rows   []table.Row
	keys   table.KeyMap
	cursor int
	top    int // first row shown
	height int // rows shown, without the header
	styles table.Styles

	header     string // rendered header, cached per columns and styles
	cellPre    string // the cell style's escape sequences around a text
	cellSuf    string
	selPre     string // the selected row's
	selSuf     string
	headerDone bool
}

func newProcTable(km table.KeyMap) procTable {
	return procTable{keys: km, height: 20}
}

// SetStyles sets the header, cell and selected-row styles.
func (t *procTable) SetStyles(s table.Styles) {
	t.styles = s
	t.cellPre, t.cellSuf = styleWrap(s.Cell.UnsetPadding())
	t.selPre, t.selSuf = styleWrap(s.Selected)
	t.headerDone = false
}

// styleWrap is what a style writes before and after a one-line text, so
// a whole row takes its colours with two string copies, not a render.
func styleWrap(s lipgloss.Style) (pre, suf string) {
	r := s.Render("X")
	i := strings.IndexByte(r, 'X')
	if i < 0 {
		return "", ""
	}
	return r[:i], r[i+1:]
}

// SetColumns sets the columns.
func (t *procTable) SetColumns(c []table.Column) {
	t.cols = c
	t.headerDone = false
}

// SetRows sets the rows, keeping the cursor on one of them (-1 when none).
func (t *procTable) SetRows(r []table.Row) {
	t.rows = r
	if t.cursor > len(r)-1 {
		t.cursor = len(r) - 1
	}
	t.scroll()
}

// SetHeight sets the lines of the whole table, its header included.
func (t *procTable) SetHeight(h int) {
	t.height = max(h-1, 0)
	t.scroll()
}

// Height is the number of rows shown, without the header.
func (t *procTable) Height() int { return t.height }

// Cursor is the selected row.
func (t *procTable) Cursor() int { return t.cursor }

// SetCursor selects row n.
func (t *procTable) SetCursor(n int) {
	t.cursor = max(0, min(n, len(t.rows)-1))
	t.scroll()
}

func (t *procTable) move(n int) { t.SetCursor(t.cursor + n) }

// Update moves the cursor for the table's keys.
func (t procTable) Update(msg tea.Msg) (procTable, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return t, nil
	}
	switch {
	case key.Matches(k, t.keys.LineUp):
		t.move(-1)
	case key.Matches(k, t.keys.LineDown):
		t.move(1)
	case key.Matches(k, t.keys.PageUp):
		t.move(-t.height)
	case key.Matches(k, t.keys.PageDown):
		t.move(t.height)
	case key.Matches(k, t.keys.GotoTop):
		t.SetCursor(0)
	case key.Matches(k, t.keys.GotoBottom):
		t.SetCursor(len(t.rows) - 1)
	}
	return t, nil
}

// scroll keeps the cursor in view, as htop does: the window moves only
// when the cursor would leave it.
func (t *procTable) scroll() {
	if t.cursor < t.top {
		t.top = max(t.cursor, 0)
	}
	if t.height > 0 && t.cursor >= t.top+t.height {
		t.top = t.cursor - t.height + 1
	}
	t.top = max(0, min(t.top, len(t.rows)-t.height))
}

// View is the header and height rows, each padded to width w.
func (t *procTable) View(w int) string {
	if !t.headerDone {
		t.header = t.headerView()
		t.headerDone = true
	}
	var b strings.Builder
	b.Grow((t.height + 1) * (w + 16))
	b.WriteString(t.header)
	var line strings.Builder
	for i := t.top; i < t.top+t.height; i++ {
		b.WriteByte('\n')
		if i >= len(t.rows) {
			b.WriteString(strings.Repeat(" ", w))
			continue
		}
		line.Reset()
		n := 0
		for c, v := range t.rows[i] {
			if c >= len(t.cols) || t.cols[c].Width <= 0 {
				continue
			}
			cw := t.cols[c].Width
			writeCell(&line, v, cw)
			line.WriteByte(' ') // the cell style's right padding
			n += cw + 1
		}
		text := line.String()
		if n > w {
			text = ansi.Truncate(text, w, "")
		}
		pre, suf := t.cellPre, t.cellSuf
		if i == t.cursor {
			pre, suf = t.selPre, t.selSuf
		}
		b.WriteString(pre)
		b.WriteString(text)
		b.WriteString(suf)
		if n < w {
			b.WriteString(strings.Repeat(" ", w-n))
		}
	}
	return b.String()
}

// headerView renders the column titles as bubbles/table does.
func (t *procTable) headerView() string {
	s := make([]string, 0, len(t.cols))
	for _, col := range t.cols {
		if col.Width <= 0 {
			continue
		}
		style := lipgloss.NewStyle().Width(col.Width).MaxWidth(col.Width).Inline(true)
		s = append(s, t.styles.Header.Render(style.Render(ansi.Truncate(col.Title, col.Width, "…"))))
	}
	return joinTop(s...)
}

// writeCell writes v cut (with "…") or padded to exactly w cells.
func writeCell(b *strings.Builder, v string, w int) {
	if plainASCII(v) {
		if len(v) > w {
			b.WriteString(v[:w-1])
			b.WriteString("…")
			return
		}
		b.WriteString(v)
		b.WriteString(strings.Repeat(" ", w-len(v)))
		return
	}
	v = ansi.Truncate(v, w, "…")
	b.WriteString(v)
	if n := ansi.StringWidth(v); n < w {
		b.WriteString(strings.Repeat(" ", w-n))
	}
}

// plainASCII is true when every byte of s is printable ASCII: one cell each.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// fitLines pads (with blank lines w wide) or cuts s to exactly h lines; no
// lines at all when h is 0 or less (a short terminal with many evidence
// lines leaves the table no room).
func fitLines(s string, w, h int) string {
	if h <= 0 {
		return ""
	}
	n := strings.Count(s, "\n") + 1
	switch {
	case n < h:
		return s + strings.Repeat("\n"+strings.Repeat(" ", w), h-n)
	case n > h:
		i := 0
		for range h {
			i += strings.IndexByte(s[i:], '\n') + 1
		}
		return s[:i-1]
	}
	return s
}
