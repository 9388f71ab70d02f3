package main

import (
	"time"

	"github.com/headroom-dev/headroom/sampler/recording"
	"github.com/headroom-dev/headroom/tui"
)

// rewindLeads is how many advisor windows a refill asked for by ← reads
// before the moment asked for: one window is the moment's own judgement,
// the other the steps back before the next refill. More makes each refill
// slower (it parses every line of the lead); fewer makes refills frequent.
const rewindLeads = 2

// wireRewind lets the dashboard's ← go on past the oldest snapshot its
// History holds: the Seeker refills History from the recording's index
// with the stretch before the moment and hands that moment back. nil for
// a live dashboard.
func wireRewind(sk *recording.Seeker, window time.Duration) tui.RewindFunc {
	if sk == nil {
		return nil
	}
	return func(t time.Time) {
		// Fill hands on the last snapshot stamped before the time asked for:
		// a nanosecond later makes it the one at t.
		sk.SeekLead(t.Add(time.Nanosecond), rewindLeads*window)
	}
}

// pauseReplay holds the replay while the dashboard is paused; nil live.
func pauseReplay(sk *recording.Seeker) func(bool) {
	if sk == nil {
		return nil
	}
	return sk.SetPaused
}
