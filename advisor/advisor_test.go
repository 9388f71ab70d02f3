package advisor

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

const gib = 1 << 30

// series builds one snapshot per second with the given cpu/mem/swap/disk
// percentages (swap < 0: no swap configured).
func series(n int, f func(i int) (cpu, mem, swap, disk float64)) []sampler.Snapshot {
	out := make([]sampler.Snapshot, n)
	t0 := time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC)
	for i := range out {
		cpu, mem, swap, disk := f(i)
		s := sampler.Snapshot{Time: t0.Add(time.Duration(i) * time.Second),
			CPU:   sampler.CPU{Cores: 2, Percent: cpu},
			Mem:   sampler.Memory{Total: 24 * gib, Available: uint64(24 * gib * (1 - mem/100))},
			Disks: []sampler.Disk{{Mount: "/", Total: 100 * gib, Used: uint64(disk * gib), Free: uint64((100 - disk) * gib)}}}
		if swap >= 0 {
			s.Swap = sampler.Swap{Total: 4 * gib, Used: uint64(4 * gib * swap / 100)}
		}
		out[i] = s
	}
	return out
}

func flat(cpu, mem, swap, disk float64) func(int) (float64, float64, float64, float64) {
	return func(int) (float64, float64, float64, float64) { return cpu, mem, swap, disk }
}

func TestAdviseRules(t *testing.T) {
	cases := []struct {
		name    string
		snaps   []sampler.Snapshot
		verdict Level
		focus   string
		summary string
	}{
		{"idle", series(300, flat(5, 20, -1, 40)), Monitor, "", "Usage acceptable."},
		{"both at scale", series(300, flat(95, 95, -1, 40)), Scale, "cpu,memory", "scale the server"},
		{"cpu-bound", series(300, flat(92, 30, -1, 40)), Scale, "cpu", "CPU-bound"},
		{"cpu-bound, memory high", series(300, flat(92, 80, -1, 40)), Scale, "cpu", "CPU-bound, memory high too"},
		{"memory-bound", series(300, flat(20, 93, -1, 40)), Scale, "memory", "Memory-bound"},
		{"disk full", series(300, flat(10, 20, -1, 95)), Scale, "disk:/", "Disk / nearly full"},
		{"swap pressure", series(300, flat(10, 60, 80, 40)), Scale, "swap", "Heavy swap use"},
		{"cpu optimize", series(300, flat(75, 20, 0, 40)), Optimize, "cpu", "CPU high: optimize before it reaches capacity"},
		{"cpu and memory optimize", series(300, flat(75, 80, 0, 40)), Optimize, "cpu,memory", "CPU and memory high"},
		{"disk filling", series(300, flat(10, 20, -1, 75)), Optimize, "disk:/", "Disk / filling up"},
		// A 20-second spike in a calm 5-minute window is never SCALE.
		{"spike", series(300, func(i int) (float64, float64, float64, float64) {
			if i >= 280 {
				return 99, 20, -1, 40
			}
			return 10, 20, -1, 40
		}), Monitor, "", "Now cpu 99%: at the scale line, not sustained yet."},
		// 85 % of samples at scale level: sustained.
		{"mostly high", series(300, func(i int) (float64, float64, float64, float64) {
			if i%20 < 3 {
				return 50, 20, -1, 40
			}
			return 90, 20, -1, 40
		}), Scale, "cpu", "CPU-bound"},
		// 75 %: not enough for SCALE, but all of it is above optimize.
		{"three quarters high", series(300, func(i int) (float64, float64, float64, float64) {
			if i%4 == 0 {
				return 72, 20, -1, 40
			}
			return 90, 20, -1, 40
		}), Optimize, "cpu", "CPU high"},
		{"no data", nil, Monitor, "", "No data yet."},
		// The load has just ended: the verdict stands, and says it has eased.
		{"eased", series(300, func(i int) (float64, float64, float64, float64) {
			if i >= 290 {
				return 10, 20, -1, 40
			}
			return 92, 20, -1, 40
		}), Scale, "cpu", "CPU-bound: optimize hot paths, or move to a higher-CPU instance. Now back under the thresholds."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := Advise(c.snaps, DefaultRules())
			if a.Verdict != c.verdict {
				t.Errorf("verdict = %v, want %v (%s)", a.Verdict, c.verdict, a.Summary)
			}
			if got := strings.Join(a.Focus, ","); got != c.focus {
				t.Errorf("focus = %q, want %q", got, c.focus)
			}
			if !strings.Contains(a.Summary, c.summary) {
				t.Errorf("summary = %q, want it to contain %q", a.Summary, c.summary)
			}
		})
	}
}

