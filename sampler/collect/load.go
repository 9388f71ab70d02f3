package collect

import (
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/apps"
	"github.com/headroom-dev/headroom/sampler/load"
)

// Load puts a running load test's interval into each snapshot, so the
// screen, the advisor's moment, recordings and reports all see the load
// beside the machine. It also measures how long the loaded app's workers
// waited for a CPU: a worker that is runnable but not running looks idle
// by its CPU % alone, and on a busy machine that hides a CPU bottleneck.
type Load struct {
	Run *load.Run
	// Proc is /proc (a test's fake tree elsewhere).
	Proc string
	// waits are each worker's run-queue delay (ns) at the last sample.
	waits map[int32]uint64
	last  time.Time
}

// NewLoad collects run's intervals.
func NewLoad(run *load.Run) *Load { return &Load{Run: run, Proc: "/proc", waits: map[int32]uint64{}} }

// Name is "load".
func (*Load) Name() string { return "load" }

// Collect takes the interval since the previous snapshot (never blocks:
// one small /proc file per worker).
func (l *Load) Collect(s *sampler.Snapshot) {
	now := s.Time
	if now.IsZero() {
		now = time.Now()
	}
	in := sampler.LoadStats(l.Run.Take(now))
	in.WorkersCPUWait = l.cpuWait(s, in.URL, now)
	s.LoadTest = &in
}

// cpuWait is the mean share (%) of the interval the serving workers spent
// waiting on a run queue, from /proc/PID/schedstat's second field; 0 on
// the first sample or where the kernel has no schedstat.
func (l *Load) cpuWait(s *sampler.Snapshot, url string, now time.Time) float64 {
	var pids []int32
	for _, a := range apps.Serving(s.Procs, apps.Apps(s.Procs), url) {
		if apps.IsAppServer(a.Kind) {
			pids = append(pids, a.WorkerPIDs...)
		}
	}
	span := now.Sub(l.last)
	l.last = now
	seen := make(map[int32]uint64, len(pids))
	var sum float64
	n := 0
	for _, pid := range pids {
		b, err := os.ReadFile(l.Proc + "/" + strconv.Itoa(int(pid)) + "/schedstat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(b))
		if len(f) < 2 {
			continue
		}
		w, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil {
			continue
		}
		seen[pid] = w
		if old, ok := l.waits[pid]; ok && w >= old && span > 0 {
			sum += float64(w-old) / float64(span.Nanoseconds()) * 100
			n++
		}
	}
	l.waits = seen
	if n == 0 {
		return 0
	}
	return float64(int(sum/float64(n)*10+0.5)) / 10
}

// Close stops the load.
func (l *Load) Close() error {
	l.Run.Stop()
	return nil
}
