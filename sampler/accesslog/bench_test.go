package accesslog

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkParseAggregate parses and sums 10k lines of mixed formats per
// iteration, as one busy interval would.
func BenchmarkParseAggregate(b *testing.B) {
	var templates [][]byte
	for _, name := range []string{"nginx.log", "gunicorn_seconds.log", "gunicorn_micros.log", "access.jsonl"} {
		templates = append(templates, fixtureLines(b, name)...)
	}
	lines := make([][]byte, 10000)
	for i := range lines {
		if i%3 == 0 {
			lines[i] = nginxLine("GET", fmt.Sprintf("/api/users/%d/orders", i), 200+i%4*100, float64(i%500)/1000)
		} else {
			lines[i] = templates[i%len(templates)]
		}
	}
	a := NewAggregator(Settings{})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, line := range lines {
			a.AddLine(line)
		}
		a.Flush(time.Second)
	}
}
