package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/recording"
)

// synth describes a synthetic recording: one snapshot per step from start,
// with cpu and memory % given by functions of the hours since planStart.
type synth struct {
	host      string
	start     time.Time
	n         int
	step      time.Duration
	cpu, mem  func(h float64) float64
	latencyMS func(h float64) float64 // nil: no probe results
	skip      func(i int) bool        // samples left out (a gap)
}

var planStart = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

// write records s with the real recorder into dir/name and returns the path.
func (s synth) write(t *testing.T, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	rec, err := recording.Create(path, recording.Header{Host: s.host, IntervalMS: s.step.Milliseconds(), Started: s.start})
	if err != nil {
		t.Fatal(err)
	}
	const total = 8 << 30
	for i := 0; i < s.n; i++ {
		if s.skip != nil && s.skip(i) {
			continue
		}
		at := s.start.Add(time.Duration(i) * s.step)
		h := at.Sub(planStart).Hours()
		snap := sampler.Snapshot{Time: at, CPU: sampler.CPU{Cores: 4, Percent: s.cpu(h)},
			Mem:   sampler.Memory{Total: total, Available: uint64(total * (1 - s.mem(h)/100))},
			Disks: []sampler.Disk{{Mount: "/", Total: 100, Used: 40, Free: 60}}, Load: [3]float64{1, 1, 1}}
		if s.latencyMS != nil {
			snap.Probe = []sampler.ProbeResult{{MS: s.latencyMS(h), Status: 200}}
		}
		if err := rec.Write(snap); err != nil {
			t.Fatal(err)
		}
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// month30 is 30 days of hourly samples: CPU rising 10 points a month from
// 40 %, memory flat at 50 % with noise, latency from 200 to 350 ms.
func month30(host string, seed uint64) synth {
	rng := rand.New(rand.NewPCG(seed, seed))
	perHour := 10 / (365.25 / 12 * 24)
	return synth{host: host, start: planStart, n: 30 * 24, step: time.Hour,
		cpu:       func(h float64) float64 { return 40 + perHour*h + rng.NormFloat64() },
		mem:       func(float64) float64 { return 50 + 3*rng.NormFloat64() },
		latencyMS: func(h float64) float64 { return 200 + 150*h/(29*24) },
	}
}

// split writes s as two files: the first days, then the rest.
func split(t *testing.T, s synth, days int) (string, string) {
	dir := t.TempDir()
	a, b := s, s
	a.n = days * 24
	b.start = s.start.Add(time.Duration(days) * 24 * time.Hour)
	b.n = s.n - a.n
	return a.write(t, dir, "a.jsonl"), b.write(t, dir, "b.jsonl")
}

func planJSON(t *testing.T, args ...string) planReport {
	t.Helper()
	code, out, errOut := runCLI(t, append([]string{"plan", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("plan %v: exit %d, %s", args, code, errOut)
	}
	var r planReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("plan --json: %v\n%s", err, out)
	}
	return r
}

func trendOf(t *testing.T, r planReport, metric string) trendRow {
	t.Helper()
	for _, tr := range r.Trends {
		if tr.Metric == metric {
			return tr
		}
	}
	t.Fatalf("no %s trend in %+v (notes %v)", metric, r.Trends, r.Notes)
	return trendRow{}
}

func TestPlanTrendsFromTwoRecordings(t *testing.T) {
	isolate(t)
	a, b := split(t, month30("web1", 1), 12)
	r := planJSON(t, "--from", a, "--from", b, "--growth", "5")
	if r.Samples != 720 || r.Host != "web1" || len(r.Files) != 2 || len(r.Gaps) != 0 {
		t.Errorf("samples %d, host %q, files %v, gaps %v; want 720 from web1 in 2 files, no gaps", r.Samples, r.Host, r.Files, r.Gaps)
	}
	cpu := trendOf(t, r, "cpu")
	// ≈49.5 % now, 10 a month: optimize (70) in ≈2 months, scale (85) in ≈3.5.
	if !cpu.Significant || math.Abs(cpu.SlopePerMonth-10) > 0.5 || cpu.MonthsToOptimize == nil || math.Abs(*cpu.MonthsToOptimize-2.05) > 0.2 ||
		cpu.MonthsToScale == nil || math.Abs(*cpu.MonthsToScale-3.55) > 0.2 {
		t.Errorf("cpu trend = %+v; want ≈10 a month, optimize in ≈2, scale in ≈3.5 months", cpu)
	}
	mem := trendOf(t, r, "memory")
	if mem.Significant || mem.MonthsToOptimize != nil || mem.MonthsToScale != nil {
		t.Errorf("flat memory: %+v; want not significant, no months", mem)
	}
	if rt := r.ResponseTime; rt == nil || rt.Level != "SCALE" || rt.LastWeekMS <= 300 {
		t.Errorf("response time = %+v; want SCALE (≈+50 %% and over 300 ms)", r.ResponseTime)
	}
	c := r.Capacity
	if c == nil || len(c.Requirements) != 2 {
		t.Fatalf("capacity = %+v", c)
	}
	// cpu: ≈49.5 % of 4 cores = 1.98 cores × 1.05^24 (3.225) = 6.39 / 0.7 = 9.1 → 10 cores.
	if q := c.Requirements[0]; q.Resource != "cpu" || q.Required != 10 || q.Have != 4 || q.GrowthPctPerMonth != 5 {
		t.Errorf("cpu requirement = %+v; want 10 cores at 5 %% a month", q)
	}
	// memory: ≈50 % of 8 GiB = 4 GiB (mean of the last week) × 3.225 / 0.7 = 18.4 → 19 GiB.
	if q := c.Requirements[1]; q.Resource != "memory" || q.Required != 19 || q.Unit != "GiB" {
		t.Errorf("memory requirement = %+v; want 19 GiB", q)
	}
}

func TestPlanAutoGrowthAndHorizon(t *testing.T) {
	isolate(t)
	a, b := split(t, month30("web1", 2), 15)
	r := planJSON(t, a, b, "--horizon", "3", "--rps-now", "100", "--rps-target", "250", "--instances", "2")
	cpu := trendOf(t, r, "cpu")
	if cpu.MonthsToOptimize == nil || cpu.MonthsToScale != nil {
		t.Errorf("horizon 3: months to optimize %v, to scale %v; want ≈2 and nil (beyond 3 months)", cpu.MonthsToOptimize, cpu.MonthsToScale)
	}
	q := r.Capacity.Requirements
	// auto: the monthly rate that reaches the cpu line's value in 3 months,
	// (≈79.5/≈49.5)^(1/3) − 1 ≈ 17 %; memory has no trend, so 0.
	want := (math.Pow((cpu.Now+3*cpu.SlopePerMonth)/cpu.Now, 1.0/3) - 1) * 100
	if !strings.HasPrefix(q[0].GrowthSource, "auto: the cpu trend") || math.Abs(q[0].GrowthPctPerMonth-want) > 0.05 || math.Abs(want-17.1) > 1 {
		t.Errorf("cpu growth = %v %% (%s); want %.2f ≈ 17 %% from the trend", q[0].GrowthPctPerMonth, q[0].GrowthSource, want)
	}
	if q[1].GrowthPctPerMonth != 0 || !strings.Contains(q[1].GrowthSource, "no significant memory trend") {
		t.Errorf("memory growth = %v %% (%s); want 0, no trend", q[1].GrowthPctPerMonth, q[1].GrowthSource)
	}
	if n := r.Capacity.Instances; n == nil || *n != 6 {
		t.Errorf("instances = %v; want max(ceil(2 × 250/100) + 1, 2) = 6", n)
	}
	if s := r.Capacity.CPUSecondsPerRequest; s == nil || math.Abs(*s-0.0198) > 0.001 {
		t.Errorf("CPU-seconds per request = %v; want ≈1.98 cores / 100 req/s", s)
	}
}

func TestPlanGapsReported(t *testing.T) {
	isolate(t)
	s := month30("web1", 3)
	s.skip = func(i int) bool { return i >= 100 && i < 130 } // 30 hours missing
	r := planJSON(t, "--from", s.write(t, t.TempDir(), "gappy.jsonl"))
	if len(r.Gaps) != 1 || r.Gaps[0].Seconds != 31*3600 {
		t.Errorf("gaps = %+v; want one of 31 hours", r.Gaps)
	}
	if r.Samples != 690 {
		t.Errorf("samples = %d; the gap must not be filled in (want 690)", r.Samples)
	}
}

func TestPlanMarkdown(t *testing.T) {
	isolate(t)
	path := month30("web1", 4).write(t, t.TempDir(), "m.jsonl")
	code, out, errOut := runCLI(t, "plan", path, "--cost-now", "10", "--cost-next", "20", "--optimize-cost", "100", "--gain", "30%")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"# Capacity plan: web1", "| cpu | 4", "no significant trend", "▁", "█", "→ **SCALE**",
		"## Capacity in 24 months", "Effective capacity gain from optimization: 42.9 %.", "breaks even in 10.0 months",
		"| current | 0 | 10 | 120 | 1.00 |", "| optimize | 100 | 10 | 220 | 1.43 |", "| scale | 0 | 20 | 240 | 2.00 |"} {
		if !strings.Contains(out, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, out)
		}
	}
}

// The framework's own example, with nothing but the cost flags.
func TestPlanCostBenefitFrameworkExample(t *testing.T) {
	isolate(t)
	r := planJSON(t, "--cost-now", "10", "--cost-next", "20", "--optimize-cost", "100", "--gain", "30")
	cb := r.CostBenefit
	if cb == nil || fmt.Sprintf("%.1f", cb.EffectiveGainPct) != "42.9" || cb.BreakEvenMonths == nil || *cb.BreakEvenMonths != 10 {
		t.Fatalf("cost-benefit = %+v", cb)
	}
	if y := [3]float64{cb.Scenarios[0].Year, cb.Scenarios[1].Year, cb.Scenarios[2].Year}; y != [3]float64{120, 220, 240} {
		t.Errorf("1-year totals = %v, want 120 / 220 / 240", y)
	}
	if r.Trends == nil || len(r.Trends) != 0 || r.Capacity != nil {
		t.Errorf("without files: trends %v, capacity %v; want [] and null", r.Trends, r.Capacity)
	}
}

func TestPlanTooLittleData(t *testing.T) {
	isolate(t)
	r := planJSON(t, "--from", "../../testdata/idle.jsonl")
	if len(r.Trends) != 0 {
		t.Errorf("5 minutes of data gave trends: %+v", r.Trends)
	}
	if len(r.Notes) == 0 || !strings.Contains(r.Notes[0], "cpu: too little data for a trend: 180 points over 3 minutes; a trend needs at least 10 points over 7.0 days") {
		t.Errorf("notes = %q; want them to say what there is and what is needed", r.Notes)
	}
}

func TestPlanLogCSV(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("time,cpu,memory,swap,disk,load1,verdict\n")
	for i := 0; i < 14*24; i += 6 { // every 6 hours for 2 weeks, disk filling 1 point a day
		at := planStart.Add(time.Duration(i) * time.Hour).Format(sampler.TimeFormat)
		fmt.Fprintf(&b, "%s,%.1f,%.1f,,%.1f,0.50,MONITOR\n", at, 20.0+float64(i%5), 40.0, 60+float64(i)/24)
	}
	csvPath := filepath.Join(dir, "log.csv")
	os.WriteFile(csvPath, []byte(b.String()), 0o600)
	r := planJSON(t, "--from", csvPath)
	disk := trendOf(t, r, "disk")
	// 1 point a day ≈ 30.4 a month; at ≈73.8 % now, 90 % in ≈0.53 months.
	if math.Abs(disk.SlopePerMonth-30.44) > 0.1 || disk.MonthsToOptimize == nil || *disk.MonthsToOptimize != 0 || disk.MonthsToScale == nil || math.Abs(*disk.MonthsToScale-0.5) > 0.1 {
		t.Errorf("disk trend = %+v", disk)
	}
	for _, tr := range r.Trends {
		if tr.Metric == "swap" {
			t.Error("an empty swap column must give no swap series")
		}
	}
	if len(r.Capacity.Requirements) != 0 || !strings.Contains(strings.Join(r.Notes, "\n"), "do not say the machine's size") {
		t.Errorf("CSV only: requirements %+v, notes %q; want none and a note", r.Capacity.Requirements, r.Notes)
	}
}

func TestPlanRefusesMixedHostsAndOverlaps(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	s1 := month30("web1", 5)
	s1.n = 10 * 24
	s2 := month30("web2", 6)
	s2.start, s2.n = planStart.Add(10*24*time.Hour), 10*24
	a, b := s1.write(t, dir, "web1.jsonl"), s2.write(t, dir, "web2.jsonl")
	code, _, errOut := runCLI(t, "plan", a, b)
	if code != exitBadInput || !strings.Contains(errOut, `different hosts ("web1" in`) || !strings.Contains(errOut, "--allow-mixed-hosts") {
		t.Errorf("mixed hosts: exit %d, %q", code, errOut)
	}
	if r := planJSON(t, a, b, "--allow-mixed-hosts"); r.Samples != 480 || r.Host != "web1,web2" {
		t.Errorf("--allow-mixed-hosts: samples %d host %q", r.Samples, r.Host)
	}
	s3 := month30("web1", 7)
	s3.start, s3.n = planStart.Add(5*24*time.Hour), 48
	code, _, errOut = runCLI(t, "plan", a, s3.write(t, dir, "overlap.jsonl"))
	if code != exitBadInput || !strings.Contains(errOut, "overlaps") {
		t.Errorf("overlap: exit %d, %q", code, errOut)
	}
}

func TestPlanBadNumbersExit3(t *testing.T) {
	isolate(t)
	idle := "../../testdata/idle.jsonl"
	badCSV := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(badCSV, []byte("time,cpu,memory,swap,disk,load1,verdict\n2026-10-01T00:00:00.000Z,abc,1,,1,0,MONITOR\n"), 0o600)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{idle, "--gain", "120", "--cost-now", "1", "--cost-next", "2", "--optimize-cost", "3"}, "--gain 120 % must be at least 0 and below 100"},
		{[]string{idle, "--cost-now", "10"}, "needs --cost-next, --optimize-cost, --gain too"},
		{[]string{"--cost-now=-5", "--cost-next", "2", "--optimize-cost", "3", "--gain", "10"}, "--cost-now -5 must be a cost"},
		{[]string{idle, "--target", "0"}, "--target 0 must be a utilisation from 1 to 100 %"},
		{[]string{idle, "--target", "1e-300"}, "--target 1e-300 must be a utilisation from 1 to 100 %"},
		{[]string{idle, "--target", "abc"}, `--target "abc" is not a percentage`},
		{[]string{idle, "--growth", "fast"}, `--growth "fast" is not a percentage`},
		{[]string{idle, "--growth=-100"}, "cannot lose 100 %"},
		{[]string{idle, "--horizon=-1"}, "--horizon -1 must be"},
		{[]string{idle, "--growth", "100", "--horizon", "1200"}, "more than 10^9"},
		{[]string{idle, "--horizon", "NaN"}, "--horizon NaN must be"},
		{[]string{idle, "--rps-now", "100"}, "--rps-now and --rps-target go together"},
		{[]string{idle, "--rps-now", "0", "--rps-target", "5"}, "requests/s now 0 must be above 0"},
		{[]string{idle, "--instances", "0"}, "--instances 0 must be at least 1"},
		{[]string{idle, "--rps-now", "x"}, "--rps-now"},
		{[]string{}, "plan needs history"},
		{[]string{"no-such-file.jsonl"}, "no-such-file.jsonl: no such file"},
		{[]string{badCSV}, `line 2: cpu "abc" is not a percentage`},
	}
	for _, tt := range tests {
		code, out, errOut := runCLI(t, append([]string{"plan"}, tt.args...)...)
		if code != exitBadInput || !strings.Contains(errOut, tt.want) || out != "" {
			t.Errorf("plan %v: exit %d, stderr %q, stdout %q; want 3 and %q", tt.args, code, errOut, out, tt.want)
		}
	}
}

