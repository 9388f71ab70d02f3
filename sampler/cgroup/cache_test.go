package cgroup

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReadProcsCachesMembership: a process's group is read once per
// refreshEvery reads; a new start time (a reused pid) is read at once.
func TestReadProcsCachesMembership(t *testing.T) {
	root := copyFixture(t, "v2")
	c := newClock()
	r := newFixtureReader(t, root, c)
	nameOf := func(p Proc) string {
		t.Helper()
		ss, err := r.ReadProcs([]Proc{p})
		if err != nil || len(ss) != 1 {
			t.Fatalf("read %+v: %v %+v", p, err, ss)
		}
		return ss[0].Name
	}
	if n := nameOf(Proc{PID: 100, Start: 5}); n != "gunicorn.service" {
		t.Fatalf("first read: %q", n)
	}
	// Moved by hand into the docker container's group.
	docker := readFixture(t, root, "proc/200/cgroup")
	writeFile(t, root, "proc/100/cgroup", docker)
	moved := -1
	for i := 1; i <= refreshEvery; i++ {
		if n := nameOf(Proc{PID: 100, Start: 5}); n == "web" && moved < 0 {
			moved = i
		}
	}
	if moved < 2 || moved > refreshEvery {
		t.Errorf("the move was seen at read %d; want after the cache, within %d reads", moved, refreshEvery)
	}
	// A reused pid is another process: read at once.
	writeFile(t, root, "proc/100/cgroup", readFixture(t, root, "proc/101/cgroup"))
	if n := nameOf(Proc{PID: 100, Start: 6}); n != "gunicorn.service" {
		t.Errorf("new start time read from the cache: %q", n)
	}
	// Unknown start times are never cached.
	writeFile(t, root, "proc/100/cgroup", docker)
	if n := nameOf(Proc{PID: 100}); n != "web" {
		t.Errorf("Start 0 read from the cache: %q", n)
	}
}

// readFixture reads one file of a copied fixture.
func readFixture(t *testing.T, root, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
