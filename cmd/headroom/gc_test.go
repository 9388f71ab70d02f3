package main

import (
	"runtime/debug"
	"testing"
	"time"
)

func TestGCPercent(t *testing.T) {
	if p, ok := gcPercentFor(""); !ok || p != gcPercent {
		t.Errorf("no GOGC: %d, %v; want %d", p, ok, gcPercent)
	}
	for _, env := range []string{"100", "off", "200"} {
		if _, ok := gcPercentFor(env); ok {
			t.Errorf("GOGC=%s is overridden", env)
		}
	}
	// Past start-up (trimAfter), the collector runs at gcPercent; with
	// GOGC set, nothing is scheduled.
	var at time.Duration
	var set func()
	scheduleGC("", func(d time.Duration, f func()) { at, set = d, f })
	if at != trimAfter || set == nil {
		t.Fatalf("scheduled at %v (%v); want at %v", at, set != nil, trimAfter)
	}
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	set()
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("collector at %d after start-up; want %d", got, gcPercent)
	}
	scheduled := false
	scheduleGC("200", func(time.Duration, func()) { scheduled = true })
	if scheduled {
		t.Error("GOGC=200 set, and headroom still changes the collector")
	}
}
