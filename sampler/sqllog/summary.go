package sqllog

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// summaryShare is the share of query time the summary's leading
// statements must reach; at most summaryMax of them are counted.
const (
	summaryShare = 80.0
	summaryMax   = 5
)

// summarize says, in one sentence, which statements take the time and
// whether the first is an N+1 loop. ranked is the full ranking.
func summarize(ranked []Stat, n1 []NPlusOne, totalMS float64) string {
	if len(ranked) == 0 {
		return "no SQL statements in the log"
	}
	if totalMS <= 0 {
		return fmt.Sprintf("%s statements, none with a duration: log durations (Django DEBUG, or Postgres log_min_duration_statement) to rank them",
			thousands(countAll(ranked)))
	}
	k, share := 0, 0.0
	for k < len(ranked) && k < summaryMax && share < summaryShare {
		share += ranked[k].SharePct
		k++
	}
	var b strings.Builder
	if k == 1 {
		fmt.Fprintf(&b, "1 statement takes %.0f %% of query time; it is called %s", share, times(ranked[0].Count))
	} else {
		fmt.Fprintf(&b, "%d statements take %.0f %% of query time; the first is called %s", k, share, times(ranked[0].Count))
	}
	first, other := (*NPlusOne)(nil), (*NPlusOne)(nil)
	for i := range n1 {
		if n1[i].Fingerprint == ranked[0].Fingerprint {
			first = &n1[i]
		} else if other == nil {
			other = &n1[i]
		}
	}
	if first != nil {
		fmt.Fprintf(&b, " in runs of %s — an N+1 on %s", thousands(first.Run), first.Table)
		if first.Fix != "" {
			b.WriteString(": " + first.Fix)
		}
	} else {
		each := " each on average"
		if ranked[0].Count == 1 {
			each = ""
		}
		fmt.Fprintf(&b, ", %s ms%s", trimFloat(round(ranked[0].MeanMS, 1)), each)
	}
	if other != nil {
		fmt.Fprintf(&b, "; also an N+1 on %s (runs of %s)", other.Table, thousands(other.Run))
		if other.Fix != "" {
			b.WriteString(": " + other.Fix)
		}
	}
	return b.String()
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return thousands(n) + " times"
}

func countAll(s []Stat) int {
	n := 0
	for _, x := range s {
		n += x.Count
	}
	return n
}

// thousands writes n with comma separators: 2000 → "2,000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func trimFloat(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// WriteText writes the report as a table with the summary below it.
// Every string in it has been made printable.
func WriteText(w io.Writer, r Report, width int) error {
	if width < 60 {
		width = 60
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "#\tcount\tmean ms\tp95 ms\ttotal ms\tshare\t  statement")
	sqlWidth := width - 58
	for i, s := range r.Statements {
		fmt.Fprintf(tw, "%d\t%s\t%.2f\t%.2f\t%.1f\t%.1f %%\t  %s\n", i+1, thousands(s.Count), s.MeanMS, s.P95MS, s.TotalMS,
			s.SharePct, Printable(s.Fingerprint, sqlWidth))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Statements) < r.Distinct {
		fmt.Fprintf(w, "(the top %d of %s distinct statements)\n", len(r.Statements), thousands(r.Distinct))
	}
	for _, n := range r.NPlusOne {
		fix := n.Fix
		if fix == "" {
			fix = "fetch the rows in one query (WHERE … IN) instead of one per row"
		}
		runs := "1 run"
		if n.Runs != 1 {
			runs = thousands(n.Runs) + " runs"
		}
		fmt.Fprintf(w, "\nN+1 on %s: %s of about %s (%s statements) — %s\n  %s\n",
			n.Table, runs, thousands(n.Run), thousands(n.Count), fix, Printable(n.Fingerprint, width-2))
	}
	_, err := fmt.Fprintf(w, "\n%s lines, %s unparsed, %s statements, %.1f ms of query time.\n%s.\n",
		thousands(r.Lines), thousands(r.Unparsed), thousands(r.Count), r.TotalMS, r.Summary)
	return err
}
