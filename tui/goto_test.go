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
