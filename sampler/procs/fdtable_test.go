package procs

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fdSize is the size of this process's file table (FDSize in /proc/self/status).
func fdSize(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status:", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "FDSize:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(l)
			}
			return n
		}
	}
	t.Skip("no FDSize in /proc/self/status")
	return 0
}

func openFiles(t *testing.T) int {
	t.Helper()
	e, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(e)
}

func TestReserveFilesGrowsTheTableWithoutKeepingADescriptor(t *testing.T) {
	f, err := os.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := 4 * fdSize(t)
	open := openFiles(t)
	if got := reserveFiles(int(f.Fd()), want); got != want {
		t.Fatalf("reserveFiles(%d) = %d", want, got)
	}
	if n := fdSize(t); n < want {
		t.Errorf("FDSize %d after reserving %d", n, want)
	}
	if n := openFiles(t); n != open {
		t.Errorf("%d files open after reserving, %d before: the probe descriptor was kept", n, open)
	}
	if got := reserveFiles(int(f.Fd()), 10); got != 0 {
		t.Errorf("reserveFiles(10) = %d, want 0: every table starts with 64", got)
	}
}

// The first read of many processes grows the file table before it opens
// their files, to twice their number: here none of the fixture's processes
// has a stat file, so nothing else would grow it.
func TestFirstSampleReservesTwoFilesAProcess(t *testing.T) {
	root := t.TempDir()
	n := fdSize(t)
	for pid := 1; pid <= n; pid++ {
		if err := os.Mkdir(filepath.Join(root, strconv.Itoa(pid)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tbl := NewTable(root, time.Time{})
	defer tbl.Close()
	if _, err := tbl.Sample(time.Unix(1000, 0)); err != nil {
		t.Fatal(err)
	}
	if got := fdSize(t); got < 2*n {
		t.Errorf("FDSize %d after a first read of %d processes, want at least %d", got, n, 2*n)
	}
}
