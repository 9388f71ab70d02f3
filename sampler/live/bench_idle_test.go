package live

import (
	"testing"
	"time"
)

// BenchmarkLiveSampleIdle is one full live sample with no extra processes
// (BenchmarkLiveSample has 1000): the fixed cost of a sample, which an
// idle dashboard pays every second.
func BenchmarkLiveSampleIdle(b *testing.B) {
	l, err := New(time.Second)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	l.Sample()
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	var procs int
	for i := 0; i < b.N; i++ {
		s, err := l.Sample()
		if err != nil {
			b.Fatal(err)
		}
		procs = s.NProcs
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(procs), "procs")
}
