package pipeline

import (
	"runtime"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
)

// BenchmarkSoakHour replays hours of 1 Hz snapshots (200 processes each)
// through a pipeline as fast as it goes, and reports the live heap after
// the first hour and after the last: History is bounded, so the two match.
//
//	go test -run X -bench Soak -benchtime 1x ./advisor/pipeline
func BenchmarkSoakHour(b *testing.B) {
	const hours = 3
	base := snaps(1)[0]
	heapAfter := func() float64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapAlloc) / (1 << 20)
	}
	for range b.N {
		p := New(nil, advisor.DefaultRules(), time.Second)
		var first float64
		for i := range hours * 3600 {
			s := base
			s.Time = base.Time.Add(time.Duration(i) * time.Second)
			s.CPU.Percent = float64(i % 100)
			s.Procs = append([]sampler.Process(nil), base.Procs...)
			p.Push(s)
			if i == 3600-1 {
				first = heapAfter()
			}
		}
		last := heapAfter()
		runtime.KeepAlive(p) // measured with its History alive
		b.ReportMetric(first, "heapMB@1h")
		b.ReportMetric(last, "heapMB@3h")
		if last > first*1.2+1 {
			b.Errorf("heap grew from %.1f MB after an hour to %.1f MB after %d hours", first, last, hours)
		}
	}
}
