package advisor

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/apps"
)

// LoadPoint is one interval of a load test with the advice of that moment.
type LoadPoint struct {
	Snap   sampler.Snapshot
	Advice Advice
}

// Knee is where a load test broke: the highest rate that kept the SLA,
// the rate throughput stopped rising at, and what ran out.
type Knee struct {
	// RPS is the highest achieved rate with p95 under the SLA and errors
	// under the error rate, before the SLA broke for good; 0 when even
	// the first rate tried broke it.
	RPS   float64 `json:"rps"`
	P95   float64 `json:"p95_ms"`
	Users int     `json:"users"`
	// PlateauRPS is the rate at which throughput stopped rising (0: it kept rising).
	PlateauRPS float64 `json:"plateau_rps,omitempty"`
	// BeyondP95 is the worst p95 past the knee.
	BeyondP95 float64 `json:"beyond_p95_ms"`
	// Bottleneck is cpu, memory, queue, db:connections, cache, disk or unknown.
	Bottleneck string `json:"bottleneck"`
	// Findings are the advisor's findings above MONITOR when the SLA broke.
	Findings []string `json:"findings"`
	Sentence string   `json:"-"`
}

// LoadVerdict is the outcome of a load test.
type LoadVerdict struct {
	Knee *Knee `json:"knee"`
	// Held: the SLA held at the highest rate tried.
	Held bool `json:"held"`
	// Unjudged: no interval had enough answered requests to judge (a
	// server that never answers); neither held nor broken.
	Unjudged bool `json:"unjudged,omitempty"`
	// MaxRPS is the highest achieved rate of the run; MaxP95 the p95 then.
	MaxRPS  float64 `json:"max_rps"`
	Summary string  `json:"summary"`
}

// minRequests is the fewest requests an interval needs to count: a p95
// of two requests says nothing.
const minRequests = 3

// answered counts an interval's requests that reached the app: all but
// the refused and those that failed before a connection ("other": a name
// that does not resolve). A refused request says nothing of the app's
// capacity (nothing listens), and a run of nothing else must not read as
// a knee; a timeout or a reset is the app's answer under load, and counts.
func answered(l *sampler.LoadStats) int {
	return l.Requests - l.Errors["refused"] - l.Errors["other"]
}

