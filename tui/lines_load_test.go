package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/headroom-dev/headroom/sampler"
)

// withLoadTest puts a ramp's intervals on the last n snapshots: the rate
// rises 2 req/s a second and p95 climbs past the SLA at the end.
func withLoadTest(snaps []sampler.Snapshot, n int) []sampler.Snapshot {
	out := append([]sampler.Snapshot(nil), snaps...)
	for i := range n {
		k := len(out) - n + i
		rps := float64(10 + 2*i)
		p95 := 30.0
		if i > n-10 {
			rps, p95 = float64(10+2*(n-10)), 300+float64(100*(i-n+10))
		}
		out[k].LoadTest = &sampler.LoadStats{Pattern: "ramp 10..130/s", ElapsedS: float64(i + 1), TargetRPS: float64(10 + 2*i), RPS: rps,
			Users: 1 + i/5, Requests: int(rps), SuccessPct: 100, P50: 20, P95: p95, P99: p95 * 1.5}
	}
	out[len(out)-1].LoadTest.Errors = map[string]int{"5xx": 3, "timeout\x1b[31m": 1}
	return out
}

func TestLoadPanelBesideTheMachine(t *testing.T) {
	snaps := withLoadTest(load(t, "cpu-ramp.jsonl")[:240], 60)
	for _, size := range []struct {
		name string
		w, h int
	}{{"small", 80, 24}, {"large", 200, 60}} {
		t.Run(size.name, func(t *testing.T) {
			m := model(t, size.w, size.h, snaps)
			view := plain(m)
			checkFrame(t, m.View(), size.w, size.h)
			for _, want := range []string{"REQ  110/s", "of 128", "P95 1200ms", "load 12 users · ok 100% · p99 1800ms"} {
				if !strings.Contains(view, want) {
					t.Errorf("screen lacks %q:\n%s", want, view)
				}
			}
			if strings.Contains(view, "\x1b[31m") {
				t.Error("an error kind from outside reached the screen unprintable")
			}
			if size.name == "large" && !strings.Contains(view, "load 12 users · ok 100% · p99 1800ms · 5xx 3 · timeout") {
				t.Errorf("the whole load line at 200 columns:\n%s", view)
			}
			golden.RequireEqual(t, []byte(view))
		})
	}
}

func TestNoLoadPanelWithoutALoad(t *testing.T) {
	m := model(t, 80, 24, load(t, "cpu-ramp.jsonl")[:240])
	if v := plain(m); strings.Contains(v, "REQ") || strings.Contains(v, "users") {
		t.Errorf("load rows without a load test:\n%s", v)
	}
}

// After the pattern ends, the screen says the load is done, and an
// interval with no request shows no latency (never "0ms" at a level).
func TestLoadPanelAfterTheLoad(t *testing.T) {
	snaps := withLoadTest(load(t, "cpu-ramp.jsonl")[:240], 60)
	last := *snaps[len(snaps)-1].LoadTest
	last.Done, last.TargetRPS, last.RPS, last.Requests, last.P95, last.SuccessPct = true, 0, 0, 0, 0, 0
	snaps[len(snaps)-1].LoadTest = &last
	view := plain(model(t, 120, 40, snaps))
	for _, want := range []string{"load done", "P95     —", "no requests"} {
		if !strings.Contains(view, want) {
			t.Errorf("screen lacks %q:\n%s", want, view)
		}
	}
	if strings.Contains(view, "closed loop") || strings.Contains(view, "P95    0ms") {
		t.Errorf("an ended ramp reads as a closed loop, or a latency of 0:\n%s", view)
	}
}
