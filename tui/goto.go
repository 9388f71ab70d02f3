package tui

import (
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// GoToFunc jumps a replay to the time a person typed ("03:10", "-2h", RFC
// 3339), read against the moment on screen; it returns the status to show.
type GoToFunc func(when string, onScreen time.Time) (string, error)

// gotoPrompt is the one-line prompt of the go-to-time key, in the footer.
type gotoPrompt struct {
	input  textinput.Model
	active bool
}

func newGotoPrompt() gotoPrompt {
	in := textinput.New()
	in.Prompt = "go to: "
	in.Placeholder = "03:10, -2h, +30m or 2026-11-23T03:10:00Z"
	in.CharLimit = 40
	return gotoPrompt{input: in}
}

// open gives the prompt the keyboard.
func (g *gotoPrompt) open() tea.Cmd {
	g.active = true
	g.input.SetValue("")
	return g.input.Focus()
}

// onGotoKey handles a key while the prompt is open: enter jumps, esc closes.
func (m *Model) onGotoKey(k tea.KeyMsg) tea.Cmd {
	switch {
	case k.Type == tea.KeyEnter:
		m.jump.active = false
		m.jump.input.Blur()
		s, _ := m.shown()
		status, err := m.opts.GoTo(m.jump.input.Value(), s.Time)
		if err != nil {
			m.status = err.Error()
			return nil
		}
		m.status = status
		if m.paused { // the moment paused at is gone with the jump
			m.togglePause()
		}
		return nil
	case key.Matches(k, m.keys.ClearOrEsc):
		m.jump.active = false
		m.jump.input.Blur()
		return nil
	}
	var cmd tea.Cmd
	m.jump.input, cmd = m.jump.input.Update(k)
	return cmd
}
