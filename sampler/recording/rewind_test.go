package recording

import (
	"context"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// TestSeekLeadRefillsBeforeTheMoment is what the dashboard's ← past the
// oldest snapshot held asks for: a longer lead than a jump's, ending at
// the moment itself (a nanosecond after it), across a day's boundary.
func TestSeekLeadRefillsBeforeTheMoment(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC)
	recordDir(t, DirOptions{Dir: dir}, start, 3600, 1).Close() // two daily files
	st, err := Open(dir, Range{Since: start.Add(50 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	clock := sampler.NewFakeClock(start)
	sk := NewSeeker(st, dir, Range{}, 1, clock, 5*time.Minute)
	defer sk.Close()
	var filled []sampler.Snapshot
	sk.Fill = func(s sampler.Snapshot) { filled = append(filled, s) }
	at := start.Add(32 * time.Minute) // 00:02 of the next day: the lead starts the day before
	sk.SeekLead(at.Add(time.Nanosecond), 10*time.Minute)
	ctx := context.Background()
	s, err := sk.Next(ctx)
	if err != nil || !s.Time.Equal(at) {
		t.Fatalf("after the refill: %v %v; want the moment itself, %v", s.Time, err, at)
	}
	// Ten minutes with the moment: 599 before it.
	if from := at.Add(-10*time.Minute + time.Second); len(filled) != 599 || !filled[0].Time.Equal(from) {
		t.Fatalf("filled %d from %v; want 599 from %v", len(filled), filled[0].Time, from)
	}
	for _, f := range filled {
		if f.Procs[0].Cmd == "" && f.Procs[0].User == "" {
			t.Fatalf("%v: a refilled process lost its fixed fields: %+v", f.Time, f.Procs[0])
		}
	}
	if s, _ := sk.Next(ctx); !s.Time.Equal(at.Add(time.Second)) {
		t.Errorf("then %v, want %v", s.Time, at.Add(time.Second))
	}
	// A plain Seek keeps the Seeker's own lead.
	filled = nil
	sk.Seek(start.Add(45 * time.Minute))
	if s, _ := sk.Next(ctx); !s.Time.Equal(start.Add(45*time.Minute-time.Second)) || len(filled) != 299 {
		t.Errorf("a jump after it: %v after %d filled; want 299", s.Time, len(filled))
	}
}
