package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
)

// TestScrubPastTheHour scrubs back through a two-hour recording past the
// oldest snapshot History holds: each step is one sample, and at the edge
// History is refilled from the recording (here a fake of the Seeker that
// does what it does: clear, fill the lead, hand the moment back), with the
// advice judged on the window before the moment shown.
func TestScrubPastTheHour(t *testing.T) {
	base := load(t, "cpu-ramp.jsonl")
	start := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	const total = 2 * 3600
	rec := make([]sampler.Snapshot, total)
	for i := range rec {
		rec[i] = base[i%len(base)]
		rec[i].Time = start.Add(time.Duration(i) * time.Second)
	}
	var asked []time.Time
	m := newModel(Options{Theme: "mono", Host: "lab", Replay: true, ReplaySpeed: 1,
		Rewind: func(at time.Time) { asked = append(asked, at) }})
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	// The replay has played its second hour: History holds that hour only.
	m = feed(m, rec[total-m.hist.Cap():])
	oldest, _ := m.hist.Span()
	first, _ := m.hist.Get(oldest)
	if !first.Time.Equal(rec[total-m.hist.Cap()].Time) {
		t.Fatalf("History starts at %v", first.Time)
	}
	window := m.opts.Rules.Window
	m = keys(m, "space")
	// Scrub back until the window of the moment shown is no longer held
	// (from near there: every step of an hour would make a slow test).
	m.cursor = oldest + uint64(window/time.Second) + 3
	for i := 0; i < 10 && len(asked) == 0; i++ {
		m = keys(m, "left")
	}
	if len(asked) != 1 {
		t.Fatalf("scrubbing back an hour asked for %d refills, want 1", len(asked))
	}
	wantAt := rec[total-m.hist.Cap()+int(window/time.Second)-1].Time
	if !asked[0].Equal(wantAt) {
		t.Fatalf("refill asked for %v, want %v (one sample before the last whose window was held)", asked[0], wantAt)
	}
	if !strings.Contains(plain(m), "reading back to") {
		t.Errorf("the footer does not say a refill is on its way:\n%s", plain(m))
	}
	m = keys(m, "left", "left") // keys during the refill wait for it
	m = refill(m, rec, asked[0], 2*window)
	s, seq := m.shown()
	if !s.Time.Equal(asked[0]) || seq != m.cursor || !m.paused {
		t.Fatalf("after the refill the screen shows %v (paused %v), want %v", s.Time, m.paused, asked[0])
	}
	checkAdvice(t, m, rec, s.Time, window)
	// On past the hour History first held: one sample a step, refilling as it goes.
	for want := asked[0]; !want.Before(start.Add(58 * time.Minute)); {
		n := len(asked)
		m = keys(m, "left")
		want = want.Add(-time.Second)
		if len(asked) > n {
			m = refill(m, rec, asked[n], 2*window)
		}
		if s, _ := m.shown(); !s.Time.Equal(want) {
			t.Fatalf("a step back shows %v, want %v", s.Time, want)
		}
	}
	if len(asked) < 2 {
		t.Errorf("from 02:05 back to 01:58 took %d refills, want 2 (one per window held)", len(asked))
	}
	s, _ = m.shown()
	checkAdvice(t, m, rec, s.Time, window)
	if !strings.Contains(plain(m), s.Time.Local().Format("15:04:05")) {
		t.Errorf("the moment shown is not on screen:\n%s", plain(m))
	}
	// On to the recording's start, where there is nothing more to read:
	// steps stop there and ask no more refills.
	m.askRewind(start.Add(30 * time.Second)) // as G does, without 3,000 steps
	m = refill(m, rec, start.Add(30*time.Second), 2*window)
	for i := 0; i < 40; i++ {
		n := len(asked)
		if m = keys(m, "left"); len(asked) > n {
			m = refill(m, rec, asked[n], 2*window)
		}
	}
	n := len(asked)
	for i := 0; i < 20; i++ {
		m = keys(m, "left")
	}
	if s, _ := m.shown(); len(asked) != n || !s.Time.Equal(start) {
		t.Errorf("at the start: %d more refills, shown %v, want %v", len(asked)-n, s.Time, start)
	}
	checkAdvice(t, m, rec, start, window)
	checkFrame(t, m.View(), 80, 24)
}

// refill does what the replay's Seeker does for a RewindFunc: History
// cleared, the lead before at filled, the moment at handed back judged.
func refill(m Model, rec []sampler.Snapshot, at time.Time, lead time.Duration) Model {
	m.hist.Clear()
	var last *sampler.Snapshot
	for i := range rec {
		s := rec[i]
		if s.Time.Before(at.Add(-lead)) || s.Time.After(at) {
			continue
		}
		if last != nil {
			m.hist.Add(*last)
		}
		last = &s
	}
	return update(m, feedMsg(judged(m, *last)))
}

// checkAdvice asserts the advice on screen is the advisor's on the window
// ending at the moment shown, read from the recording itself.
func checkAdvice(t *testing.T, m Model, rec []sampler.Snapshot, at time.Time, window time.Duration) {
	t.Helper()
	var win []sampler.Snapshot
	for _, s := range rec {
		if !s.Time.After(at) && at.Sub(s.Time) < window { // as History.WindowAt
			win = append(win, s)
		}
	}
	want := advisor.Advise(win, m.opts.Rules)
	if m.advice.Verdict != want.Verdict || len(m.advice.Findings) != len(want.Findings) {
		t.Fatalf("advice at %v: %v with %d findings, want %v with %d", at, m.advice.Verdict, len(m.advice.Findings), want.Verdict, len(want.Findings))
	}
	for i := range want.Findings {
		if g, w := m.advice.Findings[i], want.Findings[i]; g.Metric != w.Metric || g.Mean != w.Mean || g.Max != w.Max {
			t.Errorf("finding %d at %v: %s mean %v max %v, want %s mean %v max %v", i, at, g.Metric, g.Mean, g.Max, w.Metric, w.Mean, w.Max)
		}
	}
}
