package tui

import (
	"time"
)

// RewindFunc asks a replay to refill History with the stretch before t
// and to hand the snapshot at t (the last one stamped at or before it)
// back through the feed, then play on from there. The dashboard calls it
// when ← reaches the part of History whose advisor window is not held.
type RewindFunc func(t time.Time)

// rewind is the state of a refill asked for by scrubbing back.
type rewind struct {
	want      time.Time // the moment asked for; zero when none is pending
	noEarlier uint64    // oldest sequence number of a refill that found the recording's start
}

// wantRewind reports whether the moment at seq is too close to the oldest
// held for its advisor window, and History can be refilled from the
// recording: then scrubbing there asks for a refill instead.
func (m *Model) wantRewind(seq uint64) (time.Time, bool) {
	if m.opts.Rewind == nil || !m.rw.want.IsZero() {
		return time.Time{}, false
	}
	oldest, _ := m.hist.Span()
	if oldest == m.rw.noEarlier {
		return time.Time{}, false // the recording starts here
	}
	first, ok1 := m.hist.Get(oldest)
	at, ok2 := m.hist.Get(seq)
	if !ok1 || !ok2 || at.Time.Sub(first.Time) >= m.opts.Rules.Window {
		return time.Time{}, false
	}
	return at.Time, true
}

// askRewind asks the replay for the moment t.
func (m *Model) askRewind(t time.Time) {
	m.rw.want = t
	m.say("reading back to " + t.Local().Format("2006-01-02 15:04:05"))
	m.opts.Rewind(t)
}

// settleRewind takes the feed item that answers a refill: the snapshot at
// or just before the moment asked for (items already queued before the
// refill are newer and pass by). It reports whether it took the item.
func (m *Model) settleRewind(it FeedItem) bool {
	if m.rw.want.IsZero() || it.Snapshot.Time.After(m.rw.want) {
		return false
	}
	want := m.rw.want
	m.rw.want = time.Time{}
	m.paused, m.cursor = true, it.Seq
	m.adviseAt(m.cursor)
	oldest, _ := m.hist.Span()
	if first, ok := m.hist.Get(oldest); ok && want.Sub(first.Time) < m.opts.Rules.Window {
		m.rw.noEarlier = oldest
	}
	m.say("at " + it.Snapshot.Time.Local().Format("2006-01-02 15:04:05") + ": ←/→ scrub, end returns to the replay's newest")
	return true
}
