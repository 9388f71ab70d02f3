package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/headroom-dev/headroom/sampler"
)

// eachSize runs frame(b, m) as a sub-benchmark at 80x24, 120x40 and
// 200x60, m a dashboard fed the first 200 snapshots of snaps.
func eachSize(b *testing.B, snaps []sampler.Snapshot, frame func(b *testing.B, m Model)) {
	for _, size := range []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"120x40", 120, 40}, {"200x60", 200, 60}} {
		b.Run(size.name, func(b *testing.B) {
			m := model(b, size.w, size.h, snaps[:200])
			b.ReportAllocs()
			b.ResetTimer()
			frame(b, m)
		})
	}
}

// BenchmarkSampleFrame is what one sample costs the UI: the Update that
// renders the new frame, then View.
func BenchmarkSampleFrame(b *testing.B) {
	snaps := load(b, "cpu-ramp.jsonl")
	eachSize(b, snaps, func(b *testing.B, m Model) {
		// As bubbletea holds it: one model, updated in place.
		var pm tea.Model = &m
		for i := 0; i < b.N; i++ {
			pm, _ = pm.Update(feedMsg(judged(m, snaps[200+i%50])))
			_ = pm.View()
		}
	})
}

// BenchmarkView is View alone, which bubbletea calls after every message:
// it must be free.
func BenchmarkView(b *testing.B) {
	snaps := load(b, "cpu-ramp.jsonl")
	m := model(b, 200, 60, snaps[:200])
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = m.View()
	}
}

// BenchmarkKey is a key press that re-sorts the process list.
func BenchmarkKey(b *testing.B) {
	snaps := load(b, "cpu-ramp.jsonl")
	m := newModel(Options{Theme: "dark"})
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 60})
	m = feed(m, snaps[:200])
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m = keys(m, "m")
	}
}

// BenchmarkKeyWithBaseline is a sort key with a baseline marked at the
// start of the history: the change since it is worked out per sample, not
// per key.
func BenchmarkKeyWithBaseline(b *testing.B) {
	snaps := load(b, "cpu-ramp.jsonl")
	m := newModel(Options{Theme: "dark"})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m = feed(m, snaps[:1])
	m = keys(m, "b")
	m = feed(m, snaps[1:300])
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m = keys(m, "m")
	}
}

// BenchmarkSampleRender is BenchmarkSampleFrame without the advisor's
// part (judged outside the timer): laying out a new sample's frame.
func BenchmarkSampleRender(b *testing.B) {
	snaps := load(b, "cpu-ramp.jsonl")
	eachSize(b, snaps, func(b *testing.B, m Model) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			item := judged(m, snaps[200+i%50])
			b.StartTimer()
			m = update(m, feedMsg(item))
		}
	})
}
