package advisor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/apps"
	"github.com/headroom-dev/headroom/sampler/saturation"
	"github.com/headroom-dev/headroom/sampler/text"
)

// SaturationStats are the details of a window's saturation findings that
// the summary, the screen and hooks name: which listener queues, what was
// dropped, who the OOM killer took, which process is short of descriptors.
type SaturationStats struct {
	// Queued is the connections waiting now, over all listeners; Listener
	// and Backlog are the longest queue's socket and limit.
	Queued   int    `json:"queued"`
	Listener string `json:"listener,omitempty"` // "gunicorn 127.0.0.1:8000"
	Longest  int    `json:"longest,omitempty"`  // connections waiting on Listener
	Backlog  int    `json:"backlog,omitempty"`
	// Dropped and Overflows sum ListenDrops and ListenOverflows over the
	// window (machine-wide: the kernel counts them for every listener).
	Dropped   uint64 `json:"dropped"`
	Overflows uint64 `json:"overflows"`
	// OOMKills is the window's OOM kills; OOMVictims name them where the
	// kernel log was readable ("python3 (pid 4242)").
	OOMKills   uint64   `json:"oom_kills"`
	OOMVictims []string `json:"oom_victims,omitempty"`
	// FDs names the process using the largest share of its descriptor
	// limit now: "gunicorn 812: 940 of 1024".
	FDs string `json:"fds,omitempty"`

	oomMax, oomSamples, oomKilled int
	// full names a listener seen at its backlog in the window ("python3
	// 127.0.0.1:56427, 6 of 5"); appPeak the app server's longest queue
	// seen, when none was full: who the machine-wide drops are not.
	full, appPeak string
}

// satStats gathers the window's saturation details once per advice.
func (j *judgement) satStats() *SaturationStats {
	if j.advice.Saturation != nil {
		return j.advice.Saturation
	}
	st := &SaturationStats{}
	var full, appPeak *saturation.Listener // worded once, after the window
	for _, s := range j.window {
		sat := s.Saturation
		if sat == nil {
			continue
		}
		if sat.ListenDrops != nil {
			st.Dropped += *sat.ListenDrops
		}
		if sat.ListenOverflows != nil {
			st.Overflows += *sat.ListenOverflows
		}
		if sat.OOMKills != nil {
			k := int(*sat.OOMKills)
			st.OOMKills += *sat.OOMKills
			st.oomSamples++
			st.oomMax = max(st.oomMax, k)
			if k > 0 {
				st.oomKilled++
			}
		}
		for i, l := range sat.Listeners {
			if l.Backlog > 0 && l.Queued >= l.Backlog && full == nil {
				full = &sat.Listeners[i]
			}
			if apps.IsAppServer(l.Family) && (appPeak == nil || l.Queued > appPeak.Queued) {
				appPeak = &sat.Listeners[i]
			}
		}
		for _, v := range sat.OOMVictims {
			// The kernel log can say a kill again in later reads: each once.
			if who := fmt.Sprintf("%s (pid %d)", text.Printable(v.Name), v.PID); !slices.Contains(st.OOMVictims, who) {
				st.OOMVictims = append(st.OOMVictims, who)
			}
		}
	}
	if full != nil {
		st.full = text.Printable(fmt.Sprintf("%s %s, %d of %d", full.Family, full.Addr, full.Queued, full.Backlog))
	}
	if appPeak != nil {
		st.appPeak = text.Printable(fmt.Sprintf("%s %s peaked at %d of %d", appPeak.Family, appPeak.Addr, appPeak.Queued, appPeak.Backlog))
	}
	if sat := last(j.window).Saturation; sat != nil {
		var longest *saturation.Listener
		for i, l := range sat.Listeners {
			st.Queued += int(l.Queued)
			if longest == nil || l.Queued > longest.Queued {
				longest = &sat.Listeners[i]
			}
		}
		if longest != nil {
			st.Listener = text.Printable(longest.Family + " " + longest.Addr)
			st.Backlog, st.Longest = int(longest.Backlog), int(longest.Queued)
		}
		if sat.FDs != nil && sat.FDs.Top != nil {
			t := sat.FDs.Top
			st.FDs = fmt.Sprintf("%s %d: %d of %d", text.Printable(t.Name), t.PID, t.Open, t.Limit)
		}
	}
	j.advice.Saturation = st
	return st
}

