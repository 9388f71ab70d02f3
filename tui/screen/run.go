package screen

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"
	"github.com/headroom-dev/headroom/sampler"
)

// model draws the wrapped model's views on a Screen. bubbletea asks for a
// view after every update; it gets an empty one, for its renderer is off.
type model struct {
	inner  tea.Model
	screen *Screen
}

func (m model) Init() tea.Cmd { return m.inner.Init() }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		m.screen.Resize(ws.Width, ws.Height)
	}
	var cmd tea.Cmd
	m.inner, cmd = m.inner.Update(msg)
	return m, cmd
}

func (m model) View() string {
	m.screen.Draw(m.inner.View())
	return ""
}

// Program runs a model full screen on a terminal, as
// tea.NewProgram(m, tea.WithAltScreen(), tea.WithOutput(out), opts...) would,
// but drawn by a Screen: at most once per gap, and only on change. Keys come
// from standard input, or from /dev/tty when standard input is not a
// terminal. Quit, Send and Kill are bubbletea's.
type Program struct {
	*tea.Program
	out    *os.File
	screen *Screen
}

// NewProgram makes a Program drawing m on out.
func NewProgram(m tea.Model, out *os.File, gap time.Duration, opts ...tea.ProgramOption) *Program {
	s := New(out, sampler.RealClock, gap)
	opts = append(opts, tea.WithoutRenderer(), tea.WithOutput(out))
	return &Program{Program: tea.NewProgram(model{inner: m, screen: s}, opts...), out: out, screen: s}
}

// Run runs the program until it quits and returns the final model (the
// caller's type, not a wrapper). With its renderer off bubbletea neither
// sets the terminal's raw mode nor watches its size, so Run does both, and
// undoes them on every way out.
func (p *Program) Run() (tea.Model, error) {
	in := os.Stdin
	if !term.IsTerminal(in.Fd()) {
		tty, err := os.Open("/dev/tty")
		if err != nil {
			return nil, fmt.Errorf("no terminal to read keys from: %w", err)
		}
		defer tty.Close()
		in = tty
	}
	tea.WithInput(in)(p.Program)
	state, err := term.MakeRaw(in.Fd())
	if err != nil {
		return nil, fmt.Errorf("cannot set the terminal's raw mode: %w", err)
	}
	defer term.Restore(in.Fd(), state)

	if w, h, err := term.GetSize(p.out.Fd()); err == nil {
		p.screen.Resize(w, h)
	}
	p.screen.Start()
	defer p.screen.Stop()

	// The model learns its size from messages, the first at once.
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	defer signal.Stop(winch)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			if w, h, err := term.GetSize(p.out.Fd()); err == nil {
				p.Send(tea.WindowSizeMsg{Width: w, Height: h}) // returns once the program has ended
			}
			select {
			case <-done:
				return
			case <-winch:
			}
		}
	}()

	final, err := p.Program.Run()
	if w, ok := final.(model); ok {
		final = w.inner
	}
	return final, err
}
