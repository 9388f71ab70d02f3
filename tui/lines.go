package tui

import (
	"strings"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
)

// infoLines give each kind of evidence beyond the machine's own (the
// kernel's saturation counters, the app's traffic, its services) one line
// under the charts, at every size; each registers its own from its own
// file. A line is "" when it has nothing to say (not configured, nothing
// measured), and then takes no row.
var infoLines []func(s sampler.Snapshot, a advisor.Advice) string

// registerInfoLine adds a kind of evidence's line (called from init).
func registerInfoLine(f func(s sampler.Snapshot, a advisor.Advice) string) {
	infoLines = append(infoLines, f)
}

// evidenceLines are the registered lines with something to say, joined.
func evidenceLines(s sampler.Snapshot, a advisor.Advice) string {
	var out []string
	for _, f := range infoLines {
		if l := f(s, a); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// detailRows give a kind of evidence a few more rows on large screens
// (from wideWidth x tallHeight): its panel. Each registers from its own file.
var detailRows []func(s sampler.Snapshot, a advisor.Advice) []string

// registerDetail adds a kind of evidence's large-screen rows (called from init).
func registerDetail(f func(s sampler.Snapshot, a advisor.Advice) []string) {
	detailRows = append(detailRows, f)
}

// maxDetailRows bounds each kind's panel, so the process list keeps its share.
const maxDetailRows = 5

// evidenceDetail is every registered panel's rows, joined.
func evidenceDetail(s sampler.Snapshot, a advisor.Advice) string {
	var out []string
	for _, f := range detailRows {
		rows := f(s, a)
		out = append(out, rows[:min(len(rows), maxDetailRows)]...)
	}
	return strings.Join(out, "\n")
}
