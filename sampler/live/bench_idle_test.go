package live

import "testing"

// BenchmarkLiveSampleIdle is one full live sample with no extra processes
// (BenchmarkLiveSample has 1000): the fixed cost of a sample, which an
// idle dashboard pays every second.
func BenchmarkLiveSampleIdle(b *testing.B) { benchSample(b) }
