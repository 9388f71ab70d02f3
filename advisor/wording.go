package advisor

import (
	"fmt"
	"math"

	"github.com/headroom-dev/headroom/sampler/apps"
	"github.com/headroom-dev/headroom/sampler/services/stats"
	"github.com/headroom-dev/headroom/sampler/text"
)

// WorkerLine is the worker suggestion in one line, for the screen, once,
// the report and hooks alike; short asks for the form a narrow panel fits.
//
//	workers: running 3 × 40 MiB → suggest 5 gunicorn workers (cpu 5 / memory 72, 40 MiB each, measured)
//	running 3 × 40 MiB → suggest 5 workers (cpu 5 / memory 72)
//	workers: in gunicorn.service: 1 core, 300 MiB, running 3 × 40 MiB → suggest 3 gunicorn workers (…)
func WorkerLine(ws WorkerSuggestion, short bool) string {
	server := ws.Server
	if server == "" {
		server = "gunicorn"
	}
	running, all := "", ""
	if ws.Running > 0 {
		running = fmt.Sprintf("running %d × %.0f MiB → ", ws.Running, ws.PerWorkerMiB)
	}
	if ws.Masters > 1 { // one budget for the machine, shared by every master
		running = fmt.Sprintf("running %d × %.0f MiB under %d masters → ", ws.Running, ws.PerWorkerMiB, ws.Masters)
		all = " in all"
	}
	running = limitedBy(ws) + running
	if short {
		assumed := "" // no worker to measure: the size is a guess, and says so
		if ws.PerWorkerSource == "assumed" {
			assumed = ", assumed"
		}
		s := fmt.Sprintf("suggest %d %s (cpu %d / memory %d, %.0f MiB each%s)",
			ws.Recommended, workersWord(ws.Recommended), ws.CPUBased, ws.MemoryBased, ws.PerWorkerMiB, assumed)
		if running != "" { // "3 × 40 MiB" has said the size: not again at the end
			s = fmt.Sprintf("%ssuggest %d %s%s (cpu %d / memory %d)",
				running, ws.Recommended, workersWord(ws.Recommended), all, ws.CPUBased, ws.MemoryBased)
		}
		if ws.CPUBound {
			s += " · CPU-bound"
		}
		if ws.Queued != nil && *ws.Queued > 0 && ws.Busy != nil {
			s += fmt.Sprintf(" · %d busy, %d queued", *ws.Busy, *ws.Queued)
		}
		return s
	}
	s := fmt.Sprintf("workers: %ssuggest %d %s %s%s (cpu %d / memory %d, %.0f MiB each, %s)",
		running, ws.Recommended, server, workersWord(ws.Recommended), all, ws.CPUBased, ws.MemoryBased, ws.PerWorkerMiB, ws.PerWorkerSource)
	if ws.Reason != "" {
		s += " — " + ws.Reason
	}
	return s
}

// limitedBy names the cgroup that bounds the workers, when one does:
// "in gunicorn.service: 1 core, 300 MiB → ".
func limitedBy(ws WorkerSuggestion) string {
	if ws.LimitSource == "" || ws.LimitSource == cgroupHost {
		return ""
	}
	cores := "cores"
	if ws.Cores == 1 {
		cores = "core"
	}
	s := fmt.Sprintf("in %s: %g %s, %d MiB", ws.LimitSource, math.Round(ws.Cores*100)/100, cores, ws.MemoryMiB)
	if ws.Running > 0 {
		return s + ", "
	}
	return s + " → "
}

// AppLine describes one application family in a line; short is the
// screen's form.
//
//	gunicorn    master 812: 3 workers, cpu 41.0%, rss 150 MiB, pss 40 MiB per worker
//	gunicorn  812    3w cpu  41% pss 40M
func AppLine(a apps.App, short bool) string {
	if short {
		s := fmt.Sprintf("%-9s %-6d %2dw cpu %3.0f%%", a.Kind, a.MasterPID, a.Workers, a.CPU)
		if a.PSSMedianMiB > 0 {
			s += fmt.Sprintf(" pss %.0fM", a.PSSMedianMiB)
		}
		if a.Churn5m > 0 {
			s += fmt.Sprintf(" churn %d", a.Churn5m)
		}
		if a.Kind == "postgres" {
			s += fmt.Sprintf(" act %d idle-tx %d", a.States["active"], a.States["idle in transaction"])
		}
		return s
	}
	s := fmt.Sprintf("%-11s master %d: %d workers, cpu %.1f%%, rss %.0f MiB", a.Kind, a.MasterPID, a.Workers, a.CPU, a.RSSMiB)
	if a.PSSMedianMiB > 0 {
		s += fmt.Sprintf(", pss %.0f MiB per worker", a.PSSMedianMiB)
	}
	if a.Churn5m > 0 {
		s += fmt.Sprintf(", %d replaced in 5 min", a.Churn5m)
	}
	if len(a.States) > 0 {
		s += fmt.Sprintf(" (active %d, idle %d, idle in transaction %d)", a.States["active"], a.States["idle"], a.States["idle in transaction"])
	}
	return s
}

// workersWord is "worker" for one, "workers" for the rest.
func workersWord(n int) string {
	if n == 1 {
		return "worker"
	}
	return "workers"
}

// ServiceParts are the services' states in the dashboard's words, one part
// each: "db 37/100", "pool wait 3", "redis 91% hit", or "redis unavailable:
// connection refused" for one that is down. The screen's APP line and
// once's services line both say them, so a service reads the same in both.
func ServiceParts(pg *stats.PostgresStats, bouncer *stats.PgBouncerStats, caches []stats.CacheStats) []string {
	var parts []string
	if pg != nil {
		if pg.State != stats.StateOK {
			parts = append(parts, "db unavailable: "+text.Printable(pg.Reason))
		} else {
			parts = append(parts, fmt.Sprintf("db %d/%d", pg.Connections, pg.MaxConnections))
		}
	}
	if bouncer != nil {
		if bouncer.State != stats.StateOK {
			parts = append(parts, "pgbouncer unavailable: "+text.Printable(bouncer.Reason))
		} else {
			var w int64 // over every pool: clients waiting anywhere
			for _, p := range bouncer.Pools {
				w += p.ClWaiting
			}
			parts = append(parts, fmt.Sprintf("pool wait %d", w))
		}
	}
	for _, c := range caches {
		switch {
		case c.State != stats.StateOK:
			parts = append(parts, c.Kind+" unavailable: "+text.Printable(c.Reason))
		case c.HitRate != nil:
			parts = append(parts, fmt.Sprintf("%s %.0f%% hit", c.Kind, *c.HitRate))
		default:
			parts = append(parts, c.Kind+" no lookups")
		}
	}
	return parts
}
