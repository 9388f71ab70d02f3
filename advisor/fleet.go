package advisor

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/headroom-dev/headroom/sampler"
)

// HostAdvice is one host of a fleet: the advice `once` would give it alone.
type HostAdvice struct {
	Instance string `json:"instance"`
	// Up is false when Prometheus could not scrape the host lately (its
	// numbers, if any, are old).
	Up bool `json:"up"`
	Advice
}

// FleetCounts are the fleet's figures: how many hosts, how many need what,
// and by how many hosts it should grow or could shrink.
type FleetCounts struct {
	Hosts      int `json:"hosts"`
	Down       int `json:"down"`
	AtScale    int `json:"at_scale"`
	AtOptimize int `json:"at_optimize"`
	// ScaleOutBy is how many more hosts bring the mean of the resource at
	// SCALE under its optimize line; 0 unless the fleet is to scale out.
	ScaleOutBy int `json:"scale_out_by"`
	// ConsolidateTo is how many hosts would carry the load under the
	// optimize lines; 0 unless every host is at MONITOR.
	ConsolidateTo int `json:"consolidate_to"`
}

// FleetAdvice is the judgement of many hosts: each one's, and the fleet's.
type FleetAdvice struct {
	Verdict Level        `json:"verdict"`
	Focus   []string     `json:"focus"`
	Summary string       `json:"summary"`
	Hosts   []HostAdvice `json:"hosts"`
	Fleet   FleetCounts  `json:"fleet"`
}

// fleetResources are the resources a fleet shares out between hosts: load
// moved by a balancer or added hosts changes their means.
var fleetResources = []string{KeyCPU, KeyMemory}

// AdviseFleet judges each host's window alone (as once would), then the
// fleet. up says which instances Prometheus scrapes now; a host missing
// from it counts as up.
func AdviseFleet(windows map[string][]sampler.Snapshot, down map[string]bool, r Rules) FleetAdvice {
	hosts := make([]HostAdvice, 0, len(windows))
	for inst, w := range windows {
		a := Advise(w, r)
		if down[inst] {
			// One verdict for a host everywhere: its last numbers stay, but
			// nobody can judge a host that does not answer.
			a.Verdict, a.Focus = Down, []string{}
			a.Summary = "Not scraped: Prometheus gets no answer from its node_exporter (up is 0); the numbers are its last."
		}
		hosts = append(hosts, HostAdvice{Instance: inst, Up: !down[inst], Advice: a})
	}
	return JudgeFleet(hosts, r)
}

