package tui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/accesslog"
	"github.com/headroom-dev/headroom/sampler/apps"
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
		{advisor.Advice{Probe: &advisor.ProbeStats{Answered: 5, Requests: 8, Last: 20, P95: 25, SLA: 300, Failing: 3}}, "LAT failed 3 failing p95 25ms"},
		{advisor.Advice{Probe: probe, AppAdvice: advisor.AppAdvice{Traffic: &accesslog.Traffic{P95Ms: &p95}}}, "LAT 20ms p95 25ms (probe)"},
	} {
		m.charts.advice = tc.advice
		if got := strings.Join(strings.Fields(ansi.Strip(strings.Join(m.charts.latencyLabel(), " "))), " "); got != tc.want {
			t.Errorf("label %q; want %q", got, tc.want)
		}
	}
}

// The latency row shows the window's p95, which its level and the summary
// rest on, not the mean of the requests; other rows keep their mean.
func TestLatencyRowShowsTheP95(t *testing.T) {
	m := newModel(Options{Theme: "mono"})
	lat := advisor.Finding{Metric: advisor.KeyLatency, Label: "latency", Unit: advisor.Millis, Now: 824, Mean: 641, Threshold: 300, Above: 86, Level: advisor.Scale}
	a := advisor.Advice{Probe: &advisor.ProbeStats{Answered: 60, P95: 933}}
	row := ansi.Strip(findingLine(m.styles, lat, 60, latencyP95(a, lat), levelTag, 10))
	if !strings.Contains(row, "p95 933ms") || strings.Contains(row, "avg") {
		t.Errorf("latency row %q; want the window's p95 933ms", row)
	}
	cpu := advisor.Finding{Metric: advisor.KeyCPU, Label: "cpu", Unit: advisor.Percent, Now: 90, Mean: 80, Threshold: 70, Above: 90, Level: advisor.Optimize}
	if row := ansi.Strip(findingLine(m.styles, cpu, 60, latencyP95(a, cpu), levelTag, 10)); !strings.Contains(row, "avg  80") || strings.Contains(row, "p95") {
		t.Errorf("cpu row %q; want its mean", row)
	}
}

// The APPS list says how many it shows when the panel cannot hold them all.
func TestAppsListSaysWhatItLeavesOut(t *testing.T) {
	m := newModel(Options{Theme: "mono"})
	a := advisor.Advice{Summary: "Usage acceptable."}
	for i := 0; i < 12; i++ {
		a.Apps = append(a.Apps, apps.App{Kind: "nginx", MasterPID: int32(100 + i), Workers: 2})
	}
	p := advisorPanel{styles: m.styles}
	p.SetSize(60, 16)
	p.Set(advisorInput{seq: 1}, a)
	v := ansi.Strip(p.View())
	if !regexp.MustCompile(`APPS \d+ of 12`).MatchString(v) {
		t.Errorf("12 apps in 16 rows, nothing said of the rest:\n%s", v)
	}
	p.SetSize(60, 40)
	p.Set(advisorInput{seq: 2}, a)
	if v := ansi.Strip(p.View()); strings.Contains(v, "of 12") || strings.Count(v, "nginx") != 12 {
		t.Errorf("room for all 12: want them all, and no count:\n%s", v)
	}
}

// A narrow panel keeps a finding's name whole and drops its statistics.
func TestFindingLineNarrow(t *testing.T) {
	m := newModel(Options{Theme: "mono"})
	f := advisor.Finding{Metric: "psi:cpu", Label: "psi:cpu", Unit: advisor.Percent, Now: 57, Mean: 40, Threshold: 10, Above: 90, Level: advisor.Scale}
	if row := ansi.Strip(findingLine(m.styles, f, 30, nil, levelTag, 10)); !strings.HasPrefix(row, "psi:cpu ") || strings.Contains(row, "avg") || !strings.Contains(row, "≥10") {
		t.Errorf("30 columns: %q; want the whole name, the value and the line", row)
	}
	if row := ansi.Strip(findingLine(m.styles, f, 60, nil, levelTag, 10)); !strings.Contains(row, "avg") {
		t.Errorf("60 columns: %q; want the statistics", row)
	}
	// Narrow, the latency keeps the p95 its level rests on, not the last request.
	lat := advisor.Finding{Metric: advisor.KeyLatency, Label: "latency", Unit: advisor.Millis, Now: 10, Mean: 900, Threshold: 300, Above: 80, Level: advisor.Scale}
	p95 := 2200.0
	if row := ansi.Strip(findingLine(m.styles, lat, 30, &p95, levelTag, 7)); !strings.Contains(row, "p95 2.2s ≥300") || strings.Contains(row, "10ms") {
		t.Errorf("30 columns: %q; want the p95", row)
	}
}

