package main

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

func compareJSON(t *testing.T, args ...string) (comparison, map[string]any) {
	t.Helper()
	code, out, errOut := runCLI(t, append([]string{"compare", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("compare %v: exit %d, %s", args, code, errOut)
	}
	var c comparison
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal([]byte(out), &raw)
	return c, raw
}

func metricOf(t *testing.T, c comparison, name string) metricChange {
	t.Helper()
	for _, m := range c.Metrics {
		if m.Metric == name {
			return m
		}
	}
	t.Fatalf("no %s in %+v", name, c.Metrics)
	return metricChange{}
}

func keys(m map[string]any) string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	sort.Strings(k)
	return strings.Join(k, " ")
}

func TestCompareIdleToCPURamp(t *testing.T) {
	isolate(t)
	c, raw := compareJSON(t, "../../testdata/idle.jsonl", "../../testdata/cpu-ramp.jsonl")
	cpu := metricOf(t, c, "cpu")
	if !cpu.Significant || cpu.ChangePct == nil || *cpu.ChangePct < 1000 || *cpu.CILowPct < 1000 || cpu.After.P95 != 100 {
		t.Errorf("cpu = %+v; want a large significant rise to p95 100 %%", cpu)
	}
	if !strings.Contains(c.Summary, "CPU mean rose") || !strings.Contains(c.Summary, "the change is real") {
		t.Errorf("summary = %q", c.Summary)
	}
	if c.VerdictBefore != "MONITOR" || c.VerdictAfter == "" || !strings.Contains(c.Method, "bootstrap") || !strings.Contains(c.Method, "seed 1") {
		t.Errorf("verdicts %q → %q, method %q", c.VerdictBefore, c.VerdictAfter, c.Method)
	}
	if got := keys(raw); got != "method metrics summary verdict_after verdict_before" {
		t.Errorf("top-level keys = %s", got)
	}
	m0 := raw["metrics"].([]any)[0].(map[string]any)
	if got := keys(m0); got != "after before change_pct ci_high_pct ci_low_pct metric sentence significant unit" {
		t.Errorf("metric keys = %s", got)
	}
	if got := keys(m0["before"].(map[string]any)); got != "max mean p95" {
		t.Errorf("before keys = %s", got)
	}
}

func TestCompareSameRecordingIsNoise(t *testing.T) {
	isolate(t)
	c, _ := compareJSON(t, "../../testdata/idle.jsonl", "../../testdata/idle.jsonl")
	for _, m := range c.Metrics {
		if m.Significant || *m.ChangePct != 0 {
			t.Errorf("%s changed against itself: %+v", m.Metric, m)
		}
	}
	if c.Summary != "No metric changed beyond the noise." {
		t.Errorf("summary = %q", c.Summary)
	}
}

// secondly is 300 one-second snapshots with CPU around mean and a probe.
func secondly(host string, start time.Time, seed uint64, cpuMean, latMean float64) synth {
	rng := rand.New(rand.NewPCG(seed, seed))
	return synth{host: host, start: start, n: 300, step: time.Second,
		cpu:       func(float64) float64 { return max(0, cpuMean+5*rng.NormFloat64()) },
		mem:       func(float64) float64 { return 50 + rng.NormFloat64() },
		latencyMS: func(float64) float64 { return max(1, latMean+20*rng.NormFloat64()) },
	}
}

func TestCompareOptimisationIsReal(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	before := secondly("web1", planStart, 1, 40, 250).write(t, dir, "before.jsonl")
	after := secondly("web1", planStart.Add(24*time.Hour), 2, 34.4, 250).write(t, dir, "after.jsonl")
	c, _ := compareJSON(t, before, after)
	cpu := metricOf(t, c, "cpu")
	if !cpu.Significant || *cpu.ChangePct > -10 || *cpu.CIHighPct >= 0 {
		t.Errorf("cpu 40 → 34.4: %+v; want ≈ −14 %% and real", cpu)
	}
	lat := metricOf(t, c, "latency")
	if lat.Unit != "ms" || lat.Significant {
		t.Errorf("latency unchanged at 250 ms: %+v; want ms and noise", lat)
	}
	if !strings.HasPrefix(c.Summary, "CPU mean fell 1") || strings.Contains(c.Summary, "latency") {
		t.Errorf("summary = %q", c.Summary)
	}
	code, out, _ := runCLI(t, "compare", before, after)
	if code != 0 || !strings.Contains(out, "before: ") || !strings.Contains(out, "verdict MONITOR") ||
		!strings.Contains(out, "latency") || !strings.Contains(out, " ms ") || !strings.Contains(out, "moving-block bootstrap") {
		t.Errorf("text output (exit %d):\n%s", code, out)
	}
}

func TestCompareRefusals(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	a := secondly("web1", planStart, 1, 40, 250).write(t, dir, "a.jsonl")
	b := secondly("web2", planStart.Add(time.Hour), 2, 40, 250).write(t, dir, "b.jsonl")
	code, _, errOut := runCLI(t, "compare", a, b)
	if code != exitBadInput || !strings.Contains(errOut, `from host "web1"`) || !strings.Contains(errOut, "--allow-mixed-hosts") {
		t.Errorf("mixed hosts: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "compare", a, b, "--allow-mixed-hosts"); code != 0 {
		t.Errorf("--allow-mixed-hosts: exit %d, %q", code, errOut)
	}
	for _, args := range [][]string{{"compare", a}, {"compare", a, "missing.jsonl"}, {"compare", a, "../../go.mod"}} {
		if code, _, errOut := runCLI(t, args...); code != exitBadInput || errOut == "" {
			t.Errorf("%v: exit %d, %q; want 3 with a reason", args, code, errOut)
		}
	}
}

// A share that moved under a point is said in points and left out of the
// summary, however certain the test is: 12.6 % → 12.7 % of disk is no news.
func TestCompareUnderAPointIsNoPracticalDifference(t *testing.T) {
	isolate(t)
	c, _ := compareJSON(t, "../../testdata/idle.jsonl", "../../testdata/cpu-ramp.jsonl")
	disk := metricOf(t, c, "disk:/")
	if !disk.Significant || !strings.Contains(disk.Sentence, "points); under a point: no practical difference") {
		t.Errorf("disk: %+v", disk)
	}
	if strings.Contains(c.Summary, "Disk") || strings.Contains(c.Summary, "disk") {
		t.Errorf("summary names a change under a point: %q", c.Summary)
	}
	if cpu := metricOf(t, c, "cpu"); !strings.Contains(cpu.Sentence, "points)") {
		t.Errorf("cpu sentence without its points: %q", cpu.Sentence)
	}
}

// compare and plan judge by the config file's thresholds, as once does,
// and a config file that cannot be read stops them (and queries) as it
// stops once.
func TestCompareAndPlanFollowTheConfig(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "low.toml")
	if err := os.WriteFile(cfg, []byte("[thresholds.cpu]\noptimize = 0.01\nscale = 0.02\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ramp := "../../testdata/cpu-ramp.jsonl" // CPU 69 % on average, 0.5 % at its end
	once := func(args ...string) string {
		_, out, _ := runCLI(t, append(args, "once", "--replay", ramp, "--json")...)
		var r struct {
			Verdict string `json:"verdict"`
		}
		json.Unmarshal([]byte(out), &r)
		return r.Verdict
	}
	byDefault, byConfig := once(), once("--config", cfg)
	if byDefault != "MONITOR" || byConfig != "SCALE" {
		t.Fatalf("once --replay: %q by default, %q with the config; want MONITOR and SCALE", byDefault, byConfig)
	}
	c, _ := compareJSON(t, "--config", cfg, ramp, ramp)
	if c.VerdictBefore != byConfig || c.VerdictAfter != byConfig {
		t.Errorf("compare verdicts %q → %q; want once's %q", c.VerdictBefore, c.VerdictAfter, byConfig)
	}
	month := month30("web1", 1).write(t, dir, "month.jsonl")
	if cpu := trendOf(t, planJSON(t, "--config", cfg, month), "cpu"); cpu.OptimizeAt == nil || *cpu.OptimizeAt != 0.01 || *cpu.ScaleAt != 0.02 {
		t.Errorf("plan's cpu lines %v, %v; want the config's 0.01 and 0.02", cpu.OptimizeAt, cpu.ScaleAt)
	}
	if cpu := trendOf(t, planJSON(t, month), "cpu"); cpu.OptimizeAt == nil || *cpu.OptimizeAt != 70 {
		t.Errorf("plan's cpu line by default %v; want 70", cpu.OptimizeAt)
	}
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[thresholds.cpu]\noptimize = 1\noptimize = 2\n"), 0o600)
	for _, cf := range []string{bad, filepath.Join(dir, "missing.toml")} {
		for _, args := range [][]string{{"compare", ramp, ramp}, {"plan", ramp}, {"queries", "../../sampler/sqllog/testdata/postgres.log"}} {
			if code, _, errOut := runCLI(t, append([]string{"--config", cf}, args...)...); code != exitBadInput || !strings.Contains(errOut, cf) {
				t.Errorf("--config %s %v: exit %d, %q; want 3 naming the file", filepath.Base(cf), args, code, errOut)
			}
		}
	}
}
