// Package screen draws a bubbletea model on the terminal's alternate
// screen, and only when what it shows has changed.
//
// It stands in for bubbletea v1's standard renderer, which wakes on a fixed
// ticker at its frame rate whether or not anything changed. Each wake-up
// rouses the Go scheduler, and that ticker was about 40 % of an idle
// dashboard's CPU (peer-overhead.sh, 120x40: 0.51 % of a core at 15 frames
// a second, 0.26–0.32 % at 1). bubbletea v2 draws on change, but ntcharts
// needs v1. A Screen draws a changed view at once, or, if the last frame
// went out less than a frame gap ago, when the gap is over: keys answer as
// fast as before and an unchanged screen costs nothing.
package screen

import (
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/headroom-dev/headroom/sampler"
)

// Screen draws whole views on the alternate screen, writing only the lines
// that changed since the last frame.
type Screen struct {
	mu    sync.Mutex
	out   io.Writer
	clock sampler.Clock
	gap   time.Duration

	width, height int
	shown         []string // the lines on the terminal now
	clear         bool     // erase the screen before the next frame (after a resize)
	view          string   // the newest view
	drawn         string   // the view on the terminal
	last          time.Time
	waiting       bool // a frame is due when the gap is over
	started       bool
	stopped       bool
}

// New makes a Screen writing to out, at most one frame per gap.
func New(out io.Writer, clock sampler.Clock, gap time.Duration) *Screen {
	return &Screen{out: out, clock: clock, gap: gap}
}

// Terminal sequences, spelled out where x/ansi has no constant for them.
const (
	enterAlt = "\x1b[?1049h" // alternate screen, saving the user's
	leaveAlt = "\x1b[?1049l"
	hide     = "\x1b[?25l"
	show     = "\x1b[?25h"
)

// Start switches to the alternate screen and hides the cursor.
func (s *Screen) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return
	}
	s.started = true
	io.WriteString(s.out, enterAlt+ansi.EraseEntireScreen+ansi.CursorHomePosition+hide)
	s.clear = false // just done
	if s.view != "" {
		s.schedule()
	}
}

// Stop shows the cursor and gives the user's screen back; nothing is drawn
// after it. It is safe to call more than once.
func (s *Screen) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	s.stopped = true
	if s.started {
		io.WriteString(s.out, show+leaveAlt)
	}
}

// Resize sets the terminal's size: the next frame erases the screen and
// draws every line, since a terminal may reflow what it held. The frame
// waits for the next Draw, as a model's view follows its resize.
func (s *Screen) Resize(width, height int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if width == s.width && height == s.height {
		return
	}
	s.width, s.height = width, height
	s.shown, s.drawn, s.clear = nil, "", true
}

// Draw shows view: now, or when the frame gap since the last frame is over.
// A view the same as the one on the terminal writes nothing.
func (s *Screen) Draw(view string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.view = view
	s.schedule()
}

// schedule draws the newest view now if the gap allows, else once at the
// end of the gap. Called with s.mu held.
func (s *Screen) schedule() {
	if !s.started || s.stopped || s.waiting || s.view == s.drawn && !s.clear {
		return
	}
	wait := s.gap - s.clock.Now().Sub(s.last)
	if s.last.IsZero() || wait <= 0 {
		s.flush()
		return
	}
	s.waiting = true
	after := s.clock.After(wait)
	go func() {
		<-after
		s.mu.Lock()
		defer s.mu.Unlock()
		s.waiting = false
		if !s.stopped && (s.view != s.drawn || s.clear) {
			s.flush()
		}
	}()
}

// flush writes the newest view: the cursor goes home, unchanged lines are
// stepped over, changed ones are cut to the width and the rest of their row
// erased. This is bubbletea's standard renderer's way on the alternate
// screen, so the bytes sent for a frame are the same. Called with s.mu held.
func (s *Screen) flush() {
	lines := strings.Split(s.view, "\n")
	if s.height > 0 && len(lines) > s.height {
		// Like bubbletea: the top lines go, the bottom (keys, status) stays.
		lines = lines[len(lines)-s.height:]
	}
	var b strings.Builder
	if s.clear {
		b.WriteString(ansi.EraseEntireScreen)
	}
	b.WriteString(ansi.CursorHomePosition)
	for i, line := range lines {
		if i < len(s.shown) && s.shown[i] == line {
			if i < len(lines)-1 {
				b.WriteByte('\n') // raw mode: down a row, same column (0)
			}
			continue
		}
		if s.width > 0 {
			// One measure: Truncate would measure the line again first.
			if w := ansi.StringWidth(line); w > s.width {
				line = ansi.Truncate(line, s.width, "")
				if ansi.StringWidth(line) < s.width { // a wide rune cut at the edge
					line += ansi.EraseLineRight
				}
			} else if w < s.width {
				line += ansi.EraseLineRight
			}
		}
		b.WriteString(line)
		if i < len(lines)-1 {
			b.WriteString("\r\n")
		}
	}
	if len(s.shown) > len(lines) {
		b.WriteString(ansi.EraseScreenBelow)
	}
	b.WriteString("\x1b[" + strconv.Itoa(len(lines)) + ";1H")
	io.WriteString(s.out, b.String())
	s.shown, s.drawn, s.clear = lines, s.view, false
	s.last = s.clock.Now()
}
