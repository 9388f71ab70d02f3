package tui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/themes"
)

// footerPanel is the key hint line (or the filter being typed) with the
// status on its right, and the help screen; both are generated from the
// KeyMap, never hand-typed.
type footerPanel struct {
	styles *themes.Styles
	keys   KeyMap
	help   help.Model
	width  int
}

func newFooterPanel(keys KeyMap) footerPanel {
	return footerPanel{keys: keys, help: help.New()}
}

// SetStyles applies a theme.
func (p *footerPanel) SetStyles(st *themes.Styles) {
	p.styles = st
	p.help.Styles.ShortKey = st.HelpKey
	p.help.Styles.ShortDesc = st.HelpDesc
	p.help.Styles.FullKey = st.HelpKey
	p.help.Styles.FullDesc = st.HelpDesc
	p.help.Styles.ShortSeparator = st.Dim
	p.help.Styles.FullSeparator = st.Dim
}

// SetSize sets the width.
func (p *footerPanel) SetSize(w, _ int) {
	p.width = w
	p.help.Width = w
}

// View is the footer line: the hint, or editing (the filter's input)
// when given, with status on the right.
func (p *footerPanel) View(editing, status string) string {
	left := editing
	if left == "" {
		left = p.help.ShortHelpView(p.keys.ShortHelp())
	}
	if status == "" {
		return fit(left, p.width)
	}
	// A status answers what was just done (a go-to that missed, a hook
	// that failed): it is read whole, before the key hints, which shrink
	// to quit and help (the rest is one ? away).
	st := p.styles.Dim.Render(" " + status)
	sw := lipgloss.Width(st)
	if editing == "" && sw > p.width/2 {
		left = p.help.ShortHelpView([]key.Binding{p.keys.Quit, p.keys.Help})
	}
	sw = min(sw, p.width-min(lipgloss.Width(left), p.width/2))
	return fit(left, p.width-sw) + fit(st, sw)
}

// HelpView is the help screen's body, h rows tall.
func (p *footerPanel) HelpView(rules advisor.Rules, h int) string {
	body := p.styles.Title.Render("Keys") + "\n\n" + p.help.FullHelpView(p.keys.FullHelp()) + "\n\n" +
		p.styles.Dim.Render(wrapText("Levels: ok = MONITOR, ▲ = OPTIMIZE, ■ = SCALE, ✖ = DOWN (the app does not answer). Beside each chart: the level of its newest value; in the advisor panel: each finding's level over the window. "+
			"The verdict rests on sustained levels ("+fmt.Sprintf("%.0f%% of a %s window", rules.Sustain*100, shortDur(rules.Window.Seconds()))+
			"), never on one spike. A finding reads: metric, now, mean over the window, threshold, share of the window's samples at or above it, level.", p.width))
	return lipgloss.Place(p.width, h, lipgloss.Left, lipgloss.Top, body)
}