// A --log CSV (no host, rows out of order) and a later recording make one series.
func TestPlanLogCSVThenRecording(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	perHour := 10 / (365.25 / 12 * 24)
	var rows []string
	for i := 0; i < 10*24; i++ {
		at := planStart.Add(time.Duration(i) * time.Hour).Format(sampler.TimeFormat)
		rows = append(rows, fmt.Sprintf("%s,%.3f,50.0,,40.0,0.50,MONITOR", at, 40+perHour*float64(i)))
	}
	rows[3], rows[4] = rows[4], rows[3] // cron runs that finished out of order
	csvPath := filepath.Join(dir, "log.csv")
	os.WriteFile(csvPath, []byte("time,cpu,memory,swap,disk,load1,verdict\n"+strings.Join(rows, "\n")+"\n"), 0o600)
	s := month30("web1", 8)
	s.start, s.n = planStart.Add(10*24*time.Hour), 20*24
	rec := s.write(t, dir, "later.jsonl")
	r := planJSON(t, "--from", csvPath+","+rec)
	if r.Samples != 720 || r.Host != "web1" || len(r.Files) != 2 {
		t.Errorf("samples %d host %q files %v; want 720 from web1 in 2 files", r.Samples, r.Host, r.Files)
	}
	if cpu := trendOf(t, r, "cpu"); cpu.Points != 720 || math.Abs(cpu.SlopePerMonth-10) > 0.5 {
		t.Errorf("cpu over both files = %+v; want 720 points, ≈10 a month", cpu)
	}
	// The CSV's disk is the fullest mount ("disk"); the recording's is per mount.
	if d := trendOf(t, r, "disk"); d.Points != 240 {
		t.Errorf("disk points = %d, want the CSV's 240", d.Points)
	}
	if q := r.Capacity.Requirements; len(q) != 2 || q[0].Have != 4 {
		t.Errorf("the recording's size should describe the machine: %+v", q)
	}
}

