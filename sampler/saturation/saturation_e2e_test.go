package saturation

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The end-to-end test runs the lab's real gunicorn (testdata/lab; Debian's
// gunicorn and python3-django)
// with 2 sync workers and checks what the Reader says while requests are
// in flight: one worker sleeping in /slow/, one computing in /cpu/, and
// two more requests waiting in the listen queue.

func labScripts(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../testdata/lab")
	if err != nil {
		t.Skip(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "start.sh")); err != nil {
		t.Skipf("no lab at %s", dir)
	}
	if _, err := os.Stat("/usr/bin/gunicorn"); err != nil {
		t.Skip("/usr/bin/gunicorn is not installed (apt-get install gunicorn python3-django)")
	}
	if exec.Command("/usr/bin/python3", "-c", "import django").Run() != nil {
		t.Skip("python3-django is not installed (apt-get install python3-django)")
	}
	return dir
}

// freePort is a loopback port nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// children lists the pids whose parent is ppid.
func children(t *testing.T, ppid int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(ppid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func TestEndToEndGunicornWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the end-to-end test starts gunicorn")
	}
	lab := labScripts(t)
	state := t.TempDir()
	env := append(os.Environ(), "LAB_DIR="+state)
	port := freePort(t)
	start := exec.Command(filepath.Join(lab, "start.sh"), "--workers", "2", "--port", strconv.Itoa(port))
	start.Env = env
	if out, err := start.CombinedOutput(); err != nil {
		t.Fatalf("start.sh: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(state, "gunicorn.pid"))
	if err != nil {
		t.Fatal(err)
	}
	master, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop := exec.Command(filepath.Join(lab, "stop.sh"))
		stop.Env = env
		if out, err := stop.CombinedOutput(); err != nil {
			t.Errorf("stop.sh: %v\n%s", err, out)
		}
	})
	workers := children(t, master)
	if len(workers) != 2 {
		t.Fatalf("gunicorn master %d has workers %v, want 2", master, workers)
	}
	apps := []App{{PID: master, Family: "gunicorn"}}
	for _, w := range workers {
		apps = append(apps, App{PID: w, Family: "gunicorn", Worker: true})
	}
	r := NewReader(Config{KernelLog: feed{}})
	addr := "127.0.0.1:" + strconv.Itoa(port)

	// until polls the Reader (at most 10 s) until ok holds for a read.
	until := func(what string, ok func(Saturation) bool) Saturation {
		t.Helper()
		var s Saturation
		for range 200 {
			if s = r.Read(apps); ok(s) {
				return s
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("%s: never seen; last read %+v", what, s)
		return s
	}
	states := func(s Saturation) []string {
		var out []string
		for _, w := range s.Workers {
			out = append(out, w.State)
		}
		slices.Sort(out)
		return out
	}
	queued := func(s Saturation) int {
		for _, l := range s.Listeners {
			if l.Addr == addr && l.PID == master {
				return int(l.Queued)
			}
		}
		return -1
	}

	until("both workers idle", func(s Saturation) bool {
		return slices.Equal(states(s), []string{StateIdle, StateIdle}) && queued(s) == 0
	})

	client := &http.Client{Timeout: 20 * time.Second}
	get := func(path string) {
		go func() {
			if resp, err := client.Get("http://" + addr + path); err == nil {
				resp.Body.Close()
			}
		}()
	}
	get("/slow/?ms=4000")
	until("one worker sleeping in /slow/", func(s Saturation) bool {
		return slices.Equal(states(s), []string{StateIdle, StateWaiting})
	})
	get("/cpu/?ms=4000")
	until("one worker on the CPU", func(s Saturation) bool {
		return slices.Equal(states(s), []string{StateCPU, StateWaiting})
	})
	get("/health/")
	get("/health/")
	s := until("two requests queued", func(s Saturation) bool { return queued(s) == 2 })
	for _, l := range s.Listeners {
		if l.Addr == addr && (l.Backlog == 0 || l.Family != "gunicorn") {
			t.Errorf("listener %+v: want gunicorn with its backlog", l)
		}
	}
}
