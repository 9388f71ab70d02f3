package cgroup

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// writeProcsFiles writes, into a copied fixture, the cgroup.procs file each
// group would have: the pids whose proc/PID/cgroup names it, in every
// mounted hierarchy, as the kernel lists them.
func writeProcsFiles(t *testing.T, root string, r *Reader) {
	t.Helper()
	lists := map[string][]string{}
	files, _ := filepath.Glob(filepath.Join(root, "proc", "*", "cgroup"))
	for _, f := range files {
		pid := filepath.Base(filepath.Dir(f))
		b, _ := os.ReadFile(f)
		m, err := ParseProcCgroup(b)
		if err != nil {
			continue // the fixture's garbage file: the kernel never writes one
		}
		add := func(mt Mount, p string) {
			if d, ok := mt.dir(p); ok {
				lists[d] = append(lists[d], pid)
			}
		}
		if m.HasUnified && r.h.Unified != nil {
			add(*r.h.Unified, m.Unified)
		}
		seen := map[string]bool{}
		for c, p := range m.V1 {
			if mt, ok := r.h.V1[c]; ok && !seen[mt.Dir] {
				seen[mt.Dir] = true
				add(mt, p)
			}
		}
	}
	for d, pids := range lists {
		writeFile(t, d, "cgroup.procs", strings.Join(pids, "\n")+"\n")
	}
}

// servicesText is a read's groups with their members, for comparing reads.
func servicesText(ss []Service) string {
	var b strings.Builder
	for _, s := range ss {
		m := append([]int(nil), s.Members...)
		sort.Ints(m)
		fmt.Fprintf(&b, "%s %s %s %v\n", s.Path, s.Name, s.Kind, m)
	}
	return b.String()
}

