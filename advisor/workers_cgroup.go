package advisor

import (
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/apps"
)

// workerBounds are the cores and memory the worker formula sizes by: the
// machine's (already bounded by headroom's own cgroup), or the cgroup of
// the app server's master where that is lower — a gunicorn in a 1-core,
// 512 MiB unit is sized for the unit, not the host. source names the group
// that bounds it, "host" when none does, "" when the snapshot does not know
// (a recording made without the cgroup collector).
func workerBounds(s sampler.Snapshot, found []apps.App) (cores float64, mem uint64, source string) {
	cores, mem = s.Cores(), s.MemoryLimit()
	if s.ProcLimits == nil {
		return cores, mem, ""
	}
	source = cgroupHost
	master, ok := mainAppServer(found)
	if !ok {
		return cores, mem, source
	}
	l, ok := s.ProcLimits[master]
	if !ok {
		return cores, mem, source
	}
	if l.Cores > 0 && l.Cores < cores {
		cores, source = l.Cores, l.Source
	}
	if l.Memory > 0 && l.Memory < mem {
		mem, source = l.Memory, l.Source
	}
	return cores, mem, source
}

// cgroupHost is WorkerSuggestion.LimitSource when no cgroup bounds the workers.
const cgroupHost = "host"

// mainAppServer is the master of the app server the suggestion is about:
// of the kind with the most workers (as workersOf picks), the family with
// the most workers, the lower pid on a tie.
func mainAppServer(found []apps.App) (int32, bool) {
	count := map[string]int{}
	for _, a := range found {
		if apps.IsAppServer(a.Kind) {
			count[a.Kind] += len(a.WorkerPIDs)
		}
	}
	var best *apps.App
	for i := range found {
		a := &found[i]
		if !apps.IsAppServer(a.Kind) {
			continue
		}
		if best == nil || count[a.Kind] > count[best.Kind] ||
			(count[a.Kind] == count[best.Kind] && (a.Kind < best.Kind ||
				(a.Kind == best.Kind && (len(a.WorkerPIDs) > len(best.WorkerPIDs) ||
					(len(a.WorkerPIDs) == len(best.WorkerPIDs) && a.MasterPID < best.MasterPID))))) {
			best = a
		}
	}
	if best == nil {
		return 0, false
	}
	return best.MasterPID, true
}
