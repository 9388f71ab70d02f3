package advisor

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// fleetWindow is a minute of one host at a steady CPU and memory use.
func fleetWindow(cpu, mem float64) []sampler.Snapshot {
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	out := make([]sampler.Snapshot, 60)
	for i := range out {
		out[i] = sampler.Snapshot{Time: t0.Add(time.Duration(i) * time.Second),
			CPU: sampler.CPU{Cores: 2, Percent: cpu},
			Mem: sampler.Memory{Total: 4 << 30, Available: uint64((100 - mem) / 100 * (4 << 30))}}
	}
	return out
}

func TestJudgeFleet(t *testing.T) {
	type host struct {
		cpu, mem float64
		down     bool
	}
	tests := []struct {
		name          string
		hosts         map[string]host
		verdict       Level
		summary       string
		scaleOut, con int
		atScale, down int
	}{
		{"most at SCALE on cpu: scale out by ceil(n×mean/line)−n",
			map[string]host{"a": {90, 30, false}, "b": {92, 30, false}, "c": {88, 30, false}, "d": {40, 30, false}},
			// mean (90+92+88+40)/4 = 77.5: ceil(4 × 77.5 / 70) − 4 = 1
			Scale, "scale out: 1 more host brings mean CPU under the optimize line", 1, 0, 3, 0},
		{"all at SCALE: ceil(3 × 95 / 70) − 3 = 2",
			map[string]host{"a": {95, 30, false}, "b": {95, 30, false}, "c": {95, 30, false}},
			Scale, "scale out: 2 more hosts bring mean CPU under the optimize line", 2, 0, 3, 0},
		// mean cpu (90+95+20)/3 = 68.3 … only one of three at SCALE: not most.
		{"one host hot, the rest idle: imbalance",
			map[string]host{"hot": {95, 30, false}, "b": {10, 30, false}, "c": {12, 30, false}},
			Optimize, "imbalance: hot carry the load — check the balancer", 0, 0, 1, 0},
		{"a few of many hot: named, three at most",
			map[string]host{"h1": {95, 30, false}, "h2": {95, 30, false}, "h3": {95, 30, false}, "h4": {95, 30, false},
				"i1": {5, 30, false}, "i2": {5, 30, false}, "i3": {5, 30, false}, "i4": {5, 30, false}, "i5": {5, 30, false},
				"i6": {5, 30, false}, "i7": {5, 30, false}, "i8": {5, 30, false}},
			Optimize, "imbalance: h1, h2, h3 and 1 more carry the load", 0, 0, 4, 0},
		{"all MONITOR: consolidate",
			map[string]host{"a": {20, 30, false}, "b": {20, 30, false}, "c": {20, 30, false}, "d": {20, 30, false}},
			Monitor, "the fleet has headroom: 2 hosts would carry this load", 0, 2, 0, 0},
		{"all MONITOR but busy: nothing to shed",
			map[string]host{"a": {60, 30, false}, "b": {60, 30, false}},
			Monitor, "Usage acceptable on every host.", 0, 0, 0, 0},
		{"memory at SCALE on most: scale out on memory",
			map[string]host{"a": {20, 95, false}, "b": {20, 95, false}},
			Scale, "scale out: 1 more host brings mean memory under the optimize line", 1, 0, 2, 0},
		{"a host down is left out of the arithmetic, named, and not OK",
			map[string]host{"a": {20, 30, false}, "b": {20, 30, false}, "gone": {99, 99, true}},
			Optimize, "Down: gone.", 0, 1, 0, 1},
		{"every host down: the fleet is DOWN",
			map[string]host{"gone": {99, 99, true}},
			Down, "No host has numbers yet. Down: gone.", 0, 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			windows := map[string][]sampler.Snapshot{}
			down := map[string]bool{}
			for name, h := range tt.hosts {
				windows[name] = fleetWindow(h.cpu, h.mem)
				down[name] = h.down
			}
			fa := AdviseFleet(windows, down, DefaultRules())
			if fa.Verdict != tt.verdict || !strings.Contains(fa.Summary, tt.summary) {
				t.Errorf("verdict %v %q, want %v containing %q", fa.Verdict, fa.Summary, tt.verdict, tt.summary)
			}
			c := fa.Fleet
			if c.ScaleOutBy != tt.scaleOut || c.ConsolidateTo != tt.con || c.AtScale != tt.atScale || c.Down != tt.down || c.Hosts != len(tt.hosts) {
				t.Errorf("counts %+v, want scale_out_by %d consolidate_to %d at_scale %d down %d", c, tt.scaleOut, tt.con, tt.atScale, tt.down)
			}
			for i := 1; i < len(fa.Hosts); i++ {
				if fa.Hosts[i].Verdict > fa.Hosts[i-1].Verdict {
					t.Errorf("hosts not worst first: %s %v after %s %v", fa.Hosts[i].Instance, fa.Hosts[i].Verdict, fa.Hosts[i-1].Instance, fa.Hosts[i-1].Verdict)
				}
			}
		})
	}
}

