package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/headroom-dev/headroom/sampler/prom"
	"github.com/headroom-dev/headroom/tui"
)

type fleetJSON struct {
	Verdict string `json:"verdict"`
	Summary string `json:"summary"`
	Hosts   []struct {
		Instance string `json:"instance"`
		Up       bool   `json:"up"`
		Verdict  string `json:"verdict"`
		Focus    []string
		Summary  string  `json:"summary"`
		CoveredS float64 `json:"covered_s"`
		Findings []struct {
			Metric string  `json:"metric"`
			Now    float64 `json:"now"`
			Level  string  `json:"level"`
		} `json:"findings"`
		Workers struct {
			Cores       float64 `json:"cores"`
			MemoryMiB   int     `json:"memory_mib"`
			Recommended int     `json:"recommended"`
		} `json:"workers"`
	} `json:"hosts"`
	Fleet struct {
		Hosts         int `json:"hosts"`
		AtScale       int `json:"at_scale"`
		AtOptimize    int `json:"at_optimize"`
		ScaleOutBy    int `json:"scale_out_by"`
		ConsolidateTo int `json:"consolidate_to"`
	} `json:"fleet"`
}

func fleetOnce(t *testing.T, args ...string) (int, fleetJSON, string) {
	t.Helper()
	code, out, stderr := runCLI(t, append([]string{"once", "--json"}, args...)...)
	var r fleetJSON
	if code != exitBadInput {
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
	}
	return code, r, stderr
}

// TestFleetOnceE2E: one host hot while two idle is an imbalance (OPTIMIZE),
// each host judged by its own numbers; this host appears with its own
// cores and memory under the default selector.
func TestFleetOnceE2E(t *testing.T) {
	isolate(t)
	l := startFleetLab(t,
		&fixtureHost{name: "hot", cores: 4, busy: 0.95, memGiB: 8, memUsed: 0.5},
		&fixtureHost{name: "idle1", cores: 2, busy: 0.05, memGiB: 4, memUsed: 0.2},
		&fixtureHost{name: "idle2", cores: 2, busy: 0.10, memGiB: 4, memUsed: 0.3})
	// A 2 s step rates over 8 s: the moment node_exporter reads the fixture
	// between two rewrites matters less on a busy machine.
	args := []string{"--prometheus", l.url, "--match", `{job="fixture"}`, "--interval", "2s", "--window", "20s"}
	var r fleetJSON
	var code int
	// Ready once every host has a window of CPU rates.
	eventually(t, 60*time.Second, func() error {
		var stderr string
		code, r, stderr = fleetOnce(t, args...)
		if code == exitBadInput {
			return fmt.Errorf("exit 3: %s", stderr)
		}
		if len(r.Hosts) != 3 {
			return fmt.Errorf("%d hosts", len(r.Hosts))
		}
		for _, h := range r.Hosts {
			if len(h.Findings) == 0 || h.Findings[0].Metric != "cpu" || h.CoveredS < 16 {
				return fmt.Errorf("%s: covered %vs, findings %v", h.Instance, h.CoveredS, h.Findings)
			}
		}
		return nil
	})
	hot := l.hosts["hot"]
	if r.Verdict != "OPTIMIZE" || code != exitOptimize || !strings.Contains(r.Summary, "imbalance: "+hot.instance+" carry the load") {
		t.Errorf("fleet %s (exit %d) %q, want OPTIMIZE naming %s", r.Verdict, code, r.Summary, hot.instance)
	}
	if r.Fleet.Hosts != 3 || r.Fleet.AtScale != 1 || r.Fleet.ScaleOutBy != 0 {
		t.Errorf("fleet counts %+v, want 3 hosts, 1 at SCALE, no scale-out", r.Fleet)
	}
	want := map[string]struct {
		cpu, mem float64
		workers  int
		verdict  string
	}{
		// 4 cores, 8 GiB: min(2×4+1, 4×4) = 9; memory 8192×0.75/256 = 24 → 9.
		hot.instance: {95, 50, 9, "SCALE"},
		// 2 cores, 4 GiB: min(5, 8) = 5; 4096×0.75/256 = 12 → 5.
		l.hosts["idle1"].instance: {5, 20, 5, "MONITOR"},
		l.hosts["idle2"].instance: {10, 30, 5, "MONITOR"},
	}
	if r.Hosts[0].Instance != hot.instance {
		t.Errorf("first host %s, want the worst (%s)", r.Hosts[0].Instance, hot.instance)
	}
	for _, h := range r.Hosts {
		w := want[h.Instance]
		got := map[string]float64{}
		for _, f := range h.Findings {
			got[f.Metric] = f.Now
		}
		if d := got["cpu"] - w.cpu; d > 3 || d < -3 {
			t.Errorf("%s: cpu %.2f %%, want %.0f", h.Instance, got["cpu"], w.cpu)
		}
		if d := got["memory"] - w.mem; d > 0.1 || d < -0.1 {
			t.Errorf("%s: memory %.2f %%, want %.0f", h.Instance, got["memory"], w.mem)
		}
		if _, ok := got["disk:/"]; ok {
			t.Errorf("%s: a disk finding although no filesystem collector runs there", h.Instance)
		}
		if h.Verdict != w.verdict || h.Workers.Recommended != w.workers {
			t.Errorf("%s: %s, %d workers; want %s, %d", h.Instance, h.Verdict, h.Workers.Recommended, w.verdict, w.workers)
		}
	}

	_, out, _ := runCLI(t, append([]string{"once", "--json"}, args...)...)
	conforms(t, schemaFor(t, "fleetOnce"), "once --prometheus --json", []byte(out))
	checkFleetScreen(t, l)

	// The default selector is this host: its own cores and memory.
	_, r, stderr := fleetOnce(t, "--prometheus", l.url, "--interval", "1s", "--window", "10s")
	if len(r.Hosts) != 1 || r.Hosts[0].Instance != l.real {
		t.Fatalf("default selector: %+v (%s), want only %s", r.Hosts, stderr, l.real)
	}
	cores, memKB := procCoresMem(t)
	if w := r.Hosts[0].Workers; int(w.Cores) != cores || w.MemoryMiB != memKB/1024 {
		t.Errorf("this host: %v cores, %d MiB; /proc says %d and %d", w.Cores, w.MemoryMiB, cores, memKB/1024)
	}

	// A selector matching nothing: exit 3 naming the URL and the reason.
	code, _, stderr = fleetOnce(t, "--prometheus", l.url, "--match", `{job="nosuch"}`)
	if code != exitBadInput || !strings.Contains(stderr, l.url) || !strings.Contains(stderr, "matches no target") {
		t.Errorf("nothing matched: exit %d %q", code, stderr)
	}
}