// JudgeFleet is the fleet's judgement over hosts already advised: most
// hosts at SCALE on one resource → scale out by N = ceil(hosts × mean /
// optimize) − hosts; a few hosts hot on CPU while the rest idle → an
// imbalance to fix at the balancer (OPTIMIZE); every host at MONITOR →
// how many hosts would carry the load. Hosts come back worst first.
func JudgeFleet(hosts []HostAdvice, r Rules) FleetAdvice {
	// A host that cannot be scraped ranks with the worst: nobody watches it.
	rank := func(h HostAdvice) Level {
		if !h.Up {
			return Down
		}
		return h.Verdict
	}
	sort.SliceStable(hosts, func(i, j int) bool {
		if ri, rj := rank(hosts[i]), rank(hosts[j]); ri != rj {
			return ri > rj
		}
		return hosts[i].Instance < hosts[j].Instance
	})
	fa := FleetAdvice{Hosts: hosts, Focus: []string{}}
	var judged []HostAdvice // hosts that are up and have numbers
	var down, empty []string
	for _, h := range hosts {
		if !h.Up || !hasNumbers(h.Advice) {
			fa.Fleet.Down++
			if h.Up {
				empty = append(empty, h.Instance) // scraped, but every series missing or NaN
			} else {
				down = append(down, h.Instance)
			}
			continue
		}
		judged = append(judged, h)
		switch h.Verdict {
		case Scale:
			fa.Fleet.AtScale++
		case Optimize:
			fa.Fleet.AtOptimize++
		}
	}
	fa.Fleet.Hosts = len(hosts)
	n := len(judged)
	var parts []string
	if n == 0 {
		fa.Summary = "No host has numbers yet."
		if len(down) > 0 {
			fa.Verdict = Down
			fa.Summary += " Down: " + strings.Join(down, ", ") + "."
		}
		if len(empty) > 0 {
			fa.Summary += " Scraped, but every series missing or NaN: " + strings.Join(empty, ", ") + "."
		}
		return fa
	}
	// Most hosts at SCALE on one resource: the fleet is too small.
	for _, key := range fleetResources {
		at, mean, ok := resourceAt(judged, key, Scale)
		if !ok || at*2 <= n {
			continue
		}
		line := r.Threshold(key).Optimize
		fa.Fleet.ScaleOutBy = max(1, int(math.Ceil(float64(n)*mean/line))-n)
		fa.Verdict, fa.Focus = Scale, []string{key}
		verb := "bring"
		if fa.Fleet.ScaleOutBy == 1 {
			verb = "brings"
		}
		parts = append(parts, fmt.Sprintf("scale out: %d more %s %s mean %s under the optimize line (%d of %d hosts at SCALE on %s, mean %.0f%%, line %.0f%%).",
			fa.Fleet.ScaleOutBy, hostsWord(fa.Fleet.ScaleOutBy), verb, fleetLabel(key), at, n, fleetLabel(key), mean, line))
		break
	}
	// A few hosts hot on CPU while the rest idle: the balancer, not capacity.
	if fa.Verdict < Scale && n >= 2 {
		var hot []string
		idle := 0
		for _, h := range judged {
			switch f, ok := h.Finding(KeyCPU); {
			case !ok:
			case f.Level >= Optimize:
				hot = append(hot, h.Instance)
			default:
				idle++
			}
		}
		// Hosts without a CPU series are left out of the comparison.
		if measured := len(hot) + idle; len(hot) > 0 && idle > 0 && len(hot)*3 <= measured+1 {
			fa.Verdict, fa.Focus = Optimize, []string{KeyCPU}
			names := strings.Join(hot, ", ")
			if len(hot) > 3 {
				names = fmt.Sprintf("%s and %d more", strings.Join(hot[:3], ", "), len(hot)-3)
			}
			parts = append(parts, fmt.Sprintf("imbalance: %s carry the load — check the balancer.", names))
		}
	}
	// Hosts in trouble of their own (a full disk, swap) keep their level.
	var own []string
	for _, h := range judged {
		if h.Verdict == Monitor || (len(parts) > 0 && onlyFocus(h, fa.Focus)) {
			continue
		}
		if h.Verdict > fa.Verdict {
			fa.Verdict = h.Verdict
		}
		own = append(own, fmt.Sprintf("%s %s (%s)", h.Instance, h.Verdict, strings.Join(h.Focus, ", ")))
		for _, m := range h.Focus {
			if !contains(fa.Focus, m) {
				fa.Focus = append(fa.Focus, m)
			}
		}
	}
	if len(own) > 3 {
		own = append(own[:3], fmt.Sprintf("%d more", len(own)-3))
	}
	if len(own) > 0 {
		parts = append(parts, "Needs attention: "+strings.Join(own, "; ")+".")
	}
	if fa.Verdict == Monitor && len(parts) == 0 {
		m := 1
		for _, key := range fleetResources {
			if _, mean, ok := resourceAt(judged, key, Monitor); ok {
				m = max(m, int(math.Ceil(float64(n)*mean/r.Threshold(key).Optimize)))
			}
		}
		if m < n {
			fa.Fleet.ConsolidateTo = m
			parts = append(parts, fmt.Sprintf("the fleet has headroom: %d %s would carry this load.", m, hostsWord(m)))
		} else {
			parts = append(parts, "Usage acceptable on every host.")
		}
	}
	if len(down) > 0 {
		parts = append(parts, "Down: "+strings.Join(down, ", ")+".")
		// Part of the fleet unwatched is never OK: at least a warning.
		fa.Verdict = max(fa.Verdict, Optimize)
	}
	fa.Summary = strings.Join(parts, " ")
	return fa
}

// resourceAt counts the hosts whose finding on key is at level or above and
// returns the mean over the window of every host that has one; ok is false
// when no host measures it.
func resourceAt(hosts []HostAdvice, key string, level Level) (at int, mean float64, ok bool) {
	sum, have := 0.0, 0
	for _, h := range hosts {
		f, found := h.Finding(key)
		if !found {
			continue
		}
		have++
		sum += f.Mean
		if f.Level >= level {
			at++
		}
	}
	if have == 0 {
		return 0, 0, false
	}
	return at, sum / float64(have), true
}

// onlyFocus: the host's focus is all covered by the fleet's (already said).
func onlyFocus(h HostAdvice, focus []string) bool {
	for _, m := range h.Focus {
		if !contains(focus, m) {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fleetLabel names a resource in the fleet's wording.
func fleetLabel(key string) string {
	if key == KeyCPU {
		return "CPU"
	}
	return key
}

// hostsWord is "host" or "hosts" for n.
func hostsWord(n int) string {
	if n == 1 {
		return "host"
	}
	return "hosts"
}

// hasNumbers: a finding of the host rests on at least one sample. Series
// that are all NaN (a rate over too few scrapes) leave findings with
// nothing under them, which must not read as a host at MONITOR.
func hasNumbers(a Advice) bool {
	for _, f := range a.Findings {
		if f.Samples > 0 {
			return true
		}
	}
	return false
}