// The focus list shows the metrics that fit and counts the rest.
func TestFocusList(t *testing.T) {
	m := newModel(Options{Theme: "mono"})
	focus := []string{"cpu", "latency", "queue", "psi:cpu"}
	for _, tc := range []struct {
		w    int
		want string
	}{{60, " focus cpu,latency,queue,psi:cpu"}, {24, " focus cpu,latency +2"}, {18, " focus cpu +3"}} {
		if got := ansi.Strip(focusList(m.styles, focus, tc.w)); got != tc.want {
			t.Errorf("%d cells: %q; want %q", tc.w, got, tc.want)
		}
	}
}

// Findings at different levels line up: the level is padded to the widest
// shown, and a narrow panel shortens every level ("▲ OPT") before a row
// drops its mean and share.
func TestFindingRowsLineUp(t *testing.T) {
	m := newModel(Options{Theme: "mono"})
	fs := []advisor.Finding{
		{Metric: "cpu", Label: "cpu", Unit: advisor.Percent, Now: 100, Mean: 87, Threshold: 85, Above: 86, Level: advisor.Scale},
		{Metric: "psi:cpu", Label: "psi cpu", Unit: advisor.Percent, Now: 52, Mean: 37, Threshold: 10, Above: 80, Level: advisor.Optimize},
		{Metric: "memory", Label: "memory", Unit: advisor.Percent, Now: 3, Mean: 3, Threshold: 75, Level: advisor.Monitor},
	}
	for _, w := range []int{38, 60} {
		rows := findingLines(m.styles, advisor.Advice{}, fs, w)
		col := -1
		for _, r := range rows {
			r = ansi.Strip(r)
			if ansi.StringWidth(r) != w || !strings.Contains(r, " avg ") {
				t.Errorf("at %d: row %q: not %d wide, or without its mean", w, r, w)
			}
			at := strings.Index(r, " avg ")
			if col >= 0 && at != col {
				t.Errorf("at %d: 'avg' at %d, want %d like the row above:\n%s", w, at, col, strings.Join(rows, "\n"))
			}
			col = at
		}
		if short := strings.Contains(ansi.Strip(rows[1]), "▲ OPT "); short != (w == 38) {
			t.Errorf("at %d: short levels %v:\n%s", w, short, strings.Join(rows, "\n"))
		}
	}
}

// A refused request has no latency on the chart (its 0.3 ms would read as
// the fastest answer); a timeout draws at the time it waited.
func TestLatencyChartSkipsRefused(t *testing.T) {
	if _, ok := latencyMetric(sampler.Snapshot{Probe: []sampler.ProbeResult{{MS: 0.3, Err: "refused"}}}); ok {
		t.Error("a refused request drawn as a latency")
	}
	if v, ok := latencyMetric(sampler.Snapshot{Probe: []sampler.ProbeResult{{MS: 0.3, Err: "refused"}, {MS: 5000, Err: "timeout"}}}); !ok || v != 5000 {
		t.Errorf("timeout: %v %v", v, ok)
	}
}

// At 80x24 the advisor panel is 9 rows: a long summary takes the rows of
// the findings at MONITOR, so that its action is read whole; the finding
// over its line keeps its row.
func TestSmallPanelKeepsTheAction(t *testing.T) {
	m := newModel(Options{Theme: "mono"})
	a := advisor.Advice{Verdict: advisor.Optimize, Focus: []string{"latency"},
		Summary: "p95 latency 393 ms at the probe is over the 300 ms SLA, against 102 ms in the access log: the workers are on the CPU, at 100 %: make requests cheaper or add cores, not workers.",
		Findings: []advisor.Finding{
			{Metric: "cpu", Label: "cpu", Unit: advisor.Percent, Now: 100, Mean: 45, Threshold: 70},
			{Metric: "memory", Label: "memory", Unit: advisor.Percent, Now: 2, Mean: 2, Threshold: 75},
			{Metric: "disk:/", Label: "disk /", Unit: advisor.Percent, Now: 13, Mean: 13, Threshold: 70},
			{Metric: "latency", Label: "latency", Unit: advisor.Millis, Now: 395, Mean: 393, Threshold: 300, Level: advisor.Optimize},
		}}
	p := advisorPanel{styles: m.styles}
	p.SetSize(38, 9)
	p.Set(advisorInput{seq: 1}, a)
	v := ansi.Strip(p.View())
	if !strings.Contains(strings.Join(strings.Fields(v), " "), "add cores, not workers.") || !strings.Contains(v, "latency") {
		t.Errorf("the action or the latency row is cut:\n%s", v)
	}
}
