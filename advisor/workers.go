package advisor

import (
	"math"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/apps"
)

// WorkerRules are the worker formula's settings.
type WorkerRules struct {
	// AssumedMiB is the per-worker memory used when no workers are running (the framework's 0.25 GB).
	AssumedMiB float64 `toml:"assumed_mib"`
	// MemoryFraction is the share of memory the workers may use.
	MemoryFraction float64 `toml:"memory_fraction"`
}

// WorkerSuggestion is a gunicorn worker count that fits the machine.
type WorkerSuggestion struct {
	Cores       float64 `json:"cores"`
	MemoryMiB   int     `json:"memory_mib"`
	CPUBased    int     `json:"cpu_based"`
	MemoryBased int     `json:"memory_based"`
	Recommended int     `json:"recommended"`
	// PerWorkerMiB is the memory one worker is taken to need.
	PerWorkerMiB float64 `json:"per_worker_mib"`
	// PerWorkerSource is "measured" (median PSS of running workers),
	// "measured-rss" (PSS unreadable, RSS instead) or "assumed".
	PerWorkerSource string `json:"per_worker_source"`
	// Running is the number of app-server workers found; Server their kind.
	Running int    `json:"running"`
	Server  string `json:"server,omitempty"`
	// Masters is the app-server masters the running workers belong to:
	// with more than one, the count is for all of them together (they
	// share the machine's cores and memory).
	Masters int `json:"masters,omitempty"`
	// WorkerMemoryMiB is the memory each worker may use at Recommended.
	WorkerMemoryMiB int `json:"worker_memory_mib"`
	// LimitSource names the cgroup of the app server's master whose limits
	// bound Cores or MemoryMiB ("gunicorn.service", a container), or "host";
	// empty when the snapshot did not read cgroups.
	LimitSource string `json:"limit_source,omitempty"`
	// Busy is the workers serving a request now and Queued the requests
	// waiting for one (nil where unread); Reason says why Recommended is
	// above the CPU formula, when a queue puts it there.
	Busy   *int   `json:"busy,omitempty"`
	Queued *int   `json:"queued,omitempty"`
	Reason string `json:"reason,omitempty"`
	// CPUBound: most busy workers are on the CPU and it is used up now;
	// more workers would share the same cores, so Recommended above
	// Running is not the fix (Reason says so).
	CPUBound bool `json:"cpu_bound,omitempty"`
}

// SuggestWorkers applies the framework's formula:
// cpu-based = min(2 × cores + 1, 4 × cores); memory-based = floor(memory ×
// fraction / per-worker); recommended = max(1, min(both)).
func SuggestWorkers(cores float64, memBytes uint64, procs []sampler.Process, r WorkerRules) WorkerSuggestion {
	return suggestWorkers(cores, memBytes, procs, apps.Apps(procs), r)
}

// suggestWorkers is SuggestWorkers with procs already grouped into apps.
func suggestWorkers(cores float64, memBytes uint64, procs []sampler.Process, found []apps.App, r WorkerRules) WorkerSuggestion {
	memMiB := float64(memBytes) / (1 << 20)
	w := WorkerSuggestion{Cores: cores, MemoryMiB: int(memMiB), PerWorkerMiB: r.AssumedMiB, PerWorkerSource: "assumed"}
	w.CPUBased = int(math.Floor(math.Min(2*cores+1, 4*cores)))
	workers, server, masters := workersOf(procs, found)
	w.Running, w.Server = len(workers), server
	if masters > 1 {
		w.Masters = masters
	}
	if len(workers) > 0 {
		var pss, rss []float64
		for _, p := range workers {
			if p.PSS > 0 {
				pss = append(pss, float64(p.PSS)/(1<<20))
			}
			rss = append(rss, float64(p.RSS)/(1<<20))
		}
		if len(pss) > 0 {
			w.PerWorkerMiB, w.PerWorkerSource = math.Round(sampler.Median(pss)), "measured"
		} else {
			w.PerWorkerMiB, w.PerWorkerSource = math.Round(sampler.Median(rss)), "measured-rss"
		}
		if w.PerWorkerMiB < 1 {
			w.PerWorkerMiB = 1
		}
	}
	if w.PerWorkerMiB > 0 {
		w.MemoryBased = int(math.Floor(memMiB * r.MemoryFraction / w.PerWorkerMiB))
	}
	w.Recommended = max(1, min(w.CPUBased, w.MemoryBased))
	w.WorkerMemoryMiB = int(math.Floor(memMiB * r.MemoryFraction / float64(w.Recommended)))
	return w
}

// workersOf finds the running app-server workers (gunicorn, uwsgi, uvicorn,
// daphne) among the apps; server is the kind with the most, masters the
// apps they belong to.
func workersOf(procs []sampler.Process, found []apps.App) (workers []sampler.Process, server string, masters int) {
	byPID := make(map[int32]sampler.Process, len(procs))
	for _, p := range procs {
		byPID[p.PID] = p
	}
	count := map[string]int{}
	for _, a := range found {
		if !apps.IsAppServer(a.Kind) {
			continue
		}
		for _, pid := range a.WorkerPIDs {
			workers = append(workers, byPID[pid])
		}
		count[a.Kind] += len(a.WorkerPIDs)
		if len(a.WorkerPIDs) > 0 {
			masters++
		}
	}
	for k, n := range count {
		if n > count[server] || (n == count[server] && k < server) {
			server = k
		}
	}
	return workers, server, masters
}
