package main

import (
	"os"
	"runtime/debug"
	"testing"
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
	// init ran for this test binary too.
	if os.Getenv("GOGC") == "" {
		if old := debug.SetGCPercent(gcPercent); old != gcPercent {
			t.Errorf("the collector runs at %d, want %d", old, gcPercent)
		}
	}
}