func TestFindingNumbers(t *testing.T) {
	snaps := series(300, func(i int) (float64, float64, float64, float64) {
		if i < 30 {
			return 50, 20, -1, 40
		}
		return 90, 20, -1, 40
	})
	a := Advise(snaps, DefaultRules())
	f, ok := a.Finding("cpu")
	if !ok {
		t.Fatal("no cpu finding")
	}
	if f.Level != Scale || f.Now != 90 || f.Mean != 86 || f.Max != 90 || f.Threshold != 85 || f.Above != 90 || f.Samples != 300 {
		t.Errorf("finding = %+v", f)
	}
	if a.WindowS != 300 || a.CoveredS != 299 {
		t.Errorf("window %v covered %v", a.WindowS, a.CoveredS)
	}
	if m, _ := a.Finding("memory"); m.Level != Monitor || m.Threshold != 75 || m.Above != 0 {
		t.Errorf("memory = %+v", m)
	}
	if _, ok := a.Finding("swap"); ok || !a.NoSwap {
		t.Error("a swap finding without swap configured")
	}
}

// Judged on the history available: a short history is judged, and says so.
func TestShortHistory(t *testing.T) {
	a := Advise(series(20, flat(95, 20, -1, 40)), DefaultRules())
	if a.Verdict != Scale || a.CoveredS != 19 {
		t.Errorf("verdict %v covered %v", a.Verdict, a.CoveredS)
	}
}

func TestWorkedExamples(t *testing.T) {
	r := DefaultRules().Workers
	w := SuggestWorkers(2, 24*gib, nil, r)
	want := WorkerSuggestion{Cores: 2, MemoryMiB: 24576, CPUBased: 5, MemoryBased: 72, Recommended: 5,
		PerWorkerMiB: 256, PerWorkerSource: "assumed", WorkerMemoryMiB: 3686}
	if w != want {
		t.Errorf("2 cores, 24 GiB:\n got %+v\nwant %+v", w, want)
	}
	w = SuggestWorkers(1, 512<<20, nil, r)
	if w.CPUBased != 3 || w.MemoryBased != 1 || w.Recommended != 1 || w.WorkerMemoryMiB != 384 {
		t.Errorf("1 core, 512 MiB: %+v", w)
	}
	// Never below one worker, even where memory fits none.
	if w := SuggestWorkers(1, 128<<20, nil, r); w.Recommended != 1 || w.MemoryBased != 0 {
		t.Errorf("tiny box: %+v", w)
	}
}