// FindKnee reads a load test's intervals (oldest first). The SLA counts as
// broken at the first of two intervals in a row over it (one slow second
// is noise, two is a trend); the knee is the best interval before that.
// The bottleneck is named from the findings of the two broken intervals.
func FindKnee(points []LoadPoint, sla time.Duration, errorRate float64) LoadVerdict {
	var pts []LoadPoint
	for _, p := range points {
		if p.Snap.LoadTest != nil && answered(p.Snap.LoadTest) >= minRequests {
			pts = append(pts, p)
		}
	}
	// Not one HTTP answer in the whole run (refused, timed out, reset): the
	// app is not there or never answers, and there is no capacity to read.
	var sent, http int
	for _, p := range points {
		if l := p.Snap.LoadTest; l != nil {
			sent += l.Requests
			http += l.Requests - l.Errors["refused"] - l.Errors["timeout"] - l.Errors["reset"] - l.Errors["other"]
		}
	}
	if sent > 0 && http == 0 {
		v := LoadVerdict{Unjudged: true}
		v.Summary = fmt.Sprintf("nothing answered: none of the %d requests got an HTTP answer (%s); is the app listening and serving there?", sent, errorKinds(points))
		return v
	}
	slaMS := float64(sla.Milliseconds())
	good := func(l *sampler.LoadStats) bool { return l.P95 <= slaMS && 100-l.SuccessPct < errorRate }
	var v LoadVerdict
	best := -1
	for _, p := range pts {
		v.MaxRPS = math.Max(v.MaxRPS, p.Snap.LoadTest.RPS)
	}
	breach := -1
	for i := 0; i+1 < len(pts); i++ {
		if !good(pts[i].Snap.LoadTest) && !good(pts[i+1].Snap.LoadTest) {
			breach = i
			break
		}
	}
	if len(pts) == 0 {
		// Nothing to judge is no knee, and nothing held either.
		v.Unjudged = true
		v.Summary = fmt.Sprintf("too few requests to judge: fewer than %d answered in every interval", minRequests)
		return v
	}
	// A run that ends broken broke, even without a second interval to
	// confirm it: the SLA did not hold at the highest rate tried.
	if breach < 0 && !good(pts[len(pts)-1].Snap.LoadTest) {
		breach = len(pts) - 1
	}
	if breach < 0 {
		v.Held = true
		last := pts[len(pts)-1].Snap.LoadTest
		v.Summary = fmt.Sprintf("SLA held at the highest rate tried: about %s req/s, p95 %s", num(v.MaxRPS), msText(last.P95))
		return v
	}
	for i := 0; i < breach; i++ {
		if l := pts[i].Snap.LoadTest; good(l) && (best < 0 || l.RPS > pts[best].Snap.LoadTest.RPS) {
			best = i
		}
	}
	k := &Knee{Findings: []string{}}
	if best >= 0 {
		l := pts[best].Snap.LoadTest
		k.RPS, k.P95, k.Users = l.RPS, l.P95, l.Users
	}
	for _, p := range pts[breach:] {
		k.BeyondP95 = math.Max(k.BeyondP95, p.Snap.LoadTest.P95)
	}
	k.PlateauRPS = plateau(pts)
	at := pts[breach:min(breach+2, len(pts))]
	var phrase, advice string
	if failedFast(at, slaMS) {
		// Fast answers, but too many failures: what broke is the answers,
		// not a resource (a target that refuses, a handler that 5xxes).
		var failed float64
		for _, p := range at {
			failed = math.Max(failed, 100-p.Snap.LoadTest.SuccessPct)
		}
		k.Bottleneck = "errors"
		phrase = fmt.Sprintf("%s of requests failed within the SLA's time (%s)", pctText(failed), errorKinds(at))
		advice = "no — failures are not a capacity limit: fix them first"
	} else {
		k.Bottleneck, phrase, advice = bottleneck(at)
	}
	for _, f := range at[len(at)-1].Advice.Findings {
		if f.NowLevel > Monitor || f.Level > Monitor {
			k.Findings = append(k.Findings, fmt.Sprintf("%s %s %s", f.Metric, valueText(f), max(f.Level, f.NowLevel)))
		}
	}
	rate := "below the lowest rate tried"
	if best >= 0 {
		rate = fmt.Sprintf("about %s req/s", num(k.RPS))
		if pts[best].Snap.LoadTest.TargetRPS == 0 { // closed loop: the users are what was set
			rate += fmt.Sprintf(" at %d %s", k.Users, plural(k.Users, "user", "users"))
		}
	}
	k.Sentence = fmt.Sprintf("%s; %s; p95 %s beyond; add workers: %s", rate, phrase, msText(k.BeyondP95), advice)
	v.Knee, v.Summary = k, k.Sentence
	return v
}

// failedFast says the breaking intervals broke on errors alone: their p95
// was within the SLA.
func failedFast(at []LoadPoint, slaMS float64) bool {
	for _, p := range at {
		if p.Snap.LoadTest.P95 > slaMS {
			return false
		}
	}
	return true
}

// pctText is "12 %", or "0.4 %" under 1.
func pctText(v float64) string {
	if v < 1 {
		return fmt.Sprintf("%.1f %%", v)
	}
	return fmt.Sprintf("%.0f %%", v)
}

// plateau is the achieved rate once the load fell behind its target by
// more than 15 % (open loop), or stopped rising while users grew (closed
// loop); 0 when throughput kept up.
func plateau(pts []LoadPoint) float64 {
	peak := 0.0
	for _, p := range pts {
		l := p.Snap.LoadTest
		peak = math.Max(peak, l.RPS)
		if l.TargetRPS > 0 && l.RPS < 0.85*l.TargetRPS {
			return peak
		}
	}
	return 0
}

