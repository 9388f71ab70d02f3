package advisor

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/headroom-dev/headroom/sampler"
)

// twoGunicorns: one on the host (812, 3 workers) and one in a unit (900, 2 workers).
func twoGunicorns() []sampler.Process {
	mib := uint64(1 << 20)
	g := func(pid, ppid int32, pss uint64) sampler.Process {
		return sampler.Process{PID: pid, PPID: ppid, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi", RSS: pss * mib, PSS: pss * mib}
	}
	return []sampler.Process{g(812, 1, 30), g(813, 812, 40), g(814, 812, 40), g(815, 812, 40),
		g(900, 1, 30), g(901, 900, 40), g(902, 900, 40)}
}

func TestWorkersFromTheMastersCgroup(t *testing.T) {
	cases := []struct {
		name   string
		limits map[int32]sampler.GroupLimits
		want   WorkerSuggestion
		line   string
	}{
		{"unit tighter than the machine", map[int32]sampler.GroupLimits{
			812: {Source: "host"}, 900: {Source: "gunicorn.service", Cores: 1, Memory: 300 << 20}},
			// cpu 3, memory floor(300 × 0.75 / 40) = 5: the unit's 2 workers only.
			WorkerSuggestion{Cores: 1, MemoryMiB: 300, CPUBased: 3, MemoryBased: 5, Recommended: 3, Running: 2, LimitSource: "gunicorn.service"},
			"workers: in gunicorn.service: 1 core, 300 MiB, running 2 × 40 MiB → suggest 3 gunicorn workers"},
		{"the tightest group wins", map[int32]sampler.GroupLimits{
			812: {Source: "big.service", Cores: 1.5}, 900: {Source: "small", Cores: 0.5}},
			WorkerSuggestion{Cores: 0.5, MemoryMiB: 24 << 10, CPUBased: 2, Recommended: 2, Running: 2, LimitSource: "small"},
			"in small: 0.5 cores, 24576 MiB, running 2 × 40 MiB → suggest 2 "},
		{"limits above the machine's are no bound", map[int32]sampler.GroupLimits{
			900: {Source: "loose.service", Cores: 8, Memory: 64 << 30}},
			WorkerSuggestion{Cores: 2, MemoryMiB: 24 << 10, CPUBased: 5, Recommended: 5, Running: 5, LimitSource: "host"},
			"workers: running 5 × 40 MiB under 2 masters → suggest 5 gunicorn workers in all"},
		{"no cgroups read", nil,
			WorkerSuggestion{Cores: 2, MemoryMiB: 24 << 10, CPUBased: 5, Recommended: 5, Running: 5},
			"workers: running 5 × 40 MiB under 2 masters → suggest 5 gunicorn workers in all"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			snaps := series(3, flat(10, 10, -1, 10))
			snaps[2].Procs, snaps[2].ProcLimits = twoGunicorns(), c.limits
			w := Advise(snaps, DefaultRules()).Workers
			if w.Cores != c.want.Cores || w.MemoryMiB != c.want.MemoryMiB || w.CPUBased != c.want.CPUBased ||
				w.Recommended != c.want.Recommended || w.Running != c.want.Running || w.LimitSource != c.want.LimitSource ||
				(c.want.MemoryBased != 0 && w.MemoryBased != c.want.MemoryBased) {
				t.Errorf("workers = %+v\nwant      %+v", w, c.want)
			}
			if line := WorkerLine(w, false); !strings.HasPrefix(line, c.line) && !strings.Contains(line, c.line) {
				t.Errorf("line %q lacks %q", line, c.line)
			}
			b, _ := json.Marshal(w)
			if has := strings.Contains(string(b), `"limit_source"`); has != (c.limits != nil) {
				t.Errorf("limit_source in JSON = %v, want it only when cgroups were read: %s", has, b)
			}
		})
	}
}
