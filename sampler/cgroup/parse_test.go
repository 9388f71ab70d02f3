package cgroup

import (
	"strings"
	"testing"
)

func TestParseMountinfo(t *testing.T) {
	in := "30 22 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n" +
		"31 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n" +
		"32 25 0:29 /docker/abc /sys/fs/cgroup/mem\\040ory rw - cgroup cgroup rw,memory\n" +
		"33 25 0:30 / /other/memory rw - cgroup cgroup rw,memory\n" + // a second mount of the same hierarchy
		"34 25 0:31 / /sys/fs/cgroup/freezer rw - cgroup cgroup rw,freezer\n"
	h, err := ParseMountinfo([]byte(in), "/host")
	if err != nil {
		t.Fatal(err)
	}
	if h.Unified == nil || *h.Unified != (Mount{Dir: "/host/sys/fs/cgroup", Root: "/"}) {
		t.Errorf("unified = %+v", h.Unified)
	}
	if h.V1["cpu"].Dir != "/host/sys/fs/cgroup/cpu,cpuacct" || h.V1["cpuacct"] != h.V1["cpu"] {
		t.Errorf("co-mounted cpu,cpuacct: %+v", h.V1)
	}
	if h.V1["memory"] != (Mount{Dir: "/host/sys/fs/cgroup/mem ory", Root: "/docker/abc"}) {
		t.Errorf("memory (escaped space, first mount wins, namespace root) = %+v", h.V1["memory"])
	}
	if _, ok := h.V1["freezer"]; ok {
		t.Error("controllers headroom does not read are not kept")
	}
	if _, err := ParseMountinfo([]byte("1 2 - cgroup2 cgroup2 rw\n"), "/"); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("short line: err = %v", err)
	}
}

func TestMountDirInNamespace(t *testing.T) {
	m := Mount{Dir: "/sys/fs/cgroup/memory", Root: "/docker/abc"}
	if d, ok := m.dir("/docker/abc/sub"); !ok || d != "/sys/fs/cgroup/memory/sub" {
		t.Errorf("inside the mount root: %q %v", d, ok)
	}
	if _, ok := m.dir("/docker/abcdef"); ok {
		t.Error("a sibling sharing a prefix is outside the mount")
	}
}

