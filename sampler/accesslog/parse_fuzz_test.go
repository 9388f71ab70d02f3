package accesslog

import (
	"math"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// FuzzParseLine checks that no line makes the parser or aggregator panic
// or produce values outside their ranges. The seed corpus is every fixture
// line, so the normal test run parses them all here too.
func FuzzParseLine(f *testing.F) {
	for _, name := range []string{"nginx.log", "gunicorn_seconds.log", "gunicorn_micros.log", "access.jsonl", "odd.log"} {
		for _, line := range fixtureLines(f, name) {
			f.Add(line)
		}
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var p Parser
		r, ok := p.Parse(line)
		if ok {
			if r.Status < 100 || r.Status > 599 || r.Format == FormatNone {
				t.Fatalf("status %d format %v", r.Status, r.Format)
			}
			if r.Timed && (r.Seconds < 0 || math.IsNaN(r.Seconds) || math.IsInf(r.Seconds, 0)) {
				t.Fatalf("time %v s", r.Seconds)
			}
			if len(r.Target) > 0 && r.Target[0] != '/' && string(r.Target) != "*" {
				t.Fatalf("target %q is no path", r.Target)
			}
			ep := appendEndpoint(nil, r.Method, r.Target)
			if !utf8.Valid(ep) || strings.IndexFunc(string(ep), unicode.IsControl) >= 0 {
				t.Fatalf("endpoint %q is not printable", ep)
			}
			if len(ep) > len(r.Method)+1+maxEndpointLen+len("…") {
				t.Fatalf("endpoint of %d bytes", len(ep))
			}
		}
		a := NewAggregator(Settings{})
		a.AddLine(line)
		iv := a.Flush(time.Second)
		if iv.Requests+iv.Unparsed != 1 {
			t.Fatalf("%d requests + %d unparsed from one line", iv.Requests, iv.Unparsed)
		}
		if ok != (iv.Requests == 1) {
			t.Fatalf("Parse ok %v but the aggregator counted %d requests", ok, iv.Requests)
		}
	})
}
