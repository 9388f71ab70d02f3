package tui

import (
	"fmt"
	"strings"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/services/stats"
	"github.com/headroom-dev/headroom/sampler/text"
)

func init() { registerInfoLine(appLine) }

// appLine is the app's own numbers in one line, newest interval first:
//
//	APP req 42/s p95 180ms 5xx 0.2% · db 37/100 · redis 91% hit
//
// A source that is down says so with its reason; nothing configured, no line.
func appLine(s sampler.Snapshot, a advisor.Advice) string {
	var parts []string
	if t := s.Traffic; t != nil {
		switch {
		case t.State != stats.StateOK:
			parts = append(parts, "req unavailable: "+text.Printable(t.Reason))
		default:
			p := fmt.Sprintf("req %s/s", num(t.RequestsPerS))
			if t.P95Ms != nil {
				p += fmt.Sprintf(" p95 %.0fms", *t.P95Ms)
			}
			if t.Status != nil {
				p += fmt.Sprintf(" 5xx %.1f%%", t.Status.S5xx)
			}
			parts = append(parts, p)
		}
	}
	parts = append(parts, advisor.ServiceParts(s.Postgres, s.PgBouncer, s.Cache)...)
	if q := s.SQL; q != nil && s.Postgres == nil {
		if q.State != stats.StateOK {
			parts = append(parts, "sql log unavailable: "+text.Printable(q.Reason))
		} else {
			parts = append(parts, fmt.Sprintf("sql %s/s", num(float64(q.Count)/max(q.Seconds, 1e-9))))
		}
	}
	if f, ok := a.Finding(advisor.KeyDBSlow); ok && f.Level > advisor.Monitor && a.TopStatement != nil {
		parts = append(parts, "slow: "+advisor.ShortStatement(a.TopStatement.Query, 40))
	}
	if len(parts) == 0 {
		return ""
	}
	return "APP " + strings.Join(parts, " · ")
}

// num prints a rate without false precision: 0.4, 42, 1234.
func num(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}
