package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler/accesslog"
)

// The latency chart draws the probe. Its label shows the probe's figures,
// never "no data" while they are there; when the access log judges the
// latency, the label carries no level of the log's beside the probe's
// numbers.
func TestLatencyLabel(t *testing.T) {
	m := newModel(Options{Theme: "mono", ProbeURL: "http://127.0.0.1:8000/"})
	probe := &advisor.ProbeStats{Answered: 5, Requests: 5, Last: 20, P95: 25, SLA: 300}
	p95 := 450.0
	for _, tc := range []struct {
		advice advisor.Advice
		want   string
	}{
		{advisor.Advice{}, "LAT no data"},
		{advisor.Advice{Probe: probe}, "LAT 20ms p95 25ms SLA 300ms"},
		{advisor.Advice{Probe: probe, AppAdvice: advisor.AppAdvice{Traffic: &accesslog.Traffic{P95Ms: &p95}}}, "LAT 20ms probe p95 25ms SLA 300ms"},
	} {
		m.charts.advice = tc.advice
		if got := strings.Join(strings.Fields(ansi.Strip(strings.Join(m.charts.latencyLabel(), " "))), " "); got != tc.want {
			t.Errorf("label %q; want %q", got, tc.want)
		}
	}
}
