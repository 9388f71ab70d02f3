package advisor

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// Session is a watched stretch of time, as the dashboard's --report needs it.
type Session struct {
	Host     string
	ProbeURL string
	Snaps    []sampler.Snapshot // oldest first
	// Baseline is the moment marked with b; zero means the session's start.
	Baseline time.Time
	Rules    Rules
}

// VerdictChange is one step of the verdict timeline.
type VerdictChange struct {
	Time    time.Time
	Verdict Level
	Focus   []string
	Summary string
}

// Timeline replays the session and lists each change of verdict, the
// first judgement included. With a baseline, it lists them from there on,
// starting with the verdict in force then; each moment is still judged on
// its whole window (samples before the baseline included), as the screen
// judged it, so the timeline ends on the report's final verdict.
func Timeline(s Session) []VerdictChange {
	var out []VerdictChange
	start := 0
	for i, snap := range s.Snaps {
		for start < i && snap.Time.Sub(s.Snaps[start].Time) >= s.Rules.Window {
			start++
		}
		if !s.Baseline.IsZero() && snap.Time.Before(s.Baseline) && i < len(s.Snaps)-1 {
			continue
		}
		a := judgeWindow(s.Snaps[start:i+1], s.Rules)
		if len(out) == 0 || out[len(out)-1].Verdict != a.Verdict {
			out = append(out, VerdictChange{Time: snap.Time, Verdict: a.Verdict, Focus: a.Focus, Summary: a.Summary})
		}
	}
	return out
}

// ReportMarkdown is the session as a Markdown page for a load-test ticket:
// duration, each metric's baseline, mean and peak and time over each
// threshold, the probe's percentiles, the verdict timeline and the worker
// suggestion.
func ReportMarkdown(s Session) string {
	var b strings.Builder
	if len(s.Snaps) == 0 {
		return "# headroom report\n\nNo samples were taken.\n"
	}
	first, last := s.Snaps[0], s.Snaps[len(s.Snaps)-1]
	base := 0
	if !s.Baseline.IsZero() {
		for base < len(s.Snaps)-1 && s.Snaps[base].Time.Before(s.Baseline) {
			base++
		}
	}
	since := s.Snaps[base:]
	final := Advise(windowEnding(s.Snaps, s.Rules.Window), s.Rules)

	host := s.Host
	if host == "" {
		host = "this machine"
	}
	fmt.Fprintf(&b, "# headroom report: %s\n\n", host)
	fmt.Fprintf(&b, "- Session: %s to %s UTC (%s, %d samples)\n", first.Time.UTC().Format("2006-01-02 15:04:05"),
		last.Time.UTC().Format("15:04:05"), FormatDuration(last.Time.Sub(first.Time)), len(s.Snaps))
	if base > 0 {
		fmt.Fprintf(&b, "- Baseline: marked at %s UTC; figures below are from there on\n", s.Snaps[base].Time.UTC().Format("15:04:05"))
	} else {
		fmt.Fprintf(&b, "- Baseline: the session's first sample\n")
	}
	fmt.Fprintf(&b, "- Machine: %s cores, %d MiB memory\n", trim(last.Cores()), last.MemoryLimit()>>20)
	fmt.Fprintf(&b, "- Verdict at the end: **%s** — %s\n\n", final.Verdict, final.Summary)

	b.WriteString("## Metrics\n\n")
	b.WriteString("| metric | baseline | mean | peak | time ≥ optimize | time ≥ scale |\n|---|---|---|---|---|---|\n")
	for _, def := range s.Rules.Metrics {
		if def.Judge != nil && def.Read == nil {
			continue // judged per request or counted per window: sections of their own
		}
		th := s.Rules.Threshold(def.Key)
		for _, inst := range def.Instances(since) {
			name, m := MetricName(def.Key, inst), def.Read(inst)
			bv, _ := m(since[0])
			st := sampler.Stats(since, m)
			u := string(def.Unit)
			fmt.Fprintf(&b, "| %s | %.1f%s | %.1f%s | %.1f%s | %s (≥%.0f%s) | %s (≥%.0f%s) |\n", s.Rules.Metrics.DisplayName(name), bv, u, st.Mean, u, st.Max, u,
				timeAtLeast(since, m, th.Optimize), th.Optimize, u, timeAtLeast(since, m, th.Scale), th.Scale, u)
		}
	}
	if !last.HasSwap() {
		b.WriteString("\nNo swap is configured.\n")
	}
	b.WriteString(saturationReport(since, s.Rules))

	if ps, _ := probeStats(since, s.Rules); ps != nil {
		b.WriteString("\n## Requests\n\n")
		url := s.ProbeURL
		if url == "" {
			url = "the probed URL"
		}
		fmt.Fprintf(&b, "%s, one request per interval: %d requests, %d errors (%.1f%%, %d timeouts).\n\n", url, ps.Requests, ps.Errors, ps.ErrorPercent(), ps.Timeouts)
		fmt.Fprintf(&b, "| p50 | p95 | p99 | SLA |\n|---|---|---|---|\n| %.0f ms | %.0f ms | %.0f ms | %.0f ms |\n", ps.P50, ps.P95, ps.P99, ps.SLA)
	}

	b.WriteString(appReport(since, final))
	b.WriteString("\n## Verdict timeline\n\n| time (UTC) | verdict | focus | why |\n|---|---|---|---|\n")
	for _, c := range Timeline(Session{Snaps: s.Snaps, Rules: s.Rules, Baseline: s.Snaps[base].Time}) {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", c.Time.UTC().Format("15:04:05"), c.Verdict, orNone(strings.Join(c.Focus, ", ")), c.Summary)
	}

	b.WriteString("\n## Workers\n\n")
	b.WriteString(WorkerLine(final.Workers, false) + "\n")
	if len(final.Apps) > 0 {
		b.WriteString("\n")
		for _, a := range final.Apps {
			b.WriteString("- " + AppLine(a, false) + "\n")
		}
	}
	fmt.Fprintf(&b, "\nThresholds: a level counts when held in %.0f%% of a %s window.\n", s.Rules.Sustain*100, FormatDuration(s.Rules.Window))
	return b.String()
}

// windowEnding is the last d of snaps.
func windowEnding(snaps []sampler.Snapshot, d time.Duration) []sampler.Snapshot {
	last := snaps[len(snaps)-1].Time
	i := len(snaps) - 1
	for i > 0 && last.Sub(snaps[i-1].Time) < d {
		i--
	}
	return snaps[i:]
}

// timeAtLeast adds up the time the metric spent at or over t, each sample
// standing for the gap since the one before it.
func timeAtLeast(snaps []sampler.Snapshot, m sampler.Metric, t float64) string {
	var d time.Duration
	for i := 1; i < len(snaps); i++ {
		if v, ok := m(snaps[i]); ok && v >= t {
			d += snaps[i].Time.Sub(snaps[i-1].Time)
		}
	}
	return FormatDuration(d)
}

// FormatDuration prints a duration to the second without zero tails:
// 5m, 4m59s, 30s, 1h, 1h2m.
func FormatDuration(d time.Duration) string {
	s := d.Round(time.Second).String()
	if len(s) > 2 && strings.HasSuffix(s, "m0s") || strings.HasSuffix(s, "h0m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func trim(f float64) string {
	if f == math.Trunc(f) {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.1f", f)
}

func orNone(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
