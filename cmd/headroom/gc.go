package main

import (
	"os"
	"runtime/debug"
	"time"
)

// headroom's live heap is about 1.5 MB, and the Go runtime's default
// (GOGC=100, with a 4 MB floor) lets the heap reach 4–5 MB between
// collections: a third of a dashboard's RSS, on the machine it watches.
// At 50 the floor is 2 MB and the heap stays near 2.5 MB (measured beside
// the default: RSS 14.7 MB against 15.8 idle, 16.2 against 18.2 at +1000
// processes). Start-up keeps the default: the first read of many processes
// allocates several MB at once, and collecting at 50 then cost the first
// frame 25 ms of CPU at +1000 processes (ff_cpu_ms 77 against 52). So the
// tighter setting starts when start-up's memory is given back (trim.go).
// GOGC set in the environment is left to the runtime.
const gcPercent = 50

func init() { scheduleGC(os.Getenv("GOGC"), func(d time.Duration, f func()) { time.AfterFunc(d, f) }) }

// scheduleGC sets the collector past start-up, through after (time.AfterFunc).
func scheduleGC(env string, after func(time.Duration, func())) {
	if p, ok := gcPercentFor(env); ok {
		after(trimAfter, func() { debug.SetGCPercent(p) })
	}
}

// gcPercentFor is the collector setting headroom makes past start-up, given
// the GOGC variable; ok is false when the user's own setting stands.
func gcPercentFor(env string) (int, bool) {
	if env != "" {
		return 0, false
	}
	return gcPercent, true
}
