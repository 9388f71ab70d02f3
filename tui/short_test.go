package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// A first sample over a short delta says so under the CPU figure, in place
// of a level judged from a few clock ticks; the next full one does not.
func TestShortFirstSampleSaysSo(t *testing.T) {
	snaps := load(t, "cpu-ramp.jsonl")
	first := snaps[0]
	first.Short = 0.05
	m := model(t, 80, 24, nil)
	m = update(m, feedMsg(judged(m, first)))
	if v := ansi.Strip(m.View()); !strings.Contains(v, "over 50 ms") {
		t.Errorf("short first sample not marked:\n%s", v)
	}
	m = update(m, feedMsg(judged(m, snaps[1])))
	if v := ansi.Strip(m.View()); strings.Contains(v, "over 50 ms") {
		t.Errorf("full sample still marked short:\n%s", v)
	}
}