func TestFleetKeepsAHostsOwnTrouble(t *testing.T) {
	w := fleetWindow(20, 30)
	full := fleetWindow(20, 30)
	for i := range full {
		full[i].Disks = []sampler.Disk{{Mount: "/var", Total: 100, Used: 95, Free: 5}}
	}
	fa := AdviseFleet(map[string][]sampler.Snapshot{"a": w, "b": w, "full": full}, nil, DefaultRules())
	if fa.Verdict != Scale || !strings.Contains(fa.Summary, "full SCALE (disk:/var)") || fa.Fleet.ConsolidateTo != 0 {
		t.Errorf("verdict %v %q %+v, want SCALE naming full's disk and no consolidation", fa.Verdict, fa.Summary, fa.Fleet)
	}
	if fa.Hosts[0].Instance != "full" {
		t.Errorf("first host %s, want the worst (full)", fa.Hosts[0].Instance)
	}
}

func TestAbsentMetricIsNoFinding(t *testing.T) {
	w := fleetWindow(0, 30)
	for i := range w {
		w[i].Absent = []string{KeyCPU, KeySwap}
	}
	a := Advise(w, DefaultRules())
	if _, ok := a.Finding(KeyCPU); ok {
		t.Error("cpu judged although its series is absent")
	}
	if _, ok := a.Finding(KeyMemory); !ok {
		t.Error("memory is measured but has no finding")
	}
	if a.NoSwap {
		t.Error("swap unknown reads as no swap configured")
	}
}

// BenchmarkAdviseFleet200 judges 200 hosts, each over a window of 60 and
// of 300 points (a minute, and the default 5 minutes, at 1 s steps).
func BenchmarkAdviseFleet200(b *testing.B) {
	for _, points := range []int{60, 300} {
		b.Run(fmt.Sprint(points), func(b *testing.B) {
			r := DefaultRules()
			windows := map[string][]sampler.Snapshot{}
			for i := range 200 {
				w := fleetWindow(float64(i%90), 40)
				for len(w) < points {
					w = append(w, w...)
				}
				w = w[:points]
				for j := range w {
					w[j].Time = w[0].Time.Add(time.Duration(j) * time.Second)
					w[j].Disks = []sampler.Disk{{Mount: "/", Total: 100, Used: 50, Free: 50}, {Mount: "/var", Total: 100, Used: 60, Free: 40}}
				}
				windows[fmt.Sprintf("web%03d:9100", i)] = w
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				AdviseFleet(windows, nil, r)
			}
		})
	}
}

// A host Prometheus cannot scrape has one verdict everywhere: DOWN.
func TestDownHostIsDown(t *testing.T) {
	fa := AdviseFleet(map[string][]sampler.Snapshot{"gone": fleetWindow(99, 99)}, map[string]bool{"gone": true}, DefaultRules())
	if h := fa.Hosts[0]; h.Verdict != Down || len(h.Focus) != 0 || !strings.HasPrefix(h.Summary, "Not scraped") {
		t.Errorf("host %v %v %q, want DOWN, no focus, not scraped", h.Verdict, h.Focus, h.Summary)
	}
}

// Hosts scraped but with every series NaN have nothing under their
// findings: no numbers, never a fleet "with headroom" at MONITOR.
func TestFleetOfHostsWithoutNumbers(t *testing.T) {
	w := series(30, flat(0, 0, -1, 0))
	for i := range w {
		w[i].Mem, w[i].Disks, w[i].PSI = sampler.Memory{}, nil, nil
		w[i].Absent = []string{KeyCPU, KeyMemory, KeySwap, KeyDisk, KeyIOWait}
	}
	fa := AdviseFleet(map[string][]sampler.Snapshot{"web1:9100": w}, nil, DefaultRules())
	if fa.Verdict != Monitor || !strings.HasPrefix(fa.Summary, "No host has numbers yet. Scraped, but every series missing or NaN: web1:9100.") {
		t.Errorf("%v %q", fa.Verdict, fa.Summary)
	}
}
