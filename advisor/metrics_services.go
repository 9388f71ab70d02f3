package advisor

import (
	"fmt"
	"strings"

	"github.com/headroom-dev/headroom/sampler"
)

// KeyService is the key of the per-group findings: "service:<name>:memory"
// (% of the group's memory limit) and "service:<name>:cpu" (% of its CPU
// quota), for every control group with a limit.
const KeyService = "service"

// The resources a group's finding is about: its instance ends in one.
const (
	serviceMemory = "memory"
	serviceCPU    = "cpu"
)

func init() {
	registerMetrics(func() Vocabulary {
		return Vocabulary{{Key: KeyService, Label: "service", Unit: Percent, Default: Threshold{90, 98}, Counts: "samples",
			Instances: serviceInstances, Read: serviceMetric, Judge: judgeService}}
	})
	registerSummary(servicesSummary)
}

// splitService is a finding's instance backwards: "gunicorn.service:memory"
// → "gunicorn.service", "memory" (the resource is after the last colon; a
// name may hold colons of its own).
func splitService(inst string) (name, resource string) {
	i := strings.LastIndexByte(inst, ':')
	if i < 0 {
		return inst, ""
	}
	return inst[:i], inst[i+1:]
}

// serviceInstances are the newest snapshot's groups with a memory limit
// ("<name>:memory") and with a CPU quota ("<name>:cpu").
func serviceInstances(w []sampler.Snapshot) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range last(w).Services {
		for _, r := range []struct {
			res     string
			limited bool
		}{{serviceMemory, s.MemoryMax != nil}, {serviceCPU, s.CPUMaxCores != nil}} {
			inst := s.Name + ":" + r.res
			if r.limited && !seen[inst] {
				seen[inst] = true
				out = append(out, inst)
			}
		}
	}
	return out
}

// findService is the group of that name in a snapshot.
func findService(s sampler.Snapshot, name string) (sampler.Service, bool) {
	for _, g := range s.Services {
		if g.Name == name {
			return g, true
		}
	}
	return sampler.Service{}, false
}

// serviceMetric reads a group's use in % of its limit.
func serviceMetric(inst string) sampler.Metric {
	name, res := splitService(inst)
	return func(s sampler.Snapshot) (float64, bool) {
		g, ok := findService(s, name)
		if !ok {
			return 0, false
		}
		if res == serviceCPU {
			return g.QuotaPct()
		}
		return g.MemoryPct()
	}
}

// judgeService: a group at its limit while the machine has room is
// OPTIMIZE (raise the limit or use less: the machine is not the problem),
// SCALE only when the machine's own CPU or memory is at SCALE too. A
// group whose processes the kernel killed at its memory limit is at least
// OPTIMIZE, whatever its use now (a kill frees the memory at once).
func judgeService(j *judgement) (Finding, bool) {
	_, inst := SplitMetric(j.name)
	name, res := splitService(inst)
	f, ok := judge(j.window, j.name, serviceMetric(inst), j.rules.Threshold(KeyService), j.rules.Sustain, false)
	if !ok {
		return f, false
	}
	machine := KeyMemory
	if res == serviceCPU {
		machine = KeyCPU
	}
	if j.level(machine) < Scale {
		f.Level, f.NowLevel = min(f.Level, Optimize), min(f.NowLevel, Optimize)
	}
	if res == serviceMemory && windowKills(j.window, name) > 0 && f.Level < Optimize {
		f.Level = Optimize
	}
	return f, true
}

// windowKills is the OOM kills inside a group over the window.
func windowKills(w []sampler.Snapshot, name string) uint64 {
	var n uint64
	for _, s := range w {
		if g, ok := findService(s, name); ok && g.OOMKills != nil {
			n += *g.OOMKills
		}
	}
	return n
}

// servicesOver is the newest snapshot's groups for Advice.Services, with
// OOMKills counting the kills of the whole window.
func servicesOver(w []sampler.Snapshot) []sampler.Service {
	if len(w) == 0 || len(last(w).Services) == 0 {
		return nil
	}
	out := append([]sampler.Service(nil), last(w).Services...)
	for i := range out {
		k := windowKills(w, out[i].Name)
		out[i].OOMKills = &k
	}
	return out
}

// systemdUnit reports whether a group is a systemd unit, whose limits are
// the unit file's MemoryMax= and CPUQuota=.
func systemdUnit(name string) bool {
	for _, suf := range []string{".service", ".scope", ".slice"} {
		if strings.HasSuffix(name, suf) {
			return true
		}
	}
	return false
}

// sizeUnit writes bytes the way systemd and docker take them: 512M, 2G.
func sizeUnit(b uint64) string {
	switch {
	case b >= 1<<30 && b%(1<<30) == 0:
		return fmt.Sprintf("%dG", b>>30)
	case b >= 1<<30:
		return fmt.Sprintf("%.1fG", float64(b)/(1<<30))
	}
	return fmt.Sprintf("%.0fM", float64(b)/(1<<20))
}

// servicesSummary words each group at its limit, and the OOM kills inside
// any group, naming the group:
//
//	gunicorn.service at 98 % of MemoryMax=512M, 3 OOM kills: raise MemoryMax or cut workers.
func servicesSummary(a Advice) []string {
	var parts []string
	worded := map[string]bool{}
	for _, f := range a.Findings {
		key, inst := SplitMetric(f.Metric)
		if key != KeyService || f.Level == Monitor {
			continue
		}
		name, res := splitService(inst)
		var g sampler.Service
		for _, s := range a.Services {
			if s.Name == name {
				g = s
			}
		}
		kills := uint64(0)
		if g.OOMKills != nil {
			kills = *g.OOMKills
		}
		unit := systemdUnit(name)
		var s string
		switch {
		case res == serviceMemory && g.MemoryMax != nil:
			limit, fix := "its memory limit "+sizeUnit(*g.MemoryMax), "raise its limit or cut workers"
			if unit {
				limit, fix = "MemoryMax="+sizeUnit(*g.MemoryMax), "raise MemoryMax or cut workers"
			}
			s = fmt.Sprintf("%s at %.0f %% of %s", name, f.Now, limit)
			if kills > 0 {
				s += fmt.Sprintf(", %d OOM kills", kills)
				worded[name] = true
			}
			s += ": " + fix
		case res == serviceCPU && g.CPUMaxCores != nil:
			limit, fix := fmt.Sprintf("its CPU limit of %g cores", *g.CPUMaxCores), "raise its limit or optimize the app"
			if unit {
				limit, fix = fmt.Sprintf("CPUQuota=%.0f%%", *g.CPUMaxCores*100), "raise CPUQuota or optimize the app"
			}
			s = fmt.Sprintf("%s at %.0f %% of %s", name, f.Now, limit)
			if g.ThrottledPct != nil && *g.ThrottledPct > 0 {
				s += fmt.Sprintf(", throttled in %.0f %% of periods", *g.ThrottledPct)
			}
			s += ": " + fix
		default:
			continue
		}
		if f.Level == Scale {
			s += "; the machine is at capacity too: scale out"
		}
		parts = append(parts, s+".")
	}
	for _, g := range a.Services {
		if g.OOMKills != nil && *g.OOMKills > 0 && !worded[g.Name] {
			parts = append(parts, fmt.Sprintf("%d OOM kills in %s.", *g.OOMKills, g.Name))
		}
	}
	return parts
}
