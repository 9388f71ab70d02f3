package saturation

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// feed is a KernelLog that hands out fixed lines, or an error.
type feed struct {
	lines []string
	err   error
}

func (f feed) NewLines() ([]string, error) { return f.lines, f.err }

// clock is an injected "now" that advances by step on every call.
type clock struct {
	t    time.Time
	step time.Duration
}

func (c *clock) now() time.Time { c.t = c.t.Add(c.step); return c.t }

// procTree copies testdata/proc (symlinks included) to a temporary
// directory, so a test can move counters forward between reads.
func procTree(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "proc")
	if err := os.CopyFS(dir, os.DirFS("testdata/proc")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// advance replaces the counters of root with those of testdata/t1, one
// interval later.
func advance(t *testing.T, root string) {
	t.Helper()
	for _, f := range []string{"net/netstat", "vmstat", "diskstats", "sys/fs/file-nr"} {
		b, err := os.ReadFile(filepath.Join("testdata/t1", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fixtureSockets is what sock_diag returns for the fixture machine: the
// lab's gunicorn listener (inode 26731, in the fd tables of pids 100 and
// 2xx), postgres on [::]:5432 (pid 401) and an sshd nobody asked about.
func fixtureSockets() ([]Socket, error) {
	return []Socket{
		{Addr: netip.MustParseAddrPort("0.0.0.0:22"), Inode: 1111, Backlog: 128},
		{Addr: netip.MustParseAddrPort("127.0.0.1:18471"), Inode: 26731, Queued: 48, Backlog: 2048},
		{Addr: netip.MustParseAddrPort("[::]:5432"), Inode: 31000, Queued: 0, Backlog: 244},
	}, nil
}

func fixtureReader(t *testing.T, root string, log KernelLog) *Reader {
	c := &clock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), step: time.Second}
	return NewReader(Config{ProcRoot: root, SysRoot: "testdata/sys", Now: c.now,
		Listening: fixtureSockets, KernelLog: log, Arch: "amd64"})
}

var fixtureApps = []App{
	{PID: 201, Family: "gunicorn", Worker: true},
	{PID: 100, Family: "gunicorn"},
	{PID: 202, Family: "gunicorn", Worker: true},
	{PID: 401, Family: "postgres"},
	{PID: 402, Family: "nginx"},
}

func TestReadFixtureTwoIntervals(t *testing.T) {
	root := procTree(t)
	log := &feed{lines: []string{"Out of memory: Killed process 9 (early) total-vm:1kB"}}
	r := fixtureReader(t, root, log)

	first := r.Read(fixtureApps)
	if first.ListenOverflows != nil || first.ListenDrops != nil || first.OOMKills != nil || first.Disks != nil || first.OOMVictims != nil {
		t.Errorf("first read has deltas: %+v", first)
	}
	if len(first.Unknown) != 0 {
		t.Errorf("first read unknown = %v", first.Unknown)
	}

	advance(t, root)
	log.lines = []string{
		"Out of memory: Killed process 4242 (gunicorn) total-vm:812345kB, anon-rss:500000kB, file-rss:0kB",
		"oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=gunicorn,pid=4242,uid=33",
	}
	s := r.Read(fixtureApps)

	wantListeners := []Listener{
		{Addr: "127.0.0.1:18471", Inode: 26731, PID: 100, Family: "gunicorn", Queued: 48, Backlog: 2048},
		{Addr: "[::]:5432", Inode: 31000, PID: 401, Family: "postgres", Queued: 0, Backlog: 244},
	}
	if !slices.Equal(s.Listeners, wantListeners) {
		t.Errorf("listeners = %+v\nwant %+v", s.Listeners, wantListeners)
	}
	for name, c := range map[string]struct {
		got  *uint64
		want uint64
	}{"listen_overflows": {s.ListenOverflows, 3}, "listen_drops": {s.ListenDrops, 5}, "oom_kills": {s.OOMKills, 1}} {
		if c.got == nil || *c.got != c.want {
			t.Errorf("%s = %v, want %d", name, c.got, c.want)
		}
	}
	if !slices.Equal(s.OOMVictims, []OOMVictim{{PID: 4242, Name: "gunicorn"}}) {
		t.Errorf("victims = %+v, want gunicorn 4242 once", s.OOMVictims)
	}
	// vda: 250 ms of 1 s; zram0 1500 ms of 1 s is capped; the partition
	// vda1 and loop0 are left out.
	if want := []DiskBusy{{"vda", 25}, {"zram0", 100}}; !slices.Equal(s.Disks, want) {
		t.Errorf("disks = %+v, want %+v", s.Disks, want)
	}
	wantTop := ProcessFDs{PID: 401, Name: "postgres", Open: 16, Limit: 64, Pct: 25}
	if s.FDs == nil || s.FDs.Top == nil || *s.FDs.Top != wantTop {
		t.Errorf("fds = %+v, want top %+v", s.FDs, wantTop)
	} else if s.FDs.SystemUsed != 1458 || s.FDs.SystemMax != 2466190 {
		t.Errorf("system fds = %d of %d, want 1458 of 2466190", s.FDs.SystemUsed, s.FDs.SystemMax)
	}
	wantWorkers := []WorkerState{
		{PID: 201, State: StateIdle, Wchan: "poll_schedule_timeout.constprop.0", Syscall: "pselect6"},
		{PID: 202, State: StateCPU},
	}
	if !slices.Equal(s.Workers, wantWorkers) {
		t.Errorf("workers = %+v, want %+v", s.Workers, wantWorkers)
	}
	if len(s.Unknown) != 0 {
		t.Errorf("unknown = %v", s.Unknown)
	}
}

func TestReadMarksUnreadableAsUnknown(t *testing.T) {
	root := t.TempDir() // a /proc where pid 7 exists but nothing is readable
	if err := os.Mkdir(filepath.Join(root, "7"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := NewReader(Config{ProcRoot: root, SysRoot: root,
		Listening: func() ([]Socket, error) { return nil, errors.New("sock_diag: permission denied") },
		KernelLog: feed{err: errors.New("open /dev/kmsg: permission denied")}})
	r.Read([]App{{PID: 7, Worker: true}})
	s := r.Read([]App{{PID: 7, Worker: true}})
	want := []string{"fds", "listeners", "listen_overflows", "listen_drops", "oom_kills", "oom_victims", "disks", "workers"}
	if !slices.Equal(s.Unknown, want) {
		t.Errorf("unknown = %v, want %v", s.Unknown, want)
	}
	if s.ListenOverflows != nil || s.OOMKills != nil || s.FDs != nil || s.Disks != nil {
		t.Errorf("unreadable counters reported as values: %+v", s)
	}
	if !slices.Equal(s.Workers, []WorkerState{{PID: 7, State: StateUnknown}}) {
		t.Errorf("workers = %+v, want pid 7 unknown", s.Workers)
	}
}

func TestCounterGoingBackIsNotZero(t *testing.T) {
	root := procTree(t)
	advance(t, root) // start from the later counters
	r := fixtureReader(t, root, feed{})
	r.Read(nil)
	for _, f := range []string{"net/netstat", "vmstat", "diskstats"} {
		b, err := os.ReadFile(filepath.Join("testdata/proc", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := r.Read(nil)
	if s.ListenOverflows != nil || s.ListenDrops != nil || s.OOMKills != nil {
		t.Errorf("counters that went back read as %v/%v/%v, want absent", s.ListenOverflows, s.ListenDrops, s.OOMKills)
	}
	for _, d := range s.Disks {
		if d.Device == "vda" || d.Device == "zram0" {
			t.Errorf("disk %s with io_ticks gone back reported as %v %%", d.Device, d.BusyPct)
		}
	}
}

func TestReadSameInstantHasNoDeltas(t *testing.T) {
	root := procTree(t)
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	r := NewReader(Config{ProcRoot: root, SysRoot: "testdata/sys", Now: func() time.Time { return at },
		Listening: fixtureSockets, KernelLog: feed{}})
	r.Read(nil)
	advance(t, root)
	if s := r.Read(nil); s.Disks != nil || s.OOMKills != nil {
		t.Errorf("zero elapsed time gave deltas: disks %v oom %v", s.Disks, s.OOMKills)
	}
}
