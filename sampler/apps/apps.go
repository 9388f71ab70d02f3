package apps

import (
	"math"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// App is one running application server or service, seen as a family of
// processes: a master and its workers.
type App struct {
	Kind      string `json:"kind"` // gunicorn, uwsgi, uvicorn, daphne, celery, celery-beat, postgres, redis, nginx, memcached
	MasterPID int32  `json:"master_pid"`
	// Workers counts the processes doing the work: gunicorn/uwsgi/nginx
	// workers, celery pool processes, postgres client backends. A
	// single-process server (redis, memcached, uvicorn without --workers)
	// is its own worker.
	Workers      int     `json:"workers"`
	CPU          float64 `json:"cpu"` // % of one core, master and workers together
	RSSMiB       float64 `json:"rss_mib"`
	PSSMedianMiB float64 `json:"pss_median_mib"` // median PSS per worker; 0 when unreadable
	// Churn5m counts workers that went away in the last 5 minutes while the
	// master stayed: timeouts, crashes or max_requests recycling.
	Churn5m int `json:"churn_5m"`
	// States counts postgres client backends by state (active, idle, idle in transaction).
	States map[string]int `json:"states,omitempty"`
	// WorkerPIDs are the current workers (not in JSON output).
	WorkerPIDs []int32 `json:"-"`
}

// Family names the application a process belongs to ("" for none), from
// its name, command line, and (for the title-setting servers) its title.
func Family(p sampler.Process) string { return FamilyOf(p.Name, p.Cmd) }

func FamilyOf(name, cmd string) string {
	if k := AppServerKind(name, cmd); k != "" {
		return k
	}
	switch {
	case name == "postgres" || strings.HasPrefix(cmd, "postgres:") || strings.HasSuffix(firstWord(cmd), "/postgres"):
		return "postgres"
	case name == "redis-server" || strings.HasPrefix(filepath.Base(firstWord(cmd)), "redis-server"):
		return "redis"
	case name == "nginx" || strings.HasPrefix(cmd, "nginx:"):
		return "nginx"
	case name == "memcached":
		return "memcached"
	case strings.Contains(cmd, "celery") && isCelery(cmd):
		if strings.Contains(cmd, " beat") {
			return "celery-beat"
		}
		return "celery"
	}
	return ""
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	return w
}

// isCelery: "celery -A proj worker", "python -m celery worker", "[celeryd: …]".
func isCelery(cmd string) bool {
	for i, f := range strings.Fields(cmd) {
		if i > 3 {
			break
		}
		b := filepath.Base(f)
		if b == "celery" || strings.HasPrefix(b, "[celeryd") || strings.HasPrefix(b, "celeryd") {
			return true
		}
	}
	return false
}

// postgresState reads a backend's state from its process title
// ("postgres: 15/main: app shop 127.0.0.1(5432) idle in transaction");
// "" for the server's own processes (checkpointer, walwriter, …).
func postgresState(cmd string) string {
	switch {
	case strings.HasSuffix(cmd, " idle in transaction (aborted)"), strings.HasSuffix(cmd, " idle in transaction"):
		return "idle in transaction"
	case strings.HasSuffix(cmd, " idle"):
		return "idle"
	}
	// A client backend names user, database and client ("host(port)" or
	// "[local]") before its command tag.
	if strings.Contains(cmd, "[local]") || strings.Contains(cmd, ")") && strings.Contains(cmd, "(") {
		return "active"
	}
	return ""
}

// Apps groups a snapshot's processes into application families.
func Apps(procs []sampler.Process) []App {
	return AppsOver([]sampler.Snapshot{{Procs: procs}})
}

// AppsOver groups the newest snapshot's processes into families, and
// counts each family's churn over the last 5 minutes of snaps (oldest first).
func AppsOver(snaps []sampler.Snapshot) []App {
	if len(snaps) == 0 {
		return nil
	}
	last := snaps[len(snaps)-1]
	fam := make(map[int32]string, len(last.Procs))
	for _, p := range last.Procs {
		if f := Family(p); f != "" {
			fam[p.PID] = f
		}
	}
	// A master is a family member whose parent is not of its family.
	byMaster := map[int32]*App{}
	var order []int32
	for _, p := range last.Procs {
		f := fam[p.PID]
		if f == "" || fam[p.PPID] == f {
			continue
		}
		byMaster[p.PID] = &App{Kind: f, MasterPID: p.PID}
		order = append(order, p.PID)
	}
	// Each member belongs to the nearest master above it.
	parent := make(map[int32]int32, len(last.Procs))
	for _, p := range last.Procs {
		parent[p.PID] = p.PPID
	}
	masterOf := func(pid int32) int32 {
		for i := 0; i < 8 && pid > 0; i++ {
			if _, ok := byMaster[pid]; ok {
				return pid
			}
			pid = parent[pid]
		}
		return 0
	}
	pss := map[int32][]float64{}
	for _, p := range last.Procs {
		f := fam[p.PID]
		if f == "" {
			continue
		}
		a := byMaster[masterOf(p.PID)]
		if a == nil {
			continue
		}
		a.CPU += p.CPU
		a.RSSMiB += float64(p.RSS) / (1 << 20)
		if p.PID == a.MasterPID {
			continue
		}
		if f == "postgres" {
			st := postgresState(p.Cmd)
			if st == "" {
				continue // a server process, not a client backend
			}
			if a.States == nil {
				a.States = map[string]int{}
			}
			a.States[st]++
		}
		a.Workers++
		a.WorkerPIDs = append(a.WorkerPIDs, p.PID)
		if p.PSS > 0 {
			pss[a.MasterPID] = append(pss[a.MasterPID], float64(p.PSS)/(1<<20))
		}
	}
	out := make([]App, 0, len(order))
	for _, pid := range order {
		a := byMaster[pid]
		if a.Workers == 0 && a.Kind != "postgres" {
			// A single-process server does its own work.
			a.Workers = 1
			for _, p := range last.Procs {
				if p.PID == pid && p.PSS > 0 {
					pss[pid] = append(pss[pid], float64(p.PSS)/(1<<20))
				}
			}
		}
		if v := pss[pid]; len(v) > 0 {
			a.PSSMedianMiB = math.Round(sampler.Median(v)*10) / 10
		}
		a.CPU = math.Round(a.CPU*10) / 10
		a.RSSMiB = math.Round(a.RSSMiB*10) / 10
		a.Churn5m = churn(snaps, a)
		out = append(out, *a)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].MasterPID < out[j].MasterPID
	})
	return out
}

