package tui

import (
	"encoding/json"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
)

// A metric the product does not have, defined once in the vocabulary,
// arrives in the advice's JSON, on the screen and in the report, with
// none of them touched: they all iterate the vocabulary.
func TestNewMetricReachesEveryConsumer(t *testing.T) {
	runQueue := func(s sampler.Snapshot) (float64, bool) {
		if s.Cores() == 0 {
			return 0, false
		}
		return s.Load[0] / s.Cores() * 100, true
	}
	rules := advisor.DefaultRules()
	rules.Metrics = append(rules.Metrics, advisor.MetricDef{
		Key: "runq", Label: "run queue", Unit: advisor.Percent, Default: advisor.Threshold{Optimize: 60, Scale: 150},
		Counts:    "samples",
		Instances: func([]sampler.Snapshot) []string { return []string{""} },
		Read:      func(string) sampler.Metric { return runQueue },
	})
	snaps := load(t, "cpu-ramp.jsonl")[:240]
	m := newModel(Options{Rules: rules, Theme: "mono", Host: "lab"})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m = feed(m, snaps)

	b, _ := json.Marshal(m.advice)
	if !strings.Contains(string(b), `"metric":"runq"`) {
		t.Errorf("JSON lacks the new metric: %s", b)
	}
	f, ok := m.advice.Finding("runq")
	if !ok || f.Threshold != 60 || f.Max != 139 || f.NowLevel != advisor.Optimize {
		t.Errorf("finding %+v (found %v); want load 2.78 on 2 cores read as 139 against the 60 line", f, ok)
	}
	if v := plain(m); !strings.Contains(v, "run queue") {
		t.Errorf("screen lacks the new metric:\n%s", v)
	}
	if r := advisor.ReportMarkdown(m.Session()); !strings.Contains(r, "| run queue |") {
		t.Errorf("report lacks the new metric:\n%s", r)
	}
}
