package tui

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/headroom-dev/headroom/advisor"
)

// Each panel alone, at its smallest and at a large size: a panel draws
// from its own input and size, with no root model around it.
func TestPanelComponentsGolden(t *testing.T) {
	snaps := load(t, "cpu-ramp.jsonl")
	m := model(t, 80, 24, snaps[:240])
	s, seq := m.shown()
	for _, size := range []struct {
		name string
		w, h int
	}{{"small", MinWidth, MinHeight}, {"large", 200, 60}} {
		lay := computeLayout(size.w, size.h, !s.HasSwap(), false, 0)
		t.Run("header_"+size.name, func(t *testing.T) {
			p := headerPanel{styles: m.styles}
			p.SetSize(size.w, 1)
			p.Set(headerInput{host: "lab", snap: &s})
			checkPanel(t, p.View(), size.w, 1)
		})
		t.Run("charts_"+size.name, func(t *testing.T) {
			p := chartsPanel{styles: m.styles, hist: m.hist}
			p.SetSize(lay)
			p.Set(chartsInput{seq: seq}, s, m.advice)
			checkPanel(t, p.View(), lay.leftW, lay.topH)
		})
		t.Run("advisor_"+size.name, func(t *testing.T) {
			p := advisorPanel{styles: m.styles}
			p.SetSize(lay.sideW, lay.topH)
			p.Set(advisorInput{seq: seq}, m.advice)
			checkPanel(t, p.View(), lay.sideW, lay.topH)
		})
		t.Run("processes_"+size.name, func(t *testing.T) {
			p := newProcsPanel(DefaultKeyMap())
			p.SetStyles(m.styles)
			p.SetSize(size.w, lay.tableH)
			p.Set(procsInput{procs: s.Procs, memTotal: s.Mem.Total})
			checkPanel(t, p.View(), size.w, lay.tableH)
		})
		t.Run("footer_"+size.name, func(t *testing.T) {
			p := newFooterPanel(DefaultKeyMap())
			p.SetStyles(m.styles)
			p.SetSize(size.w, 1)
			checkPanel(t, p.View("", "recording to x.jsonl")+"\n"+p.HelpView(advisor.DefaultRules(), size.h-2), size.w, size.h-1)
		})
	}
}

// checkPanel asserts a panel fills exactly its w×h cells and matches its golden.
func checkPanel(t *testing.T, view string, w, h int) {
	t.Helper()
	checkFrame(t, view, w, h)
	golden.RequireEqual(t, []byte(ansi.Strip(view)))
}
