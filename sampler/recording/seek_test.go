package recording

import (
	"context"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

func TestSeekerJumpsWithItsLead(t *testing.T) {
	sk, clock, start := newTestSeeker(t, 3*3600, time.Hour)
	var jumped []time.Time
	sk.OnJump = func(at time.Time) { jumped = append(jumped, at) }
	ctx := context.Background()
	if s, err := sk.Next(ctx); err != nil || !s.Time.Equal(start) {
		t.Fatalf("first: %v %v", s.Time, err)
	}
	// The second snapshot waits a second of the fake clock; a jump cuts the wait short.
	got := make(chan sampler.Snapshot)
	go func() {
		s, _ := sk.Next(ctx)
		got <- s
	}()
	clock.BlockUntil(1)
	to := start.Add(150*time.Minute + 30*time.Second)
	sk.Seek(to)
	first := <-got
	if !first.Time.Equal(to.Add(-5 * time.Minute)) {
		t.Fatalf("after the jump: %v, want the lead's start %v", first.Time, to.Add(-5*time.Minute))
	}
	n := 1
	for {
		s, err := sk.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n++
		if !s.Time.Before(to) {
			if !s.Time.Equal(to) || n != 301 {
				t.Fatalf("play resumed at %v after %d lead snapshots", s.Time, n)
			}
			break
		}
	}
	if len(jumped) != 1 || !jumped[0].Equal(to) {
		t.Errorf("OnJump calls: %v", jumped)
	}
	var failed error
	sk.OnError = func(err error) { failed = err }
	sk.Seek(start.AddDate(1, 0, 0))
	go func() { s, _ := sk.Next(ctx); got <- s }()
	clock.BlockUntil(1)
	clock.Advance(time.Second)
	if s := <-got; !s.Time.Equal(to.Add(time.Second)) || failed == nil {
		t.Errorf("a jump past the end: play went to %v, error %v", s.Time, failed)
	}
}

func TestSeekerFillsHistoryDirectly(t *testing.T) {
	sk, _, start := newTestSeeker(t, 3600, 0)
	var filled []time.Time
	sk.Fill = func(s sampler.Snapshot) { filled = append(filled, s.Time) }
	to := start.Add(30 * time.Minute)
	sk.Seek(to)
	ctx := context.Background()
	s, err := sk.Next(ctx)
	if err != nil || !s.Time.Equal(to.Add(-time.Second)) {
		t.Fatalf("first after the jump: %v %v; want the moment before %v", s.Time, err, to)
	}
	if len(filled) != 299 || !filled[0].Equal(to.Add(-5*time.Minute)) {
		t.Fatalf("filled %d from %v", len(filled), filled[0])
	}
	if s, _ := sk.Next(ctx); !s.Time.Equal(to) {
		t.Errorf("then %v, want %v", s.Time, to)
	}
	// Past the end: the lead is all there is; its last comes back, then the end waits for a jump.
	filled = nil
	sk.Seek(start.Add(62 * time.Minute)) // the lead starts at 57 min: three minutes are left
	if s, _ := sk.Next(ctx); !s.Time.Equal(start.Add(3599*time.Second)) || len(filled) != 179 {
		t.Errorf("past the end: %v after %d filled", s.Time, len(filled))
	}
}

// Paused, the replay holds where it is however long the clock runs; resumed,
// it plays on from there, one recorded gap later, without a burst.
func TestSeekerHoldsWhilePaused(t *testing.T) {
	sk, clock, start := newTestSeeker(t, 600, 0)
	held := make(chan struct{}, 1)
	sk.onHold = func() { held <- struct{}{} }
	ctx := context.Background()
	if s, err := sk.Next(ctx); err != nil || !s.Time.Equal(start) {
		t.Fatalf("first: %v %v", s.Time, err)
	}
	sk.SetPaused(true)
	got := make(chan sampler.Snapshot, 1)
	go func() { s, _ := sk.Next(ctx); got <- s }()
	onClock := make(chan struct{}, 1)
	go func() { clock.BlockUntil(1); onClock <- struct{}{} }()
	select {
	case <-held:
	case <-onClock:
		t.Fatal("paused, the replay waited on the clock to play on")
	}
	clock.Advance(time.Hour) // nothing plays while held
	sk.SetPaused(false)
	<-onClock // resumed: it waits one gap from now
	clock.Advance(time.Second)
	if s := <-got; !s.Time.Equal(start.Add(time.Second)) {
		t.Fatalf("resumed at %v, want %v (where it was held)", s.Time, start.Add(time.Second))
	}
}

// newTestSeeker plays a directory recording of secs one-second samples
// (files of rotate; 0: one a day) from 2026-11-23 00:00 UTC on a fake
// clock, with a five-minute lead.
func newTestSeeker(t *testing.T, secs int, rotate time.Duration) (*Seeker, *sampler.FakeClock, time.Time) {
	t.Helper()
	dir := t.TempDir()
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	recordDir(t, DirOptions{Dir: dir, Rotate: rotate}, start, secs, 1).Close()
	st, err := Open(dir, Range{})
	if err != nil {
		t.Fatal(err)
	}
	clock := sampler.NewFakeClock(start)
	sk := NewSeeker(st, dir, Range{}, 1, clock, 5*time.Minute)
	t.Cleanup(func() { sk.Close() })
	return sk, clock, start
}

// The earliest moment a jump reaches: the recording's start, or --since
// when later.
func TestSeekerEarliest(t *testing.T) {
	sk, _, start := newTestSeeker(t, 600, 0)
	if got := sk.Earliest(); !got.IsZero() {
		t.Errorf("Earliest %v from a header without a start, want zero", got)
	}
	sk.header = &Header{Started: start}
	if got := sk.Earliest(); !got.Equal(start) {
		t.Errorf("Earliest %v, want the recording's start %v", got, start)
	}
	sk.rg.Since = start.Add(time.Minute)
	if got := sk.Earliest(); !got.Equal(start.Add(time.Minute)) {
		t.Errorf("Earliest %v, want --since", got)
	}
}