func procCoresMem(t *testing.T) (cores, memKB int) {
	t.Helper()
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if _, err := fmt.Sscanf(sc.Text(), "MemTotal: %d kB", &memKB); err == nil {
			break
		}
	}
	b, _ := os.ReadFile("/proc/stat")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "cpu") && !strings.HasPrefix(line, "cpu ") {
			cores++
		}
	}
	return cores, memKB
}

// TestFleetPrometheusDownE2E: unreachable, or hanging past the timeout,
// is exit 3 with the URL and the reason, within the timeout.
func TestFleetPrometheusDownE2E(t *testing.T) {
	isolate(t)
	dead := "http://" + freeAddr(t)
	code, _, stderr := fleetOnce(t, "--prometheus", dead)
	if code != exitBadInput || !strings.Contains(stderr, dead) || !strings.Contains(stderr, "refused") {
		t.Errorf("unreachable: exit %d %q, want 3 naming %s and the refusal", code, stderr, dead)
	}
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(4 * time.Second):
		}
	}))
	defer hang.Close()
	defer hang.CloseClientConnections()
	start := time.Now()
	code, _, stderr = fleetOnce(t, "--prometheus", hang.URL, "--probe-timeout", "1s")
	if took := time.Since(start); code != exitBadInput || took > 3*time.Second || !strings.Contains(stderr, "no answer within 1s") {
		t.Errorf("hanging: exit %d after %v: %q; want 3 within the 1s timeout", code, took, stderr)
	}
}

// TestTextfileCollectorE2E: node_exporter's textfile collector reads the
// headroom.prom that `once --textfile` writes, without a scrape error.
func TestTextfileCollectorE2E(t *testing.T) {
	isolate(t)
	needBin(t, nodeBin, "prometheus-node-exporter")
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, "once", "--replay", "../../testdata/idle.jsonl", "--textfile", dir); code != exitOK {
		t.Fatalf("once: exit %d %s", code, stderr)
	}
	addr := freeAddr(t)
	startProc(t, t.TempDir(), "node", nodeBin, "--web.listen-address="+addr, "--collector.disable-defaults",
		"--collector.textfile", "--collector.textfile.directory="+dir)
	var body string
	eventually(t, 20*time.Second, func() error {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		body = string(b)
		return err
	})
	for _, want := range []string{"node_textfile_scrape_error 0", `headroom_verdict{level="MONITOR"} 1`, `headroom_finding_level{metric="cpu"} 0`} {
		if !strings.Contains(body, want) {
			t.Errorf("node_exporter's /metrics lacks %q", want)
		}
	}
}

// checkFleetScreen runs the fleet screen against the lab at 80x24: the hot
// host first, at SCALE, under the fleet's imbalance line.
func checkFleetScreen(t *testing.T, l *fleetLab) {
	t.Helper()
	st := defaultSettings()
	st.Rules.Window = 10 * time.Second
	var o prom.Options
	o.URL, o.Selector, o.Step, o.Window, o.Timeout = l.url, `{job="fixture"}`, time.Second, st.Rules.Window, 5*time.Second
	c, err := prom.New(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := tui.NewFleet(tui.FleetOptions{Feed: fleetFeed(ctx, c, st.Rules, time.Second), Rules: st.Rules, Theme: "mono",
		Interval: time.Second, URL: c.URL(), Selector: o.Selector})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	hot := l.hosts["hot"].instance
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("balancer")) && bytes.Contains(b, []byte(hot))
	}, teatest.WithDuration(15*time.Second))
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	view := ansi.Strip(tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).View())
	lines := strings.Split(view, "\n")
	if len(lines) != 24 {
		t.Fatalf("%d lines, want 24:\n%s", len(lines), view)
	}
	if !strings.Contains(lines[5], "SCALE") || !strings.Contains(lines[5], hot) || !strings.Contains(lines[5], "cpu") {
		t.Errorf("first row %q, want %s at SCALE on cpu\n%s", lines[5], hot, view)
	}
	if !strings.Contains(view, "FLEET OPTIMIZE") || !strings.Contains(view, "3 hosts") {
		t.Errorf("fleet line wrong:\n%s", view)
	}
}
