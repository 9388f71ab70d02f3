package advisor

import (
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/apps"
)

// cgroupHost is WorkerSuggestion.LimitSource when no cgroup bounds the workers.
const cgroupHost = "host"

// workerBounds are the cores and memory the worker formula sizes by, and
// the app servers it counts. By default: the machine's (already bounded by
// headroom's own cgroup) and every app server. Where an app server's master
// runs in a cgroup whose limits are lower than the machine's — a gunicorn
// in a 1-core, 512 MiB unit — the suggestion is about that server alone,
// sized for its group (the tightest such group when there are several: it
// is the one a host-wide count would oversize most). source names that
// group, "host" when none bounds a master, "" when the snapshot does not
// know (a recording made without the cgroup collector).
func workerBounds(s sampler.Snapshot, found []apps.App) (cores float64, mem uint64, source string, sized []apps.App) {
	cores, mem, sized = s.Cores(), s.MemoryLimit(), found
	if s.ProcLimits == nil {
		return cores, mem, "", sized
	}
	source = cgroupHost
	var best *apps.App
	var bestCores float64
	var bestMem uint64
	for i := range found {
		a := &found[i]
		l, ok := s.ProcLimits[a.MasterPID]
		if !ok || !apps.IsAppServer(a.Kind) {
			continue
		}
		c, m := cores, mem
		if l.Cores > 0 && l.Cores < c {
			c = l.Cores
		}
		if l.Memory > 0 && l.Memory < m {
			m = l.Memory
		}
		if c == cores && m == mem {
			continue // its group is no tighter than the machine
		}
		if best == nil || c < bestCores || (c == bestCores && (m < bestMem || (m == bestMem && a.MasterPID < best.MasterPID))) {
			best, bestCores, bestMem, source = a, c, m, l.Source
		}
	}
	if best == nil {
		return cores, mem, source, sized
	}
	return bestCores, bestMem, source, []apps.App{*best}
}
