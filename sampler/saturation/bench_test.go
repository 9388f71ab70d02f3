package saturation

import (
	"os"
	"testing"
)

// BenchmarkReadIdle is one full read of the live machine at idle, for
// this process as the only app (listeners, counters, disks, descriptors,
// worker state), with its allocations.
func BenchmarkReadIdle(b *testing.B) {
	r := NewReader(Config{})
	b.Cleanup(func() { r.Close() })
	apps := []App{{PID: os.Getpid(), Family: "bench", Worker: true}}
	r.Read(apps)
	b.ReportAllocs()
	for b.Loop() {
		r.Read(apps)
	}
}
