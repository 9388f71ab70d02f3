package textfile

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

var sample = Export{
	Verdict: "SCALE",
	Findings: []Finding{
		{Metric: "cpu", Level: 2, Value: 91.5},
		{Metric: "memory", Level: 0, Value: 40},
		{Metric: `disk:/srv/"quoted"\dir` + "\n", Level: 1, Value: 72.25},
	},
	Workers: &Workers{Recommended: 5, Running: 3, PSSBytes: 41943040},
}

// parse reads the written file back with expfmt's text parser.
func parse(t *testing.T, dir string) map[string]*dto.MetricFamily {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("headroom.prom does not parse: %v\n%s", err, b)
	}
	return fams
}

// byLabel maps the one label's value to the gauge's value.
func byLabel(t *testing.T, f *dto.MetricFamily, label string) map[string]float64 {
	t.Helper()
	if f == nil {
		t.Fatal("family missing")
	}
	if f.GetType() != dto.MetricType_GAUGE || f.GetHelp() == "" {
		t.Errorf("%s: type %v help %q, want a gauge with HELP", f.GetName(), f.GetType(), f.GetHelp())
	}
	out := map[string]float64{}
	for _, m := range f.Metric {
		for _, l := range m.Label {
			if l.GetName() == label {
				out[l.GetValue()] = m.GetGauge().GetValue()
			}
		}
	}
	return out
}

func TestWriteParsesBack(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, sample); err != nil {
		t.Fatal(err)
	}
	fams := parse(t, dir)
	verdict := byLabel(t, fams["headroom_verdict"], "level")
	want := map[string]float64{"MONITOR": 0, "OPTIMIZE": 0, "SCALE": 1, "DOWN": 0}
	for l, v := range want {
		if got, ok := verdict[l]; !ok || got != v {
			t.Errorf("headroom_verdict{level=%q} = %v (present %v), want %v", l, got, ok, v)
		}
	}
	levels := byLabel(t, fams["headroom_finding_level"], "metric")
	values := byLabel(t, fams["headroom_finding_value"], "metric")
	for _, f := range sample.Findings {
		if levels[f.Metric] != float64(f.Level) || values[f.Metric] != f.Value {
			t.Errorf("finding %q: level %v value %v, want %d and %v", f.Metric, levels[f.Metric], values[f.Metric], f.Level, f.Value)
		}
	}
	for name, want := range map[string]float64{
		"headroom_workers_recommended": 5, "headroom_workers_running": 3, "headroom_worker_pss_bytes": 41943040,
	} {
		f := fams[name]
		if f == nil || len(f.Metric) != 1 || f.Metric[0].GetGauge().GetValue() != want || f.GetHelp() == "" {
			t.Errorf("%s = %v, want one gauge at %v with HELP", name, f, want)
		}
	}
}

func TestLabelValuesAreEscaped(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, sample); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, FileName))
	if !strings.Contains(string(b), `metric="disk:/srv/\"quoted\"\\dir\n"`) {
		t.Errorf("quote, backslash and newline not escaped:\n%s", b)
	}
}

func TestWithoutWorkersNoWorkerSeries(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, Export{Verdict: "DOWN"}); err != nil {
		t.Fatal(err)
	}
	fams := parse(t, dir)
	if byLabel(t, fams["headroom_verdict"], "level")["DOWN"] != 1 {
		t.Error("DOWN is not the current level")
	}
	for name := range fams {
		if strings.HasPrefix(name, "headroom_worker") || strings.HasPrefix(name, "headroom_finding") {
			t.Errorf("%s written without any such value", name)
		}
	}
}

func TestWriteReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, sample); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, Export{Verdict: "MONITOR"}); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Only the renamed file is left: the temporary one was made in dir (same
	// filesystem, so rename is atomic) and did not stay behind.
	if len(entries) != 1 || entries[0].Name() != FileName {
		t.Errorf("dir holds %v, want only %s", entries, FileName)
	}
	st, _ := os.Stat(filepath.Join(dir, FileName))
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644 so node_exporter's user can read it", st.Mode().Perm())
	}
	if byLabel(t, parse(t, dir)["headroom_verdict"], "level")["MONITOR"] != 1 {
		t.Error("second write did not replace the first")
	}
}

func TestFailedWriteKeepsTheOldFile(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, sample); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, Export{Verdict: "BOOM"}); err == nil {
		t.Fatal("bad verdict written")
	}
	if byLabel(t, parse(t, dir)["headroom_verdict"], "level")["SCALE"] != 1 {
		t.Error("a refused export replaced the previous file")
	}
}

func TestBadInput(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		dir  string
		e    Export
		want string
	}{
		{t.TempDir(), Export{Verdict: "fine"}, `verdict "fine"`},
		{t.TempDir(), Export{Verdict: "SCALE", Findings: []Finding{{Metric: "cpu", Level: 4}}}, "level 4"},
		{t.TempDir(), Export{Verdict: "SCALE", Findings: []Finding{{Metric: "cpu"}, {Metric: "cpu"}}}, "twice"},
		{t.TempDir(), Export{Verdict: "SCALE", Findings: []Finding{{Metric: "\xff"}}}, "UTF-8"},
		{t.TempDir(), Export{Verdict: "SCALE", Findings: []Finding{{Metric: "cpu", Value: math.NaN()}}}, "not a number"},
		{t.TempDir(), Export{Verdict: "SCALE", Workers: &Workers{Recommended: -1}}, "≥ 0"},
		{filepath.Join(t.TempDir(), "missing"), Export{Verdict: "SCALE"}, "textfile directory"},
		{file, Export{Verdict: "SCALE"}, "not a directory"},
	} {
		err := Write(tc.dir, tc.e)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Write(%+v) = %v, want an error with %q", tc.e, err, tc.want)
		}
	}
}

// An app that does not answer is DOWN: its finding (errors, at level 3)
// is written as such, so an alert on the file sees the outage.
func TestDownFindingWritten(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, Export{Verdict: "DOWN", Findings: []Finding{{Metric: "errors", Level: 3, Value: 100}}}); err != nil {
		t.Fatal(err)
	}
	if got := byLabel(t, parse(t, dir)["headroom_finding_level"], "metric")["errors"]; got != 3 {
		t.Errorf("errors level %v; want 3 (DOWN)", got)
	}
}
