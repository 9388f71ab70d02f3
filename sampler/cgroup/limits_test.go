package cgroup

import (
	"reflect"
	"strings"
	"testing"
)

func TestLimitsFor(t *testing.T) {
	pod := "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234abcd_5678_90ef_1234_567890abcdef.slice"
	cases := []struct {
		fixture string
		pid     int
		want    Limits
	}{
		// The unit's own limits are lower than system.slice's 2 GiB.
		{"v2", 100, Limits{Source: "gunicorn.service", Path: "/system.slice/gunicorn.service",
			Cores: ptr(1.0), CoresFrom: "/system.slice/gunicorn.service",
			MemoryBytes: ptr(uint64(536870912)), MemoryFrom: "/system.slice/gunicorn.service"}},
		// The container has none; its pod slice bounds it.
		{"v2", 300, Limits{Source: "pod shop/checkout-7d9f/app", Path: pod + "/cri-containerd-" + kubeID + ".scope",
			Cores: ptr(0.5), CoresFrom: pod, MemoryBytes: ptr(uint64(268435456)), MemoryFrom: pod}},
		// The container has no limit of its own; system.slice's memory.max bounds it.
		{"v2", 200, Limits{Source: "web", Path: "/system.slice/docker-" + dockerID + ".scope",
			MemoryBytes: ptr(uint64(2147483648)), MemoryFrom: "/system.slice"}},
		// Unlimited all the way up: the host bounds it.
		{"v2", 1, Limits{Source: HostSource, Path: "/init.scope"}},
		{"v2", 2, Limits{Source: HostSource}},
		{"v1", 100, Limits{Source: "gunicorn.service", Path: "/system.slice/gunicorn.service",
			Cores: ptr(1.5), CoresFrom: "/system.slice/gunicorn.service",
			MemoryBytes: ptr(uint64(419430400)), MemoryFrom: "/system.slice/gunicorn.service"}},
		{"v1", 300, Limits{Source: "pod shop/checkout-7d9f/app", Path: "/kubepods/burstable/pod" + podUID + "/" + kubeID,
			Cores: ptr(0.5), CoresFrom: "/kubepods/burstable/pod" + podUID,
			MemoryBytes: ptr(uint64(268435456)), MemoryFrom: "/kubepods/burstable/pod" + podUID}},
		{"v1", 200, Limits{Source: HostSource, Path: "/docker/" + dockerID}},
	}
	for _, c := range cases {
		r := newFixtureReader(t, "testdata/"+c.fixture, newClock())
		got, err := r.LimitsFor(c.pid)
		if err != nil {
			t.Errorf("%s pid %d: %v", c.fixture, c.pid, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s pid %d:\ngot  %s\nwant %s", c.fixture, c.pid, show(got), show(c.want))
		}
	}
}

func TestLimitsForLowerAncestor(t *testing.T) {
	root := copyFixture(t, "v2")
	writeFile(t, root, "sys/fs/cgroup/system.slice/memory.max", "268435456\n")
	writeFile(t, root, "sys/fs/cgroup/system.slice/cpu.max", "50000 100000\n")
	r := newFixtureReader(t, root, newClock())
	l, err := r.LimitsFor(100)
	if err != nil {
		t.Fatal(err)
	}
	if u64(l.MemoryBytes) != uint64(268435456) || l.MemoryFrom != "/system.slice" || f64(l.Cores) != 0.5 || l.CoresFrom != "/system.slice" || l.Source != "gunicorn.service" {
		t.Errorf("the slice's lower limits bind: %s", show(l))
	}
}

func TestLimitsForVanished(t *testing.T) {
	r := newFixtureReader(t, "testdata/v2", newClock())
	if _, err := r.LimitsFor(999); err == nil {
		t.Error("no error for a process that does not exist")
	}
	if _, err := r.LimitsFor(600); err == nil || !strings.Contains(err.Error(), "/proc/600/cgroup") {
		t.Errorf("malformed cgroup file: err = %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func show(l Limits) string {
	return strings.Join([]string{l.Source, l.Path, fmtAny(f64(l.Cores)), l.CoresFrom, fmtAny(u64(l.MemoryBytes)), l.MemoryFrom}, " | ")
}