func init() { registerSummary(saturationSummary) }

// saturationSummary words the saturation findings: what to do about a
// queue, pressure, a busy disk, OOM kills and descriptors.
func saturationSummary(a Advice) []string {
	var parts []string
	at := func(metric string) (Finding, bool) {
		f, ok := a.Finding(metric)
		return f, ok && f.Level > Monitor
	}
	st := a.Saturation
	if f, ok := at(KeyQueue); ok && st != nil {
		where := fmt.Sprintf("%.0f waiting on %s", f.Now, st.Listener)
		if float64(st.Longest) != f.Now {
			where = fmt.Sprintf("%.0f waiting, %d on %s", f.Now, st.Longest, st.Listener)
		}
		if f.Level == Scale {
			what := "CPU is"
			cpu := max(a.level(KeyCPU), a.level(MetricName(KeyPSI, "cpu")))
			switch mem := max(a.level(KeyMemory), a.level(MetricName(KeyPSI, "memory"))); {
			case cpu == Scale && mem == Scale:
				what = "CPU and memory are"
			case mem == Scale || (mem > cpu):
				what = "memory is"
			}
			s := fmt.Sprintf("Saturated: requests queue and %s at capacity (%s): scale out.", what, where)
			if what == "CPU is" && a.CPUHog != nil {
				s = fmt.Sprintf("Requests queue (%s) and CPU is at capacity", where) + hogPhrase(a)
			}
			parts = append(parts, s)
		} else if a.Workers.CPUBound {
			parts = append(parts, fmt.Sprintf("Requests queue (%s) behind workers on the CPU%s: make requests cheaper or add cores, not workers.", where, cpuNowPhrase(a)))
		} else {
			s := fmt.Sprintf("Requests queue (%s) while CPU and memory have room: add workers (or threads / async workers)", where)
			if a.Workers.MemoryBased > 0 {
				s += fmt.Sprintf("; memory allows %d", a.Workers.MemoryBased)
			}
			parts = append(parts, s+".")
		}
	}
	if st != nil && st.Dropped+st.Overflows > 0 {
		// The kernel counts drops for the whole machine, not per socket:
		// say whose queue was seen full, or that the app's never was.
		s := fmt.Sprintf("Listen queues on this machine dropped %d connections (%d overflows) in the window", st.Dropped, st.Overflows)
		switch {
		case st.full != "":
			s += "; seen full: " + st.full
		case st.appPeak != "":
			s += "; not the app's: " + st.appPeak + ", so another listener overflowed (or a burst between samples)"
		}
		parts = append(parts, s+".")
	}
	var pressure []string
	for _, r := range []string{"cpu", "memory", "io"} {
		if f, ok := at(MetricName(KeyPSI, r)); ok {
			pressure = append(pressure, fmt.Sprintf("%s %.0f%%", r, f.Mean))
		}
	}
	if len(pressure) > 0 {
		s := "Pressure stalls (" + strings.Join(pressure, ", ") + " of the time)"
		if f, ok := at(MetricName(KeyPSI, "memory")); ok && f.Level == Scale {
			s += ": memory is short (reclaim, swapping) — cut memory use or add memory"
		} else if f, ok := at(MetricName(KeyPSI, "cpu")); ok && f.Level == Scale {
			s += ": runnable tasks wait for a CPU — the CPU is at capacity"
		}
		parts = append(parts, s+".")
	}
	var disk []string
	if f, ok := at(KeyIOWait); ok {
		disk = append(disk, fmt.Sprintf("iowait %.0f%%", f.Mean))
	}
	for _, f := range a.Findings {
		if key, dev := SplitMetric(f.Metric); key == KeyIOBusy && f.Level > Monitor {
			disk = append(disk, fmt.Sprintf("%s busy %.0f%%", dev, f.Mean))
		}
	}
	if len(disk) > 0 {
		parts = append(parts, "Disk-bound ("+strings.Join(disk, ", ")+"): cut I/O (queries, logging, swap) or move to faster storage.")
	}
	if f, ok := at(KeyOOM); ok && st != nil {
		who := "victim not in a readable kernel log"
		if len(st.OOMVictims) > 0 {
			who = victimList(st.OOMVictims)
		}
		parts = append(parts, fmt.Sprintf("The OOM killer killed %.0f in the window (%s): cut memory or add memory.", f.Now, who))
	}
	if f, ok := at(KeyFDs); ok {
		who := ""
		if st != nil && st.FDs != "" {
			who = " (" + st.FDs + ")"
		}
		parts = append(parts, fmt.Sprintf("File descriptors at %.0f%% of the limit%s: raise the limit (LimitNOFILE, ulimit -n) or find the leak.", f.Now, who))
	}
	return parts
}

