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
		if m.opts.GoTo == nil {
			m.goToHeld(m.jump.input.Value(), s.Time)
			return nil
		}
		status, err := m.opts.GoTo(m.jump.input.Value(), s.Time)
		if err != nil {
			m.say(err.Error())
			return nil
		}
		if m.paused { // the moment paused at is gone with the jump
			m.togglePause()
		}
		m.say(status)
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

// goToHeld pauses a live dashboard at the moment asked for, within the
// history it holds (an hour by default); the screen says what it holds
// when the moment is older.
func (m *Model) goToHeld(when string, onScreen time.Time) {
	if onScreen.IsZero() {
		onScreen = time.Now()
	}
	t, err := m.opts.ParseTime(when, onScreen.Local())
	if err != nil {
		m.say(err.Error())
		return
	}
	oldest, _ := m.hist.Span()
	seq, ok := m.hist.SeqAt(t)
	if !ok {
		// Short enough for the footer at 80 columns.
		m.say(t.Local().Format("15:04:05") + " is not in the history")
		if first, held := m.hist.Get(oldest); held {
			m.status += " (kept from " + first.Time.Local().Format("15:04:05") + ")"
		}
		return
	}
	if !m.paused {
		m.togglePause()
	}
	m.cursor = seq
	m.adviseAt(seq)
	at, _ := m.hist.Get(seq)
	m.say("at " + at.Time.Local().Format("15:04:05") + ": ←/→ scrub, end returns to live")
}
