package advisor

import (
	"fmt"
	"strings"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/accesslog"
	"github.com/headroom-dev/headroom/sampler/services/stats"
	"github.com/headroom-dev/headroom/sampler/text"
)

// appReport is the report's App section: the traffic since the baseline
// with its costliest endpoints, the database, its pool and the caches; ""
// when none was configured. final is the advice at the session's end.
func appReport(since []sampler.Snapshot, final Advice) string {
	var b strings.Builder
	if ivs := trafficWindow(since); len(ivs) > 0 {
		t := accesslog.Window(ivs, 5)
		b.WriteString("\n## Traffic (access logs)\n\n")
		fmt.Fprintf(&b, "%.1f requests/s", t.RequestsPerS)
		if t.Status != nil {
			fmt.Fprintf(&b, "; 2xx %.1f%%, 3xx %.1f%%, 4xx %.1f%%, 5xx %.1f%%", t.Status.S2xx, t.Status.S3xx, t.Status.S4xx, t.Status.S5xx)
		}
		fmt.Fprintf(&b, "; %d lines not parsed.\n", t.Unparsed)
		if t.P95Ms != nil {
			fmt.Fprintf(&b, "\n| p50 | p95 | p99 |\n|---|---|---|\n| %.0f ms | %.0f ms | %.0f ms |\n", *t.P50Ms, *t.P95Ms, *t.P99Ms)
		}
		if len(t.TopEndpoints) > 0 {
			b.WriteString("\n| endpoint | requests | mean | total |\n|---|---|---|---|\n")
			for _, e := range t.TopEndpoints {
				mean, total := "–", "–"
				if e.MeanMs != nil && e.TotalMs != nil {
					mean, total = fmt.Sprintf("%.1f ms", *e.MeanMs), fmt.Sprintf("%.1f s", *e.TotalMs/1000)
				}
				fmt.Fprintf(&b, "| `%s` | %d | %s | %s |\n", mdCell(e.Endpoint), e.Count, mean, total)
			}
		}
	}
	var rows []string
	if st := sampler.StatsOf(sampler.Values(since, DBConnectionsMetric)); st.N > 0 {
		rows = append(rows, fmt.Sprintf("| db connections | %.0f%% | %.0f%% of max_connections |", st.Mean, st.Max))
	}
	for _, kind := range []string{stats.KindRedis, stats.KindMemcached} {
		vals := sampler.Values(since, hitRate(kind))
		if st := sampler.StatsOf(vals); st.N > 0 {
			low := st.Max
			for _, v := range vals {
				low = min(low, v)
			}
			rows = append(rows, fmt.Sprintf("| %s hit rate | %.0f%% | lowest %.0f%% |", kind, st.Mean, low))
		}
	}
	if len(rows) > 0 {
		b.WriteString("\n## Services\n\n| what | mean | worst |\n|---|---|---|\n" + strings.Join(rows, "\n") + "\n")
	}
	for _, s := range []struct{ name, state, reason string }{
		{"Postgres", stateOf(final.Postgres), reasonOf(final.Postgres)},
		{"PgBouncer", stateOfB(final.PgBouncer), reasonOfB(final.PgBouncer)},
	} {
		if s.state == stats.StateUnavailable {
			fmt.Fprintf(&b, "\n%s was unavailable at the end: %s.\n", s.name, text.Printable(s.reason))
		}
	}
	for _, c := range final.Cache {
		if c.State == stats.StateUnavailable {
			fmt.Fprintf(&b, "\n%s %s was unavailable at the end: %s.\n", c.Kind, text.Printable(c.Addr), text.Printable(c.Reason))
		}
	}
	if st, ok := topStatement(since, final.Traffic); ok {
		fmt.Fprintf(&b, "\nCostliest statement (%s): `%s`: %.0f%% of DB time, %d calls, mean %.1f ms.\n", st.Source, mdCell(ShortStatement(st.Query, 120)), st.SharePct, st.Calls, st.MeanMS)
	}
	return b.String()
}

// mdCell makes text safe inside a Markdown table cell or code span.
func mdCell(s string) string {
	return strings.NewReplacer("|", "\\|", "`", "'").Replace(text.Printable(s))
}

func stateOf(p *stats.PostgresStats) string {
	if p == nil {
		return ""
	}
	return p.State
}

func reasonOf(p *stats.PostgresStats) string {
	if p == nil {
		return ""
	}
	return p.Reason
}

func stateOfB(p *stats.PgBouncerStats) string {
	if p == nil {
		return ""
	}
	return p.State
}

func reasonOfB(p *stats.PgBouncerStats) string {
	if p == nil {
		return ""
	}
	return p.Reason
}
