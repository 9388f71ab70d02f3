package screen

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/headroom-dev/headroom/sampler"
)

// out collects what a Screen writes; the timer's flush writes from its own
// goroutine.
type out struct {
	mu    sync.Mutex
	b     bytes.Buffer
	wrote chan struct{} // a write happened
}

func newOut() *out { return &out{wrote: make(chan struct{}, 1)} }

func (o *out) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	select {
	case o.wrote <- struct{}{}:
	default:
	}
	return o.b.Write(p)
}

// take returns what was written since the last take.
func (o *out) take() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := o.b.String()
	o.b.Reset()
	return s
}

const gap = 50 * time.Millisecond

func started(t *testing.T, w, h int) (*Screen, *out, *sampler.FakeClock) {
	t.Helper()
	o := newOut()
	clock := sampler.NewFakeClock(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
	s := New(o, clock, gap)
	s.Resize(w, h)
	s.Start()
	if got := o.take(); !strings.HasPrefix(got, enterAlt) || !strings.Contains(got, hide) {
		t.Fatalf("Start wrote %q, want the alternate screen and a hidden cursor", got)
	}
	return s, o, clock
}

func TestNothingIsDrawnBeforeStart(t *testing.T) {
	o := newOut()
	s := New(o, sampler.NewFakeClock(time.Unix(0, 0)), gap)
	s.Resize(20, 5)
	s.Draw("early")
	if got := o.take(); got != "" {
		t.Fatalf("wrote %q before Start: it would land on the user's own screen", got)
	}
	s.Start()
	if got := o.take(); !strings.Contains(got, "early") {
		t.Errorf("the view drawn before Start is not shown once started: %q", got)
	}
}

func TestOnlyChangedLinesAreWritten(t *testing.T) {
	s, o, clock := started(t, 20, 5)
	s.Draw("alpha\nbravo\ncharlie")
	first := o.take()
	for _, w := range []string{"alpha", "bravo", "charlie", ansi.EraseLineRight} {
		if !strings.Contains(first, w) {
			t.Errorf("first frame %q lacks %q", first, w)
		}
	}

	clock.Advance(time.Second)
	s.Draw("alpha\nbravo\ncharlie")
	if got := o.take(); got != "" {
		t.Errorf("an unchanged view wrote %q", got)
	}

	s.Draw("alpha\nBRAVO\ncharlie")
	got := o.take()
	if !strings.Contains(got, "BRAVO") || strings.Contains(got, "alpha") || strings.Contains(got, "charlie") {
		t.Errorf("one changed line wrote %q; want only that line", got)
	}

	clock.Advance(time.Second)
	s.Draw("alpha")
	if got := o.take(); !strings.Contains(got, ansi.EraseScreenBelow) {
		t.Errorf("a shorter view left old lines on screen: %q", got)
	}
}

// Within the gap a change waits, and only the newest view is drawn when the
// gap is over: a burst of keys costs one frame.
func TestChangesWithinTheGapAreCoalesced(t *testing.T) {
	s, o, clock := started(t, 20, 5)
	s.Draw("one")
	o.take()
	clock.Advance(10 * time.Millisecond)
	s.Draw("two")
	s.Draw("three")
	if got := o.take(); got != "" {
		t.Fatalf("drew %q within the gap", got)
	}
	clock.BlockUntil(1)
	clock.Advance(gap)
	// The flush runs on the timer's goroutine: wait for its write.
	select {
	case <-o.wrote:
	default:
	}
	<-o.wrote
	got := o.take()
	if !strings.Contains(got, "three") || strings.Contains(got, "two") {
		t.Errorf("after the gap wrote %q; want only the newest view", got)
	}
}

func TestResizeRepaintsAndCuts(t *testing.T) {
	s, o, clock := started(t, 20, 5)
	s.Draw("short\n" + strings.Repeat("x", 30))
	got := o.take()
	if strings.Contains(got, strings.Repeat("x", 21)) {
		t.Errorf("a line wider than the terminal was not cut: %q", got)
	}
	clock.Advance(time.Second)
	s.Resize(40, 5)
	s.Draw("short\n" + strings.Repeat("x", 30))
	got = o.take()
	if !strings.Contains(got, ansi.EraseEntireScreen) || !strings.Contains(got, "short") || !strings.Contains(got, strings.Repeat("x", 30)) {
		t.Errorf("after a resize wrote %q; want the screen erased and every line drawn", got)
	}
}

func TestTallViewKeepsItsBottom(t *testing.T) {
	s, o, _ := started(t, 20, 2)
	s.Draw("top\nmiddle\nkeys")
	got := o.take()
	if strings.Contains(got, "top") || !strings.Contains(got, "keys") {
		t.Errorf("a view taller than the terminal wrote %q; want its bottom lines", got)
	}
}

func TestStopGivesTheScreenBack(t *testing.T) {
	s, o, clock := started(t, 20, 5)
	s.Draw("a")
	o.take()
	s.Stop()
	s.Stop()
	if got := o.take(); got != show+leaveAlt {
		t.Errorf("Stop wrote %q, want the cursor shown and the user's screen back once", got)
	}
	clock.Advance(time.Second)
	s.Draw("b")
	if got := o.take(); got != "" {
		t.Errorf("drew %q after Stop", got)
	}
}

// The wrapper hands sizes to the Screen, views to it, and bubbletea an
// empty view.
func TestModelDrawsOnTheScreen(t *testing.T) {
	o := newOut()
	s := New(o, sampler.NewFakeClock(time.Unix(0, 0)), gap)
	s.Start()
	o.take()
	var m tea.Model = model{inner: sized{}, screen: s}
	m, _ = m.Update(tea.WindowSizeMsg{Width: 30, Height: 4})
	if v := m.View(); v != "" {
		t.Errorf("bubbletea was given %q; its renderer is off", v)
	}
	if got := o.take(); !strings.Contains(got, "30x4") {
		t.Errorf("the inner view did not reach the screen: %q", got)
	}
	if s.width != 30 || s.height != 4 {
		t.Errorf("screen size %dx%d, want 30x4", s.width, s.height)
	}
}

type sized struct{ w, h int }

func (m sized) Init() tea.Cmd { return nil }
func (m sized) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		m.w, m.h = ws.Width, ws.Height
	}
	return m, nil
}
func (m sized) View() string { return fmt.Sprintf("%dx%d", m.w, m.h) }

// A line that fills the width is written as it is; a shorter one, or one
// whose last wide rune did not fit, is followed by an erase of the rest of
// the row (what the previous frame left there).
func TestLinesErasedToTheirEnd(t *testing.T) {
	s, o, _ := started(t, 10, 3)
	s.Draw("0123456789\nshort\n123456789世")
	got := o.take()
	rows := strings.Split(got, "\r\n")
	if len(rows) != 3 {
		t.Fatalf("want 3 rows, got %q", got)
	}
	if strings.Contains(rows[0], ansi.EraseLineRight) {
		t.Errorf("a full row was erased after: %q", rows[0])
	}
	if !strings.HasSuffix(rows[1], "short"+ansi.EraseLineRight) {
		t.Errorf("a short row was not erased to its end: %q", rows[1])
	}
	if !strings.Contains(rows[2], "123456789"+ansi.EraseLineRight) || strings.Contains(rows[2], "世") {
		t.Errorf("a row cut before a wide rune: %q, want 123456789 and an erase", rows[2])
	}
}
