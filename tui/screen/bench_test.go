package screen

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// A 120x40 view where one line changes per frame (a clock, a sample's
// figure): what a live dashboard's frame costs to send.
func BenchmarkFrameOneLineChanged(b *testing.B) {
	clock := sampler.NewFakeClock(time.Unix(0, 0))
	s := New(io.Discard, clock, 0)
	s.Resize(120, 40)
	s.Start()
	rows := make([]string, 40)
	for i := range rows {
		rows[i] = fmt.Sprintf("\x1b[1m%3d\x1b[0m %s", i, strings.Repeat("▁▂▃▄", 29))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rows[0] = fmt.Sprintf(" headroom %d", i)
		clock.Advance(time.Second)
		s.Draw(strings.Join(rows, "\n"))
	}
}

// Every line changed (a chart panel's rows all move each second): each
// line is measured, and cut or padded to the width.
func BenchmarkFrameAllLinesChanged(b *testing.B) {
	clock := sampler.NewFakeClock(time.Unix(0, 0))
	s := New(io.Discard, clock, 0)
	s.Resize(120, 40)
	s.Start()
	views := [2]string{}
	for k := range views {
		rows := make([]string, 40)
		for i := range rows {
			rows[i] = fmt.Sprintf("\x1b[1m%3d\x1b[0m %s", i+k, strings.Repeat("▁▂▃▄", 28))
		}
		views[k] = strings.Join(rows, "\n")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clock.Advance(time.Second)
		s.Draw(views[i%2])
	}
}

// The same view again: what an unchanged screen costs (bubbletea v1 paid
// a wake-up for it 15–60 times a second).
func BenchmarkFrameUnchanged(b *testing.B) {
	s := New(io.Discard, sampler.NewFakeClock(time.Unix(0, 0)), 0)
	s.Resize(120, 40)
	s.Start()
	view := strings.Repeat(strings.Repeat("x", 120)+"\n", 39) + "keys"
	s.Draw(view)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Draw(view)
	}
}
