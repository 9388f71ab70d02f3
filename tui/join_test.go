package tui

import (
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// joinTop and padBlock must draw what the lipgloss calls they replace do.
func TestJoinAndPadDrawAsLipgloss(t *testing.T) {
	defer lipgloss.SetColorProfile(lipgloss.ColorProfile())
	lipgloss.SetColorProfile(termenv.TrueColor)
	red := lipgloss.NewStyle().Foreground(lipgloss.Color("#ff0000")).Bold(true)
	blocks := []string{
		"",
		" ",
		"abc",
		"a\nbb\nccc",
		red.Render("CPU") + " 12.5%\n" + red.Render("▁▂▃▄") + "\n",
		"世界\nx",
		"\n\n\n",
		"trailing  \n" + red.Render("wide 世") + " end",
	}
	for i, a := range blocks {
		for j, b := range blocks {
			want := lipgloss.JoinHorizontal(lipgloss.Top, a, " ", b)
			if got := joinTop(a, " ", b); got != want {
				t.Errorf("joinTop(%d, %d) = %q, want %q", i, j, got, want)
			}
		}
		if got, want := joinTop(a), lipgloss.JoinHorizontal(lipgloss.Top, a); got != want {
			t.Errorf("joinTop(%d) = %q, want %q", i, got, want)
		}
		for _, w := range []int{0, 1, 3, 8, 20} {
			want := lipgloss.NewStyle().Width(w).MaxWidth(w).Render(a)
			if got := padBlock(a, w); got != want {
				t.Errorf("padBlock(%d, %d) = %q, want %q", i, w, got, want)
			}
		}
	}
	if got, want := padBlock("a\tb\nc", 10), lipgloss.NewStyle().Width(10).MaxWidth(10).Render("a\tb\nc"); got != want {
		t.Errorf("with a tab: %q, want %q", got, want)
	}
}