func TestReadLogCSVSortsAndFindsColumnsByName(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.csv")
	os.WriteFile(path, []byte("verdict,time,cpu\nSCALE,2026-10-01T02:00:00.000Z,30\nMONITOR,2026-10-01T01:00:00.000Z,20\n\n"), 0o600)
	h, err := readHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	cpu, ok := h.input.Get("cpu")
	if !ok || len(cpu.Points) != 2 || cpu.Points[0].V != 20 || !h.input.Start().Equal(planStart.Add(time.Hour)) {
		t.Errorf("cpu = %+v, start %v; want 20 then 30, from 01:00", cpu.Points, h.input.Start())
	}
	if _, ok := h.input.Get("memory"); ok || h.verdicts[1] != "SCALE" || verdictOf(h, advisor.DefaultRules()) != "SCALE" {
		t.Errorf("memory present %v, verdicts %v; want no memory and SCALE last", ok, h.verdicts)
	}
}

// The reader takes what `once --log` writes, through the writer itself.
func TestReadLogCSVFromOnceWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "once.csv")
	for i, cpu := range []float64{12.5, 80} {
		s := sampler.Snapshot{Time: planStart.Add(time.Duration(i) * time.Hour), CPU: sampler.CPU{Cores: 2, Percent: cpu},
			Mem: sampler.Memory{Total: 100, Available: 25}, Disks: []sampler.Disk{{Mount: "/", Used: 1, Free: 3}, {Mount: "/data", Used: 1, Free: 1}}}
		if err := appendCSV(path, advisor.Advice{Verdict: advisor.Level(i)}, s); err != nil {
			t.Fatal(err)
		}
	}
	h, err := readHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	cpu, _ := h.input.Get("cpu")
	mem, _ := h.input.Get("memory")
	disk, _ := h.input.Get("disk")
	_, swap := h.input.Get("swap")
	if len(cpu.Points) != 2 || cpu.Points[1].V != 80 || mem.Points[0].V != 75 || disk.Points[0].V != 50 || swap || verdictOf(h, advisor.DefaultRules()) != "OPTIMIZE" {
		t.Errorf("cpu %v, memory %v, disk %v, swap %v, verdict %q; want 12.5/80, 75, the fullest disk 50, no swap, OPTIMIZE",
			cpu.Points, mem.Points, disk.Points, swap, verdictOf(h, advisor.DefaultRules()))
	}
}