func TestParseProcCgroup(t *testing.T) {
	m, err := ParseProcCgroup([]byte("4:memory:/a\n3:cpu,cpuacct:/b\n1:name=systemd:/c\n0::/d (deleted)\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m.V1["memory"] != "/a" || m.V1["cpu"] != "/b" || m.V1["cpuacct"] != "/b" || m.V1["name=systemd"] != "/c" || m.Unified != "/d" || !m.HasUnified {
		t.Errorf("membership = %+v", m)
	}
	for _, bad := range []string{"", "nonsense\n", "4:memory:relative\n", "7:freezer:/x\n"} {
		if _, err := ParseProcCgroup([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestClassifyNames(t *testing.T) {
	n := &names{hostRoot: t.TempDir(), containers: map[string]containerInfo{}, pods: map[string]string{}}
	id := dockerID
	cases := []struct{ path, name, kind string }{
		{"/system.slice/nginx.service", "nginx.service", KindSystemd},
		{"/system.slice/gunicorn.service/worker", "gunicorn.service/worker", KindSystemd},
		{"/user.slice/user-1000.slice/session-3.scope", "session-3.scope", KindSystemd},
		{"/user.slice/user-1000.slice/user@1000.service/init.scope", "user@1000.service", KindSystemd},
		{"/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service", "foo.service", KindSystemd},
		{"/system.slice/docker-" + id + ".scope", "3f2a1b9c0d1e", KindDocker},
		{"/docker/" + id, "3f2a1b9c0d1e", KindDocker},
		{"/machine.slice/libpod-" + id + ".scope", "3f2a1b9c0d1e", KindPodman},
		{"/system.slice/crio-" + id + ".scope", "3f2a1b9c0d1e", KindCRIO},
		{"/kubepods/besteffort/pod" + podUID + "/" + id, "pod " + podUID + "/3f2a1b9c0d1e", KindKubernetes},
		{"/kubepods.slice/kubepods-pod1234abcd_5678_90ef_1234_567890abcdef.slice", "pod " + podUID, KindKubernetes},
		{"/lxc/web01", "/lxc/web01", KindPath},
		{"/process_api/eb19c337", "/process_api/eb19c337", KindPath},
	}
	for _, c := range cases {
		name, kind := n.name(c.path)
		if name != c.name || kind != c.kind {
			t.Errorf("%s: got %q (%s), want %q (%s)", c.path, name, kind, c.name, c.kind)
		}
	}
}

func TestPodmanName(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "var/lib/containers/storage/overlay-containers/containers.json", `[{"id":"`+dockerID+`","names":["redis"]}]`)
	n := &names{hostRoot: root, containers: map[string]containerInfo{}, pods: map[string]string{}}
	if name, _ := n.name("/machine.slice/libpod-" + dockerID + ".scope"); name != "redis" {
		t.Errorf("podman name = %q, want redis", name)
	}
}

func TestParseCPUMax(t *testing.T) {
	cases := []struct {
		in      string
		cores   float64
		limited bool
		bad     bool
	}{
		{"max 100000", 0, false, false},
		{"150000 100000", 1.5, true, false},
		{"50000", 0.5, true, false},
		{"", 0, false, true},
		{"x 100000", 0, false, true},
		{"100 0", 0, false, true},
		{"1 2 3", 0, false, true},
	}
	for _, c := range cases {
		cores, limited, err := ParseCPUMax(c.in)
		if cores != c.cores || limited != c.limited || (err != nil) != c.bad {
			t.Errorf("%q: got %v %v %v", c.in, cores, limited, err)
		}
	}
}

func TestParsePressureAvg10(t *testing.T) {
	if v, err := ParsePressureAvg10("some avg10=1.50 avg60=0\nfull avg10=9.00\n"); err != nil || v != 1.5 {
		t.Errorf("got %v %v", v, err)
	}
	for _, bad := range []string{"", "full avg10=1.0", "some avg10=x"} {
		if _, err := ParsePressureAvg10(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestSanitize(t *testing.T) {
	if got := Sanitize("a\x1b[31mb\x07c\u0085d é"); got != "a\uFFFD[31mb\uFFFDc\uFFFDd é" {
		t.Errorf("Sanitize = %q", got)
	}
}

func FuzzParseProcCgroup(f *testing.F) {
	f.Add([]byte("0::/system.slice/a.service\n"))
	f.Add([]byte("4:memory:/a\n3:cpu,cpuacct:/b\n"))
	f.Add([]byte(":::\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseProcCgroup(b)
		if err == nil && !m.HasUnified && len(m.V1) == 0 {
			t.Error("success without any group")
		}
	})
}

func FuzzParseMountinfo(f *testing.F) {
	f.Add([]byte("30 22 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"))
	f.Add([]byte("32 25 0:29 / /a\\04 rw - cgroup cgroup rw,memory\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseMountinfo(b, "/host")
		if err != nil {
			return
		}
		for c, m := range h.V1 {
			if !v1Controllers[c] || !strings.HasPrefix(m.Dir, "/host") {
				t.Errorf("controller %q mounted at %q", c, m.Dir)
			}
		}
	})
}

func TestCRIOPodName(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "run/containers/storage/overlay-containers/"+kubeID+"/userdata/config.json",
		`{"annotations":{"io.kubernetes.container.name":"nginx","io.kubernetes.pod.name":"front","io.kubernetes.pod.namespace":"web"}}`)
	n := &names{hostRoot: root, containers: map[string]containerInfo{}, pods: map[string]string{}}
	p := "/kubepods.slice/kubepods-pod1234abcd_5678_90ef_1234_567890abcdef.slice/crio-" + kubeID + ".scope"
	if name, kind := n.name(p); name != "pod web/front/nginx" || kind != KindKubernetes {
		t.Errorf("cri-o pod container = %q (%s), want pod web/front/nginx", name, kind)
	}
}