func TestWorkersMeasured(t *testing.T) {
	mib := uint64(1 << 20)
	procs := []sampler.Process{
		{PID: 812, PPID: 1, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi", RSS: 60 * mib, PSS: 30 * mib},
		{PID: 813, PPID: 812, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi", RSS: 50 * mib, PSS: 40 * mib},
		{PID: 814, PPID: 812, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi", RSS: 50 * mib, PSS: 44 * mib},
		{PID: 815, PPID: 812, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi", RSS: 52 * mib, PSS: 38 * mib},
		{PID: 900, PPID: 1, Name: "postgres", Cmd: "postgres: writer", RSS: 500 * mib},
	}
	w := SuggestWorkers(2, 24*gib, procs, DefaultRules().Workers)
	if w.Running != 3 || w.Server != "gunicorn" || w.PerWorkerMiB != 40 || w.PerWorkerSource != "measured" {
		t.Errorf("measured: %+v (want 3 workers, median PSS 40 MiB; the master is no worker)", w)
	}
	if w.MemoryBased != 460 || w.Recommended != 5 {
		t.Errorf("formula with measured memory: %+v", w)
	}
	// Without PSS (another user's processes), RSS stands in and says so.
	for i := range procs {
		procs[i].PSS = 0
	}
	if w := SuggestWorkers(2, 24*gib, procs, DefaultRules().Workers); w.PerWorkerSource != "measured-rss" || w.PerWorkerMiB != 50 {
		t.Errorf("rss fallback: %+v", w)
	}
}

// Two gunicorn masters on one machine share its cores and memory: the
// count is for both together, and the line says so.
func TestWorkersOfTwoMasters(t *testing.T) {
	mib := uint64(1 << 20)
	g := func(pid, ppid int32) sampler.Process {
		return sampler.Process{PID: pid, PPID: ppid, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi", RSS: 50 * mib, PSS: 40 * mib}
	}
	one := []sampler.Process{g(812, 1), g(813, 812), g(814, 812), g(815, 812)}
	if w := SuggestWorkers(2, 24*gib, one, DefaultRules().Workers); w.Masters != 0 || strings.Contains(WorkerLine(w, false), "masters") {
		t.Errorf("one master: %+v, %q", w, WorkerLine(w, false))
	}
	two := append(one, g(900, 1), g(901, 900), g(902, 900), g(903, 900), g(904, 900))
	w := SuggestWorkers(2, 24*gib, two, DefaultRules().Workers)
	if w.Running != 7 || w.Masters != 2 {
		t.Fatalf("two masters: %+v; want 7 workers under 2 masters", w)
	}
	if got, want := WorkerLine(w, true), "running 7 × 40 MiB under 2 masters → suggest 5 workers in all"; !strings.Contains(got, want) {
		t.Errorf("short line %q; want %q", got, want)
	}
	if got, want := WorkerLine(w, false), "suggest 5 gunicorn workers in all"; !strings.Contains(got, want) {
		t.Errorf("line %q; want %q", got, want)
	}
}

func TestCgroupLimitsUsed(t *testing.T) {
	snaps := series(10, flat(10, 10, -1, 10))
	for i := range snaps {
		snaps[i].Limits = &sampler.Limits{Cores: 1, Memory: 512 << 20}
	}
	a := Advise(snaps, DefaultRules())
	if a.Workers.Cores != 1 || a.Workers.MemoryMiB != 512 || a.Workers.Recommended != 1 {
		t.Errorf("cgroup limits ignored: %+v", a.Workers)
	}
}

// The keys scripts depend on, and no NaN or Inf anywhere.
func TestAdviceJSONSchema(t *testing.T) {
	snaps := series(300, flat(92, 30, -1, 40))
	snaps[len(snaps)-1].CPU.Percent = math.NaN() // a broken reading must not leak out
	b, err := json.Marshal(Advise(snaps, DefaultRules()))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"verdict", "focus", "summary", "window_s", "covered_s", "findings", "workers"} {
		if _, ok := m[k]; !ok {
			t.Errorf("missing key %q in %s", k, b)
		}
	}
	if m["verdict"] != "SCALE" {
		t.Errorf("verdict = %v", m["verdict"])
	}
	f := m["findings"].([]any)[0].(map[string]any)
	for _, k := range []string{"metric", "now", "mean", "level", "threshold", "above"} {
		if _, ok := f[k]; !ok {
			t.Errorf("finding lacks %q", k)
		}
	}
	w := m["workers"].(map[string]any)
	for _, k := range []string{"cores", "memory_mib", "cpu_based", "memory_based", "recommended", "per_worker_mib", "per_worker_source", "running", "worker_memory_mib"} {
		if _, ok := w[k]; !ok {
			t.Errorf("workers lacks %q", k)
		}
	}
	if strings.Contains(string(b), "NaN") || strings.Contains(string(b), "Inf") {
		t.Errorf("NaN or Inf in %s", b)
	}
	// focus is [] (not null) for MONITOR.
	b, _ = json.Marshal(Advise(series(5, flat(1, 1, -1, 1)), DefaultRules()))
	if !strings.Contains(string(b), `"focus":[]`) {
		t.Errorf("focus not an empty list: %s", b)
	}
}

// With no worker running, the size per worker is the framework's guess:
// the screen's short line says so, as once's long one does.
func TestAssumedWorkerSizeSaysSo(t *testing.T) {
	w := SuggestWorkers(2, 24*gib, nil, DefaultRules().Workers)
	if got, want := WorkerLine(w, true), "suggest 5 workers (cpu 5 / memory 72, 256 MiB each, assumed)"; got != want {
		t.Errorf("short line %q; want %q", got, want)
	}
	if got := WorkerLine(w, false); !strings.HasSuffix(got, "256 MiB each, assumed)") {
		t.Errorf("line %q", got)
	}
}