func removeCgroupFiles(t *testing.T, root string, keep string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, "proc", "*", "cgroup"))
	for _, f := range files {
		if filepath.Base(filepath.Dir(f)) != keep {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// With the processes' own files gone (all but the one read for the shape
// of a membership), a listing read groups them as the files did: v2, and a
// hybrid host with cpu and cpuacct mounted together.
func TestListingGroupsAsTheFilesDo(t *testing.T) {
	for _, fx := range []string{"v1", "v2"} {
		t.Run(fx, func(t *testing.T) {
			root := copyFixture(t, fx)
			byFiles := newFixtureReader(t, root, newClock())
			byFiles.listAt = 1 << 30
			writeProcsFiles(t, root, byFiles)
			want, err := byFiles.Read(nil)
			if err != nil || len(want) < 4 {
				t.Fatalf("read by files: %v, %v", want, err)
			}
			removeCgroupFiles(t, root, "1")
			listed := newFixtureReader(t, root, newClock())
			listed.listAt = 1
			got, err := listed.Read(nil)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := servicesText(got), servicesText(want); g != w {
				t.Errorf("listed:\n%s\nby files:\n%s", g, w)
			}
		})
	}
}

// listingV2 is a copy of the v2 fixture with its cgroup.procs files, its
// cgroup mount, and a reader that lists from the first process not cached.
func listingV2(t *testing.T) (root, cg string, r *Reader) {
	t.Helper()
	root = copyFixture(t, "v2")
	r = newFixtureReader(t, root, newClock())
	r.listAt = 1
	writeProcsFiles(t, root, r)
	return root, filepath.Join(root, "sys/fs/cgroup"), r
}

// Where the listing cannot say, the process's own file does: a process
// named by two groups (threads placed apart), one born after the walk.
func TestListingDefersToTheProcessFile(t *testing.T) {
	root, cg, r := listingV2(t)
	// 100 is also named by a group its file does not name; a group walked
	// after its own, so without the rule the later one would win.
	writeFile(t, cg, "user.slice/cgroup.procs", "100\n")
	// 700 is in no listing: born after the walk.
	writeFile(t, root, "proc/700/cgroup", "0::/system.slice/gunicorn.service\n")
	ss, err := r.Read([]int{1, 100, 101, 700})
	if err != nil {
		t.Fatal(err)
	}
	m := byName(t, ss)
	if got := fmt.Sprint(m["gunicorn.service"].Members); got != "[100 101 700]" {
		t.Errorf("gunicorn.service members %s, want [100 101 700]; all: %s", got, servicesText(ss))
	}
	if _, ok := m["user.slice"]; ok {
		t.Errorf("a group made of a duplicate listing: %s", servicesText(ss))
	}
}

// A group whose cgroup.procs cannot be read (a threaded group gives
// EOPNOTSUPP) drops the listing: every process's own file is read.
func TestUnreadableListingFallsBackToFiles(t *testing.T) {
	_, cg, r := listingV2(t)
	writeFile(t, cg, "system.slice/gunicorn.service/cgroup.procs", "") // a wrong listing…
	writeFile(t, cg, "system.slice/cgroup.procs", "100\n101\n")
	if err := os.MkdirAll(filepath.Join(cg, "user.slice/cgroup.procs"), 0o755); err != nil {
		t.Fatal(err) // …and one that cannot be read
	}
	ss, err := r.Read([]int{1, 100, 101})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(byName(t, ss)["gunicorn.service"].Members); got != "[100 101]" {
		t.Errorf("gunicorn.service members %s, want [100 101] from the files; all: %s", got, servicesText(ss))
	}
}

// On this machine: the listing and the per-process files group the same
// processes the same way.
func TestListingMatchesFilesLive(t *testing.T) {
	byFiles, err := NewReader(Options{})
	if err != nil {
		t.Skip("no cgroups here:", err)
	}
	byFiles.listAt = 1 << 30
	listed, _ := NewReader(Options{})
	listed.listAt = 1
	pids, err := byFiles.listPIDs()
	if err != nil {
		t.Fatal(err)
	}
	shape, err := listed.membership(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if listed.listGroups(shape) == nil {
		t.Skip("this host's hierarchies cannot be listed (an unmounted one, or a threaded group)")
	}
	want, err := byFiles.Read(pids)
	if err != nil {
		t.Fatal(err)
	}
	got, err := listed.Read(pids)
	if err != nil {
		t.Fatal(err)
	}
	groupOf := func(ss []Service) map[int]string {
		m := map[int]string{}
		for _, s := range ss {
			for _, p := range s.Members {
				m[p] = s.Path + " " + s.Name
			}
		}
		return m
	}
	w, g := groupOf(want), groupOf(got)
	same := 0
	for pid, wg := range w {
		gg, ok := g[pid]
		if !ok {
			continue // exited between the reads
		}
		if gg != wg {
			t.Errorf("pid %d: listed in %q, its file says %q", pid, gg, wg)
		}
		same++
	}
	if self := os.Getpid(); w[self] != "" && g[self] == "" {
		t.Errorf("this test's own process (%s) is missing from the listing read", w[self])
	}
	t.Logf("%d processes in groups, %d compared (%s)", len(w), same, strconv.Itoa(len(pids))+" listed")
}

// Inside a container without its own cgroup namespace, the mount shows a
// part of the host's hierarchy: the paths listed are the host's, as
// /proc/PID/cgroup has them.
func TestListMountBelowARoot(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "cgroup.procs", "1\n7\n")
	writeFile(t, dir, "web/cgroup.procs", "12\n13\n")
	r := &Reader{}
	got, ok := r.listMount(Mount{Dir: dir, Root: "/docker/abc"})
	if !ok {
		t.Fatal("listing failed")
	}
	want := map[int]string{1: "/docker/abc", 7: "/docker/abc", 12: "/docker/abc/web", 13: "/docker/abc/web"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	got, _ = r.listMount(Mount{Dir: dir, Root: "/"})
	if got[12] != "/web" || got[1] != "/" {
		t.Errorf("at the root: %v", got)
	}
}

// With the default threshold, a first read of many processes lists the
// groups (their own files are gone here, so only the listing can place
// them), and a read that meets only a few new processes reads their files.
func TestDefaultReaderListsOnlyForMany(t *testing.T) {
	root := copyFixture(t, "v2")
	var pids []int
	for pid := 1000; pid < 1000+listAt; pid++ {
		writeFile(t, root, "proc/"+strconv.Itoa(pid)+"/cgroup", "0::/system.slice/gunicorn.service\n")
		pids = append(pids, pid)
	}
	r := newFixtureReader(t, root, newClock())
	writeProcsFiles(t, root, r)
	removeCgroupFiles(t, root, "1000") // one left for the shape of a membership
	procs := make([]Proc, len(pids))
	for i, pid := range pids {
		procs[i] = Proc{PID: pid, Start: uint64(pid)}
	}
	ss, err := r.ReadProcs(procs)
	if err != nil {
		t.Fatal(err)
	}
	if n := byName(t, ss)["gunicorn.service"].Procs; n != listAt {
		t.Fatalf("first read of %d: %d grouped, want all (from the listing)", listAt, n)
	}
	// A few new processes: their files, not a listing (which names 1500 elsewhere).
	for _, pid := range pids { // back, for the cache's staggered re-reads
		writeFile(t, root, "proc/"+strconv.Itoa(pid)+"/cgroup", "0::/system.slice/gunicorn.service\n")
	}
	writeFile(t, root, "proc/1500/cgroup", "0::/system.slice/gunicorn.service\n")
	writeFile(t, root, "sys/fs/cgroup/init.scope/cgroup.procs", "1\n1500\n")
	ss, err = r.ReadProcs(append(procs, Proc{PID: 1500, Start: 1500}))
	if err != nil {
		t.Fatal(err)
	}
	if n := byName(t, ss)["gunicorn.service"].Procs; n != listAt+1 {
		t.Errorf("after one new process: %d in gunicorn.service, want %d (its own file read)", n, listAt+1)
	}
}
