package advisor

import (
	"strings"
	"testing"
)

// A peak the window does not confirm is named in its own unit: a queue is
// connections, a latency milliseconds, never a percentage.
func TestSummaryPeaksInTheirUnits(t *testing.T) {
	a := Advice{Findings: []Finding{
		{Metric: KeyCPU, Unit: Percent, Now: 97, NowLevel: Scale},
		{Metric: "queue", Unit: Count, Now: 230, NowLevel: Scale},
		{Metric: "latency", Unit: Millis, Now: 1500, NowLevel: Scale},
	}}
	want := "Now cpu 97%, queue 230, latency 1.5 s: at the scale line, not sustained yet."
	if got := summarize(a); !strings.Contains(got, want) {
		t.Errorf("summary %q; want %q", got, want)
	}
}
