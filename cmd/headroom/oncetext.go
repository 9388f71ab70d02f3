package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/headroom-dev/headroom/advisor"
)

// writeAdviceText prints the advice for a person: verdict and summary first,
// one line per finding, then the worker suggestion.
func writeAdviceText(w io.Writer, r onceReport, samples int) {
	a := r.Advice
	fmt.Fprintf(w, "%s%s — %s\n", a.Verdict, provisionalWord(a), a.Summary)
	if wv := r.Worst; wv != nil && wv.Verdict > a.Verdict {
		fmt.Fprintf(w, "worst: %s from %s to %s UTC (%s)\n", wv.Verdict, wv.From.UTC().Format("2006-01-02 15:04:05"),
			wv.To.UTC().Format("15:04:05"), orDash(strings.Join(wv.Focus, ", ")))
	}
	when := a.Time.UTC().Format("2006-01-02 15:04:05 UTC")
	fmt.Fprintf(w, "%s · %s · window %s, covered %s (%s)\n", orDash(r.Host), when,
		fmtDur(a.WindowS), fmtDur(a.CoveredS), plural(samples, "sample"))
	if note := provisionalNote(a, r.sampled); note != "" {
		fmt.Fprintln(w, note)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "metric\t   now\t  mean\t   max\tlevel\tthreshold\tabove")
	for _, f := range a.Findings {
		unit, of := string(f.Unit), f.Counts
		fmt.Fprintf(tw, "%s\t%5.1f%s\t%5.1f%s\t%5.1f%s\t%s\t%s%s%s\t%3.0f%% of %s\n", f.Metric, f.Now, unit, f.Mean, unit, f.Max, unit, f.Level, f.Past(),
			strconv.FormatFloat(f.Threshold, 'f', -1, 64), unit, f.Above, of)
	}
	tw.Flush()
	if a.NoSwap {
		fmt.Fprintln(w, "swap: none configured")
	}
	if p := a.Probe; p != nil {
		lat := fmt.Sprintf("p50 %.0f ms, p95 %.0f ms, p99 %.0f ms", p.P50, p.P95, p.P99)
		if p.Answered == 0 {
			lat = "no request answered: no latency" // not a 0 ms one
		}
		fmt.Fprintf(w, "\nprobe %s: %d requests, %d errors (%d timeouts); %s; SLA %.0f ms\n",
			orDash(p.URL), p.Requests, p.Errors, p.Timeouts, lat, p.SLA)
		if p.LastError != "" {
			fmt.Fprintf(w, "last error: %s\n", p.LastError)
		}
	}
	if parts := advisor.ServiceParts(a.Postgres, a.PgBouncer, a.Cache); len(parts) > 0 {
		// As last read in the window: a service that is down says so
		// here, not only in --json.
		fmt.Fprintf(w, "\nservices: %s\n", strings.Join(parts, " · "))
	}
	if len(a.Apps) > 0 {
		fmt.Fprintln(w)
		for _, app := range a.Apps {
			fmt.Fprintln(w, advisor.AppLine(app, false))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, advisor.WorkerLine(a.Workers, false))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// fmtDur prints seconds as a short duration ("5m0s" → "5m", "299s" → "4m59s").
func fmtDur(sec float64) string {
	return advisor.FormatDuration(time.Duration(sec * float64(time.Second)))
}

// plural is "1 sample", "6 samples".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
