package textfile

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const nodeBin = "/usr/bin/prometheus-node-exporter"

// TestNodeExporterAcceptsTheFileE2E serves headroom.prom through a real
// node_exporter's textfile collector and reads it back from /metrics.
func TestNodeExporterAcceptsTheFileE2E(t *testing.T) {
	if _, err := os.Stat(nodeBin); err != nil {
		t.Skipf("%s not installed (apt-get install prometheus-node-exporter): %v", nodeBin, err)
	}
	dir := t.TempDir()
	if err := Write(dir, sample); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	logFile, err := os.Create(filepath.Join(t.TempDir(), "node_exporter.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nodeBin, "--web.listen-address="+addr, "--collector.disable-defaults",
		"--collector.textfile", "--collector.textfile.directory="+dir)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logFile.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logFile.Name())
			t.Logf("node_exporter log:\n%s", b)
		}
	})

	var body string
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(20 * time.Second)
	for body == "" {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			break
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("node_exporter on %s never answered: %v", addr, err)
		}
	}
	for _, want := range []string{
		"node_textfile_scrape_error 0",
		`headroom_verdict{level="SCALE"} 1`,
		`headroom_verdict{level="MONITOR"} 0`,
		`headroom_finding_level{metric="cpu"} 2`,
		`headroom_finding_value{metric="disk:/srv/\"quoted\"\\dir\n"} 72.25`,
		"headroom_workers_recommended 5",
		"headroom_worker_pss_bytes 4.194304e+07",
		fmt.Sprintf(`node_textfile_mtime_seconds{file="%s"}`, filepath.Join(dir, FileName)),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
