package labtest

import (
	"net"
	"path/filepath"
	"strconv"
	"testing"
)

func TestPortOf(t *testing.T) {
	for in, want := range map[string]int{
		"postgres://lab@127.0.0.1:5433/lab?sslmode=disable": 5433,
		"http://127.0.0.1:8080/":                            8080,
		"redis://127.0.0.1:6380/0":                          6380,
		"http://127.0.0.1/":                                 0,
		"::not a url":                                       0,
	} {
		if got := PortOf(in); got != want {
			t.Errorf("PortOf(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestFreePortCanBeBound(t *testing.T) {
	p, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
	if err != nil {
		t.Fatalf("port %d from FreePort is not free: %v", p, err)
	}
	l.Close()
}

func TestFindRootIsTheRepositoryLab(t *testing.T) {
	root, err := findRoot()
	if err != nil {
		t.Fatal(err)
	}
	want, err := filepath.Abs("../../testdata/lab")
	if err != nil {
		t.Fatal(err)
	}
	if root != want {
		t.Errorf("findRoot() = %s, want %s", root, want)
	}
}
