package procs

import (
	"os"
	"os/exec"
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
// their files, to what it keeps open and some to spare: here none of the
// fixture's processes has a stat file, so nothing else would grow it.
func TestFirstSampleReservesAFileAProcess(t *testing.T) {
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
	if got := fdSize(t); got < n+64 {
		t.Errorf("FDSize %d after a first read of %d processes, want at least %d", got, n, n+64)
	}
}

// Of a process's files only schedstat stays open: an open /proc file holds
// a page of kernel memory, and stat is not read every sample.
func TestSampleKeepsOnlySchedstatOpen(t *testing.T) {
	var kids []*exec.Cmd
	for range 5 {
		c := exec.Command("sleep", "60")
		if err := c.Start(); err != nil {
			t.Skip("cannot start sleep:", err)
		}
		kids = append(kids, c)
	}
	defer func() {
		for _, c := range kids {
			c.Process.Kill()
			c.Wait()
		}
	}()
	tbl := NewTable("/proc", time.Time{})
	defer tbl.Close()
	for i := range 2 {
		if _, err := tbl.Sample(time.Unix(1000+int64(i), 0)); err != nil {
			t.Fatal(err)
		}
	}
	open := map[string]int{}
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, fd := range fds {
		if l, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && strings.HasPrefix(l, "/proc/") {
			open[filepath.Base(l)]++
		}
	}
	if open["stat"] != 0 || open["schedstat"] < len(kids) {
		t.Errorf("open /proc files after two samples: %v; want schedstat for at least the %d children, no stat", open, len(kids))
	}
}
