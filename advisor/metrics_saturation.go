package advisor

import (
	"math"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/saturation"
)

// The keys of the kernel's saturation metrics.
const (
	KeyQueue  = "queue"  // connections waiting in app servers' listen queues
	KeyPSI    = "psi"    // pressure stall "some" avg10: psi:cpu, psi:memory, psi:io
	KeyIOWait = "iowait" // share of CPU time idle with I/O outstanding
	KeyIOBusy = "io"     // per whole disk, share of time with I/O in flight: io:sda
	KeyOOM    = "oom"    // OOM kills in the window
	KeyFDs    = "fds"    // highest descriptor use, % of its limit
)

func init() { registerMetrics(saturationMetrics) }

// saturationMetrics are the saturation signals the kernel counts. Those
// every Linux machine has (psi, iowait, oom, fds) are present whenever the
// snapshots carry them; queue whenever an app server listens.
func saturationMetrics() Vocabulary {
	return Vocabulary{
		{Key: KeyPSI, Label: "psi", Unit: Percent, Default: Threshold{10, 40}, Counts: "samples",
			Instances: func(w []sampler.Snapshot) []string {
				if last(w).PSI == nil {
					return nil
				}
				return []string{"cpu", "memory", "io"}
			}, Read: psiMetric},
		{Key: KeyQueue, Label: "queue", Unit: Count, Default: Threshold{1, 100}, Counts: "samples",
			Instances: whereAny(func(s *saturation.Saturation) bool { return len(s.Listeners) > 0 }),
			Read:      plain(QueueMetric), Judge: judgeQueue},
		{Key: KeyIOWait, Label: "iowait", Unit: Percent, Default: Threshold{15, 30}, Counts: "samples",
			Instances: one, Read: plain(func(s sampler.Snapshot) (float64, bool) { return s.CPU.IOWait, true })},
		{Key: KeyIOBusy, Label: "io busy", Unit: Percent, Default: Threshold{60, 90}, Counts: "samples",
			Instances: busyDisks, Read: diskBusyMetric},
		{Key: KeyOOM, Label: "oom kills", Unit: Count, Default: Threshold{1, 5}, Counts: "samples",
			Instances: whereAny(func(s *saturation.Saturation) bool { return s.OOMKills != nil }), Judge: judgeOOM},
		{Key: KeyFDs, Label: "fds", Unit: Percent, Default: Threshold{70, 90}, Counts: "samples",
			Instances: whereAny(func(s *saturation.Saturation) bool { return s.FDs != nil }),
			Read:      plain(FDMetric), Judge: judgeFDs},
	}
}

// whereAny: a machine-wide metric present when any snapshot of the window
// has it.
func whereAny(has func(*saturation.Saturation) bool) func([]sampler.Snapshot) []string {
	return func(w []sampler.Snapshot) []string {
		for _, s := range w {
			if s.Saturation != nil && has(s.Saturation) {
				return []string{""}
			}
		}
		return nil
	}
}

// QueueMetric is the number of connections waiting in the listen queues
// of the app processes; absent where the listeners could not be read.
func QueueMetric(s sampler.Snapshot) (float64, bool) {
	sat := s.Saturation
	if sat == nil || (len(sat.Listeners) == 0 && unknown(sat, "listeners")) {
		return 0, false
	}
	n := 0
	for _, l := range sat.Listeners {
		n += int(l.Queued)
	}
	return float64(n), true
}

// FDMetric is the highest descriptor use in % of its limit: the system's
// (file-nr against file-max) or the fullest app process's.
func FDMetric(s sampler.Snapshot) (float64, bool) {
	if s.Saturation == nil || s.Saturation.FDs == nil {
		return 0, false
	}
	fd := s.Saturation.FDs
	pct, ok := 0.0, false
	if fd.SystemMax > 0 {
		pct, ok = float64(fd.SystemUsed)/float64(fd.SystemMax)*100, true
	}
	if fd.Top != nil {
		pct, ok = math.Max(pct, fd.Top.Pct), true
	}
	return pct, ok
}

