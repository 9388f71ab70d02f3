package advisor

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/headroom-dev/headroom/sampler"
)

func u64p(v uint64) *uint64   { return &v }
func f64p(v float64) *float64 { return &v }

// withServices gives every snapshot the groups mk returns for it.
func withServices(snaps []sampler.Snapshot, mk func(i int) []sampler.Service) []sampler.Snapshot {
	for i := range snaps {
		snaps[i].Services = mk(i)
	}
	return snaps
}

// gunicornUnit is a unit at memPct of MemoryMax=512M and cpuPct of one
// core's quota; kills are its OOM kills in the interval.
func gunicornUnit(memPct, cpuPct float64, kills uint64) sampler.Service {
	return sampler.Service{Name: "gunicorn.service", Path: "/system.slice/gunicorn.service",
		MemoryBytes: u64p(uint64(memPct / 100 * (512 << 20))), MemoryMax: u64p(512 << 20),
		CPUPct: f64p(cpuPct), CPUMaxCores: f64p(1), ThrottledPct: f64p(40), OOMKills: u64p(kills), PIDs: u64p(4)}
}

func TestServiceFindings(t *testing.T) {
	cases := []struct {
		name        string
		machine     func(int) (float64, float64, float64, float64)
		unit        func(i int) sampler.Service
		mem, cpu    Level
		summaryHas  string
		summaryLack string
	}{
		{"at its memory limit, machine has room", flat(20, 20, -1, 10),
			func(i int) sampler.Service {
				return gunicornUnit(98, 30, map[bool]uint64{true: 1}[i%100 == 0])
			}, Optimize, Monitor,
			"gunicorn.service at 98 % of MemoryMax=512M, 3 OOM kills: raise MemoryMax or cut workers.", "scale out"},
		{"at its limit with the machine's memory at scale", flat(20, 95, -1, 10),
			func(int) sampler.Service { return gunicornUnit(99, 30, 0) }, Scale, Monitor,
			"the machine is at capacity too: scale out", ""},
		{"at its CPU quota, machine has room", flat(50, 20, -1, 10),
			func(int) sampler.Service { return gunicornUnit(20, 99, 0) }, Monitor, Optimize,
			"gunicorn.service at 99 % of CPUQuota=100%, throttled in 40 % of periods: raise CPUQuota or optimize the app.", "MemoryMax"},
		{"at its CPU quota, machine memory at scale but CPU not", flat(50, 95, -1, 10),
			func(int) sampler.Service { return gunicornUnit(20, 99, 0) }, Monitor, Optimize, "CPUQuota", "scale out"},
		{"kills under the line are OPTIMIZE", flat(20, 20, -1, 10),
			func(i int) sampler.Service { return gunicornUnit(40, 10, map[bool]uint64{true: 2}[i == 250]) }, Optimize, Monitor,
			"gunicorn.service at 40 % of MemoryMax=512M, 2 OOM kills", ""},
		{"room to spare", flat(20, 20, -1, 10),
			func(int) sampler.Service { return gunicornUnit(50, 50, 0) }, Monitor, Monitor, "Usage acceptable.", "gunicorn"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			snaps := withServices(series(300, c.machine), func(i int) []sampler.Service { return []sampler.Service{c.unit(i)} })
			a := Advise(snaps, DefaultRules())
			mem, ok1 := a.Finding("service:gunicorn.service:memory")
			cpu, ok2 := a.Finding("service:gunicorn.service:cpu")
			if !ok1 || !ok2 || mem.Level != c.mem || cpu.Level != c.cpu {
				t.Errorf("memory %+v, cpu %+v; want %s, %s", mem, cpu, c.mem, c.cpu)
			}
			if !strings.Contains(a.Summary, c.summaryHas) || (c.summaryLack != "" && strings.Contains(a.Summary, c.summaryLack)) {
				t.Errorf("summary %q: want %q, not %q", a.Summary, c.summaryHas, c.summaryLack)
			}
		})
	}
}

func TestServicesWithoutLimits(t *testing.T) {
	snaps := withServices(series(60, flat(20, 20, -1, 10)), func(i int) []sampler.Service {
		return []sampler.Service{{Name: "docker-web", Path: "/docker/abc", MemoryBytes: u64p(1 << 30), OOMKills: u64p(map[bool]uint64{true: 2}[i == 30])},
			{Name: "postgresql.service", Path: "/system.slice/postgresql.service", MemoryBytes: u64p(1 << 30), OOMKills: u64p(0)}}
	})
	a := Advise(snaps, DefaultRules())
	for _, f := range a.Findings {
		if strings.HasPrefix(f.Metric, KeyService+":") {
			t.Errorf("a group without limits has a finding: %+v", f)
		}
	}
	// Kills inside a group name the group, limit or not.
	if !strings.Contains(a.Summary, "2 OOM kills in docker-web.") {
		t.Errorf("summary %q does not name the group the kernel killed in", a.Summary)
	}
	// once --json: exactly the keys, oom_kills over the window.
	b, _ := json.Marshal(a)
	var v struct {
		Services []map[string]any `json:"services"`
	}
	if err := json.Unmarshal(b, &v); err != nil || len(v.Services) != 2 {
		t.Fatalf("services in JSON: %v %s", err, b)
	}
	var keys []string
	for k := range v.Services[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"cpu_max_cores", "cpu_pct", "memory_bytes", "memory_max", "name", "oom_kills", "path", "pids", "throttled_pct"}
	if !slices.Equal(keys, want) || v.Services[0]["oom_kills"] != 2.0 || v.Services[0]["memory_max"] != nil {
		t.Errorf("service JSON %v; want keys %v, 2 kills over the window, memory_max null", v.Services[0], want)
	}
	// Without the collector there is no "services" key at all.
	b, _ = json.Marshal(Advise(series(5, flat(1, 1, -1, 1)), DefaultRules()))
	if strings.Contains(string(b), `"services"`) || strings.Contains(string(b), "limit_source") {
		t.Errorf("JSON without the cgroup collector has its keys: %s", b)
	}
}

func TestSplitService(t *testing.T) {
	if n, r := splitService("pod ns/web:v2/app:memory"); n != "pod ns/web:v2/app" || r != "memory" {
		t.Errorf("split = %q %q", n, r)
	}
	for b, want := range map[uint64]string{512 << 20: "512M", 2 << 30: "2G", 1536 << 20: "1.5G"} {
		if got := sizeUnit(b); got != want {
			t.Errorf("sizeUnit(%d) = %q, want %q", b, got, want)
		}
	}
}
