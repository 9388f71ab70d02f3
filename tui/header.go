package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/themes"
)

// headerInput is everything the header line shows.
type headerInput struct {
	host     string
	snap     *sampler.Snapshot // nil before the first sample
	paused   bool
	behind   time.Duration // how far the paused moment is behind the newest
	replay   bool
	speed    float64
	styleGen int // bumped when the theme changes
}

// headerPanel is the top line: host, uptime, load, cores, memory, clock,
// and a PAUSED or REPLAY marker.
type headerPanel struct {
	styles *themes.Styles
	width  int
	in     headerInput
	view   string
	stale  bool
}

// SetSize sets the width (the header is one line).
func (p *headerPanel) SetSize(w, _ int) {
	if w != p.width {
		p.width, p.stale = w, true
	}
}

// Set gives the panel its input; it redraws only when that changed.
func (p *headerPanel) Set(in headerInput) {
	if in != p.in {
		p.in, p.stale = in, true
	}
}

// View is the header, drawn at most once per change.
func (p *headerPanel) View() string {
	if p.stale || p.view == "" {
		p.view, p.stale = p.render(), false
	}
	return p.view
}

func (p *headerPanel) render() string {
	in, st := p.in, p.styles
	right := ""
	switch {
	case in.paused:
		right = strings.TrimSuffix("⏸ PAUSED "+ago(in.behind), " ") + " "
	case in.replay:
		right = fmt.Sprintf("REPLAY %sx ", trimFloat(in.speed))
	}
	room := p.width - lipgloss.Width(right)
	facts := []string{"sampling…"}
	if s := in.snap; s != nil {
		facts = []string{
			"up " + uptime(s.Uptime),
			fmt.Sprintf("load %.2f %.2f %.2f", s.Load[0], s.Load[1], s.Load[2]),
			fmt.Sprintf("%s cores", trimFloat(s.Cores())),
			bytesIEC(float64(s.MemoryLimit())) + " mem",
			s.Time.Local().Format("15:04:05"),
		}
	}
	// The facts come first; the program's name goes when room is short,
	// then the host name is shortened.
	factsW := lipgloss.Width(strings.Join(facts, "  "))
	host := in.host
	prefix := " headroom  "
	if 1+lipgloss.Width(prefix)+lipgloss.Width(host)+2+factsW > room {
		prefix = " "
	}
	if hw := room - lipgloss.Width(prefix) - 2 - factsW; lipgloss.Width(host) > hw {
		host = fit(host, max(hw, 1))
	}
	left := prefix + host + "  " + strings.Join(facts, "  ")
	if in.paused {
		return st.Header.Render(fit(left, room)) + st.Paused.Render(right)
	}
	return st.Header.Render(fit(left, room) + right)
}
