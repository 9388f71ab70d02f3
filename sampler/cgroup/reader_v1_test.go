package cgroup

import (
	"reflect"
	"testing"
	"time"
)

var v1PIDs = []int{1, 2, 100, 200, 300}

func TestReadV1Hybrid(t *testing.T) {
	r := newFixtureReader(t, "testdata/v1", newClock())
	if h := r.Hierarchies(); h.Unified == nil || h.V1["cpu"] != h.V1["cpuacct"] || h.V1["memory"].Dir == "" {
		t.Fatalf("hierarchies: %+v", h)
	}
	ss, err := r.Read(v1PIDs)
	if err != nil {
		t.Fatal(err)
	}
	m := byName(t, ss)
	if len(m) != 4 {
		t.Errorf("want init.scope, gunicorn.service, db and the pod, got %d: %v", len(m), ss)
	}
	g := m["gunicorn.service"]
	checks := []struct {
		what      string
		got, want any
	}{
		{"kind", g.Kind, KindSystemd},
		{"version", g.CgroupVersion, 1},
		{"memory", u64(g.MemoryBytes), uint64(314572800)},
		{"limit", u64(g.MemoryMax), uint64(419430400)},
		{"swap = memsw - usage", u64(g.SwapBytes), uint64(2097152)},
		{"cores from cfs quota/period", f64(g.CPUMaxCores), 1.5},
		{"failcnt and oom_control", *g.MemoryEventsTotal, MemoryEvents{Max: 40, OOMKill: 2}},
		{"pids", u64(g.PIDs), uint64(5)},
		{"pids.max", u64(g.PIDsMax), nil},
		{"pressure from the unified hierarchy", f64(g.Pressure.CPU), 4.0},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("gunicorn.service %s = %v, want %v", c.what, c.got, c.want)
		}
	}
	db := m["db"]
	if db.Kind != KindDocker || db.Path != "/docker/"+dockerID {
		t.Errorf("cgroupfs docker container: %+v", db)
	}
	if db.MemoryMax != nil || db.CPUMaxCores != nil {
		t.Errorf("huge limit_in_bytes and quota -1 are unlimited: %v %v", u64(db.MemoryMax), f64(db.CPUMaxCores))
	}
	if db.Pressure != nil {
		t.Errorf("unified path / is the whole machine, not the container's pressure: %+v", db.Pressure)
	}
	pod, ok := m["pod shop/checkout-7d9f/app"]
	if !ok || pod.Kind != KindKubernetes {
		t.Errorf("pod container named from docker's kubernetes labels: %v", ss)
	}
}

func TestReadV1Deltas(t *testing.T) {
	root := copyFixture(t, "v1")
	c := newClock()
	r := newFixtureReader(t, root, c)
	if _, err := r.Read([]int{100}); err != nil {
		t.Fatal(err)
	}
	u := "sys/fs/cgroup/cpu,cpuacct/system.slice/gunicorn.service/"
	writeFile(t, root, u+"cpuacct.usage", "11500000000\n") // +1.5 s of CPU
	writeFile(t, root, u+"cpu.stat", "nr_periods 210\nnr_throttled 58\nthrottled_time 1\n")
	writeFile(t, root, "sys/fs/cgroup/memory/system.slice/gunicorn.service/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n")
	c.advance(time.Second)
	ss, err := r.Read([]int{100})
	if err != nil {
		t.Fatal(err)
	}
	s := ss[0]
	if f64(s.CPUPct) != 150.0 || f64(s.ThrottledPct) != 80.0 || u64(s.OOMKills) != uint64(1) {
		t.Errorf("cpu %v (want 150) throttled %v (want 80) oom %v (want 1)", f64(s.CPUPct), f64(s.ThrottledPct), u64(s.OOMKills))
	}
	// A read at the same instant gives no rates rather than a division by zero.
	ss, _ = r.Read([]int{100})
	if ss[0].CPUPct != nil {
		t.Errorf("zero interval: cpu_pct = %v, want null", f64(ss[0].CPUPct))
	}
}

// A process limited only in memory: its cpu group is the root, whose
// counters are the whole machine's and must not be shown as the group's.
func TestReadV1RootControllerIsNotTheGroup(t *testing.T) {
	root := copyFixture(t, "v1")
	writeFile(t, root, "proc/500/cgroup", "12:pids:/\n9:memory:/jobs/batch\n4:cpu,cpuacct:/\n1:name=systemd:/\n0::/\n")
	writeFile(t, root, "sys/fs/cgroup/memory/jobs/batch/memory.usage_in_bytes", "1048576\n")
	c := newClock()
	r := newFixtureReader(t, root, c)
	if _, err := r.Read([]int{500}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, root, "sys/fs/cgroup/cpu,cpuacct/cpuacct.usage", "199999999999\n")
	c.advance(time.Second)
	ss, err := r.Read([]int{500})
	if err != nil || len(ss) != 1 {
		t.Fatalf("%v %+v", err, ss)
	}
	s := ss[0]
	if s.Name != "/jobs/batch" || u64(s.MemoryBytes) != uint64(1048576) {
		t.Errorf("name %q memory %v", s.Name, u64(s.MemoryBytes))
	}
	if s.CPUPct != nil || s.ThrottledPct != nil || s.PIDs != nil {
		t.Errorf("root counters attributed to the group: cpu %v throttled %v pids %v", f64(s.CPUPct), f64(s.ThrottledPct), u64(s.PIDs))
	}
}
