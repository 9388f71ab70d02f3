package tui

import (
	"strings"
	"testing"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/saturation"
)

func TestSaturationLine(t *testing.T) {
	s := sampler.Snapshot{PSI: &sampler.PSI{Memory: sampler.Pressure{Avg10: 0.2}, IO: sampler.Pressure{Avg10: 3.4}},
		Saturation: &saturation.Saturation{
			Listeners: []saturation.Listener{{Addr: "127.0.0.1:5432", Family: "postgres", Queued: 0, Backlog: 244},
				{Addr: "127.0.0.1:8000", Family: "gunicorn", Queued: 48, Backlog: 2048}},
			Workers: []saturation.WorkerState{{PID: 1, State: saturation.StateWaiting}, {PID: 2, State: saturation.StateCPU}},
			FDs:     &saturation.FDUse{SystemUsed: 2000, SystemMax: 100000},
		}}
	a := advisor.Advice{Saturation: &advisor.SaturationStats{}}
	if got, want := saturationLine(s, a), "queue 48/2048 · busy 2/2 · psi mem 0 io 3 · oom 0 · fds 2%"; got != want {
		t.Errorf("line %q, want %q", got, want)
	}
	d := saturationDetail(s, a)
	if len(d) < 3 || !strings.Contains(d[0], "gunicorn") || !strings.Contains(d[0], "queued 48 of 2048") ||
		!strings.Contains(d[2], "2 of 2 busy: 1 on cpu, 0 on disk, 1 waiting") {
		t.Errorf("panel %q; want the longest queue first, then the workers", d)
	}
	s.Saturation = &saturation.Saturation{Unknown: []string{"listeners", "oom_kills"}}
	if got := saturationLine(s, advisor.Advice{}); got != "queue ? · psi mem 0 io 3 · oom ?" {
		t.Errorf("unreadable counters: %q; want ? for each, never 0", got)
	}
}
