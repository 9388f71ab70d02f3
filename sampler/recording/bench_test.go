package recording

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// BenchmarkReplayDay writes a day at 1 Hz (the lab's cpu-ramp recording
// in a loop: gunicorn, postgres, nginx and ~150 processes trimmed to the
// recorded 50) and streams it back. It reports the file's size per sample
// and per day, and the live heap sampled every hour of replay: flat, not
// growing with the day.
func BenchmarkReplayDay(b *testing.B) {
	dir := b.TempDir()
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	clock := sampler.NewFakeClock(start)
	r, err := CreateDir(DirOptions{Dir: dir, Clock: clock})
	if err != nil {
		b.Fatal(err)
	}
	at := synth(b, start)
	const day = 86400
	for i := 0; i < day; i++ {
		if err := r.Write(at(i)); err != nil {
			b.Fatal(err)
		}
		clock.Advance(time.Second)
	}
	r.Close()
	info, _ := os.Stat(filepath.Join(dir, "headroom-20261123T000000Z.jsonl.zst"))
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		st, err := Open(dir, Range{})
		if err != nil {
			b.Fatal(err)
		}
		var first, last, peak uint64
		var ms runtime.MemStats
		for i := 0; ; i++ {
			_, err := st.Next(context.Background())
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if i%3600 == 0 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				if first == 0 {
					first = ms.HeapAlloc
				}
				last, peak = ms.HeapAlloc, max(peak, ms.HeapAlloc)
			}
		}
		st.Close()
		if st.Count() != day {
			b.Fatalf("replayed %d of %d", st.Count(), day)
		}
		b.ReportMetric(float64(info.Size())/day, "B/sample")
		b.ReportMetric(float64(info.Size())/1e6, "MB/day")
		b.ReportMetric(float64(first)/1e6, "MB-heap-first-hour")
		b.ReportMetric(float64(last)/1e6, "MB-heap-last-hour")
		b.ReportMetric(float64(peak)/1e6, "MB-heap-peak")
	}
}

// BenchmarkSeekMiddleOfWeek opens a week of daily files at its middle:
// the time a dashboard jump costs.
func BenchmarkSeekMiddleOfWeek(b *testing.B) {
	dir := b.TempDir()
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	clock := sampler.NewFakeClock(start)
	// A sample every 10 s keeps the setup short; frames ten times as long
	// hold the 300 samples a default frame holds at 1 Hz, so a jump decodes
	// as much as it would there.
	const step = 10
	r, err := CreateDir(DirOptions{Dir: dir, Clock: clock, FrameSpan: step * DefaultFrameSpan})
	if err != nil {
		b.Fatal(err)
	}
	at := synth(b, start)
	for i := 0; i < 7*86400/step; i++ {
		if err := r.Write(at(i * step)); err != nil {
			b.Fatal(err)
		}
		clock.Advance(step * time.Second)
	}
	r.Close()
	mid := start.Add(84*time.Hour + 30*time.Minute + 30*time.Second)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		st, err := Open(dir, Range{Since: mid})
		if err != nil {
			b.Fatal(err)
		}
		s, err := st.Next(context.Background())
		if err != nil || s.Time.Before(mid) || s.Time.Sub(mid) > step*time.Second {
			b.Fatalf("seek to %v gave %v, %v", mid, s.Time, err)
		}
		st.Close()
	}
}
