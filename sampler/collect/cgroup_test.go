package collect

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/cgroup"
)

// fixture is the cgroup package's v2 hierarchy: gunicorn.service (pids 100
// and 101, MemoryMax 512M under a 2G slice, one core), a docker container
// "web" (200), a kubernetes pod (300).
const fixture = "../cgroup/testdata/v2"

// gunicornProcs are the fixture's gunicorn master (100) and worker (101).
var gunicornProcs = []sampler.Process{
	{PID: 100, PPID: 1, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi"},
	{PID: 101, PPID: 100, Name: "gunicorn", Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi"},
}

// fixtureCgroups is a collector of the hierarchy under root, on a clock
// the test moves.
func fixtureCgroups(t *testing.T, root string) (*Cgroups, *time.Time) {
	t.Helper()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	c, err := NewCgroups(cgroup.Options{ProcRoot: filepath.Join(root, "proc"), HostRoot: root, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return c, &now
}

func TestCollectServicesAndMasterLimits(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	c, err := NewCgroups(cgroup.Options{ProcRoot: filepath.Join(fixture, "proc"), HostRoot: fixture, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	gun := "/usr/bin/python3 /usr/bin/gunicorn app.wsgi"
	s := sampler.Snapshot{Procs: []sampler.Process{
		{PID: 100, PPID: 1, Name: "gunicorn", Cmd: gun}, {PID: 101, PPID: 100, Name: "gunicorn", Cmd: gun},
		{PID: 200, PPID: 1, Name: "nginx", Cmd: "nginx: master process"}, {PID: 999, PPID: 1, Name: "gone"},
	}}
	c.Collect(&s)
	byName := map[string]sampler.Service{}
	for _, g := range s.Services {
		byName[g.Name] = g
	}
	g, ok := byName["gunicorn.service"]
	if !ok || len(s.Services) != 2 || byName["web"].Path == "" {
		t.Fatalf("services = %+v; want gunicorn.service and web (only the snapshot's processes are read)", s.Services)
	}
	if g.Path != "/system.slice/gunicorn.service" || g.Procs != 2 || g.MemoryMax == nil || *g.MemoryMax != 512<<20 ||
		g.CPUMaxCores == nil || *g.CPUMaxCores != 1 || g.MemoryBytes == nil || *g.MemoryBytes != 503316480 || g.CPUPct != nil {
		t.Errorf("gunicorn.service = %+v; want its path, 2 procs, 512M, 1 core, 480M in use, no rate on the first read", g)
	}
	want := sampler.GroupLimits{Source: "gunicorn.service", Cores: 1, Memory: 512 << 20}
	if len(s.ProcLimits) != 1 || s.ProcLimits[100] != want {
		t.Errorf("proc limits = %+v; want only the gunicorn master's: %+v", s.ProcLimits, want)
	}
}

// BenchmarkCollectLive reads this machine's groups for every process, as
// each live sample does (start times known, so memberships are cached).
func BenchmarkCollectLive(b *testing.B) { benchCollect(b, true) }

// BenchmarkCollectLiveUncached is the same without start times: every
// process's /proc/PID/cgroup read each time, the cost the cache saves.
func BenchmarkCollectLiveUncached(b *testing.B) { benchCollect(b, false) }

func benchCollect(b *testing.B, starts bool) {
	c, err := NewCgroups(cgroup.Options{})
	if err != nil {
		b.Skipf("no cgroups: %v", err)
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		b.Skip(err)
	}
	var s sampler.Snapshot
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			p := sampler.Process{PID: int32(pid)}
			if starts {
				p.Start = startOf(pid)
			}
			s.Procs = append(s.Procs, p)
		}
	}
	b.ReportMetric(float64(len(s.Procs)), "procs")
	for b.Loop() {
		c.Collect(&s)
	}
}

// startOf is field 22 of /proc/PID/stat (0 when the process is gone).
func startOf(pid int) uint64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return 0
	}
	v, _ := strconv.ParseUint(f[19], 10, 64)
	return v
}

// A service's values that did not change since the last sample are the
// last sample's copies, held once in the advisor's five-minute window; a
// value that changed is the new one.
func TestCollectSharesUnchangedServiceValues(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(fixture)); err != nil {
		t.Fatal(err)
	}
	c, now := fixtureCgroups(t, root)
	read := func() sampler.Service {
		t.Helper()
		*now = now.Add(time.Second)
		s := sampler.Snapshot{Procs: gunicornProcs}
		c.Collect(&s)
		for _, g := range s.Services {
			if g.Name == "gunicorn.service" {
				return g
			}
		}
		t.Fatalf("no gunicorn.service in %+v", s.Services)
		return sampler.Service{}
	}
	first := read()
	mem := filepath.Join(root, "sys/fs/cgroup/system.slice/gunicorn.service/memory.current")
	if err := os.WriteFile(mem, []byte("600000000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	second := read()
	if second.MemoryMax != first.MemoryMax || second.CPUMaxCores != first.CPUMaxCores || second.PIDs != first.PIDs {
		t.Errorf("unchanged limits not shared: %p %p, %p %p, %p %p", second.MemoryMax, first.MemoryMax,
			second.CPUMaxCores, first.CPUMaxCores, second.PIDs, first.PIDs)
	}
	if second.MemoryBytes == first.MemoryBytes || *second.MemoryBytes != 600000000 || *first.MemoryBytes != 503316480 {
		t.Errorf("memory in use: %d then %d, shared %v; want 503316480 then 600000000, not shared",
			*first.MemoryBytes, *second.MemoryBytes, second.MemoryBytes == first.MemoryBytes)
	}
}
