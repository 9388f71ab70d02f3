package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// loadRow is one recorded interval of a load test: the load and the machine.
type loadRow struct {
	target, rps, p95, success float64
	users                     int
	workerCPU, cpu            float64 // % of one core per worker; machine %
}

// loadSeries turns rows into load points the way the pipeline does: one
// snapshot a second, each judged over the window so far.
func loadSeries(rows []loadRow) []LoadPoint {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var snaps []sampler.Snapshot
	var pts []LoadPoint
	for i, r := range rows {
		s := sampler.Snapshot{Time: t0.Add(time.Duration(i) * time.Second),
			CPU: sampler.CPU{Cores: 2, Percent: r.cpu}, Mem: sampler.Memory{Total: 8 << 30, Available: 6 << 30},
			Procs: []sampler.Process{
				{PID: 10, PPID: 1, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn lab.wsgi", CPU: 0.5},
				{PID: 11, PPID: 10, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn lab.wsgi", CPU: r.workerCPU},
				{PID: 12, PPID: 10, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn lab.wsgi", CPU: r.workerCPU},
			},
			LoadTest: &sampler.LoadStats{TargetRPS: r.target, RPS: r.rps, P95: r.p95, SuccessPct: r.success, Users: r.users, Requests: int(r.rps)},
		}
		snaps = append(snaps, s)
		pts = append(pts, LoadPoint{Snap: s, Advice: Advise(snaps, DefaultRules())})
	}
	return pts
}

// cpuRamp is a ramp over /cpu/?ms=20 against 2 sync workers: about 90
// req/s is what two cores give, past it p95 climbs and the load falls behind.
var cpuRamp = []loadRow{
	{20, 20, 25, 100, 1, 40, 35},
	{40, 40, 30, 100, 2, 80, 60},
	{60, 59, 60, 100, 3, 92, 80},
	{80, 78, 160, 100, 6, 97, 95},
	{100, 88, 420, 100, 20, 99, 99},
	{120, 89, 900, 100, 60, 100, 100},
	{140, 90, 1500, 99, 120, 100, 100},
}

func TestKneeOnACPUBoundRamp(t *testing.T) {
	v := FindKnee(loadSeries(cpuRamp), 300*time.Millisecond, 1)
	k := v.Knee
	if v.Held || k == nil {
		t.Fatalf("no knee: %+v", v)
	}
	if k.RPS != 78 || k.P95 != 160 || k.Users != 6 {
		t.Errorf("knee %v req/s p95 %v at %d users, want 78, 160, 6", k.RPS, k.P95, k.Users)
	}
	if k.PlateauRPS != 89 || k.BeyondP95 != 1500 || k.Bottleneck != "cpu" {
		t.Errorf("plateau %v beyond %v bottleneck %q", k.PlateauRPS, k.BeyondP95, k.Bottleneck)
	}
	// An open-loop ramp sets the rate: its in-flight requests are no users.
	want := "about 78 req/s; CPU at capacity (2 gunicorn workers, 100 %); p95 1.5 s beyond; add workers: no (CPU-bound) — scale out or optimize the hot path"
	if k.Sentence != want || v.Summary != want {
		t.Errorf("sentence\n %q\nwant\n %q", k.Sentence, want)
	}
	if !hasString(k.Findings, "cpu 100 % SCALE") {
		t.Errorf("findings %v: want the CPU at the breaking point", k.Findings)
	}
}

// slowRamp is a ramp over /slow/?ms=200 against 2 workers: 10 req/s is
// all they can take, and they sit idle on the CPU while requests queue.
var slowRamp = []loadRow{
	{4, 4, 205, 100, 1, 2, 3},
	{6, 6, 210, 100, 2, 2, 4},
	{8, 8, 240, 100, 2, 3, 4},
	{10, 9.8, 380, 100, 4, 3, 5},
	{12, 9.9, 700, 100, 8, 3, 5},
	{14, 9.9, 1100, 100, 12, 3, 5},
}

func TestKneeOnAnIOBoundRampNamesTheQueue(t *testing.T) {
	v := FindKnee(loadSeries(slowRamp), 300*time.Millisecond, 1)
	k := v.Knee
	if k == nil || k.RPS != 8 || k.Bottleneck != "queue" {
		t.Fatalf("knee %+v", k)
	}
	if !strings.Contains(k.Sentence, "requests queue for 2 gunicorn workers") || !strings.Contains(k.Sentence, "add workers: yes") {
		t.Errorf("sentence %q", k.Sentence)
	}
}

func TestAQueueFindingIsNamedWhenNothingBehindItRanOut(t *testing.T) {
	pts := loadSeries(slowRamp)
	for i := range pts {
		pts[i].Advice.Findings = append(pts[i].Advice.Findings, Finding{Metric: "queue", Now: 12, NowLevel: Optimize, Level: Optimize})
		// Even busy-looking workers: the queue finding alone names it.
	}
	if k := FindKnee(pts, 300*time.Millisecond, 1).Knee; k == nil || k.Bottleneck != "queue" {
		t.Fatalf("knee %+v", k)
	}
	pts = loadSeries(cpuRamp)
	for i := range pts {
		pts[i].Advice.Findings = append(pts[i].Advice.Findings, Finding{Metric: "queue", Now: 12, NowLevel: Optimize})
	}
	if k := FindKnee(pts, 300*time.Millisecond, 1).Knee; k == nil || k.Bottleneck != "cpu" {
		t.Fatalf("a queue behind a saturated CPU must name the CPU: %+v", k)
	}
}

func TestABusyMachineWithIdleWorkersIsNotCPUBound(t *testing.T) {
	rows := append([]loadRow(nil), slowRamp...)
	for i := range rows {
		rows[i].cpu = 99 // other work fills the machine; the workers wait
	}
	k := FindKnee(loadSeries(rows), 300*time.Millisecond, 1).Knee
	if k == nil || k.Bottleneck != "queue" {
		t.Fatalf("knee %+v", k)
	}
	rows = append([]loadRow(nil), cpuRamp...)
	for i := range rows {
		rows[i].workerCPU = min(rows[i].workerCPU, 55) // workers share the cores with other work
	}
	k = FindKnee(loadSeries(rows), 300*time.Millisecond, 1).Knee
	if k == nil || k.Bottleneck != "cpu" || !strings.Contains(k.Sentence, "CPU at capacity (machine 100 %; 2 gunicorn workers at 55 % each)") {
		t.Fatalf("knee %+v", k)
	}
	// Workers that get a fifth of a core and wait for the rest are CPU-bound,
	// though their CPU % alone reads as idle.
	pts := loadSeries(cpuRamp)
	for i := range pts {
		for j := range pts[i].Snap.Procs {
			pts[i].Snap.Procs[j].CPU = min(pts[i].Snap.Procs[j].CPU, 21)
		}
		pts[i].Snap.LoadTest.WorkersCPUWait = 70
	}
	k = FindKnee(pts, 300*time.Millisecond, 1).Knee
	if k == nil || k.Bottleneck != "cpu" || !strings.Contains(k.Sentence, "2 gunicorn workers on it 21 %, waiting for it 70 %") {
		t.Fatalf("knee %+v", k)
	}
}

func TestOnlyTheLoadedAppServerCounts(t *testing.T) {
	pts := loadSeries(cpuRamp)
	for i := range pts {
		s := &pts[i].Snap
		s.LoadTest.URL = "http://127.0.0.1:8000/cpu/"
		s.Procs[0].Cmd += " --bind 127.0.0.1:8000"
		// Another, idle lab on port 9000.
		s.Procs = append(s.Procs,
			sampler.Process{PID: 20, PPID: 1, Name: "gunicorn", Cmd: "/usr/bin/gunicorn lab.wsgi --bind 127.0.0.1:9000"},
			sampler.Process{PID: 21, PPID: 20, Name: "gunicorn", Cmd: "/usr/bin/gunicorn lab.wsgi --bind 127.0.0.1:9000"},
			sampler.Process{PID: 22, PPID: 20, Name: "gunicorn", Cmd: "/usr/bin/gunicorn lab.wsgi --bind 127.0.0.1:9000"})
		pts[i].Advice = Advise([]sampler.Snapshot{*s}, DefaultRules())
	}
	k := FindKnee(pts, 300*time.Millisecond, 1).Knee
	if k == nil || !strings.Contains(k.Sentence, "CPU at capacity (2 gunicorn workers, 100 %)") {
		t.Fatalf("the idle app server on another port was counted: %+v", k)
	}
}

func TestOtherResourcesFromFindings(t *testing.T) {
	for _, c := range []struct {
		metric string
		want   string
	}{
		{"memory", "memory"}, {"psi:io", "disk"}, {"io:sda", "disk"}, {"iowait", "disk"}, {"db:connections", "db:connections"},
		{"pgbouncer:waiting", "db:connections"}, {"cache:redis", "cache"}, {"oom", "memory"}, {"service:web.service:memory", "memory"},
	} {
		pts := loadSeries(slowRamp)
		for i := range pts {
			pts[i].Advice.Findings = append(pts[i].Advice.Findings, Finding{Metric: c.metric, Now: 95, Unit: Percent, NowLevel: Scale})
		}
		k := FindKnee(pts, 300*time.Millisecond, 1).Knee
		if k == nil || k.Bottleneck != c.want {
			t.Errorf("%s: %+v, want %s", c.metric, k, c.want)
		}
	}
	if r, ok := resourceOf("db:slow"); ok {
		t.Errorf("db:slow (slow statements) read as %s: it is no exhausted resource", r)
	}
}

func TestNoKneeFarBelowCapacity(t *testing.T) {
	steady := []loadRow{{10, 10, 30, 100, 1, 20, 15}, {10, 10, 32, 100, 1, 20, 15}, {10, 10, 900, 100, 1, 20, 15}, {10, 10, 31, 100, 1, 20, 15}}
	v := FindKnee(loadSeries(steady), 300*time.Millisecond, 1)
	if !v.Held || v.Knee != nil {
		t.Fatalf("one slow second is noise, not a knee: %+v", v)
	}
	if v.Summary != "SLA held at the highest rate tried: about 10 req/s, p95 31 ms" {
		t.Errorf("summary %q", v.Summary)
	}
}

func TestErrorsBreakTheSLA(t *testing.T) {
	rows := []loadRow{{10, 10, 30, 100, 1, 20, 15}, {20, 20, 30, 100, 1, 20, 15}, {30, 30, 40, 97, 2, 20, 15}, {40, 40, 40, 90, 2, 20, 15}}
	k := FindKnee(loadSeries(rows), 300*time.Millisecond, 1).Knee
	if k == nil || k.RPS != 20 {
		t.Fatalf("errors over 1 %% must end the good rates: %+v", k)
	}
}

// Fast answers with too many failures (a target that refuses half the
// requests): the failures broke the SLA, not a resource, and the CPU a
// window remembers from before the load is not named.
func TestFastFailuresAreTheBreak(t *testing.T) {
	rows := []loadRow{{10, 10, 30, 100, 1, 5, 97}, {10, 10, 30, 100, 1, 5, 97}, {10, 10, 30, 100, 1, 5, 97}}
	for range 4 {
		rows = append(rows, loadRow{10, 10, 20, 50, 1, 5, 7})
	}
	pts := loadSeries(rows)
	for i := range pts {
		pts[i].Snap.LoadTest.Errors = map[string]int{"refused": 5}
		pts[i].Advice.Findings = append(pts[i].Advice.Findings, Finding{Metric: KeyCPU, Now: 7, Level: Optimize, NowLevel: Monitor})
	}
	k := FindKnee(pts, 300*time.Millisecond, 1).Knee
	if k == nil || k.Bottleneck != "errors" || !strings.Contains(k.Sentence, "50 % of requests failed within the SLA's time (refused") || strings.Contains(k.Sentence, "CPU at capacity") {
		t.Fatalf("%+v", k)
	}
	// Sustained from before, at 7 % now: the CPU is no bottleneck of a slow
	// run either.
	for i := range pts {
		pts[i].Snap.LoadTest.P95, pts[i].Snap.LoadTest.SuccessPct = 900, 100
		pts[i].Snap.Procs, pts[i].Advice.Apps = nil, nil // no workers to clear the CPU
	}
	if k := FindKnee(pts[3:], 300*time.Millisecond, 1).Knee; k == nil || k.Bottleneck == "cpu" || strings.Contains(k.Sentence, "CPU at capacity") {
		t.Errorf("%+v", k)
	}
}

func TestBrokenFromTheStart(t *testing.T) {
	rows := []loadRow{{10, 10, 800, 100, 4, 3, 5}, {20, 10, 900, 100, 8, 3, 5}}
	k := FindKnee(loadSeries(rows), 300*time.Millisecond, 1).Knee
	if k == nil || k.RPS != 0 || !strings.HasPrefix(k.Sentence, "below the lowest rate tried;") {
		t.Fatalf("%+v", k)
	}
}

func TestTooFewRequestsIsNoKnee(t *testing.T) {
	pts := loadSeries([]loadRow{{2, 2, 900, 100, 1, 5, 5}, {2, 2, 900, 100, 1, 5, 5}})
	v := FindKnee(pts, 300*time.Millisecond, 1)
	if v.Knee != nil || v.Held || !v.Unjudged || !strings.HasPrefix(v.Summary, "too few requests to judge") {
		t.Fatalf("%+v; want unjudged, neither held nor a knee", v)
	}
}

// A run whose last interval broke the SLA did not hold, though no second
// interval confirms it: the knee is the last good one before.
func TestEndingBrokenIsAKnee(t *testing.T) {
	rows := []loadRow{{10, 10, 100, 100, 2, 20, 20}, {20, 20, 120, 100, 4, 40, 40}, {30, 25, 3000, 100, 30, 90, 90}}
	v := FindKnee(loadSeries(rows), 300*time.Millisecond, 1)
	if v.Held || v.Knee == nil || v.Knee.RPS != 20 || v.Knee.BeyondP95 != 3000 {
		t.Fatalf("%+v (knee %+v); want a knee at 20 req/s, 3 s beyond", v, v.Knee)
	}
}

func TestInstances(t *testing.T) {
	for _, c := range []struct {
		hosts        int
		target, knee float64
		want         int
	}{
		{1, 100, 38, 4}, {1, 10, 38, 2}, {2, 100, 50, 5}, {1, 100, 0, 0},
	} {
		if got := Instances(c.hosts, c.target, c.knee); got != c.want {
			t.Errorf("Instances(%d, %v, %v) = %d, want %d", c.hosts, c.target, c.knee, got, c.want)
		}
	}
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A run whose every request was refused (nothing listens) is unjudged and
// says so, never a knee "below the lowest rate"; timeouts do count: an app
// that stops answering under load has a knee.
func TestRefusedIsNotAKnee(t *testing.T) {
	pts := loadSeries([]loadRow{{10, 10, 1, 0, 1, 5, 5}, {10, 10, 1, 0, 1, 5, 5}})
	for i := range pts {
		pts[i].Snap.LoadTest.Errors = map[string]int{"refused": pts[i].Snap.LoadTest.Requests}
	}
	v := FindKnee(pts, 300*time.Millisecond, 1)
	if v.Knee != nil || v.Held || !v.Unjudged || v.Summary != "nothing answered: none of the 20 requests got an HTTP answer (refused 20); is the app listening and serving there?" {
		t.Fatalf("%+v; want unjudged, all refused", v)
	}
	// An app that accepts and never answers: all timed out, no knee either.
	for i := range pts {
		pts[i].Snap.LoadTest.Errors = map[string]int{"timeout": pts[i].Snap.LoadTest.Requests}
	}
	if v := FindKnee(pts, 300*time.Millisecond, 1); v.Knee != nil || !v.Unjudged || !strings.Contains(v.Summary, "(timeout 20)") {
		t.Fatalf("%+v; every request timed out: unjudged", v)
	}
	// Answers at first, then timeouts: the app answered and then could not.
	pts[0].Snap.LoadTest.Errors = nil
	if v := FindKnee(pts, 300*time.Millisecond, 1); v.Unjudged {
		t.Fatalf("%+v; answered, then timed out: judged", v)
	}
}
