package main

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The end-to-end test runs a real gunicorn from testdata/lab (Debian's
// gunicorn and python3-django; .ci/run installs them) and real wrk load.
// It skips, saying why, only when the lab or its packages are missing.

type onceJSON struct {
	Verdict string `json:"verdict"`
	Apps    []struct {
		Kind      string  `json:"kind"`
		MasterPID int     `json:"master_pid"`
		Workers   int     `json:"workers"`
		PSS       float64 `json:"pss_median_mib"`
		CPU       float64 `json:"cpu"`
	} `json:"apps"`
	Probe *struct {
		URL      string  `json:"url"`
		Requests int     `json:"requests"`
		Errors   int     `json:"errors"`
		P50      float64 `json:"p50_ms"`
		P95      float64 `json:"p95_ms"`
	} `json:"probe"`
	Workers struct {
		Running int    `json:"running"`
		Source  string `json:"per_worker_source"`
	} `json:"workers"`
}

func labDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../testdata/lab")
	if err != nil {
		t.Skip(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "start.sh")); err != nil {
		t.Skipf("no lab at %s: the end-to-end test needs the repository's testdata/lab", dir)
	}
	for _, bin := range []string{"/usr/bin/gunicorn", "/usr/bin/wrk"} {
		if _, err := os.Stat(bin); err != nil {
			t.Skipf("%s is not installed (testdata/lab/install.sh installs it; .ci/run runs that)", bin)
		}
	}
	if exec.Command("/usr/bin/python3", "-c", "import django").Run() != nil {
		t.Skip("python3-django is not installed (testdata/lab/install.sh installs it)")
	}
	return dir
}

// running reports whether pid is alive (an exited process not yet reaped
// by its new parent is not).
func running(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func onceLive(t *testing.T, args ...string) onceJSON {
	t.Helper()
	code, out, stderr := runCLI(t, append([]string{"once", "--json"}, args...)...)
	if code == exitBadInput {
		t.Fatalf("once failed: %s", stderr)
	}
	var r onceJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return r
}

func TestEndToEndGunicorn(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the end-to-end test starts gunicorn and wrk")
	}
	lab := labDir(t)
	isolate(t)
	state := t.TempDir()
	port := freePort(t)
	env := append(os.Environ(), "LAB_DIR="+state)
	start := exec.Command(filepath.Join(lab, "start.sh"), "--workers", "3", "--port", strconv.Itoa(port))
	start.Env = env
	if out, err := start.CombinedOutput(); err != nil {
		t.Fatalf("start.sh: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(state, "gunicorn.pid"))
	if err != nil {
		t.Fatal(err)
	}
	master, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	t.Cleanup(func() {
		stop := exec.Command(filepath.Join(lab, "stop.sh"))
		stop.Env = env
		stop.Run()
		if running(master) {
			t.Errorf("gunicorn master %d still running after stop.sh", master)
		}
	})
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/health/"

	idle := onceLive(t, "--for", "3s", "--interval", "500ms", "--probe", url)
	var found bool
	for _, a := range idle.Apps {
		if a.Kind == "gunicorn" && a.MasterPID == master {
			found = true
			if a.Workers != 3 {
				t.Errorf("gunicorn workers = %d, want 3", a.Workers)
			}
			// A Django worker's PSS: tens of MiB (the lab's measure ~36-40).
			if a.PSS < 10 || a.PSS > 200 {
				t.Errorf("median PSS %v MiB is not plausible", a.PSS)
			}
		}
	}
	if !found {
		t.Fatalf("gunicorn master %d not found in %+v", master, idle.Apps)
	}
	if idle.Workers.Running < 3 || idle.Workers.Source != "measured" {
		t.Errorf("worker suggestion: %+v", idle.Workers)
	}
	if idle.Probe == nil || idle.Probe.Requests < 4 || idle.Probe.Errors != 0 {
		t.Fatalf("idle probe: %+v", idle.Probe)
	}

	// wrk with 16 connections on a CPU-heavy endpoint keeps all three sync
	// workers busy: a probe request has to queue behind them.
	load := exec.Command(filepath.Join(lab, "load.sh"), "--seconds", "10", "--connections", "16", "--port", strconv.Itoa(port), "--path", "/cpu/?ms=50")
	load.Env = env
	if err := load.Start(); err != nil {
		t.Fatal(err)
	}
	defer load.Wait()
	time.Sleep(2 * time.Second)
	busy := onceLive(t, "--for", "6s", "--interval", "500ms", "--probe", url)
	if busy.Probe == nil || busy.Probe.Requests < 1 { // each waits behind the load: on a busy machine one or two
		t.Fatalf("probe under load: %+v", busy.Probe)
	}
	t.Logf("probe p50 idle %.1f ms, under load %.1f ms (p95 %.1f → %.1f)", idle.Probe.P50, busy.Probe.P50, idle.Probe.P95, busy.Probe.P95)
	if busy.Probe.P50 < 2*idle.Probe.P50 || busy.Probe.P50 < idle.Probe.P50+20 {
		t.Errorf("latency did not rise under load: p50 %.1f ms idle, %.1f ms loaded", idle.Probe.P50, busy.Probe.P50)
	}
	var cpu float64
	for _, a := range busy.Apps {
		if a.MasterPID == master {
			cpu = a.CPU
		}
	}
	if cpu < 50 {
		t.Errorf("gunicorn CPU under load %.1f%%, want most of a core or more", cpu)
	}
}