// A file with no newline in it is refused as soon as a line outgrows any
// --log row, not read whole into memory.
func TestPlanRefusesAFileWithoutLines(t *testing.T) {
	isolate(t)
	f := filepath.Join(t.TempDir(), "blob")
	if err := os.WriteFile(f, bytes.Repeat([]byte("x"), 3*maxCSVLine), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{{"plan", f}, {"compare", f, f}} {
		code, _, stderr := runCLI(t, cmd...)
		if code != exitBadInput || !strings.Contains(stderr, "a line longer than 1024 KiB") {
			t.Errorf("%v: exit %d, %q", cmd, code, stderr)
		}
	}
	// At most 2 bytes a line: the third of "efg" fails the read.
	b, err := io.ReadAll(&lineBound{r: strings.NewReader("ab\ncd\nefg\n"), max: 2})
	if err != errLongLine || string(b) != "ab\ncd\nef" {
		t.Errorf("bound 2: read %q, %v", b, err)
	}
}

// A plan from minutes of history says so where its bold figures are.
func TestPlanCaveatsAShortHistory(t *testing.T) {
	isolate(t)
	code, out, stderr := runCLI(t, "plan", "../../testdata/cpu-ramp.jsonl")
	if code != exitOK || !strings.Contains(out, "## Capacity in 24 months\n\n**From 4m59s of history only**") {
		t.Errorf("exit %d %s\n%s", code, stderr, out)
	}
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(24 * time.Hour)
	if c := shortHistory(planReport{From: &from, To: &to}); c != "" {
		t.Errorf("a day of history: %q", c)
	}
}

// A --log CSV a person edited is read strictly, and its faults are said in
// the file's terms: a quote that does not close, a column named twice, a
// verdict once never writes.
func TestPlanCSVFaultsInTheFilesTerms(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	for body, want := range map[string]string{
		"time,cpu,memory,verdict\n2026-11-23T10:00:00Z,10,\"20,MONITOR\n": `line 2: a quote (") that does not close`,
		"time,cpu,cpu,verdict\n2026-11-23T10:00:00Z,10,20,MONITOR\n":      `column "cpu" is named twice`,
		"time,cpu,memory,verdict\n2026-11-23T10:00:00Z,10,20,PWNED\n":     `verdict "PWNED" is not MONITOR, OPTIMIZE, SCALE or DOWN`,
	} {
		f := filepath.Join(dir, fmt.Sprintf("h%d.csv", len(body)))
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCLI(t, "plan", "--from", f)
		if code != exitBadInput || !strings.Contains(stderr, want) {
			t.Errorf("%q: exit %d, %q; want 3 and %q", body, code, stderr, want)
		}
	}
}