// ChurnWindow is how far back worker churn is counted.
const ChurnWindow = 5 * time.Minute

// churn counts the master's children that were seen in the last
// ChurnWindow and are gone now (told apart by pid and start time).
func churn(snaps []sampler.Snapshot, a *App) int {
	if len(snaps) < 2 {
		return 0 // nothing seen before: no index of the living needed
	}
	if a.Kind == "postgres" {
		return 0 // backends come and go with client connections
	}
	// This runs every sample over the whole window (300 snapshots of up to
	// 50 processes): the snapshots and processes are read in place, not
	// copied, and the living are looked up only for the master's children.
	last := &snaps[len(snaps)-1]
	alive := map[[2]uint64]bool{}
	for i := range last.Procs {
		p := &last.Procs[i]
		alive[[2]uint64{uint64(p.PID), p.Start}] = true
	}
	gone := map[[2]uint64]bool{}
	for i := len(snaps) - 2; i >= 0; i-- {
		s := &snaps[i]
		if last.Time.Sub(s.Time) > ChurnWindow {
			break
		}
		masterSeen := false
		for j := range s.Procs {
			if s.Procs[j].PID == a.MasterPID {
				masterSeen = true
				break
			}
		}
		if !masterSeen {
			continue
		}
		for j := range s.Procs {
			p := &s.Procs[j]
			if p.PPID != a.MasterPID || p.PID == a.MasterPID {
				continue
			}
			k := [2]uint64{uint64(p.PID), p.Start}
			if !alive[k] && !gone[k] && Family(*p) == a.Kind {
				gone[k] = true
			}
		}
	}
	return len(gone)
}
