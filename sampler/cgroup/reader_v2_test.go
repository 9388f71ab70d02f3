package cgroup

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

var v2PIDs = []int{1, 2, 100, 101, 200, 300, 400, 600, 999}

func TestReadV2NamesAndGroups(t *testing.T) {
	r := newFixtureReader(t, "testdata/v2", newClock())
	ss, err := r.Read(v2PIDs)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]any{}
	for _, s := range ss {
		got[s.Name] = []any{s.Kind, s.Path, s.Members}
	}
	want := map[string][]any{
		"init.scope":       {KindSystemd, "/init.scope", []int{1}},
		"gunicorn.service": {KindSystemd, "/system.slice/gunicorn.service", []int{100, 101}},
		"web":              {KindDocker, "/system.slice/docker-" + dockerID + ".scope", []int{200}},
		"pod shop/checkout-7d9f/app": {KindKubernetes,
			"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234abcd_5678_90ef_1234_567890abcdef.slice/cri-containerd-" + kubeID + ".scope", []int{300}},
		"user@1000.service": {KindSystemd, "/user.slice/user-1000.slice/user@1000.service/init.scope", []int{400}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("groups (root, garbage and vanished pids left out):\ngot  %v\nwant %v", got, want)
	}
	for i := 1; i < len(ss); i++ {
		if ss[i-1].Path > ss[i].Path {
			t.Errorf("not sorted by path: %q before %q", ss[i-1].Path, ss[i].Path)
		}
	}
}

func TestReadV2FirstRead(t *testing.T) {
	r := newFixtureReader(t, "testdata/v2", newClock())
	ss, err := r.Read(v2PIDs)
	if err != nil {
		t.Fatal(err)
	}
	m := byName(t, ss)
	g := m["gunicorn.service"]
	checks := []struct {
		what      string
		got, want any
	}{
		{"version", g.CgroupVersion, 2},
		{"procs", g.Procs, 2},
		{"memory", u64(g.MemoryBytes), uint64(503316480)},
		{"memory.max", u64(g.MemoryMax), uint64(536870912)},
		{"memory.high max = none", u64(g.MemoryHigh), nil},
		{"swap", u64(g.SwapBytes), uint64(1048576)},
		{"cores", f64(g.CPUMaxCores), 1.0},
		{"pids", u64(g.PIDs), uint64(7)},
		{"pids.max", u64(g.PIDsMax), uint64(64)},
		{"events total", *g.MemoryEventsTotal, MemoryEvents{High: 0, Max: 12, OOMKill: 3}},
		{"cpu pressure", f64(g.Pressure.CPU), 12.5},
		{"memory pressure", f64(g.Pressure.Memory), 3.25},
		{"io pressure", f64(g.Pressure.IO), 0.0},
		// The first read has no baseline: no rates, no deltas (unknown, not zero).
		{"cpu_pct", f64(g.CPUPct), nil},
		{"throttled", f64(g.ThrottledPct), nil},
		{"oom_kills", u64(g.OOMKills), nil},
		{"events delta", g.MemoryEvents, (*MemoryEvents)(nil)},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("gunicorn.service %s = %v, want %v", c.what, c.got, c.want)
		}
	}
	web := m["web"]
	if web.MemoryMax != nil || web.CPUMaxCores != nil || web.PIDsMax != nil {
		t.Errorf("docker scope with max everywhere should be unlimited: %v %v %v", u64(web.MemoryMax), f64(web.CPUMaxCores), u64(web.PIDsMax))
	}
	if web.Pressure != nil {
		t.Errorf("no pressure files → no pressure, got %+v", *web.Pressure)
	}
	initScope := m["init.scope"]
	if u64(initScope.MemoryBytes) != uint64(20971520) || initScope.MemoryEventsTotal != nil {
		t.Errorf("init.scope: memory %v events %v", u64(initScope.MemoryBytes), initScope.MemoryEventsTotal)
	}
}

