package prom

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

const (
	promBin = "/usr/bin/prometheus"
	nodeBin = "/usr/bin/prometheus-node-exporter"
)

// needBinary skips the test when a lab program is not installed.
func needBinary(t *testing.T, path, pkg string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s not installed (apt-get install %s): %v", path, pkg, err)
	}
}

// freeAddr is a loopback address with a port nobody listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// startProcess runs a lab program with its output in dir/name.log and stops
// it by pid when the test ends.
func startProcess(t *testing.T, dir, name, bin string, args ...string) {
	t.Helper()
	log, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		log.Close()
		if t.Failed() {
			if b, err := os.ReadFile(log.Name()); err == nil {
				t.Logf("%s log:\n%s", name, tail(b, 2000))
			}
		}
	})
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// waitHTTP polls url until it answers 200, for at most 30 s.
func waitHTTP(t *testing.T, url string) {
	t.Helper()
	waitFor(t, 30*time.Second, func() error {
		resp, err := http.Get(url)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	})
}

// waitFor retries check every 250 ms until it returns nil or limit passes.
func waitFor(t *testing.T, limit time.Duration, check func() error) {
	t.Helper()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(limit)
	for {
		err := check()
		if err == nil {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("still not ready after %s: %v", limit, err)
		}
	}
}

// lab is a Prometheus scraping several node_exporters every second.
type lab struct {
	promURL string
	hosts   map[string]string // name → instance label
}

// startLab starts node_exporters for this host and the fixture hosts in
// testdata/hosts, and a Prometheus scraping them as job "node".
func startLab(t *testing.T) *lab {
	t.Helper()
	needBinary(t, promBin, "prometheus")
	needBinary(t, nodeBin, "prometheus-node-exporter")
	dir := t.TempDir()
	l := &lab{hosts: map[string]string{}}
	l.hosts["real"] = freeAddr(t)
	startProcess(t, dir, "real", nodeBin, "--web.listen-address="+l.hosts["real"],
		"--collector.disable-defaults", "--collector.cpu", "--collector.meminfo", "--collector.filesystem",
		"--collector.loadavg", "--collector.diskstats", "--collector.netdev", "--collector.pressure",
		"--collector.stat", "--collector.time")
	for _, name := range []string{"mem90", "swap"} {
		root, err := filepath.Abs(filepath.Join("testdata", "hosts", name))
		if err != nil {
			t.Fatal(err)
		}
		l.hosts[name] = freeAddr(t)
		startProcess(t, dir, name, nodeBin, "--web.listen-address="+l.hosts[name],
			"--path.procfs="+filepath.Join(root, "proc"), "--path.sysfs="+filepath.Join(root, "sys"),
			"--collector.disable-defaults", "--collector.cpu", "--collector.meminfo", "--collector.loadavg")
	}
	targets := ""
	for _, addr := range l.hosts {
		targets += strconv.Quote(addr) + ","
	}
	cfg := "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n" +
		"  - job_name: node\n    static_configs:\n      - targets: [" + targets[:len(targets)-1] + "]\n"
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	startProcess(t, dir, "prometheus", promBin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr, "--log.level=warn")
	l.promURL = "http://" + addr
	waitHTTP(t, l.promURL+"/-/ready")
	return l
}
