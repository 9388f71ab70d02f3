package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
)

func init() {
	registerInfoLine(servicesLine)
	registerDetail(servicesDetail)
}

// servicesLine is the services' line under the charts: the groups with a
// limit, closest to it first, with their OOM kills; "" when no group has a
// limit (the services view, key s, lists every group).
//
//	svc gunicorn.service mem 98% of 512M 3 OOM, cpu 100% of 1 · postgresql.service mem 40% of 1G
func servicesLine(s sampler.Snapshot, _ advisor.Advice) string {
	type item struct {
		text string
		top  float64
	}
	var items []item
	for _, g := range s.Services {
		var parts []string
		top := 0.0
		if pct, ok := g.MemoryPct(); ok {
			p := fmt.Sprintf("mem %.0f%% of %s", pct, bytesIEC(float64(*g.MemoryMax)))
			if g.OOMKills != nil && *g.OOMKills > 0 {
				p += fmt.Sprintf(" %d OOM", *g.OOMKills)
			}
			parts, top = append(parts, p), max(top, pct)
		}
		if g.CPUMaxCores != nil {
			p := fmt.Sprintf("cpu %s of %g", optNum(g.CPUPct, 0)+"%", *g.CPUMaxCores)
			if g.ThrottledPct != nil && *g.ThrottledPct > 0 {
				p += fmt.Sprintf(" thr %.0f%%", *g.ThrottledPct)
			}
			parts = append(parts, p)
			if pct, ok := g.QuotaPct(); ok {
				top = max(top, pct)
			}
		}
		if len(parts) > 0 {
			items = append(items, item{g.Name + " " + strings.Join(parts, ", "), top})
		}
	}
	if len(items) == 0 {
		return ""
	}
	slices.SortStableFunc(items, func(a, b item) int { return cmpDesc(a.top, b.top) })
	texts := make([]string, len(items))
	for i, it := range items {
		texts[i] = it.text
	}
	return "svc " + strings.Join(texts, " · ")
}

// servicesDetail is the services panel of large screens: one row per group
// with a limit, closest to it first, with what the line has no room for.
//
//	gunicorn.service  mem 98% of 512M  cpu 100% of 1 core  thr 12%  oom 3  pids 12/100
func servicesDetail(s sampler.Snapshot, _ advisor.Advice) []string {
	type row struct {
		text string
		top  float64
	}
	var rows []row
	for _, g := range s.Services {
		pct, limited := g.MemoryPct()
		top := pct
		if q, ok := g.QuotaPct(); ok {
			limited, top = true, max(top, q)
		}
		if !limited {
			continue
		}
		parts := []string{"  " + g.Name}
		if limited && g.MemoryMax != nil {
			parts = append(parts, fmt.Sprintf("mem %.0f%% of %s", pct, bytesIEC(float64(*g.MemoryMax))))
		}
		if g.CPUMaxCores != nil {
			parts = append(parts, fmt.Sprintf("cpu %s of %g", optNum(g.CPUPct, 0)+"%", *g.CPUMaxCores))
		}
		if g.ThrottledPct != nil {
			parts = append(parts, fmt.Sprintf("thr %.0f%%", *g.ThrottledPct))
		}
		if g.OOMKills != nil {
			parts = append(parts, fmt.Sprintf("oom %d", *g.OOMKills))
		}
		if g.PIDs != nil {
			p := fmt.Sprintf("pids %d", *g.PIDs)
			if g.PIDsMax != nil {
				p += fmt.Sprintf("/%d", *g.PIDsMax)
			}
			parts = append(parts, p)
		}
		rows = append(rows, row{strings.Join(parts, "  "), top})
	}
	if len(rows) == 0 {
		return nil
	}
	slices.SortStableFunc(rows, func(a, b row) int { return cmpDesc(a.top, b.top) })
	out := []string{"SERVICES (limits; s lists every group)"}
	for _, r := range rows {
		out = append(out, r.text)
	}
	return out
}
