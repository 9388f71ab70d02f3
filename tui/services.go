package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/table"

	"github.com/headroom-dev/headroom/sampler"
)

// noServices is what the services view says with no groups to show.
const noServices = "no control groups with processes (cgroups unreadable here, or a recording without them)"

// serviceTable is the process table's services view (the Services key):
// one row per control group — CPU % of one core, memory against its limit,
// pids, the share of CPU periods throttled, OOM kills — sorted like the
// process list and filtered by name.
func serviceTable(svcs []sampler.Service, w int, by sortKey, reverse bool, filter string) ([]table.Column, []table.Row) {
	cols := []table.Column{{Title: padLeft("CPU%", 6), Width: 6}, {Title: padLeft("MEM/LIMIT", 13), Width: 13},
		{Title: padLeft("PIDS", 5), Width: 5}, {Title: padLeft("THR%", 5), Width: 5}, {Title: padLeft("OOM", 4), Width: 4}}
	wide := w >= wideWidth
	if wide {
		cols = append(cols, table.Column{Title: padLeft("SWAP", 6), Width: 6}, table.Column{Title: padLeft("PSI-M", 6), Width: 6})
	}
	used := 0
	for _, c := range cols {
		used += c.Width + 1
	}
	title := "SERVICE · by " + by.String()
	if reverse {
		title += ", reversed" // as the process list says it
	}
	noCPU := len(svcs) > 0
	for _, s := range svcs {
		noCPU = noCPU && s.CPUPct == nil
	}
	if noCPU {
		// A hybrid cgroup v1 host may account memory per group and CPU
		// only for the root: say why the column is all "-".
		title += " · no group here has its own CPU accounting"
	}
	cols = append(cols, table.Column{Title: title, Width: max(10, w-used-1)})

	shown := make([]sampler.Service, 0, len(svcs))
	f := strings.ToLower(filter)
	for _, s := range svcs {
		if f == "" || strings.Contains(strings.ToLower(s.Name), f) || strings.Contains(strings.ToLower(s.Path), f) {
			shown = append(shown, s)
		}
	}
	cmp := func(a, b sampler.Service) int {
		switch by {
		case byMem:
			if c := cmpDesc(deref(a.MemoryBytes), deref(b.MemoryBytes)); c != 0 {
				return c
			}
		case byCPU:
			if c := cmpDesc(deref(a.CPUPct), deref(b.CPUPct)); c != 0 {
				return c
			}
		}
		return strings.Compare(a.Name, b.Name)
	}
	slices.SortStableFunc(shown, func(a, b sampler.Service) int {
		if reverse {
			return cmp(b, a)
		}
		return cmp(a, b)
	})
	rows := make([]table.Row, 0, len(shown))
	for _, s := range shown {
		r := table.Row{padLeft(optNum(s.CPUPct, 1), 6), padLeft(memLimit(s), 13), padLeft(optCount(s.PIDs), 5),
			padLeft(optNum(s.ThrottledPct, 0), 5), padLeft(optCount(s.OOMKills), 4)}
		if wide {
			swap := "-"
			if s.SwapBytes != nil {
				swap = bytesIEC(float64(*s.SwapBytes))
			}
			r = append(r, padLeft(swap, 6), padLeft(optNum(s.MemPSI, 1), 6))
		}
		name := s.Name
		switch {
		case s.Procs == 1:
			name += " (1 proc)"
		case s.Procs > 1:
			name += fmt.Sprintf(" (%d procs)", s.Procs)
		}
		rows = append(rows, append(r, name))
	}
	return cols, rows
}

// memLimit is "120M/512M 23%", or "120M/-" without a limit.
func memLimit(s sampler.Service) string {
	if s.MemoryBytes == nil {
		return "-"
	}
	used := bytesIEC(float64(*s.MemoryBytes))
	if pct, ok := s.MemoryPct(); ok {
		return fmt.Sprintf("%s/%s %.0f%%", used, bytesIEC(float64(*s.MemoryMax)), pct)
	}
	return used + "/-"
}

// optNum formats a value that may be unknown ("-").
func optNum(v *float64, prec int) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'f', prec, 64)
}

// optCount formats a count that may be unknown ("-").
func optCount(v *uint64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatUint(*v, 10)
}

// deref is a pointer's value, zero for nil (unknown sorts last).
func deref[T uint64 | float64](p *T) T {
	if p == nil {
		return 0
	}
	return *p
}
