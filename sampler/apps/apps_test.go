package apps

import (
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

const mib = 1 << 20

func fleet() []sampler.Process {
	return []sampler.Process{
		{PID: 1, PPID: 0, Name: "systemd", Cmd: "/sbin/init"},
		{PID: 812, PPID: 1, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi -w 3", CPU: 0.5, RSS: 60 * mib, PSS: 30 * mib, Start: 100},
		{PID: 813, PPID: 812, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi -w 3", CPU: 20, RSS: 50 * mib, PSS: 40 * mib, Start: 110},
		{PID: 814, PPID: 812, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi -w 3", CPU: 15, RSS: 50 * mib, PSS: 42 * mib, Start: 110},
		{PID: 815, PPID: 812, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi -w 3", CPU: 6, RSS: 50 * mib, PSS: 38 * mib, Start: 110},
		{PID: 900, PPID: 1, Name: "postgres", Cmd: "/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main", RSS: 30 * mib},
		{PID: 901, PPID: 900, Name: "postgres", Cmd: "postgres: 15/main: checkpointer", RSS: 10 * mib},
		{PID: 902, PPID: 900, Name: "postgres", Cmd: "postgres: 15/main: app shop 127.0.0.1(51234) idle", RSS: 12 * mib},
		{PID: 903, PPID: 900, Name: "postgres", Cmd: "postgres: 15/main: app shop 127.0.0.1(51236) idle in transaction", RSS: 12 * mib},
		{PID: 904, PPID: 900, Name: "postgres", Cmd: "postgres: 15/main: app shop [local] SELECT", CPU: 40, RSS: 14 * mib},
		{PID: 950, PPID: 1, Name: "redis-server", Cmd: "/usr/bin/redis-server 127.0.0.1:6379", CPU: 1, RSS: 8 * mib, PSS: 7 * mib},
		{PID: 960, PPID: 1, Name: "nginx", Cmd: "nginx: master process /usr/sbin/nginx -g daemon on; master_process on;", RSS: 2 * mib},
		{PID: 961, PPID: 960, Name: "nginx", Cmd: "nginx: worker process", RSS: 4 * mib},
		{PID: 962, PPID: 960, Name: "nginx", Cmd: "nginx: worker process", RSS: 4 * mib},
		{PID: 970, PPID: 1, Name: "celery", Cmd: "/usr/bin/python3 /usr/local/bin/celery -A proj worker -c 2", RSS: 80 * mib},
		{PID: 971, PPID: 970, Name: "celery", Cmd: "/usr/bin/python3 /usr/local/bin/celery -A proj worker -c 2", RSS: 70 * mib},
		{PID: 972, PPID: 970, Name: "celery", Cmd: "/usr/bin/python3 /usr/local/bin/celery -A proj worker -c 2", RSS: 70 * mib},
		{PID: 975, PPID: 1, Name: "celery", Cmd: "/usr/bin/python3 /usr/local/bin/celery -A proj beat", RSS: 60 * mib},
		{PID: 980, PPID: 1, Name: "memcached", Cmd: "/usr/bin/memcached -m 64 -p 11211", RSS: 3 * mib},
		{PID: 990, PPID: 1, Name: "python3", Cmd: "/usr/bin/python3 -m uvicorn app:app --port 8001", CPU: 3, RSS: 40 * mib},
		{PID: 995, PPID: 1, Name: "vim", Cmd: "vim gunicorn.conf.py"},
	}
}

func TestApps(t *testing.T) {
	apps := Apps(fleet())
	got := map[string]App{}
	for _, a := range apps {
		got[a.Kind] = a
	}
	want := []struct {
		kind    string
		master  int32
		workers int
	}{
		{"gunicorn", 812, 3}, {"postgres", 900, 3}, {"redis", 950, 1}, {"nginx", 960, 2},
		{"celery", 970, 2}, {"celery-beat", 975, 1}, {"memcached", 980, 1}, {"uvicorn", 990, 1},
	}
	if len(apps) != len(want) {
		t.Errorf("%d apps, want %d: %+v", len(apps), len(want), apps)
	}
	for _, w := range want {
		a, ok := got[w.kind]
		if !ok || a.MasterPID != w.master || a.Workers != w.workers {
			t.Errorf("%s: %+v, want master %d with %d workers", w.kind, a, w.master, w.workers)
		}
	}
	g := got["gunicorn"]
	if g.CPU != 41.5 || g.RSSMiB != 210 || g.PSSMedianMiB != 40 {
		t.Errorf("gunicorn sums: cpu %v rss %v pss median %v", g.CPU, g.RSSMiB, g.PSSMedianMiB)
	}
	pg := got["postgres"]
	if pg.States["idle"] != 1 || pg.States["idle in transaction"] != 1 || pg.States["active"] != 1 {
		t.Errorf("postgres states %v", pg.States)
	}
	if got["redis"].PSSMedianMiB != 7 {
		t.Errorf("single-process server's PSS: %+v", got["redis"])
	}
}

func TestAppChurn(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC)
	var snaps []sampler.Snapshot
	for i := 0; i < 400; i++ {
		procs := fleet()
		// Worker 815 is replaced by 816 (max_requests) at 2 minutes, and
		// 814 by a new process on the same pid at 6 minutes.
		if i >= 120 {
			procs[4].PID, procs[4].Start = 816, 5000
		}
		if i >= 360 {
			procs[3].Start = 9000
		}
		snaps = append(snaps, sampler.Snapshot{Time: t0.Add(time.Duration(i) * time.Second), Procs: procs})
	}
	find := func(apps []App, kind string) App {
		for _, a := range apps {
			if a.Kind == kind {
				return a
			}
		}
		return App{}
	}
	if c := find(AppsOver(snaps[:100]), "gunicorn").Churn5m; c != 0 {
		t.Errorf("no replacement yet: churn %d", c)
	}
	if c := find(AppsOver(snaps[:200]), "gunicorn").Churn5m; c != 1 {
		t.Errorf("one worker replaced: churn %d", c)
	}
	// At 6m40s: the 2-minute replacement is 4m40s old (counted), the pid reuse is new.
	if c := find(AppsOver(snaps), "gunicorn").Churn5m; c != 2 {
		t.Errorf("two replaced within 5 minutes: churn %d", c)
	}
	if c := find(AppsOver(snaps), "postgres").Churn5m; c != 0 {
		t.Errorf("postgres backends are connections, not churn: %d", c)
	}
}

func TestTopProcsKeepsApps(t *testing.T) {
	procs := fleet()
	for i := 0; i < 300; i++ {
		procs = append(procs, sampler.Process{PID: int32(2000 + i), Name: "x", CPU: 1, RSS: 500 * mib})
	}
	top := TopProcs(procs, sampler.MaxRecordedProcs)
	for _, pid := range []int32{812, 813, 902, 961, 950} {
		if _, ok := find(top, pid); !ok {
			t.Errorf("pid %d left out of the recording", pid)
		}
	}
}

func TestAppServerKind(t *testing.T) {
	cases := []struct{ name, cmd, want string }{
		{"gunicorn", "/usr/bin/python3 /usr/bin/gunicorn app.wsgi", "gunicorn"},
		{"python3", "/usr/bin/python3 /usr/bin/gunicorn app.wsgi", "gunicorn"},
		{"uwsgi", "uwsgi --ini app.ini", "uwsgi"},
		{"python3", "python3 -m uvicorn app:app", "uvicorn"},
		{"python3", "python3 manage.py runserver", ""},
		{"bash", "bash -c echo gunicorn", ""},
		{"vim", "vim gunicorn.conf.py", ""},
	}
	for _, c := range cases {
		if got := AppServerKind(c.name, c.cmd); got != c.want {
			t.Errorf("AppServerKind(%q, %q) = %q, want %q", c.name, c.cmd, got, c.want)
		}
	}
}

func TestTopProcs(t *testing.T) {
	var procs []sampler.Process
	for i := 0; i < 200; i++ {
		procs = append(procs, sampler.Process{PID: int32(i + 1), Name: "p", CPU: float64(i % 17), RSS: uint64(i * 1000)})
	}
	procs[5].Name, procs[5].CPU, procs[5].RSS = "gunicorn", 0, 1
	top := TopProcs(procs, 50)
	if len(top) != 50 {
		t.Fatalf("len = %d", len(top))
	}
	if _, ok := find(top, 6); !ok {
		t.Error("an idle app-server worker was left out")
	}
	if _, ok := find(top, 200); !ok {
		t.Error("the largest process by memory was left out")
	}
	for i := 1; i < len(top); i++ {
		if top[i].CPU > top[i-1].CPU {
			t.Fatal("not sorted by CPU")
		}
	}
	if procs[0].PID != 1 {
		t.Error("input reordered")
	}
}

func find(procs []sampler.Process, pid int32) (sampler.Process, bool) {
	for _, p := range procs {
		if p.PID == pid {
			return p, true
		}
	}
	return sampler.Process{}, false
}