// bottleneckKeys map finding keys to the resource they measure; the
// first resource in bottleneckOrder with a finding above MONITOR is named.
var bottleneckKeys = map[string]string{
	"cpu": "cpu", "psi:cpu": "cpu",
	"memory": "memory", "swap": "memory", "psi:memory": "memory", "oom": "memory",
	"db:connections": "db:connections", "pgbouncer": "db:connections",
	"cache":  "cache",
	"iowait": "disk", "io": "disk", "psi:io": "disk",
	"queue": "queue",
}

// resourceOf maps a finding to the resource it measures: by its whole
// name ("db:connections", "psi:io"), else by its key ("cache:redis" →
// cache, "io:sda" → disk); a systemd service's finding names its resource
// last ("service:web.service:memory").
func resourceOf(metric string) (string, bool) {
	if r, ok := bottleneckKeys[metric]; ok {
		return r, true
	}
	key, inst := SplitMetric(metric)
	if key == "service" {
		r, ok := bottleneckKeys[inst[strings.LastIndex(inst, ":")+1:]]
		return r, ok
	}
	r, ok := bottleneckKeys[key]
	return r, ok
}

// bottleneckOrder: a queue is also what a saturated CPU or pool looks
// like from outside, so it is named only when nothing behind it ran out.
var bottleneckOrder = []string{"cpu", "memory", "db:connections", "cache", "disk", "queue"}

// busyLine is how busy (% of one core each) app-server workers must be to
// count as CPU-bound: sync workers that compute sit near 100 %.
const busyLine = 80

// bottleneck names what ran out at the breaking point, with the phrase and
// the worker advice for the sentence.
func bottleneck(at []LoadPoint) (name, phrase, advice string) {
	found := map[string]Finding{}
	var busy float64
	var running int
	var server string
	for _, p := range at {
		for _, f := range p.Advice.Findings {
			// At its line at the breaking point: a level the window kept
			// from before the load is not what broke it.
			res, ok := resourceOf(f.Metric)
			if ok && f.NowLevel > Monitor {
				if old, seen := found[res]; !seen || f.Now > old.Now {
					found[res] = f
				}
			}
		}
		w, s, _ := workersOf(p.Snap.Procs, servingApps(p.Snap, p.Advice.Apps))
		if len(w) > 0 {
			sum := 0.0
			for _, pr := range w {
				sum += pr.CPU
			}
			busy += sum / float64(len(w)) / float64(len(at))
			running, server = len(w), s
		}
	}
	cpu, wait := 0.0, 0.0
	for _, p := range at {
		cpu += p.Snap.CPU.Percent / float64(len(at))
		wait += p.Snap.LoadTest.WorkersCPUWait / float64(len(at))
	}
	// A worker wants the CPU while it runs and while it waits on a run
	// queue; on a shared machine the second can be most of it.
	switch want := busy + wait; {
	case running > 0 && want >= busyLine:
		found["cpu"] = Finding{Metric: KeyCPU, Now: want}
	case running > 0 && want < busyLine/2:
		// The machine's CPU may be full, but not with the app's work: its
		// workers are off the CPU, waiting. That is not the app's bottleneck.
		delete(found, "cpu")
	}
	workers := fmt.Sprintf("%d %s workers", running, server)
	if running == 1 {
		workers = fmt.Sprintf("1 %s worker", server)
	}
	for _, res := range bottleneckOrder {
		f, ok := found[res]
		if !ok {
			continue
		}
		switch res {
		case "cpu":
			if running > 0 && busy >= busyLine {
				return res, fmt.Sprintf("CPU at capacity (%s, %.0f %%)", workers, math.Min(100, busy)), "no (CPU-bound) — scale out or optimize the hot path"
			}
			if running > 0 && wait > 0 {
				return res, fmt.Sprintf("CPU at capacity (machine %.0f %%; %s on it %.0f %%, waiting for it %.0f %%)", cpu, workers, busy, wait), "no (CPU-bound) — scale out or optimize the hot path"
			}
			if running > 0 {
				return res, fmt.Sprintf("CPU at capacity (machine %.0f %%; %s at %.0f %% each)", cpu, workers, busy), "no (CPU-bound) — scale out or optimize the hot path"
			}
			return res, fmt.Sprintf("CPU at capacity (%.0f %%)", cpu), "no (CPU-bound) — scale out or optimize the hot path"
		case "memory":
			return res, fmt.Sprintf("memory at capacity (%s %s)", f.Metric, valueText(f)), "no (memory-bound) — fewer or lighter workers, or more memory"
		case "db:connections":
			return res, fmt.Sprintf("database connections exhausted (%s %s)", f.Metric, valueText(f)), "no (they would wait on the same pool) — raise the pool or cut queries"
		case "cache":
			return res, fmt.Sprintf("cache struggling (%s %s)", f.Metric, valueText(f)), "no — fix the cache first (hit rate, memory, evictions)"
		case "disk":
			return res, fmt.Sprintf("disk I/O at capacity (%s %s)", f.Metric, valueText(f)), "no (I/O-bound) — faster storage or less I/O"
		}
		return queuePhrase(running, workers, cpu, busy)
	}
	// No finding names a resource: slow answers with idle workers on the
	// CPU mean the workers wait (on I/O, a lock, a remote call) and the
	// requests queue behind them.
	if running > 0 && busy+wait < busyLine/2 {
		return queuePhrase(running, workers, cpu, busy)
	}
	return "unknown", fmt.Sprintf("no resource of this machine at capacity (CPU %.0f %%)", cpu), "unclear — look at what the app waits on"
}

