package procs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// copyTree copies a fixture tree so a test can change it.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func find(procs []sampler.Process, pid int32) (sampler.Process, bool) {
	for _, p := range procs {
		if p.PID == pid {
			return p, true
		}
	}
	return sampler.Process{}, false
}

func TestProcTableFixture(t *testing.T) {
	root := copyTree(t, "../testdata/proc")
	tbl := NewTable(root, time.Time{})
	tbl.noKeep = true // the fixture files are rewritten in place below
	t0 := time.Unix(1000, 0)
	procs, err := tbl.Sample(t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(procs) != 2 {
		t.Fatalf("got %d processes, want 2 (pids 1 and 4242; 'self' and 'pressure' are not pids)", len(procs))
	}
	w, _ := find(procs, 4242)
	if w.PPID != 812 || w.Cmd != "/usr/bin/python3 /usr/bin/gunicorn labproject.wsgi -w 3" || w.PSS != 40960*1024 {
		t.Errorf("worker = %+v", w)
	}
	if w.RSS != 12800*uint64(os.Getpagesize()) {
		t.Errorf("rss = %d", w.RSS)
	}
	if init, _ := find(procs, 1); init.PSS != 0 || init.Name != "systemd" {
		t.Errorf("init = %+v (not an app server: no PSS read)", init)
	}

	// Two seconds later the worker has used 100 more ticks: 50 % of a core.
	os.WriteFile(filepath.Join(root, "4242/stat"), []byte("4242 (gunicorn: wor) ker) R 812 812 812 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 123456 58000000 12800 0 1 1 0\n"), 0o644)
	procs, _ = tbl.Sample(t0.Add(2 * time.Second))
	if w, _ := find(procs, 4242); w.CPU != 50 {
		t.Errorf("cpu = %v, want 50", w.CPU)
	}

	// The pid is reused by a new process (new start time): no delta against the old one.
	os.WriteFile(filepath.Join(root, "4242/stat"), []byte("4242 (sleep) S 1 1 1 0 -1 0 0 0 0 0 900 0 0 0 20 0 1 0 999999 1000 10 0 1 1 0\n"), 0o644)
	procs, _ = tbl.Sample(t0.Add(3 * time.Second))
	if w, _ := find(procs, 4242); w.Name != "sleep" || w.CPU != 0 || w.Start != 999999 {
		t.Errorf("reused pid = %+v", w)
	}

	// A process that exits is dropped, not an error.
	os.RemoveAll(filepath.Join(root, "4242"))
	procs, err = tbl.Sample(t0.Add(4 * time.Second))
	if err != nil || len(procs) != 1 {
		t.Errorf("after exit: %d procs, err %v", len(procs), err)
	}
}

// Live machine: this test reads the real /proc.
func TestProcTableLiveKeepsFilesOpen(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skip("cannot start sleep:", err)
	}
	defer cmd.Process.Kill()
	tbl := NewTable("/proc", time.Time{})
	defer tbl.Close()
	procs, err := tbl.Sample(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	child, ok := find(procs, int32(cmd.Process.Pid))
	if !ok || child.Name != "sleep" || child.PPID != int32(os.Getpid()) || child.Cmd != "sleep 30" {
		t.Fatalf("child = %+v, found %v", child, ok)
	}
	self, ok := find(procs, int32(os.Getpid()))
	if !ok || self.RSS == 0 || self.User == "" {
		t.Fatalf("self = %+v", self)
	}
	cmd.Process.Kill()
	cmd.Wait()
	procs, err = tbl.Sample(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := find(procs, int32(cmd.Process.Pid)); ok {
		t.Error("an exited process is still listed")
	}
	if _, ok := tbl.entries[int32(cmd.Process.Pid)]; ok {
		t.Error("an exited process's entry (and open file) was kept")
	}
}

func TestProcTableListsOnlyWhenAPidIsNew(t *testing.T) {
	root := copyTree(t, "../testdata/proc")
	os.WriteFile(filepath.Join(root, "loadavg"), []byte("0.10 0.16 0.09 1/76 4242\n"), 0o644)
	tbl := NewTable(root, time.Time{})
	tbl.noKeep = true
	t0 := time.Unix(1000, 0)
	if procs, _ := tbl.Sample(t0); len(procs) != 2 {
		t.Fatalf("%d procs", len(procs))
	}
	// A pid directory appears but the kernel's newest pid is unchanged:
	// no listing (this cannot happen on a real /proc; it shows the skip).
	os.MkdirAll(filepath.Join(root, "5000"), 0o755)
	os.WriteFile(filepath.Join(root, "5000/stat"), []byte("5000 (new) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 999 1000 10 0 1 1 0\n"), 0o644)
	if procs, _ := tbl.Sample(t0.Add(time.Second)); len(procs) != 2 {
		t.Errorf("listed /proc although no pid was new: %d procs", len(procs))
	}
	os.WriteFile(filepath.Join(root, "loadavg"), []byte("0.10 0.16 0.09 1/77 5000\n"), 0o644)
	procs, _ := tbl.Sample(t0.Add(2 * time.Second))
	if _, ok := find(procs, 5000); !ok || len(procs) != 3 {
		t.Errorf("new pid not found after /proc/loadavg named it: %d procs", len(procs))
	}
	// An exit is seen without a listing.
	os.RemoveAll(filepath.Join(root, "1"))
	if procs, _ := tbl.Sample(t0.Add(3 * time.Second)); len(procs) != 2 {
		t.Errorf("exited process still listed: %d procs", len(procs))
	}
}

// Live machine: a process started between two samples is found.
func TestProcTableLiveFindsNewProcess(t *testing.T) {
	tbl := NewTable("/proc", time.Time{})
	defer tbl.Close()
	if _, err := tbl.Sample(time.Now()); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skip("cannot start sleep:", err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	procs, err := tbl.Sample(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := find(procs, int32(cmd.Process.Pid)); !ok {
		t.Error("a process started after the first sample was not found")
	}
}

// An idle single-threaded process is checked through schedstat; stat is
// read again only when it ran, or every fullEvery samples.
func TestProcTableSkipsStatWhenIdle(t *testing.T) {
	root := copyTree(t, "../testdata/proc")
	tbl := NewTable(root, time.Time{})
	defer tbl.Close()
	t0 := time.Unix(1000, 0)
	tbl.Sample(t0)
	statPath := filepath.Join(root, "4242/stat")
	grown := "4242 (gunicorn: wor) ker) R 812 812 812 0 -1 4194560 100 0 0 0 150 50 0 0 20 0 1 0 123456 58000000 25600 0 1 1 0\n"
	os.WriteFile(statPath, []byte(grown), 0o644)
	procs, _ := tbl.Sample(t0.Add(time.Second))
	w, _ := find(procs, 4242)
	if w.RSS != 12800*uint64(os.Getpagesize()) {
		t.Errorf("stat re-read although schedstat says the process did not run: rss %d", w.RSS)
	}
	// It ran: stat is read, with its new CPU time and memory.
	os.WriteFile(filepath.Join(root, "4242/schedstat"), []byte("1600000000 2000 31\n"), 0o644)
	os.WriteFile(statPath, []byte(strings.Replace(grown, " 150 50 ", " 250 50 ", 1)), 0o644)
	procs, _ = tbl.Sample(t0.Add(2 * time.Second))
	w, _ = find(procs, 4242)
	if w.RSS != 25600*uint64(os.Getpagesize()) || w.CPU != 100 {
		t.Errorf("after running: rss %d cpu %v, want the new stat (100 %% over 1 s)", w.RSS, w.CPU)
	}
	// Idle for fullEvery samples: stat is read anyway.
	os.WriteFile(statPath, []byte(strings.Replace(strings.Replace(grown, " 150 50 ", " 250 50 ", 1), " 25600 ", " 30000 ", 1)), 0o644)
	for i := 0; i <= fullEvery; i++ {
		procs, _ = tbl.Sample(t0.Add(time.Duration(3+i) * time.Second))
	}
	if w, _ = find(procs, 4242); w.RSS != 30000*uint64(os.Getpagesize()) {
		t.Errorf("stat not re-read after %d idle samples: rss %d", fullEvery, w.RSS)
	}
}

// A kernel thread's command line is "[name]" without reading its file
// (always empty, and there are a hundred of them at a first sample).
func TestKernelThreadCmdlineNotRead(t *testing.T) {
	root := copyTree(t, "../testdata/proc")
	os.MkdirAll(filepath.Join(root, "77"), 0o755)
	// flags 0x208040 has PF_KTHREAD (0x200000).
	os.WriteFile(filepath.Join(root, "77/stat"), []byte("77 (kworker/0:1) I 2 0 0 0 -1 2129984 0 0 0 0 5 0 0 0 20 0 1 0 300 0 0 0 1 1 0\n"), 0o644)
	os.WriteFile(filepath.Join(root, "77/cmdline"), []byte("read\x00anyway"), 0o644) // no kernel thread has one: read, it would show
	tbl := NewTable(root, time.Time{})
	defer tbl.Close()
	procs, err := tbl.Sample(time.Unix(1000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := find(procs, 77); !ok || k.Cmd != "[kworker/0:1]" || k.Name != "kworker/0:1" {
		t.Errorf("kernel thread %+v", k)
	}
	if s, err := parseStat([]byte("77 (kworker/0:1) I 2 0 0 0 -1 2129984 0 0 0 0 5 0 0 0 20 0 1 0 300 0 0 0 1 1 0\n")); err != nil || !s.kthread {
		t.Errorf("flags 2129984: kthread %v, %v", s.kthread, err)
	}
	if s, _ := parseStat([]byte("4242 (sleep) S 1 1 1 0 -1 4194560 0 0 0 0 900 0 0 0 20 0 1 0 999999 1000 10 0 1 1 0\n")); s.kthread {
		t.Error("flags 4194560 (a user process) read as a kernel thread")
	}
}
