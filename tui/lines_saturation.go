package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/saturation"
	"github.com/headroom-dev/headroom/sampler/text"
)

func init() {
	registerInfoLine(saturationLine)
	registerDetail(saturationDetail)
}

// saturationLine is the kernel's saturation counters in one row, at every
// size: "queue 48/2048 · busy 2/2 · psi mem 0 io 3 · oom 0 · fds 2%". A
// figure the kernel withheld reads "?", never 0.
func saturationLine(s sampler.Snapshot, a advisor.Advice) string {
	sat := s.Saturation
	if sat == nil && s.PSI == nil {
		return ""
	}
	var parts []string
	if sat != nil {
		if q, ok := advisor.QueueMetric(s); ok && len(sat.Listeners) > 0 {
			parts = append(parts, fmt.Sprintf("queue %.0f/%d", q, longestQueue(sat).Backlog))
		} else if has(sat.Unknown, "listeners") {
			parts = append(parts, "queue ?")
		}
		if busy, n := busyWorkers(sat); n > 0 {
			parts = append(parts, fmt.Sprintf("busy %d/%d", busy, n))
		}
	}
	if s.PSI != nil {
		parts = append(parts, fmt.Sprintf("psi mem %.0f io %.0f", s.PSI.Memory.Now(), s.PSI.IO.Now()))
	}
	if st := a.Saturation; st != nil {
		parts = append(parts, fmt.Sprintf("oom %d", st.OOMKills))
		if st.Dropped > 0 {
			parts = append(parts, fmt.Sprintf("drops %d", st.Dropped))
		}
	} else if sat != nil && has(sat.Unknown, "oom_kills") {
		parts = append(parts, "oom ?")
	}
	if pct, ok := advisor.FDMetric(s); ok {
		parts = append(parts, fmt.Sprintf("fds %.0f%%", pct))
	}
	return strings.Join(parts, " · ")
}

// saturationDetail is the saturation panel of large screens: each listen
// queue, what the workers do, the busiest disk, OOM victims and the
// process nearest its descriptor limit.
func saturationDetail(s sampler.Snapshot, a advisor.Advice) []string {
	sat := s.Saturation
	if sat == nil {
		return nil
	}
	var out []string
	ls := slices.Clone(sat.Listeners)
	slices.SortStableFunc(ls, func(a, b saturation.Listener) int { return int(b.Queued) - int(a.Queued) })
	for _, l := range ls {
		if len(out) == 3 {
			break // the longest queues are the ones that matter; three rows at most
		}
		out = append(out, text.Printable(fmt.Sprintf("  listen %-9s %-22s queued %d of %d", l.Family, l.Addr, l.Queued, l.Backlog)))
	}
	if busy, n := busyWorkers(sat); n > 0 {
		c := map[string]int{}
		for _, w := range sat.Workers {
			c[w.State]++
		}
		out = append(out, fmt.Sprintf("  workers %d of %d busy: %d on cpu, %d on disk, %d waiting, %d idle",
			busy, n, c[saturation.StateCPU], c[saturation.StateIO], c[saturation.StateWaiting], c[saturation.StateIdle]))
	}
	var disks []string
	for _, d := range sat.Disks {
		disks = append(disks, fmt.Sprintf("%s %.0f%%", text.Printable(d.Device), d.BusyPct))
	}
	if len(disks) > 0 {
		out = append(out, "  disk busy "+strings.Join(disks, " "))
	}
	if st := a.Saturation; st != nil {
		if len(st.OOMVictims) > 0 {
			out = append(out, "  oom killed "+strings.Join(st.OOMVictims, ", "))
		}
		if st.FDs != "" {
			out = append(out, "  fds top "+st.FDs)
		}
	}
	return out
}

func longestQueue(sat *saturation.Saturation) saturation.Listener {
	var best saturation.Listener
	for i, l := range sat.Listeners {
		if i == 0 || l.Queued > best.Queued {
			best = l
		}
	}
	return best
}

// busyWorkers counts the app-server workers serving a request (on the CPU,
// on disk, or waiting elsewhere) out of those whose state was read.
func busyWorkers(sat *saturation.Saturation) (busy, n int) {
	for _, w := range sat.Workers {
		switch w.State {
		case saturation.StateCPU, saturation.StateIO, saturation.StateWaiting:
			busy++
		case saturation.StateUnknown:
			continue
		}
		n++
	}
	return busy, n
}

func has(list []string, what string) bool {
	for _, x := range list {
		if x == what {
			return true
		}
	}
	return false
}
