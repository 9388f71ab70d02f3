package apps

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/headroom-dev/headroom/sampler"
)

// appServers are the WSGI/ASGI servers whose workers the advisor sizes.
var appServers = []string{"gunicorn", "uwsgi", "uvicorn", "daphne"}

// IsAppServer reports whether a family kind (App.Kind) is one whose workers
// the worker suggestion sizes.
func IsAppServer(kind string) bool { return slices.Contains(appServers, kind) }

// AppServerKind names the app server a process belongs to ("gunicorn", …),
// or "" if it is none. It looks at the process name and at the program
// named in its command line, since gunicorn runs as "python3 …/gunicorn".
func AppServerKind(name, cmd string) string {
	for _, k := range appServers {
		if strings.HasPrefix(name, k) {
			return k
		}
	}
	fields := strings.Fields(cmd)
	for i, f := range fields {
		if i > 2 { // the program is the first word, or an interpreter's argument
			break
		}
		base := filepath.Base(strings.TrimSuffix(f, ":"))
		for _, k := range appServers {
			if base == k || strings.HasPrefix(base, k+":") {
				return k
			}
		}
		if i == 0 && !strings.HasPrefix(base, "python") {
			break
		}
	}
	return ""
}

// TopProcs picks the processes a recording keeps: application processes
// (Family) first,
// then, in turn, the busiest by CPU (those using any) and the largest by
// memory (at most n/2 of those), at most n in all. Idle small processes are
// left out, which keeps recordings small. The result is sorted by CPU,
// highest first; the input is not changed.
func TopProcs(procs []sampler.Process, n int) []sampler.Process {
	picked := make(map[int32]bool, n)
	out := make([]sampler.Process, 0, min(n, len(procs)))
	take := func(p sampler.Process) {
		if len(out) < n && !picked[p.PID] {
			picked[p.PID] = true
			out = append(out, p)
		}
	}
	for _, p := range procs {
		if len(out) >= n/2 {
			break
		}
		if Family(p) != "" {
			take(p)
		}
	}
	// Sort indices, not the 100-byte structs: this runs every sample over
	// every process.
	byCPU := make([]int32, len(procs))
	for i := range byCPU {
		byCPU[i] = int32(i)
	}
	byMem := slices.Clone(byCPU)
	slices.SortFunc(byCPU, func(a, b int32) int { return compareCPU(&procs[a], &procs[b]) })
	slices.SortFunc(byMem, func(a, b int32) int {
		pa, pb := &procs[a], &procs[b]
		if pa.RSS != pb.RSS {
			if pa.RSS > pb.RSS {
				return -1
			}
			return 1
		}
		return int(pa.PID) - int(pb.PID)
	})
	for i := 0; len(out) < n && i < len(byCPU); i++ {
		if p := procs[byCPU[i]]; p.CPU > 0 {
			take(p)
		}
		if i < n/2 {
			take(procs[byMem[i]])
		}
	}
	sortByCPU(out)
	if cap(out)-len(out) > 4 {
		// The list is kept for the process window (300 samples): room
		// for 50 that holds 3 would be most of a small dashboard's heap.
		out = slices.Clone(out)
	}
	return out
}

func sortByCPU(p []sampler.Process) {
	slices.SortFunc(p, func(a, b sampler.Process) int { return compareCPU(&a, &b) })
}

// compareCPU orders by CPU, then memory, highest first, then by pid.
func compareCPU(a, b *sampler.Process) int {
	switch {
	case a.CPU > b.CPU:
		return -1
	case a.CPU < b.CPU:
		return 1
	case a.RSS > b.RSS:
		return -1
	case a.RSS < b.RSS:
		return 1
	}
	return int(a.PID) - int(b.PID)
}
