package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// Measuring a line's width (ANSI styles skipped, graphemes walked) was a
// third of an idle dashboard's CPU, and lipgloss measures every line of a
// block two to four times per join or padded render. These do what the
// two lipgloss calls the dashboard makes every frame do, measuring each
// line once.

// joinTop is lipgloss.JoinHorizontal(lipgloss.Top, blocks...), line for line.
func joinTop(blocks ...string) string {
	if len(blocks) <= 1 {
		return strings.Join(blocks, "")
	}
	lines := make([][]string, len(blocks))
	widths := make([][]int, len(blocks))
	widest := make([]int, len(blocks))
	height := 0
	for i, b := range blocks {
		lines[i] = strings.Split(b, "\n")
		widths[i] = make([]int, len(lines[i]))
		for j, l := range lines[i] {
			w := ansi.StringWidth(l)
			widths[i][j] = w
			widest[i] = max(widest[i], w)
		}
		height = max(height, len(lines[i]))
	}
	var sb strings.Builder
	for row := 0; row < height; row++ {
		for i := range blocks {
			w := 0
			if row < len(lines[i]) {
				sb.WriteString(lines[i][row])
				w = widths[i][row]
			}
			sb.WriteString(strings.Repeat(" ", widest[i]-w))
		}
		if row < height-1 {
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

// padBlock is lipgloss.NewStyle().Width(w).MaxWidth(w).Render(s): every
// line padded with spaces to w cells. A line wider than w, or one with a
// tab, goes through lipgloss (which wraps it).
func padBlock(s string, w int) string {
	if w <= 0 || strings.ContainsAny(s, "\t\r") {
		return lipgloss.NewStyle().Width(w).MaxWidth(w).Render(s)
	}
	lines := strings.Split(s, "\n")
	var sb strings.Builder
	for i, l := range lines {
		n := ansi.StringWidth(l)
		if n > w {
			return lipgloss.NewStyle().Width(w).MaxWidth(w).Render(s)
		}
		sb.WriteString(l)
		sb.WriteString(strings.Repeat(" ", w-n))
		if i < len(lines)-1 {
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}
