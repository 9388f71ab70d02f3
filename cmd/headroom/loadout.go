package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/mattn/go-isatty"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/advisor/pipeline"
	"github.com/headroom-dev/headroom/sampler/load"
	"github.com/headroom-dev/headroom/sampler/services"
	"github.com/headroom-dev/headroom/tui"
	"github.com/headroom-dev/headroom/tui/screen"
)

// loadResult is a finished load test.
type loadResult struct {
	URL        string         `json:"url"`
	Pattern    string         `json:"pattern"`
	DurationS  float64        `json:"duration_s"`
	Requests   uint64         `json:"requests"`
	SuccessPct float64        `json:"success_pct"`
	RPS        float64        `json:"rps"`
	P50        float64        `json:"p50_ms"`
	P95        float64        `json:"p95_ms"`
	P99        float64        `json:"p99_ms"`
	Errors     map[string]int `json:"errors"`
	Knee       *loadKneeJSON  `json:"knee"`
	Verdict    string         `json:"verdict"`
	Summary    string         `json:"summary"`

	verdict advisor.LoadVerdict
}

// loadKneeJSON is the knee as --json prints it.
type loadKneeJSON struct {
	RPS        float64  `json:"rps"`
	P95        float64  `json:"p95_ms"`
	Bottleneck string   `json:"bottleneck"`
	Findings   []string `json:"findings"`
}

// summarizeLoad is the whole run, and the knee over its intervals.
func summarizeLoad(run *load.Run, points []advisor.LoadPoint, pl loadPlan, rules advisor.Rules) loadResult {
	m, errs := run.Total()
	r := loadResult{URL: services.RedactKeepQuery(pl.spec.Targets[0].URL), Pattern: pl.spec.Pattern.String(),
		Requests: m.Requests, Errors: errs}
	if len(points) > 0 {
		r.DurationS = points[len(points)-1].Snap.LoadTest.ElapsedS
	}
	if r.DurationS > 0 {
		r.RPS = math.Round(float64(m.Requests)/r.DurationS*10) / 10
	}
	if m.Requests > 0 {
		r.SuccessPct = math.Round(m.Success*1000) / 10
		r.P50, r.P95, r.P99 = msOf(m.Latencies.P50), msOf(m.Latencies.P95), msOf(m.Latencies.P99)
	}
	r.verdict = advisor.FindKnee(points, rules.SLA, rules.ErrorRate)
	r.Verdict, r.Summary = "held", r.verdict.Summary
	if r.verdict.Unjudged {
		r.Verdict = "unjudged"
	}
	if k := r.verdict.Knee; k != nil {
		r.Verdict = "knee"
		r.Knee = &loadKneeJSON{RPS: k.RPS, P95: k.P95, Bottleneck: k.Bottleneck, Findings: k.Findings}
	}
	markStopped(&r, pl.spec.Duration.Seconds())
	return r
}

// markStopped marks a run stopped before its end (q, ctrl+c, a CI job's
// timeout): a knee already found stands, but "held" was only ever tested
// up to where it stopped, and is not the answer the run was for.
func markStopped(r *loadResult, planned float64) {
	if r.DurationS+2 >= planned {
		return
	}
	stopped := fmt.Sprintf("stopped after %.0f s of %.0f s", r.DurationS, planned)
	if r.Verdict == "held" {
		r.Verdict = "unjudged"
		r.verdict.Held, r.verdict.Unjudged = false, true
		r.Summary = stopped + ": " + r.Summary + "; not judged"
	} else {
		r.Summary += " (" + stopped + ")"
	}
	r.verdict.Summary = r.Summary // the report says it too
}

func msOf[D ~int64](d D) float64 { return math.Round(float64(d)/1e5) / 10 }

func writeLoadJSON(w io.Writer, r loadResult) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// writeLoadText is the result for people, on a pipe or after the screen.
func writeLoadText(w io.Writer, r loadResult) {
	fmt.Fprintf(w, "%s  %s  %.0f s\n", r.URL, r.Pattern, r.DurationS)
	fmt.Fprintf(w, "requests %d  %.1f req/s  success %.1f %%  p50 %.0f ms  p95 %.0f ms  p99 %.0f ms\n",
		r.Requests, r.RPS, r.SuccessPct, r.P50, r.P95, r.P99)
	if len(r.Errors) > 0 {
		kinds := make([]string, 0, len(r.Errors))
		for k := range r.Errors {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		parts := make([]string, len(kinds))
		for i, k := range kinds {
			parts[i] = fmt.Sprintf("%s %d", k, r.Errors[k])
		}
		fmt.Fprintf(w, "errors %s\n", strings.Join(parts, ", "))
	}
	if r.Knee != nil {
		fmt.Fprintf(w, "knee: %s\n", r.Summary)
		if len(r.Knee.Findings) > 0 {
			fmt.Fprintf(w, "findings then: %s\n", strings.Join(r.Knee.Findings, "; "))
		}
		return
	}
	fmt.Fprintln(w, r.Summary)
}

// runLoadScreen shows the dashboard while the load runs; q, ctrl+c or
// SIGTERM end it, and the caller stops the load at once.
func runLoadScreen(ctx context.Context, env *runEnv, p *pipeline.Pipeline, st settings, host string, run *load.Run) error {
	applyNoColor(os.LookupEnv)
	feed := dashboardFeed(ctx, p.SubscribeQueue(4))
	model := tui.New(tui.Options{Feed: feed, History: p.History(), Rules: st.Rules, Theme: st.Theme, Interval: st.Interval, Host: host,
		Status: "load: " + run.Pattern().String() + " (q stops it)", ParseTime: parseGoTo})
	out, ok := env.stdout.(*os.File)
	if !ok {
		return errors.New("the load dashboard needs a terminal")
	}
	prog := screen.NewProgram(&model, out, time.Second/dashboardFPS, tea.WithContext(ctx))
	_, err := prog.Run()
	if ctx.Err() != nil {
		return nil // a signal ended it: not a failure
	}
	return err
}

// isTerminal: the dashboard needs one.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}