func psiMetric(resource string) sampler.Metric {
	return func(s sampler.Snapshot) (float64, bool) {
		if s.PSI == nil {
			return 0, false
		}
		switch resource {
		case "cpu":
			return s.PSI.CPU.Now(), true
		case "memory":
			return s.PSI.Memory.Now(), true
		}
		return s.PSI.IO.Now(), true
	}
}

// busyDisks are the whole disks with a busy time in the window, in the
// order the newest snapshot lists them.
func busyDisks(w []sampler.Snapshot) []string {
	var out []string
	seen := map[string]bool{}
	for i := len(w) - 1; i >= 0; i-- {
		if w[i].Saturation == nil {
			continue
		}
		for _, d := range w[i].Saturation.Disks {
			if !seen[d.Device] {
				seen[d.Device] = true
				out = append(out, d.Device)
			}
		}
	}
	return out
}

func diskBusyMetric(device string) sampler.Metric {
	return func(s sampler.Snapshot) (float64, bool) {
		if s.Saturation == nil {
			return 0, false
		}
		for _, d := range s.Saturation.Disks {
			if d.Device == device {
				return d.BusyPct, true
			}
		}
		return 0, false
	}
}

func unknown(s *saturation.Saturation, what string) bool {
	for _, u := range s.Unknown {
		if u == what {
			return true
		}
	}
	return false
}

// judgeQueue: requests waiting in at least Sustain of the window is
// OPTIMIZE — more workers would take them — and SCALE when the machine
// has no room for more: CPU or memory (or their pressure stalls) at
// SCALE, or a queue at the scale line while CPU or memory is already high.
func judgeQueue(j *judgement) (Finding, bool) {
	th := j.rules.Threshold(KeyQueue)
	f, ok := judge(j.window, j.name, QueueMetric, Threshold{Optimize: th.Optimize, Scale: math.Inf(1)}, j.rules.Sustain, false)
	if !ok {
		return f, false
	}
	j.satStats()
	full := j.saturated() || j.level(MetricName(KeyPSI, "cpu")) == Scale || j.level(MetricName(KeyPSI, "memory")) == Scale
	high := j.level(KeyCPU) >= Optimize || j.level(KeyMemory) >= Optimize
	values := sampler.Values(j.window, QueueMetric)
	if f.Level == Optimize && (full || (high && share(values, th.Scale, false) >= j.rules.Sustain)) {
		f.Level = Scale
		if !full {
			f.Threshold, f.Above = th.Scale, round1(share(values, th.Scale, false)*100)
		}
	}
	if f.NowLevel == Optimize && full {
		f.NowLevel = Scale
	}
	return f, true
}

// judgeOOM: any kill in the window is OPTIMIZE, kills at the scale line
// SCALE; now is the window's count, max the most in one interval.
func judgeOOM(j *judgement) (Finding, bool) {
	st := j.satStats()
	th := j.rules.Threshold(KeyOOM)
	f := Finding{Metric: j.name, Now: float64(st.OOMKills), Mean: float64(st.OOMKills), Max: float64(st.oomMax), Samples: st.oomSamples}
	switch {
	case float64(st.OOMKills) >= th.Scale:
		f.Level = Scale
	case float64(st.OOMKills) >= th.Optimize:
		f.Level = Optimize
	}
	f.NowLevel = f.Level
	f.Threshold = th.of(max(f.Level, Optimize))
	if st.oomSamples > 0 {
		f.Above = round1(float64(st.oomKilled) / float64(st.oomSamples) * 100)
	}
	return f, true
}

// judgeFDs is the sustained rule; it gathers the window's details so the
// summary can name the process.
func judgeFDs(j *judgement) (Finding, bool) {
	j.satStats()
	return judge(j.window, j.name, FDMetric, j.rules.Threshold(KeyFDs), j.rules.Sustain, false)
}
