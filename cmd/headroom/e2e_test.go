package main

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler/labtest"
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
	isolate(t)
	var master int
	// Registered before the lab's own stop.sh, so it runs after it.
	t.Cleanup(func() {
		if master > 0 && running(master) {
			t.Errorf("gunicorn master %d still running after stop.sh", master)
		}
	})
	lab := labtest.New(t)
	app := lab.App(labtest.AppConfig{Workers: 3})
	master = app.MasterPID
	url := app.URL + "/health/"

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
	load := lab.StartLoad(labtest.PortOf(app.URL), 10, 16, "/cpu/?ms=50")
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
