package accesslog

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// nginxLogFormat is the log_format the README gives for nginx.
const nginxLogFormat = `'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent ` +
	`"$http_referer" "$http_user_agent" $request_time $upstream_response_time'`

// nginxServer is an nginx started by a test in its own directory.
type nginxServer struct {
	dir, base string
	cmd       *exec.Cmd
}

// startNginx runs nginx in one process (master_process off, so that it is
// stopped by its pid alone) on a free loopback port.
func startNginx(t *testing.T) *nginxServer {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		bin = "/usr/sbin/nginx"
		if _, err := os.Stat(bin); err != nil {
			t.Skipf("nginx is not installed (Debian package nginx): %v", err)
		}
	}
	dir := t.TempDir()
	port := freePort(t)
	conf := fmt.Sprintf(`master_process off;
error_log %[1]s/error.log warn;
events { worker_connections 64; }
http {
    log_format headroom %[2]s;
    access_log %[1]s/access.log headroom;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    server {
        listen 127.0.0.1:%[3]d;
        location = /ready { access_log off; return 204; }
        location = /ok { return 200 "ok\n"; }
        location /users/ { return 200 "user\n"; }
        location = /fail { return 503; }
    }
}
`, dir, nginxLogFormat, port)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "-p", dir+"/", "-c", confPath, "-e", filepath.Join(dir, "error.log"),
		"-g", "daemon off; pid "+filepath.Join(dir, "nginx.pid")+";")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	s := &nginxServer{dir: dir, base: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd}
	for i := 0; ; i++ {
		select {
		case <-exited:
			errLog, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited: %s%s", out.Bytes(), errLog)
		default:
		}
		resp, err := http.Get(s.base + "/ready")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i == 100 {
			t.Fatalf("nginx not answering on %s after 5 s: %v", s.base, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// get requests path and checks the status.
func (s *nginxServer) get(t *testing.T, path string, want int) {
	t.Helper()
	resp, err := http.Get(s.base + path)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d", path, resp.StatusCode, want)
	}
}

// waitLines waits (bounded) until the file at path holds n lines: nginx
// writes the log line after the response.
func waitLines(t *testing.T, path string, n int) {
	t.Helper()
	for i := 0; i < 100; i++ {
		data, _ := os.ReadFile(path)
		if bytes.Count(data, []byte("\n")) >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not reach %d lines in 2 s", path, n)
}

func TestNginxAccessLogE2E(t *testing.T) {
	srv := startNginx(t)
	logPath := filepath.Join(srv.dir, "access.log")
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	set, err := NewSet([]string{logPath}, t0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()

	for i := range 30 {
		srv.get(t, fmt.Sprintf("/users/%d", 1000+i), 200)
	}
	for range 10 {
		srv.get(t, "/fail", 503)
	}
	for range 5 {
		srv.get(t, "/ok?page=2", 200)
	}
	waitLines(t, logPath, 45)

	iv, ok := set.Poll(t0.Add(10 * time.Second))
	if !ok {
		t.Fatal("no interval")
	}
	tr := iv.Traffic
	if iv.Requests != 45 || tr.RequestsPerS != 4.5 || tr.Unparsed != 0 {
		t.Fatalf("%d requests (%v/s), %d unparsed; want 45 (4.5/s) and 0: %s", iv.Requests, tr.RequestsPerS, tr.Unparsed, jsonOf(t, tr))
	}
	want := StatusShares{S2xx: 77.78, S5xx: 22.22}
	if tr.Status == nil || *tr.Status != want {
		t.Errorf("status %+v, want %+v", tr.Status, want)
	}
	if iv.Latency.Count() != 45 || tr.P50Ms == nil || tr.P99Ms == nil || *tr.P99Ms > 5000 {
		t.Errorf("request times: %d parsed, p50 %v p99 %v; want all 45 and a p99 under 5 s", iv.Latency.Count(), tr.P50Ms, tr.P99Ms)
	}
	counts := map[string]int{}
	for _, e := range tr.TopEndpoints {
		counts[e.Endpoint] = e.Count
	}
	if counts["GET /users/:id"] != 30 || counts["GET /fail"] != 10 || counts["GET /ok"] != 5 {
		t.Errorf("top endpoints %s", jsonOf(t, tr.TopEndpoints))
	}

	// logrotate's rename-and-create, then USR1: nginx reopens its log.
	if err := os.Rename(logPath, logPath+".1"); err != nil {
		t.Fatal(err)
	}
	srv.get(t, "/ok", 200) // still written to the renamed file
	waitLines(t, logPath+".1", 46)
	if err := srv.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		if _, err := os.Stat(logPath); err == nil {
			break
		}
		if i == 100 {
			t.Fatal("nginx did not reopen its access log within 2 s of SIGUSR1")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for range 4 {
		srv.get(t, "/fail", 503)
	}
	waitLines(t, logPath, 4)
	iv, _ = set.Poll(t0.Add(12 * time.Second))
	if iv.Requests != 5 || iv.Classes[5] != 4 || iv.Classes[2] != 1 {
		t.Errorf("after rotation: %d requests (%v by class), want 1 × 2xx from the old file and 4 × 5xx from the new", iv.Requests, iv.Classes)
	}
	if st := set.Files()[0]; st.State != Following {
		t.Errorf("file state %+v after rotation", st)
	}
}