func TestReadV2Deltas(t *testing.T) {
	root := copyFixture(t, "v2")
	c := newClock()
	r := newFixtureReader(t, root, c)
	if _, err := r.Read(v2PIDs); err != nil {
		t.Fatal(err)
	}
	g := "sys/fs/cgroup/system.slice/gunicorn.service/"
	// 2 s later: 1 s of CPU (50 % of a core), 20 periods of which 5 throttled, 2 more OOM kills.
	writeFile(t, root, g+"cpu.stat", "usage_usec 6000000\nnr_periods 1020\nnr_throttled 105\n")
	writeFile(t, root, g+"memory.events", "low 0\nhigh 1\nmax 15\noom 5\noom_kill 5\n")
	c.advance(2 * time.Second)
	ss, err := r.Read(v2PIDs)
	if err != nil {
		t.Fatal(err)
	}
	s := byName(t, ss)["gunicorn.service"]
	if f64(s.CPUPct) != 50.0 {
		t.Errorf("cpu_pct = %v, want 50", f64(s.CPUPct))
	}
	if f64(s.ThrottledPct) != 25.0 {
		t.Errorf("throttled_pct = %v, want 25", f64(s.ThrottledPct))
	}
	if u64(s.OOMKills) != uint64(2) || !reflect.DeepEqual(s.MemoryEvents, &MemoryEvents{High: 1, Max: 3, OOMKill: 2}) {
		t.Errorf("oom_kills %v events %+v, want 2 and {1 3 2}", u64(s.OOMKills), s.MemoryEvents)
	}
	// The pod's container ran no periods throttled: 0 %, not unknown.
	k := byName(t, ss)["pod shop/checkout-7d9f/app"]
	if f64(k.ThrottledPct) != 0.0 || f64(k.CPUPct) != 0.0 {
		t.Errorf("idle container: throttled %v cpu %v, want 0 and 0", f64(k.ThrottledPct), f64(k.CPUPct))
	}
}

func TestReadV2CounterWentBack(t *testing.T) {
	root := copyFixture(t, "v2")
	c := newClock()
	r := newFixtureReader(t, root, c)
	if _, err := r.Read([]int{100}); err != nil {
		t.Fatal(err)
	}
	// The unit restarted: a new group under the same path with fresh counters.
	writeFile(t, root, "sys/fs/cgroup/system.slice/gunicorn.service/cpu.stat", "usage_usec 10\nnr_periods 1\nnr_throttled 0\n")
	writeFile(t, root, "sys/fs/cgroup/system.slice/gunicorn.service/memory.events", "high 0\nmax 0\noom_kill 0\n")
	c.advance(time.Second)
	ss, err := r.Read([]int{100})
	if err != nil {
		t.Fatal(err)
	}
	if s := ss[0]; s.CPUPct != nil || s.ThrottledPct != nil || s.OOMKills != nil {
		t.Errorf("counters went back: want no rates, got cpu %v throttled %v oom %v", f64(s.CPUPct), f64(s.ThrottledPct), u64(s.OOMKills))
	}
}

func TestReadJSONShape(t *testing.T) {
	r := newFixtureReader(t, "testdata/v2", newClock())
	ss, err := r.Read([]int{200})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(ss[0])
	if err != nil {
		t.Fatal(err)
	}
	js := string(b)
	for _, want := range []string{`"name":"web"`, `"memory_bytes":104857600`, `"memory_max":null`, `"cpu_max_cores":null`, `"cpu_pct":null`, `"throttled_pct":null`, `"oom_kills":null`, `"pids":3`} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %s: %s", want, js)
		}
	}
	if strings.Contains(js, "Members") || strings.Contains(js, "members") {
		t.Errorf("member pids are not part of the JSON: %s", js)
	}
}

func TestReadAllProcesses(t *testing.T) {
	r := newFixtureReader(t, "testdata/v2", newClock())
	ss, err := r.Read(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 5 {
		t.Errorf("listing proc/ found %d groups, want 5", len(ss))
	}
}

func TestReadSanitizesNames(t *testing.T) {
	root := copyFixture(t, "v2")
	writeFile(t, root, "proc/700/cgroup", "0::/system.slice/evil\x1b[2J.service\n")
	r := newFixtureReader(t, root, newClock())
	ss, err := r.Read([]int{700})
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 || strings.ContainsRune(ss[0].Name+ss[0].Path, 0x1b) || !strings.Contains(ss[0].Name, "\uFFFD[2J") {
		t.Errorf("escape not replaced: %+v", ss)
	}
}

func TestNewReaderErrors(t *testing.T) {
	if _, err := NewReader(Options{ProcRoot: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "mountinfo") {
		t.Errorf("missing mountinfo: err = %v", err)
	}
	root := t.TempDir()
	writeFile(t, root, "self/mountinfo", "22 1 0:21 / /sys rw - sysfs sysfs rw\n")
	if _, err := NewReader(Options{ProcRoot: root}); err == nil || !strings.Contains(err.Error(), "no cgroup") {
		t.Errorf("no cgroup mounts: err = %v", err)
	}
}