// cpuNowPhrase is ", at 97 %": the CPU's newest figure ("" without one).
func cpuNowPhrase(a Advice) string {
	if f, ok := a.Finding(KeyCPU); ok {
		return fmt.Sprintf(", at %.0f %%", f.Now)
	}
	return ""
}

// level is an advice's sustained level for a metric (MONITOR if absent).
func (a Advice) level(metric string) Level {
	f, _ := a.Finding(metric)
	return f.Level
}

// queueWorkers lets the worker suggestion answer a queue: with requests
// waiting (a queue at OPTIMIZE: the machine has room) and CPU under its
// optimize line, the workers are waiting (on
// I/O, on other services) rather than computing, so more of them — up to
// the requests in flight, within what memory allows — serve more.
func queueWorkers(a *Advice, last sampler.Snapshot, r Rules) {
	sat := last.Saturation
	if sat == nil {
		return
	}
	w := &a.Workers
	busy, computing, queued := 0, 0, 0
	for _, ws := range sat.Workers {
		switch ws.State {
		case saturation.StateCPU:
			busy++
			computing++
		case saturation.StateIO, saturation.StateWaiting:
			busy++
		}
	}
	for _, l := range sat.Listeners {
		if apps.IsAppServer(l.Family) {
			queued += int(l.Queued)
		}
	}
	if len(sat.Workers) > 0 {
		w.Busy = &busy
	}
	if !unknown(sat, "listeners") {
		w.Queued = &queued
	}
	q, ok := a.Finding(KeyQueue)
	cpu, _ := a.Finding(KeyCPU)
	line := r.Threshold(KeyCPU).Optimize
	// Workers computing on a CPU that is used up now: a queue or a slow
	// probe is theirs, and more workers would only share the same cores.
	// The formula's count stays (it sizes the machine), said not to be the
	// fix; nothing raises it.
	if psi, _ := a.Finding(MetricName(KeyPSI, "cpu")); busy > 0 && computing*2 > busy && (cpu.Now >= line || psi.NowLevel > Monitor) {
		w.CPUBound = true
		if w.Recommended > w.Running {
			w.Reason = fmt.Sprintf("%d of %d busy workers on the CPU, at %.0f %%: more workers would share the same cores", computing, busy, cpu.Now)
		}
		return
	}
	if !ok || q.Level != Optimize || queued == 0 || cpu.Mean >= line {
		return
	}
	// Workers held to a CPU quota compute at its edge while the machine
	// idles: more of them would share the same quota, not serve more.
	if g, ok := a.Finding(MetricName(KeyService, w.LimitSource+":"+serviceCPU)); ok && g.Mean >= line {
		return
	}
	if appAtQuota(a.Apps, last, w.LimitSource, line) {
		return
	}
	want := min(busy+queued, w.MemoryBased)
	why := "sync workers wait on I/O"
	if computing*2 > busy {
		why = "workers are busy while CPU has room"
	}
	w.Reason = fmt.Sprintf("%d busy, %d waiting, CPU %.0f %%: %s", busy, queued, cpu.Mean, why)
	// The formula's memory is the machine's whole (the framework's); a new
	// worker takes its memory from what is free now, which other programs
	// may have taken.
	if more, free, ok := freeForWorkers(last, w, r.Workers); ok && want > w.Running+more {
		want = max(w.Running+more, w.Recommended)
		w.Reason += fmt.Sprintf("; %s free allows %d more", sizeUnit(free), more)
	}
	if want > w.Recommended {
		w.Recommended = want
		w.WorkerMemoryMiB = int(float64(w.MemoryMiB) * r.Workers.MemoryFraction / float64(want))
	}
}