func queuePhrase(running int, workers string, cpu, busy float64) (string, string, string) {
	if running == 0 {
		return "queue", fmt.Sprintf("requests queue for the app (CPU %.0f %%)", cpu), "yes (the app waits, the CPU has room) — more workers or threads, up to what memory allows"
	}
	return "queue", fmt.Sprintf("requests queue for %s (waiting on I/O, %.0f %% CPU each)", workers, busy), "yes (they wait on I/O, the CPU has room) — more workers or threads, up to what memory allows"
}

// valueText is a finding's latest value with its unit.
func valueText(f Finding) string {
	switch f.Unit {
	case Percent:
		return fmt.Sprintf("%s %%", num(f.Now))
	case Millis:
		return msText(f.Now)
	}
	return num(f.Now)
}

// msText writes a latency the way people say it: "850 ms", "1.5 s".
func msText(ms float64) string {
	if ms >= 1000 {
		return strings.TrimSuffix(fmt.Sprintf("%.1f", ms/1000), ".0") + " s"
	}
	return fmt.Sprintf("%.0f ms", ms)
}

// num writes a rate without needless decimals: 38, 4.5.
func num(v float64) string {
	if v >= 10 || v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// Instances is the guide's instance count for a target rate: enough hosts
// of the knee's capacity for target, one spare, never fewer than two.
func Instances(hosts int, target, knee float64) int {
	if knee <= 0 {
		return 0
	}
	return max(int(math.Ceil(float64(hosts)*target/knee))+1, 2)
}

// servingApps are the app servers the load reaches (apps.Serving).
func servingApps(s sampler.Snapshot, found []apps.App) []apps.App {
	if s.LoadTest == nil {
		return found
	}
	return apps.Serving(s.Procs, found, s.LoadTest.URL)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// errorKinds sums a run's failures by kind: "refused 12, timeout 3".
func errorKinds(points []LoadPoint) string {
	n := map[string]int{}
	for _, p := range points {
		if l := p.Snap.LoadTest; l != nil {
			for k, c := range l.Errors {
				n[k] += c
			}
		}
	}
	return errorsText(n)
}
