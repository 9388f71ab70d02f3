package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The fleet lab: a real Prometheus scraping every second several real
// node_exporters, one reading this host and others reading procfs trees
// written here, whose CPU counters move at a known rate.

const (
	promBin = "/usr/bin/prometheus"
	nodeBin = "/usr/bin/prometheus-node-exporter"
)

// fixtureHost is a made-up host: cores, a steady CPU use, memory in use.
type fixtureHost struct {
	name     string
	cores    int
	busy     float64 // share of each core's time not idle, 0–1
	memGiB   int
	memUsed  float64 // share of MemTotal not available, 0–1
	instance string
	root     string
}

// fleetLab is the running lab: Prometheus' URL and the hosts by name.
type fleetLab struct {
	url   string
	real  string // this host's node_exporter instance
	hosts map[string]*fixtureHost
	dir   string
}

func needBin(t *testing.T, path, pkg string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s not installed (apt-get install %s)", path, pkg)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startProc runs bin with its output in dir/name.log and kills it by its
// pid when the test ends.
func startProc(t *testing.T, dir, name, bin string, args ...string) {
	t.Helper()
	log, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		log.Close()
	})
}

// eventually retries check every 250 ms until it passes or limit is over.
func eventually(t *testing.T, limit time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not so after %s: %v", limit, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// writeProc writes the host's procfs as it is elapsed seconds after start:
// USER_HZ ticks of busy and idle time in the proportion asked, so
// rate(node_cpu_seconds_total) is exactly the share asked.
func (h *fixtureHost) writeProc(elapsed float64) error {
	ticks := 100000 + elapsed*100 // per core; a start not at zero, like a real boot
	user, idle := uint64(ticks*h.busy), uint64(ticks*(1-h.busy))
	var b strings.Builder
	fmt.Fprintf(&b, "cpu  %d 0 0 %d 0 0 0 0 0 0\n", user*uint64(h.cores), idle*uint64(h.cores))
	for i := range h.cores {
		fmt.Fprintf(&b, "cpu%d %d 0 0 %d 0 0 0 0 0 0\n", i, user, idle)
	}
	b.WriteString("intr 0\nctxt 0\nbtime 1795000000\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n")
	stat := filepath.Join(h.root, "proc", "stat")
	if err := os.WriteFile(stat+".tmp", []byte(b.String()), 0o644); err != nil {
		return err
	}
	return os.Rename(stat+".tmp", stat)
}

func (h *fixtureHost) writeStatic() error {
	for _, d := range []string{"proc", "sys"} {
		if err := os.MkdirAll(filepath.Join(h.root, d), 0o755); err != nil {
			return err
		}
	}
	totalKB := h.memGiB << 20
	availKB := int(float64(totalKB) * (1 - h.memUsed))
	mem := fmt.Sprintf("MemTotal: %d kB\nMemFree: %d kB\nMemAvailable: %d kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n", totalKB, availKB, availKB)
	if err := os.WriteFile(filepath.Join(h.root, "proc", "meminfo"), []byte(mem), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(h.root, "proc", "loadavg"), []byte("0.50 0.40 0.30 1/100 1000\n"), 0o644)
}

// startFleetLab starts this host's node_exporter (job "node") and one per
// fixture host (job "fixture"), and Prometheus scraping all every second.
func startFleetLab(t *testing.T, hosts ...*fixtureHost) *fleetLab {
	t.Helper()
	needBin(t, promBin, "prometheus")
	needBin(t, nodeBin, "prometheus-node-exporter")
	dir := t.TempDir()
	l := &fleetLab{real: freeAddr(t), hosts: map[string]*fixtureHost{}, dir: dir}
	startProc(t, dir, "real", nodeBin, "--web.listen-address="+l.real, "--collector.disable-defaults",
		"--collector.cpu", "--collector.meminfo", "--collector.filesystem", "--collector.loadavg", "--collector.stat")
	start := time.Now()
	var fixtures []string
	for _, h := range hosts {
		h.root, h.instance = filepath.Join(dir, h.name), freeAddr(t)
		if err := h.writeStatic(); err != nil {
			t.Fatal(err)
		}
		if err := h.writeProc(0); err != nil {
			t.Fatal(err)
		}
		l.hosts[h.name] = h
		fixtures = append(fixtures, fmt.Sprintf("%q", h.instance))
		startProc(t, dir, h.name, nodeBin, "--web.listen-address="+h.instance,
			"--path.procfs="+filepath.Join(h.root, "proc"), "--path.sysfs="+filepath.Join(h.root, "sys"),
			"--collector.disable-defaults", "--collector.cpu", "--collector.meminfo", "--collector.loadavg")
	}
	// Move the fixtures' CPU counters on; a counter that never moves reads as 100 % busy.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case now := <-tick.C:
				for _, h := range hosts {
					_ = h.writeProc(now.Sub(start).Seconds())
				}
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
	cfg := "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n" +
		"  - job_name: node\n    static_configs:\n      - targets: [\"" + l.real + "\"]\n" +
		"  - job_name: fixture\n    static_configs:\n      - targets: [" + strings.Join(fixtures, ",") + "]\n"
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	startProc(t, dir, "prometheus", promBin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr, "--log.level=warn")
	l.url = "http://" + addr
	eventually(t, 30*time.Second, func() error {
		resp, err := http.Get(l.url + "/-/ready")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("prometheus: status %d", resp.StatusCode)
		}
		return nil
	})
	return l
}