// freeForWorkers is how many more workers of the measured size fit in the
// memory free now (MemAvailable, or the room left under the group's
// memory limit when one sizes the workers), at the formula's share of it.
func freeForWorkers(s sampler.Snapshot, w *WorkerSuggestion, r WorkerRules) (more int, free uint64, ok bool) {
	if w.PerWorkerMiB <= 0 || s.Mem.Total == 0 {
		return 0, 0, false
	}
	free = s.Mem.Available
	if g, found := findService(s, w.LimitSource); found && g.MemoryMax != nil && g.MemoryBytes != nil && *g.MemoryMax > *g.MemoryBytes {
		free = min(free, *g.MemoryMax-*g.MemoryBytes)
	}
	return int(float64(free) / (1 << 20) * r.MemoryFraction / w.PerWorkerMiB), free, true
}

// appAtQuota: the app servers bounded by the group named source compute
// at or above line % of their CPU quota. A quota set on a parent (the
// slice a unit sits in) bounds the unit as surely as its own, but the unit
// then has no quota of its own, so no finding says so: the app's CPU, read
// against the quota its processes run under, does.
func appAtQuota(found []apps.App, s sampler.Snapshot, source string, line float64) bool {
	if source == "" || source == cgroupHost {
		return false
	}
	used, quota := 0.0, 0.0
	for _, a := range found {
		l, ok := s.ProcLimits[a.MasterPID]
		if !ok || l.Source != source || l.Cores <= 0 || !apps.IsAppServer(a.Kind) {
			continue
		}
		used += a.CPU
		quota = max(quota, l.Cores)
	}
	return quota > 0 && used >= line*quota
}

// longestQueue names the listener with the most connections waiting.
func longestQueue(sat *saturation.Saturation) string {
	var longest *saturation.Listener
	for i, l := range sat.Listeners {
		if longest == nil || l.Queued > longest.Queued {
			longest = &sat.Listeners[i]
		}
	}
	if longest == nil {
		return "?"
	}
	return text.Printable(longest.Family + " " + longest.Addr)
}

// saturationReport is the load-test report's saturation section: OOM
// kills and their victims, connections dropped, the longest queue; "" for
// a session without the kernel's counters.
func saturationReport(snaps []sampler.Snapshot, r Rules) string {
	a := Advice{}
	j := &judgement{window: snaps, rules: r, advice: &a}
	if len(whereAny(func(*saturation.Saturation) bool { return true })(snaps)) == 0 {
		return ""
	}
	st := j.satStats()
	var b strings.Builder
	b.WriteString("\n## Saturation\n\n")
	peak, at, where := 0.0, "", ""
	for _, s := range snaps {
		if q, ok := QueueMetric(s); ok && q > peak {
			peak, at, where = q, s.Time.UTC().Format("15:04:05"), longestQueue(s.Saturation)
		}
	}
	if peak > 0 {
		end := "none waiting at the end"
		if st.Longest > 0 {
			end = fmt.Sprintf("%d on %s at the end", st.Longest, st.Listener)
		}
		fmt.Fprintf(&b, "- Listen queues: at most %.0f connections waiting (%s, most on %s); %s\n", peak, at, where, end)
	} else {
		b.WriteString("- Listen queues: no connection waited\n")
	}
	fmt.Fprintf(&b, "- Connections dropped by listeners: %d (%d overflows)\n", st.Dropped, st.Overflows)
	victims := ""
	if len(st.OOMVictims) > 0 {
		victims = ": " + victimList(st.OOMVictims)
	}
	fmt.Fprintf(&b, "- OOM kills: %d%s\n", st.OOMKills, victims)
	if st.FDs != "" {
		fmt.Fprintf(&b, "- Descriptors: fullest process %s\n", st.FDs)
	}
	return b.String()
}

// victimList names the first three OOM victims and counts the rest: a
// summary is read at a glance, and a kill loop would make it a page.
func victimList(v []string) string {
	if len(v) <= 3 {
		return strings.Join(v, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(v[:3], ", "), len(v)-3)
}
