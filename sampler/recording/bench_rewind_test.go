package recording

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// BenchmarkRewindMiddleOfWeek is the dashboard's ← past the oldest
// snapshot held, in the middle of a week of daily files: open the day by
// its index, skip to ten minutes before the moment (two advisor windows),
// hand those 600 snapshots to a History and the moment back. The middle
// day is recorded at 1 Hz, the others every 10 s to keep the setup short
// (they only add files and index lines to look through).
func BenchmarkRewindMiddleOfWeek(b *testing.B) {
	dir := b.TempDir()
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	clock := sampler.NewFakeClock(start)
	r, err := CreateDir(DirOptions{Dir: dir, Clock: clock})
	if err != nil {
		b.Fatal(err)
	}
	at := synth(b, start)
	for i := 0; i < 7*86400; {
		if err := r.Write(at(i)); err != nil {
			b.Fatal(err)
		}
		step := 10
		if i/86400 == 3 {
			step = 1
		}
		i += step
		clock.Advance(time.Duration(step) * time.Second)
	}
	r.Close()
	st, err := Open(dir, Range{})
	if err != nil {
		b.Fatal(err)
	}
	sk := NewSeeker(st, dir, Range{}, 1, clock, 5*time.Minute)
	defer sk.Close()
	hist := sampler.NewHistoryFor(time.Second)
	sk.OnJump = func(time.Time) { hist.Clear() }
	sk.Fill = func(s sampler.Snapshot) { hist.Add(s) }
	mid := start.Add(84 * time.Hour)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		want := mid.Add(time.Duration(n%600) * time.Second) // each a jump of its own
		sk.SeekLead(want.Add(time.Nanosecond), 10*time.Minute)
		s, err := sk.Next(context.Background())
		if err != nil || !s.Time.Equal(want) || hist.Len() != 599 {
			b.Fatalf("rewind to %v gave %v (%v) with %d held", want, s.Time, err, hist.Len())
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/jump")
}

// BenchmarkWriteSnapshot is what `record --dir` spends a sample, with a
// thousand more processes than the lab's (the recorder keeps the top 50):
// at 1 Hz, ns/op ÷ 10⁷ is the percentage of a core.
func BenchmarkWriteSnapshot(b *testing.B) {
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	clock := sampler.NewFakeClock(start)
	r, err := CreateDir(DirOptions{Dir: b.TempDir(), Clock: clock})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	at := synth(b, start)
	extra := make([]sampler.Process, 1000)
	for i := range extra {
		extra[i] = sampler.Process{PID: int32(20000 + i), PPID: 1, Name: "sleep", User: "lab", Cmd: fmt.Sprintf("sleep %d", 400+i), Start: 9000, RSS: 1 << 20}
	}
	snaps := make([]sampler.Snapshot, 301)
	for i := range snaps {
		snaps[i] = at(i)
		snaps[i].Procs = append(append([]sampler.Process(nil), snaps[i].Procs...), extra...)
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		s := snaps[n%len(snaps)]
		s.Time = start.Add(time.Duration(n) * time.Second)
		if err := r.Write(s); err != nil {
			b.Fatal(err)
		}
		clock.Advance(time.Second)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e7, "%core@1Hz")
}
