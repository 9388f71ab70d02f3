package advisor

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/headroom-dev/headroom/sampler"
)

// withProbe adds one probe result per snapshot: latency ms(i), failed when fail(i).
func withProbe(snaps []sampler.Snapshot, ms func(i int) float64, fail func(i int) bool) []sampler.Snapshot {
	for i := range snaps {
		r := sampler.ProbeResult{MS: ms(i), Status: 200}
		if fail(i) {
			r.Status = 503
		}
		snaps[i].Probe = []sampler.ProbeResult{r}
	}
	return snaps
}

func never(int) bool { return false }

func TestProbeFindings(t *testing.T) {
	slow := func(i int) float64 { return 400 + float64(i%10) }
	cases := []struct {
		name    string
		snaps   []sampler.Snapshot
		verdict Level
		focus   string
		summary string
	}{
		{"fast", withProbe(series(300, flat(10, 20, -1, 40)), func(int) float64 { return 20 }, never), Monitor, "", "Usage acceptable."},
		{"slow app, idle machine", withProbe(series(300, flat(10, 20, -1, 40)), slow, never), Optimize, "latency", "while the machine has room: optimize the app"},
		{"slow app, CPU high", withProbe(series(300, flat(80, 20, -1, 40)), slow, never), Optimize, "cpu,latency", "SLA with CPU high but short of capacity: optimize the app"},
		{"slow and saturated", withProbe(series(300, flat(95, 20, -1, 40)), slow, never), Scale, "cpu,latency", "with the machine saturated: scale out"},
		{"slow, CPU at 100 % only lately", withProbe(series(300, func(i int) (float64, float64, float64, float64) {
			if i >= 290 {
				return 100, 20, -1, 40
			}
			return 10, 20, -1, 40
		}), slow, never), Optimize, "latency", "SLA with CPU at 100% now, not yet sustained: optimize the app"},
		{"errors", withProbe(series(300, flat(10, 20, -1, 40)), func(int) float64 { return 20 }, func(i int) bool { return i%20 == 0 }), Optimize, "errors", "5.0% of probe requests failed"},
		{"one slow request in a hundred", withProbe(series(300, flat(10, 20, -1, 40)), func(i int) float64 {
			if i%100 == 0 {
				return 2000
			}
			return 20
		}, never), Monitor, "", "Usage acceptable."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := Advise(c.snaps, DefaultRules())
			if a.Verdict != c.verdict || strings.Join(a.Focus, ",") != c.focus || !strings.Contains(a.Summary, c.summary) {
				t.Errorf("got %v focus %v %q; want %v focus %q, summary with %q", a.Verdict, a.Focus, a.Summary, c.verdict, c.focus, c.summary)
			}
		})
	}
}

func TestProbeStats(t *testing.T) {
	snaps := withProbe(series(100, flat(10, 20, -1, 40)), func(i int) float64 { return float64(i + 1) }, never)
	snaps[50].Probe = append(snaps[50].Probe, sampler.ProbeResult{MS: 0.3, Err: "refused"}, sampler.ProbeResult{MS: 5000, Err: "timeout"})
	a := Advise(snaps, DefaultRules())
	p := a.Probe
	if p == nil {
		t.Fatal("no probe stats")
	}
	// 100 answers (1..100 ms) and one timeout (5000 ms) have latencies; the refused one has none.
	if p.Requests != 102 || p.Errors != 2 || p.Timeouts != 1 || p.P50 != 51 || p.P95 != 96 || p.P99 != 100 || p.SLA != 300 {
		t.Errorf("stats %+v", *p)
	}
	f, _ := a.Finding("latency")
	if f.Threshold != 300 || f.Above != 1 || f.Max != 5000 {
		t.Errorf("latency finding %+v", f)
	}
	b, _ := json.Marshal(a)
	for _, k := range []string{`"probe":{`, `"requests":102`, `"p95_ms":96`, `"apps":[]`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("JSON lacks %s: %s", k, b)
		}
	}
	if a := Advise(series(10, flat(1, 1, -1, 1)), DefaultRules()); a.Probe != nil {
		t.Error("probe stats without a probe")
	}
}

// The latency finding is judged on the window's p95, not its median: a
// window whose typical request is fast but whose slowest 10 % miss the SLA
// is a finding.
func TestLatencyJudgedOnP95(t *testing.T) {
	snaps := withProbe(series(100, flat(10, 20, -1, 40)), func(i int) float64 {
		if i%10 == 0 {
			return 900 // 10 % of requests: p50 fast, p95 slow
		}
		return 50
	}, never)
	a := Advise(snaps, DefaultRules())
	f, _ := a.Finding(KeyLatency)
	if a.Probe.P50 >= 300 || a.Probe.P95 <= 300 {
		t.Fatalf("fixture: p50 %v p95 %v", a.Probe.P50, a.Probe.P95)
	}
	if f.Level != Optimize {
		t.Errorf("p95 %v over a 300 ms SLA, p50 %v under it: level %v, want OPTIMIZE", a.Probe.P95, a.Probe.P50, f.Level)
	}
}

// An app that stops answering is DOWN, whatever the machine, with the cause:
// three failures in a row are enough; an error now and then is not.
func TestAppDown(t *testing.T) {
	cases := []struct {
		name    string
		last    []sampler.ProbeResult // the newest requests, after 100 good ones
		verdict Level
		cause   string
	}{
		{"refused", []sampler.ProbeResult{{MS: 0.2, Err: "refused"}, {MS: 0.2, Err: "refused"}, {MS: 0.3, Err: "refused"}}, Down, "connection refused"},
		{"hangs", []sampler.ProbeResult{{MS: 5000, Err: "timeout"}, {MS: 5000, Err: "timeout"}, {MS: 5001, Err: "timeout"}}, Down, "timeout after 5s"},
		{"503", []sampler.ProbeResult{{MS: 3, Status: 503}, {MS: 3, Status: 503}, {MS: 3, Status: 503}}, Down, "HTTP 503"},
		{"two failures then an answer", []sampler.ProbeResult{{MS: 3, Status: 503}, {MS: 3, Status: 503}, {MS: 3, Status: 200}}, Optimize, ""}, // 2 % errors: a finding, not an outage
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			snaps := withProbe(series(103, flat(10, 20, -1, 40)), func(int) float64 { return 20 }, never)
			for i, r := range c.last {
				snaps[100+i].Probe = []sampler.ProbeResult{r}
			}
			a := Advise(snaps, DefaultRules())
			if a.Verdict != c.verdict {
				t.Fatalf("verdict %v, want %v (%s)", a.Verdict, c.verdict, a.Summary)
			}
			if c.verdict == Down && (!strings.HasPrefix(a.Summary, "The app does not answer: "+c.cause) || a.Probe.LastError != c.cause) {
				t.Errorf("summary %q, last error %q; want the cause %q first", a.Summary, a.Probe.LastError, c.cause)
			}
		})
	}
}

// An app that answers nothing has no latency, never a 0 ms one.
func TestNoAnswerNoLatency(t *testing.T) {
	snaps := series(10, flat(10, 20, -1, 40))
	for i := range snaps {
		snaps[i].Probe = []sampler.ProbeResult{{MS: 0.2, Err: "refused"}}
	}
	a := Advise(snaps, DefaultRules())
	if _, ok := a.Finding(KeyLatency); ok || a.Probe == nil || a.Probe.Answered != 0 || a.Verdict != Down {
		t.Errorf("latency finding present %v, probe %+v, verdict %v; want no latency, 0 answered, DOWN", ok, a.Probe, a.Verdict)
	}
}
