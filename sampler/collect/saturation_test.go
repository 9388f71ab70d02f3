package collect

import (
	"errors"
	"slices"
	"testing"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/saturation"
)

type noLog struct{}

func (noLog) NewLines() ([]string, error) { return nil, errors.New("permission denied") }

func TestAppsOf(t *testing.T) {
	procs := []sampler.Process{
		{PID: 812, PPID: 1, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi"},
		{PID: 813, PPID: 812, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi"},
		{PID: 900, PPID: 1, Name: "redis-server", Cmd: "/usr/bin/redis-server 127.0.0.1:6379"},
		{PID: 1000, PPID: 1, Name: "bash", Cmd: "bash"},
	}
	got := AppsOf(procs)
	want := []saturation.App{
		{PID: 812, Family: "gunicorn"},
		{PID: 813, Family: "gunicorn", Worker: true},
		{PID: 900, Family: "redis"},
	}
	slices.SortFunc(got, func(a, b saturation.App) int { return a.PID - b.PID })
	if !slices.Equal(got, want) {
		t.Errorf("AppsOf = %+v, want %+v (workers of app servers only get a state; redis is its own worker, listed once)", got, want)
	}
}

// A machine that withholds everything (no /proc files, no netlink, no
// kernel log) gives a snapshot that says so: unknown, never an error or 0.
func TestCollectUnreadableIsUnknown(t *testing.T) {
	c := NewSaturation(saturation.Config{ProcRoot: t.TempDir(), SysRoot: t.TempDir(), KernelLog: noLog{},
		Listening: func() ([]saturation.Socket, error) { return nil, errors.New("EPERM") }})
	defer c.Close()
	var s sampler.Snapshot
	c.Collect(&s)
	c.Collect(&s)
	sat := s.Saturation
	if sat == nil {
		t.Fatal("no saturation in the snapshot")
	}
	for _, want := range []string{"listeners", "oom_kills", "oom_victims", "disks", "listen_drops"} {
		if !slices.Contains(sat.Unknown, want) {
			t.Errorf("unknown %v lacks %q", sat.Unknown, want)
		}
	}
	if sat.OOMKills != nil || sat.ListenDrops != nil {
		t.Errorf("unread counters reported as values: %+v", sat)
	}
}
