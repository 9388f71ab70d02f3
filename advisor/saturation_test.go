package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/saturation"
)

// saturated gives each snapshot a gunicorn master with two workers
// serving (state), q connections waiting on its socket, and the counters
// of a machine with nothing else wrong.
func saturated(snaps []sampler.Snapshot, q uint32, state string) []sampler.Snapshot {
	zero := uint64(0)
	for i := range snaps {
		s := &snaps[i]
		s.Procs = []sampler.Process{
			{PID: 812, PPID: 1, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi", RSS: 60 * (1 << 20), PSS: 30 * (1 << 20)},
			{PID: 813, PPID: 812, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi", RSS: 50 * (1 << 20), PSS: 40 * (1 << 20)},
			{PID: 814, PPID: 812, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi", RSS: 50 * (1 << 20), PSS: 40 * (1 << 20)},
		}
		s.Saturation = &saturation.Saturation{
			Listeners: []saturation.Listener{{Addr: "127.0.0.1:8000", PID: 812, Family: "gunicorn", Queued: q, Backlog: 2048}},
			Workers:   []saturation.WorkerState{{PID: 813, State: state}, {PID: 814, State: state}},
			OOMKills:  &zero, ListenDrops: &zero, ListenOverflows: &zero,
			FDs: &saturation.FDUse{SystemUsed: 2000, SystemMax: 100000,
				Top: &saturation.ProcessFDs{PID: 812, Name: "gunicorn", Open: 20, Limit: 1024, Pct: 2}},
		}
	}
	return snaps
}

func TestQueueWithRoomAddsWorkers(t *testing.T) {
	a := Advise(saturated(series(60, flat(2, 10, -1, 20)), 48, saturation.StateWaiting), DefaultRules())
	q, ok := a.Finding(KeyQueue)
	if !ok || q.Level != Optimize || q.Now != 48 || q.Threshold != 1 {
		t.Fatalf("queue finding %+v (found %v); want OPTIMIZE, now 48, against the 1 line", q, ok)
	}
	if a.Verdict != Optimize {
		t.Errorf("verdict %v; want OPTIMIZE", a.Verdict)
	}
	w := a.Workers
	// 24 GiB × 0.75 / 40 MiB = 460 by memory; 5 by CPU; 2 busy + 48 waiting = 50.
	if w.CPUBased != 5 || w.MemoryBased != 460 || w.Recommended != 50 || *w.Busy != 2 || *w.Queued != 48 {
		t.Errorf("workers %+v busy %d queued %d; want 50 recommended (2 busy + 48 waiting), above cpu 5, within memory 460", w, *w.Busy, *w.Queued)
	}
	if w.Reason != "2 busy, 48 waiting, CPU 2 %: sync workers wait on I/O" {
		t.Errorf("reason %q", w.Reason)
	}
	if !strings.Contains(a.Summary, "add workers") || !strings.Contains(a.Summary, "memory allows 460") || !strings.Contains(a.Summary, "gunicorn 127.0.0.1:8000") {
		t.Errorf("summary %q; want more workers, the memory bound and the socket", a.Summary)
	}
	if line := WorkerLine(w, false); !strings.Contains(line, "suggest 50 gunicorn workers") || !strings.Contains(line, w.Reason) {
		t.Errorf("worker line %q", line)
	}
}

func TestQueueBoundedByMemory(t *testing.T) {
	snaps := saturated(series(60, flat(2, 10, -1, 20)), 48, saturation.StateWaiting)
	for i := range snaps {
		snaps[i].Mem.Total = 2 * gib // 2 GiB × 0.75 / 40 MiB = 38 workers at most
		snaps[i].Mem.Available = gib
	}
	w := Advise(snaps, DefaultRules()).Workers
	// The 1 GiB free holds 1024 × 0.75 / 40 = 19 more than the 2 running.
	if w.MemoryBased != 38 || w.Recommended != 21 {
		t.Errorf("workers %+v; want the formula's memory bound 38, and 21 that the memory free holds", w)
	}
	for i := range snaps {
		snaps[i].Mem.Available = 2 * gib // all of it free: the formula bounds
	}
	if w := Advise(snaps, DefaultRules()).Workers; w.Recommended != 38 {
		t.Errorf("workers %+v; want the memory bound, 38", w)
	}
}

func TestQueueWithCPUAtScaleIsSaturation(t *testing.T) {
	a := Advise(saturated(series(60, flat(97, 10, -1, 20)), 48, saturation.StateCPU), DefaultRules())
	q, _ := a.Finding(KeyQueue)
	if q.Level != Scale || a.Verdict != Scale {
		t.Fatalf("queue %v, verdict %v; want SCALE", q.Level, a.Verdict)
	}
	if !strings.Contains(a.Summary, "Saturated: requests queue and CPU is at capacity") {
		t.Errorf("summary %q", a.Summary)
	}
	if w := a.Workers; w.Recommended != 5 || !w.CPUBound || w.Reason != "2 of 2 busy workers on the CPU, at 97 %: more workers would share the same cores" {
		t.Errorf("workers %+v; want the CPU formula (5), said not to be the fix", w)
	}
}

// Workers computing on a CPU used up now (a load that began within the
// window, so its mean is under the line): the queue is theirs, and neither
// the summary nor the worker suggestion may answer it with more workers.
func TestQueueBehindWorkersOnABusyCPUAddsNoWorkers(t *testing.T) {
	ramp := func(i int) (float64, float64, float64, float64) {
		if i < 40 {
			return 5, 10, -1, 20
		}
		return 100, 10, -1, 20
	}
	a := Advise(saturated(series(60, ramp), 16, saturation.StateCPU), DefaultRules())
	w := a.Workers
	if !w.CPUBound || w.Recommended != 5 || *w.Queued != 16 {
		t.Fatalf("workers %+v; want CPU-bound, the formula's 5, 16 queued", w)
	}
	if strings.Contains(a.Summary, "add workers") || !strings.Contains(a.Summary, "behind workers on the CPU, at 100 %: make requests cheaper or add cores, not workers.") {
		t.Errorf("summary %q", a.Summary)
	}
	if line := WorkerLine(w, true); !strings.Contains(line, "suggest 5 workers (cpu 5 / memory 460) · CPU-bound · 2 busy, 16 queued") {
		t.Errorf("short worker line %q", line)
	}
	// The same queue with the workers waiting (on I/O, a database): CPU's
	// 100 % is someone else's, and more workers serve more.
	if a := Advise(saturated(series(60, ramp), 16, saturation.StateWaiting), DefaultRules()); a.Workers.CPUBound || a.Workers.Recommended != 18 {
		t.Errorf("waiting workers: %+v; want 18 (2 busy + 16 waiting), not CPU-bound", a.Workers)
	}
}

func TestNoQueueFormulaStands(t *testing.T) {
	a := Advise(saturated(series(60, flat(2, 10, -1, 20)), 0, saturation.StateIdle), DefaultRules())
	if q, ok := a.Finding(KeyQueue); !ok || q.Level != Monitor || a.Verdict != Monitor {
		t.Errorf("queue %+v (found %v), verdict %v; want MONITOR", q, ok, a.Verdict)
	}
	if w := a.Workers; w.Recommended != 5 || w.Reason != "" || *w.Busy != 0 || *w.Queued != 0 {
		t.Errorf("workers %+v; want the formula", w)
	}
}

func TestDropsOOMAndFDsNamed(t *testing.T) {
	snaps := saturated(series(60, flat(2, 10, -1, 20)), 0, saturation.StateIdle)
	one, drops := uint64(1), uint64(300)
	snaps[30].Saturation.OOMKills = &one
	snaps[30].Saturation.OOMVictims = []saturation.OOMVictim{{PID: 4242, Name: "python3"}}
	snaps[31].Saturation.ListenDrops, snaps[31].Saturation.ListenOverflows = &drops, &drops
	for i := range snaps {
		snaps[i].Saturation.FDs.Top = &saturation.ProcessFDs{PID: 813, Name: "gunicorn", Open: 1000, Limit: 1024, Pct: 97.7}
	}
	a := Advise(snaps, DefaultRules())
	if f, _ := a.Finding(KeyOOM); f.Level != Optimize || f.Now != 1 {
		t.Errorf("oom %+v; want one kill, OPTIMIZE", f)
	}
	if f, _ := a.Finding(KeyFDs); f.Level != Scale || f.Now != 97.7 {
		t.Errorf("fds %+v; want 97.7%%, SCALE", f)
	}
	for _, want := range []string{"python3 (pid 4242)", "gunicorn 813: 1000 of 1024",
		"Listen queues on this machine dropped 300 connections (300 overflows) in the window; not the app's: gunicorn 127.0.0.1:8000 peaked at 0 of 2048, so another listener overflowed"} {
		if !strings.Contains(a.Summary, want) {
			t.Errorf("summary lacks %q: %s", want, a.Summary)
		}
	}
	// A listener seen at its backlog is named as the one that dropped.
	snaps[31].Saturation.Listeners = append(snaps[31].Saturation.Listeners, saturation.Listener{Addr: "127.0.0.1:56427", PID: 9, Family: "python3", Queued: 6, Backlog: 5})
	if a := Advise(snaps, DefaultRules()); !strings.Contains(a.Summary, "dropped 300 connections (300 overflows) in the window; seen full: python3 127.0.0.1:56427, 6 of 5.") {
		t.Errorf("summary %s", a.Summary)
	}
}

func TestMemoryPressureCanScale(t *testing.T) {
	snaps := series(60, flat(10, 60, -1, 20))
	for i := range snaps {
		snaps[i].PSI = &sampler.PSI{Memory: sampler.Pressure{Avg10: 55}}
	}
	a := Advise(snaps, DefaultRules())
	if m, _ := a.Finding(KeyMemory); m.Level != Monitor {
		t.Fatalf("memory %v; the case is memory %% alone under its lines", m.Level)
	}
	if f, _ := a.Finding("psi:memory"); f.Level != Scale || a.Verdict != Scale || !strings.Contains(a.Summary, "memory is short") {
		t.Errorf("psi:memory %v, verdict %v, summary %q; want SCALE on memory pressure", f.Level, a.Verdict, a.Summary)
	}
}

// Recordings made before the saturation counters have none of their
// findings: absent, never zero.
func TestNoSaturationNoFindings(t *testing.T) {
	a := Advise(series(10, flat(2, 10, -1, 20)), DefaultRules())
	for _, m := range []string{KeyQueue, KeyOOM, KeyFDs, "psi:cpu"} {
		if f, ok := a.Finding(m); ok {
			t.Errorf("finding %+v without the counters", f)
		}
	}
	if _, ok := a.Finding(KeyIOWait); !ok {
		t.Error("iowait is sampled with the CPU: always present")
	}
	if a.Workers.Busy != nil || a.Workers.Queued != nil {
		t.Errorf("busy/queued %v/%v without the counters; want unknown", a.Workers.Busy, a.Workers.Queued)
	}
}

func TestProvisional(t *testing.T) {
	r := DefaultRules() // a 5-minute window: a fifth is 60 s
	for _, tc := range []struct {
		n    int
		want bool
	}{{20, true}, {60, true}, {61, false}, {300, false}} {
		if got := Advise(series(tc.n, flat(90, 10, -1, 20)), r).Provisional; got != tc.want {
			t.Errorf("%d s covered of 5m: provisional %v, want %v", tc.n-1, got, tc.want)
		}
	}
	r.Window = 10 * time.Second
	if Advise(series(3, flat(90, 10, -1, 20)), r).Provisional {
		t.Error("2 s of a 10 s window is a fifth: not provisional")
	}
}

// CPU pressure at SCALE is a CPU at capacity even where CPU % stays under
// its scale line (other work runnable and waiting): a queue then is SCALE.
func TestQueueWithCPUPressureIsSaturation(t *testing.T) {
	snaps := saturated(series(60, flat(80, 10, -1, 20)), 48, saturation.StateWaiting)
	for i := range snaps {
		snaps[i].PSI = &sampler.PSI{CPU: sampler.Pressure{Avg10: 60}}
	}
	a := Advise(snaps, DefaultRules())
	if q, _ := a.Finding(KeyQueue); q.Level != Scale || !strings.Contains(a.Summary, "requests queue and CPU is at capacity") {
		t.Errorf("queue %v, summary %q; want SCALE, the CPU named", q.Level, a.Summary)
	}
	if a.Workers.Reason != "" {
		t.Errorf("reason %q with CPU at 80 %%; the formula stands", a.Workers.Reason)
	}
}

// The queue is named where it was: an idle listener listed first (nginx in
// front of gunicorn) is not the one that queued, and a queue that drained
// is said to have drained.
func TestReportSaturationNamesTheQueue(t *testing.T) {
	snaps := saturated(series(60, flat(2, 10, -1, 20)), 0, saturation.StateWaiting)
	for i := range snaps {
		l := snaps[i].Saturation.Listeners
		if i == 20 {
			l[0].Queued = 14
		}
		snaps[i].Saturation.Listeners = append([]saturation.Listener{{Addr: "127.0.0.1:36043", PID: 900, Family: "nginx", Backlog: 511}}, l...)
	}
	r := ReportMarkdown(Session{Snaps: snaps, Rules: DefaultRules()})
	want := "- Listen queues: at most 14 connections waiting (13:00:20, most on gunicorn 127.0.0.1:8000); none waiting at the end"
	if !strings.Contains(r, want) {
		t.Errorf("report lacks %q:\n%s", want, r)
	}
}

func TestReportSaturation(t *testing.T) {
	snaps := saturated(series(60, flat(2, 10, -1, 20)), 48, saturation.StateWaiting)
	one := uint64(1)
	snaps[30].Saturation.OOMKills = &one
	snaps[30].Saturation.OOMVictims = []saturation.OOMVictim{{PID: 4242, Name: "python3"}}
	r := ReportMarkdown(Session{Snaps: snaps, Rules: DefaultRules()})
	for _, want := range []string{"## Saturation", "| queue | 48.0 |", "at most 48 connections waiting (13:00:00, most on gunicorn 127.0.0.1:8000); 48 on gunicorn 127.0.0.1:8000 at the end",
		"- OOM kills: 1: python3 (pid 4242)", "| fds |"} {
		if !strings.Contains(r, want) {
			t.Errorf("report lacks %q:\n%s", want, r)
		}
	}
	if r := ReportMarkdown(Session{Snaps: series(60, flat(2, 10, -1, 20)), Rules: DefaultRules()}); strings.Contains(r, "## Saturation") {
		t.Error("a session without the counters has no Saturation section")
	}
}

// A queue the summary calls saturation never gets more workers, even with
// CPU % under its optimize line: the machine has no room for them.
func TestSaturatedQueueKeepsTheFormula(t *testing.T) {
	snaps := saturated(series(60, flat(50, 10, -1, 20)), 48, saturation.StateWaiting)
	for i := range snaps {
		snaps[i].PSI = &sampler.PSI{CPU: sampler.Pressure{Avg10: 60}}
	}
	a := Advise(snaps, DefaultRules())
	if q, _ := a.Finding(KeyQueue); q.Level != Scale || a.Workers.Recommended != 5 || a.Workers.Reason != "" {
		t.Errorf("queue %v, workers %+v; want SCALE and the formula's 5", q.Level, a.Workers)
	}
}

// Workers held to a CPU quota: the machine idles, the queue grows, but the
// group computes at its quota's edge, so more workers would share the same
// quarter core. The CPU-based count stands.
func TestQueueInAGroupAtItsQuotaAddsNoWorkers(t *testing.T) {
	snaps := saturated(series(60, flat(12, 10, -1, 20)), 2, saturation.StateCPU)
	quarter, used := 0.25, 25.0 // % of one core: all of its quota
	for i := range snaps {
		snaps[i].ProcLimits = map[int32]sampler.GroupLimits{812: {Source: "lab-gunicorn.service", Cores: 0.25, Memory: 300 << 20}}
		snaps[i].Services = []sampler.Service{{Name: "lab-gunicorn.service", CPUPct: &used, CPUMaxCores: &quarter}}
	}
	a := Advise(snaps, DefaultRules())
	if q, _ := a.Finding(KeyQueue); q.Level != Optimize {
		t.Fatalf("queue finding %+v; want OPTIMIZE (requests wait, the machine has room)", q)
	}
	w := a.Workers
	if w.LimitSource != "lab-gunicorn.service" || w.Recommended != 1 {
		t.Errorf("workers %+v; want 1, sized from the group's quarter core, not busy + waiting", w)
	}
}

// The same quota set on the slice the unit sits in: the unit has no quota
// of its own, so no finding of its own; the app's CPU against the quarter
// core its master runs under says it computes at the edge. Under it, the
// waiting requests get their workers.
func TestQueueUnderAParentQuotaAddsNoWorkers(t *testing.T) {
	for _, tc := range []struct {
		perWorker float64 // % of one core
		want      int
	}{{12.5, 1}, {4, 4}} {
		snaps := saturated(series(60, flat(12, 10, -1, 20)), 2, saturation.StateCPU)
		used := 2 * tc.perWorker
		for i := range snaps {
			snaps[i].Procs[1].CPU, snaps[i].Procs[2].CPU = tc.perWorker, tc.perWorker
			snaps[i].ProcLimits = map[int32]sampler.GroupLimits{812: {Source: "lab-gunicorn.service", Cores: 0.25, Memory: 300 << 20}}
			snaps[i].Services = []sampler.Service{{Name: "lab-gunicorn.service", CPUPct: &used}}
		}
		a := Advise(snaps, DefaultRules())
		if _, ok := a.Finding(MetricName(KeyService, "lab-gunicorn.service:"+serviceCPU)); ok {
			t.Fatal("a unit with no quota of its own has a CPU quota finding")
		}
		if w := a.Workers; w.LimitSource != "lab-gunicorn.service" || w.Recommended != tc.want {
			t.Errorf("workers at %.1f %% each: %+v; want %d", tc.perWorker, w, tc.want)
		}
	}
}

// A queue asks for workers up to what the memory free now holds, not the
// machine's whole: other programs hold the rest.
func TestQueueWorkersFitTheMemoryFree(t *testing.T) {
	snaps := saturated(series(60, flat(2, 85, -1, 20)), 48, saturation.StateWaiting)
	for i := range snaps {
		for j := range snaps[i].Procs {
			snaps[i].Procs[j].PSS = 400 << 20
		}
	}
	w := Advise(snaps, DefaultRules()).Workers
	// 15 % of 24 GiB free: 3686 MiB × 0.75 / 400 MiB = 6 more than the 2
	// running; the machine's whole would allow 46.
	if w.Recommended != 8 || w.MemoryBased != 46 || !strings.Contains(w.Reason, "3.6G free allows 6 more") {
		t.Errorf("workers %+v; want 8, the free memory named", w)
	}
	if w := Advise(saturated(series(60, flat(2, 10, -1, 20)), 48, saturation.StateWaiting), DefaultRules()).Workers; w.Recommended != 50 || strings.Contains(w.Reason, "free") {
		t.Errorf("with memory free: %+v; want 50, no word of it", w)
	}
}

// CPU at capacity, taken by a process of no app family while the app's
// workers wait: the summary names that process instead of sending the
// on-call to buy machines for it.
func TestCPUHogNamed(t *testing.T) {
	for _, tc := range []struct {
		hog, worker float64 // % of one core
		want        bool
	}{{180, 2, true}, {40, 2, false}, {90, 60, false}} {
		snaps := saturated(series(60, flat(97, 10, -1, 20)), 10, saturation.StateWaiting)
		for i := range snaps {
			snaps[i].Procs[1].CPU, snaps[i].Procs[2].CPU = tc.worker, tc.worker
			snaps[i].Procs = append(snaps[i].Procs, sampler.Process{PID: 4000, PPID: 1, Name: "stress-ng", Cmd: "stress-ng --cpu 2", CPU: tc.hog})
		}
		a := Advise(snaps, DefaultRules())
		named := strings.Contains(a.Summary, "at capacity, mostly stress-ng (pid 4000, 180 %), not the app: stop or move it before scaling.")
		if named != tc.want || (a.CPUHog != nil) != tc.want {
			t.Errorf("hog %.0f %%, workers %.0f %%: named %v, %+v; want %v\n%s", tc.hog, tc.worker, named, a.CPUHog, tc.want, a.Summary)
		}
		if tc.want && (strings.Contains(a.Summary, "scale out") || strings.Contains(a.Summary, "CPU-bound")) {
			t.Errorf("a hog's CPU still says scale: %s", a.Summary)
		}
	}
}

// Requests queued on a CPU at capacity: one sentence, one action (scale
// out), not a second one offering "optimize hot paths" beside it.
func TestQueuedAndCPUBoundSayOneThing(t *testing.T) {
	a := Advise(saturated(series(60, flat(97, 10, -1, 20)), 10, saturation.StateWaiting), DefaultRules())
	if !strings.HasPrefix(a.Summary, "Saturated: requests queue and CPU is at capacity") || strings.Contains(a.Summary, "CPU-bound") {
		t.Errorf("summary %q", a.Summary)
	}
	if a := Advise(series(60, flat(97, 10, -1, 20)), DefaultRules()); !strings.HasPrefix(a.Summary, "CPU-bound") {
		t.Errorf("no queue: %q", a.Summary)
	}
}

// A job with a process per core is one hog: two stress-ng-cpu at 80 %
// each take more than the app's workers together, though neither alone does.
func TestCPUHogAddsUpItsProcesses(t *testing.T) {
	snaps := saturated(series(60, flat(97, 10, -1, 20)), 10, saturation.StateWaiting)
	for i := range snaps {
		snaps[i].Procs[1].CPU, snaps[i].Procs[2].CPU = 60, 60
		snaps[i].Procs = append(snaps[i].Procs, sampler.Process{PID: 4001, PPID: 1, Name: "stress-ng-cpu", CPU: 79},
			sampler.Process{PID: 4002, PPID: 1, Name: "stress-ng-cpu", CPU: 81})
	}
	a := Advise(snaps, DefaultRules())
	if h := a.CPUHog; h == nil || h.Procs != 2 || h.CPU != 160 || h.PID != 4002 {
		t.Fatalf("hog %+v; want 2 stress-ng-cpu, 160 %%, busiest 4002", a.CPUHog)
	}
	if !strings.Contains(a.Summary, "mostly 2 × stress-ng-cpu (160 % together; busiest pid 4002), not the app") {
		t.Errorf("summary %q", a.Summary)
	}
}

// Probe timeouts while requests wait in the listen queue are an app too
// busy to answer in time, not one that is down: no "restart it", which
// would drop the queue. Without a queue, the same timeouts are DOWN.
func TestTimeoutsWithAQueueAreNotDown(t *testing.T) {
	timedOut := func(snaps []sampler.Snapshot) []sampler.Snapshot {
		for i := range snaps {
			snaps[i].Probe = []sampler.ProbeResult{{MS: 20, Status: 200}}
			if i >= len(snaps)-3 {
				snaps[i].Probe = []sampler.ProbeResult{{MS: 5000, Err: "timeout"}}
			}
		}
		return snaps
	}
	busy := Advise(timedOut(saturated(series(60, flat(30, 10, -1, 20)), 37, saturation.StateWaiting)), DefaultRules())
	if f, _ := busy.Finding(KeyErrors); busy.Verdict == Down || f.Level == Down || strings.Contains(busy.Summary, "restart") {
		t.Errorf("queued and timing out: verdict %v, errors %v, %q", busy.Verdict, f.Level, busy.Summary)
	}
	if down := Advise(timedOut(series(60, flat(30, 10, -1, 20))), DefaultRules()); down.Verdict != Down {
		t.Errorf("timing out with no queue: verdict %v, want DOWN", down.Verdict)
	}
}

// OOM victims are named once each, three at most with a count of the rest:
// a kill loop, or a kernel log read again, must not make the summary a page.
func TestOOMVictimsBounded(t *testing.T) {
	snaps := saturated(series(60, flat(2, 10, -1, 20)), 0, saturation.StateIdle)
	one := uint64(1)
	for i := 30; i < 40; i++ {
		snaps[i].Saturation.OOMKills = &one
		snaps[i].Saturation.OOMVictims = []saturation.OOMVictim{{PID: 4242, Name: "python3"}, {PID: 5000 + i, Name: "worker"}}
	}
	a := Advise(snaps, DefaultRules())
	if strings.Count(a.Summary, "python3 (pid 4242)") != 1 || !strings.Contains(a.Summary, "worker (pid 5031) and 8 more") {
		t.Errorf("summary %q", a.Summary)
	}
}

// Just after a load, avg10 still holds most of it while the last seconds
// stalled for nothing: the measured share is what is judged, and a
// snapshot without one (an older recording) falls back to avg10.
func TestPressureJudgesTheShare(t *testing.T) {
	snaps := series(30, flat(1, 10, -1, 20))
	for i := range snaps {
		snaps[i].PSI = &sampler.PSI{CPU: sampler.Pressure{Avg10: 60, Share: 0.5, HasShare: true}}
	}
	a := Advise(snaps, DefaultRules())
	if f, _ := a.Finding(MetricName(KeyPSI, "cpu")); f.Now != 0.5 || f.Level != Monitor || a.Verdict != Monitor {
		t.Errorf("psi:cpu %+v, verdict %v; want the share's 0.5 %%, MONITOR", f, a.Verdict)
	}
	for i := range snaps {
		snaps[i].PSI.CPU.HasShare = false
	}
	if f, _ := Advise(snaps, DefaultRules()).Finding(MetricName(KeyPSI, "cpu")); f.Now != 60 || f.Level == Monitor {
		t.Errorf("without a share: %+v; want avg10's 60", f)
	}
}
