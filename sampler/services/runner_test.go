package services

import (
	"context"
	"testing"
	"time"
)

// A collection in progress never hides the previous result: Latest
// answers while the service is still being asked.
func TestRunnerKeepsLatestWhileCollecting(t *testing.T) {
	started, release := make(chan int), make(chan struct{})
	n := 0
	r := NewRunner(func(context.Context) int {
		n++
		started <- n
		<-release
		return n
	})
	if _, ok := r.Latest(); ok {
		t.Fatal("a result before the first tick")
	}
	tick := make(chan time.Time)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopped := make(chan struct{})
	go func() { r.Run(ctx, tick); close(stopped) }()

	tick <- time.Time{}
	<-started
	if _, ok := r.Latest(); ok {
		t.Fatal("a result while the first collection runs")
	}
	release <- struct{}{}
	tick <- time.Time{} // accepted only once the first collection is stored
	<-started
	if v, ok := r.Latest(); !ok || v != 1 {
		t.Fatalf("during the second collection: got %d %v, want the first result", v, ok)
	}
	release <- struct{}{}
	close(tick)
	<-stopped
	if v, _ := r.Latest(); v != 2 {
		t.Fatalf("after the second collection: got %d, want 2", v)
	}
}

// Shutdown while a collection runs ends Run without storing what the
// cancelled collection returned.
func TestRunnerStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := NewRunner(func(c context.Context) string {
		cancel()
		<-c.Done()
		return "cut short"
	})
	tick := make(chan time.Time, 1)
	tick <- time.Time{}
	r.Run(ctx, tick) // returns: the test would hang otherwise
	if v, ok := r.Latest(); ok {
		t.Fatalf("stored %q from a cancelled collection", v)
	}
}
