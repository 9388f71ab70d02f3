package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler/labtest"
)

// loadJSON is what `headroom load --json` prints.
type loadJSON struct {
	URL        string         `json:"url"`
	Pattern    string         `json:"pattern"`
	DurationS  float64        `json:"duration_s"`
	Requests   int            `json:"requests"`
	SuccessPct float64        `json:"success_pct"`
	RPS        float64        `json:"rps"`
	P50        float64        `json:"p50_ms"`
	P95        float64        `json:"p95_ms"`
	P99        float64        `json:"p99_ms"`
	Errors     map[string]int `json:"errors"`
	Knee       *struct {
		RPS        float64  `json:"rps"`
		P95        float64  `json:"p95_ms"`
		Bottleneck string   `json:"bottleneck"`
		Findings   []string `json:"findings"`
	} `json:"knee"`
	Verdict string `json:"verdict"`
	Summary string `json:"summary"`
}

// runLoad runs `headroom load` in-process and decodes its JSON strictly:
// the keys are the issue's, no more.
func runLoad(t *testing.T, args ...string) (loadJSON, int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	start := time.Now()
	code := run(append([]string{"load", "--json"}, args...), &out, &errb)
	t.Logf("headroom load %s: exit %d in %v\n%s%s", strings.Join(args, " "), code, time.Since(start).Round(time.Second), errb.String(), out.String())
	var res loadJSON
	dec := json.NewDecoder(&out)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&res); err != nil {
		t.Fatalf("--json: %v", err)
	}
	return res, code, errb.String()
}

func TestLoadE2E(t *testing.T) {
	// Each ramp gets its own app: an overloaded sync worker goes on
	// serving the requests its queue still holds after the load stops.
	app := labtest.New(t).App(labtest.AppConfig{Workers: 2})
	slowApp := labtest.New(t).App(labtest.AppConfig{Workers: 2})

	t.Run("steady far below capacity holds", func(t *testing.T) {
		res, code, stderr := runLoad(t, app.URL+"/cpu/?ms=5", "--rate", "3/s", "--for", "4s")
		if code != exitOK || res.Knee != nil || res.Verdict != "held" {
			t.Fatalf("exit %d, knee %+v, verdict %q: want 0, none, held", code, res.Knee, res.Verdict)
		}
		if res.Requests < 9 || res.SuccessPct != 100 || res.P95 <= 0 || res.Pattern != "rate 3/s" {
			t.Errorf("%+v", res)
		}
		if !strings.Contains(stderr, "rate 3/s for 4s") || !strings.Contains(stderr, "caps 2000 req/s, 1000 users, 1h") {
			t.Errorf("the plan and caps are not printed first: %q", stderr)
		}
	})

	t.Run("cpu ramp finds the knee and names cpu", func(t *testing.T) {
		// On a machine shared with other work one request can take well
		// over 20 ms even alone: the SLA is set from that, so the knee
		// found is the workers' and not the neighbours'.
		base, _, _ := runLoad(t, app.URL+"/cpu/?ms=20", "--rate", "2/s", "--for", "3s")
		sla := time.Duration(max(300, 4*base.P95)) * time.Millisecond
		report := filepath.Join(t.TempDir(), "load.md")
		res, code, _ := runLoad(t, app.URL+"/cpu/?ms=20", "--ramp", "5..160/s", "--for", "10s", "--sla", sla.String(), "--report", report, "--target-rps", "200")
		if code != exitOptimize || res.Knee == nil {
			t.Fatalf("exit %d, knee %+v: want 1 and a knee", code, res.Knee)
		}
		// Two sync workers doing 20 ms of CPU each answer at most 100 req/s.
		if res.Knee.RPS <= 0 || res.Knee.RPS > 110 || res.Knee.Bottleneck != "cpu" {
			t.Errorf("knee %+v: want a rate within 2 workers' capacity, bottleneck cpu", res.Knee)
		}
		if !strings.Contains(res.Summary, "CPU at capacity") || !strings.Contains(res.Summary, "add workers: no (CPU-bound)") {
			t.Errorf("summary %q", res.Summary)
		}
		md, err := os.ReadFile(report)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"## Load profile", "- Knee: **about", "- Instances for 200 req/s: **", "## The machine:"} {
			if !strings.Contains(string(md), want) {
				t.Errorf("report lacks %q:\n%s", want, md)
			}
		}
	})

	t.Run("slow ramp names the queue", func(t *testing.T) {
		res, code, _ := runLoad(t, slowApp.URL+"/slow/?ms=200", "--ramp", "2..30/s", "--for", "8s", "--sla", "600ms")
		if code != exitOptimize || res.Knee == nil {
			t.Fatalf("exit %d, knee %+v: want 1 and a knee", code, res.Knee)
		}
		// Two workers sleeping 200 ms answer 10 req/s; the SLA is three
		// times that sleep, so a machine busy with other work does not
		// break it before the queue does.
		if res.Knee.RPS <= 0 || res.Knee.RPS > 11 || res.Knee.Bottleneck != "queue" {
			t.Errorf("knee %+v: want at most 10 req/s, bottleneck queue", res.Knee)
		}
		if !strings.Contains(res.Summary, "add workers: yes") {
			t.Errorf("summary %q", res.Summary)
		}
	})
}
