package main

import (
	"encoding/json"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler/labtest"
	"github.com/headroom-dev/headroom/sampler/saturation"
)

// queued is the number of connections waiting on 127.0.0.1:port, read
// the way the collector reads it (sock_diag).
func queued(t *testing.T, port int) int {
	t.Helper()
	socks, err := saturation.QueryListening()
	if err != nil {
		t.Skipf("sock_diag is not available here: %v", err)
	}
	for _, s := range socks {
		if !s.Unix && int(s.Addr.Port()) == port {
			return int(s.Queued)
		}
	}
	return 0
}

// saturationJSON is the part of once --json the saturation test reads.
type saturationJSON struct {
	Verdict     string   `json:"verdict"`
	Focus       []string `json:"focus"`
	Summary     string   `json:"summary"`
	Provisional bool     `json:"provisional"`
	Findings    []struct {
		Metric string  `json:"metric"`
		Now    float64 `json:"now"`
		Mean   float64 `json:"mean"`
		Level  string  `json:"level"`
	} `json:"findings"`
	Workers struct {
		CPUBased    int    `json:"cpu_based"`
		MemoryBased int    `json:"memory_based"`
		Recommended int    `json:"recommended"`
		Busy        *int   `json:"busy"`
		Queued      *int   `json:"queued"`
		Reason      string `json:"reason"`
	} `json:"workers"`
}

func (r saturationJSON) finding(metric string) (level string, now, mean float64, ok bool) {
	for _, f := range r.Findings {
		if f.Metric == metric {
			return f.Level, f.Now, f.Mean, true
		}
	}
	return "", 0, 0, false
}

// loadWhile runs the lab's wrk against port on path with 50 connections
// for a few seconds, judges the machine with once while it runs, and
// stops wrk by its pid.
func loadWhile(t *testing.T, lab *labtest.Lab, port int, path string) saturationJSON {
	t.Helper()
	load := lab.StartLoad(port, 20, 50, path)
	defer func() {
		syscall.Kill(-load.Process.Pid, syscall.SIGTERM)
		load.Wait()
		// The connections wrk left in the queue are still served: wait
		// for them, so the next load is judged on its own requests.
		deadline := time.Now().Add(30 * time.Second)
		for queued(t, port) > 0 && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
		}
	}()
	// Judge once the queue has filled: wrk starts slowly on a busy machine.
	deadline := time.Now().Add(15 * time.Second)
	for queued(t, port) < 10 {
		if time.Now().After(deadline) {
			t.Fatalf("%s: wrk did not fill the listen queue of port %d in 15 s", path, port)
		}
		time.Sleep(200 * time.Millisecond)
	}
	code, out, stderr := runCLI(t, "once", "--json", "--for", "4s", "--window", "4s", "--interval", "500ms")
	if code == exitBadInput {
		t.Fatalf("once failed: %s", stderr)
	}
	var r saturationJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return r
}

// Two sync gunicorn workers under 50 connections: on an endpoint that
// sleeps, requests queue while CPU idles, and the answer is more workers;
// on one that computes, the queue is the CPU's and the answer is SCALE.
func TestEndToEndSaturation(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the end-to-end test starts gunicorn and wrk")
	}
	if _, err := os.Stat("/usr/bin/wrk"); err != nil {
		t.Skip("/usr/bin/wrk is not installed (testdata/lab/install.sh installs it)")
	}
	isolate(t)
	lab := labtest.New(t)
	app := lab.App(labtest.AppConfig{Workers: 2})
	port := labtest.PortOf(app.URL)

	slow := loadWhile(t, lab, port, "/slow/?ms=200")
	t.Logf("slow: %s — %s; workers %+v", slow.Verdict, slow.Summary, slow.Workers)
	level, now, _, ok := slow.finding("queue")
	if !ok || level == "MONITOR" || now < 20 {
		t.Fatalf("slow: queue finding %v %s now %v; want ~48 connections waiting, sustained", ok, level, now)
	}
	if slow.Provisional {
		t.Error("slow: --for equal to --window is not provisional")
	}
	cpuLevel, _, cpuMean, _ := slow.finding("cpu")
	if psiLevel, _, psiMean, _ := slow.finding("psi:cpu"); cpuLevel != "MONITOR" || psiLevel == "SCALE" {
		// Other work on the machine can take the CPU; then the queue is
		// rightly the CPU's, and the rule under test does not apply.
		t.Logf("slow: the machine's CPU is busy (%s, mean %.0f%%; pressure %s, %.0f%%): not judging the worker rule",
			cpuLevel, cpuMean, psiLevel, psiMean)
	} else {
		if slow.Verdict != "OPTIMIZE" || !strings.Contains(slow.Summary, "add workers") || !strings.Contains(slow.Summary, "memory allows") {
			t.Errorf("slow: %s — %s; want OPTIMIZE naming more workers and the memory bound", slow.Verdict, slow.Summary)
		}
		w := slow.Workers
		if w.Recommended <= w.CPUBased || w.Recommended > w.MemoryBased || w.Reason == "" {
			t.Errorf("slow: workers %+v; want more than the CPU formula, within memory, with a reason", w)
		}
		if w.Busy == nil || *w.Busy != 2 || w.Queued == nil || *w.Queued < 20 {
			t.Errorf("slow: busy %v queued %v; want 2 busy and the queue", w.Busy, w.Queued)
		}
	}

	cpu := loadWhile(t, lab, port, "/cpu/?ms=100")
	t.Logf("cpu: %s — %s; workers %+v", cpu.Verdict, cpu.Summary, cpu.Workers)
	if cpuLevel, _, _, _ := cpu.finding("cpu"); cpu.Verdict != "SCALE" || cpuLevel != "SCALE" {
		t.Errorf("cpu: verdict %s, cpu %s; want SCALE on cpu", cpu.Verdict, cpuLevel)
	}
	if level, _, _, ok := cpu.finding("queue"); !ok || level != "SCALE" || !strings.Contains(cpu.Summary, "requests queue and CPU") {
		t.Errorf("cpu: queue %v %s, summary %q; want the queue named as saturation", ok, level, cpu.Summary)
	}
}
