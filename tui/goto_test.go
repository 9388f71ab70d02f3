package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

func TestGoToPrompt(t *testing.T) {
	snaps := load(t, "cpu-ramp.jsonl")
	var asked []string
	var at time.Time
	m := newModel(Options{Theme: "mono", Host: "lab", Replay: true, ReplaySpeed: 1,
		GoTo: func(when string, onScreen time.Time) (string, error) {
			asked, at = append(asked, when), onScreen
			if when == "nonsense" {
				return "", errors.New(`go to "nonsense": use 03:10 or -2h`)
			}
			return "going to " + when, nil
		}})
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = feed(m, snaps[:30])
	m = keys(m, "space", "left", "G")
	if !strings.Contains(plain(m), "go to: ") {
		t.Fatalf("G opened no prompt:\n%s", plain(m))
	}
	m = keys(m, "0", "3", ":", "1", "0", "enter")
	if len(asked) != 1 || asked[0] != "03:10" || !at.Equal(snaps[28].Time) {
		t.Fatalf("GoTo got %q at %v; want 03:10 at the moment on screen %v", asked, at, snaps[28].Time)
	}
	if v := plain(m); !strings.Contains(v, "going to 03:10") || strings.Contains(v, "PAUSED") {
		t.Errorf("after the jump the screen should say so and play on:\n%s", v)
	}
	m = keys(m, "G", "n", "o", "n", "s", "e", "n", "s", "e", "enter")
	if !strings.Contains(plain(m), "use 03:10 or -2h") {
		t.Errorf("a bad time is not said in the footer:\n%s", plain(m))
	}
	m = keys(m, "G", "1", "esc", "q")
	if len(asked) != 2 {
		t.Errorf("esc still jumped: %q", asked)
	}
	checkFrame(t, m.View(), 80, 24)

	live := newModel(Options{Theme: "mono", Host: "lab"})
	live = update(live, tea.WindowSizeMsg{Width: 80, Height: 24})
	live = keys(feed(live, snaps[:3]), "G")
	if strings.Contains(plain(live), "go to: ") {
		t.Error("G opened a prompt on a live dashboard")
	}
}

// A live dashboard's G goes to a moment of the history it holds, paused
// there; a moment older than that is said, and nothing moves.
func TestGoToHeldOnALiveDashboard(t *testing.T) {
	snaps := load(t, "cpu-ramp.jsonl")
	m := newModel(Options{Theme: "mono", Host: "lab",
		ParseTime: func(when string, onScreen time.Time) (time.Time, error) {
			switch when {
			case "a":
				return snaps[10].Time.Add(300 * time.Millisecond), nil
			case "b":
				return snaps[0].Time.Add(-time.Hour), nil
			}
			return time.Time{}, errors.New("use 03:10 or -2h")
		}})
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = feed(m, snaps[:30])
	m = keys(m, "G", "b", "enter")
	if v := plain(m); !strings.Contains(v, " is not in the history (kept from "+snaps[0].Time.Local().Format("15:04:05")+")") || m.paused {
		t.Errorf("a moment before the history: paused %v\n%s", m.paused, v)
	}
	m = keys(m, "G", "a", "enter")
	at, _ := m.hist.Get(m.cursor)
	if !m.paused || !at.Time.Equal(snaps[10].Time) || !strings.Contains(plain(m), "PAUSED") {
		t.Errorf("paused %v at %v; want paused at %v\n%s", m.paused, at.Time, snaps[10].Time, plain(m))
	}
	if m = keys(m, "end"); m.paused {
		t.Error("end did not return to live")
	}
	checkFrame(t, m.View(), 80, 24)
	// Back to live, the hint about the moment left goes with it; a
	// missed go-to's answer goes a few samples later.
	if v := plain(m); strings.Contains(v, "scrub") {
		t.Errorf("the scrub hint stayed after end:\n%s", v)
	}
	m = keys(m, "G", "b", "enter")
	m = feed(m, snaps[30:30+statusKeep-1])
	if !strings.Contains(plain(m), "is not in the history") {
		t.Errorf("the answer went before %d samples", statusKeep)
	}
	if m = feed(m, snaps[30+statusKeep-1:30+statusKeep]); strings.Contains(plain(m), "is not in the history") {
		t.Errorf("the answer stayed %d samples on:\n%s", statusKeep, plain(m))
	}
}

// The help screen offers G only where it goes somewhere.
func TestGoToInHelpOnlyWhereItWorks(t *testing.T) {
	for _, tc := range []struct {
		o    Options
		want bool
	}{
		{Options{Theme: "mono"}, false},
		{Options{Theme: "mono", ParseTime: func(string, time.Time) (time.Time, error) { return time.Time{}, nil }}, true},
	} {
		m := update(newModel(tc.o), tea.WindowSizeMsg{Width: 120, Height: 40})
		m = keys(m, "?")
		if got := strings.Contains(plain(m), "go to time"); got != tc.want {
			t.Errorf("ParseTime set %v: help offers G %v\n%s", tc.o.ParseTime != nil, got, plain(m))
		}
	}
}
