package accesslog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSetMergesFiles(t *testing.T) {
	dir := t.TempDir()
	nginx := filepath.Join(dir, "nginx.log")
	app := filepath.Join(dir, "gunicorn.log")
	appendTo(t, nginx, "before start, not counted\n")
	t0 := time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC)
	s, err := NewSet([]string{nginx, app}, t0, Options{Follow: FollowOptions{MaxLine: 300}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	files := s.Files()
	if files[0].State != Following || files[1].State != Missing {
		t.Errorf("states %+v, want following and missing", files)
	}

	appendTo(t, nginx, string(nginxLine("GET", "/a/1", 200, 0.010))+"\n"+string(nginxLine("GET", "/a/2", 503, 0.030))+"\n")
	appendTo(t, app, `127.0.0.1 - - [27/Nov/2026:11:00:01 +0000] "GET /a/3 HTTP/1.0" 200 2 "-" "x" 0.020000`+"\n")
	appendTo(t, app, "garbage\n"+strings.Repeat("z", 400)+"\n")

	iv, ok := s.Poll(t0.Add(2 * time.Second))
	if !ok {
		t.Fatal("no interval after 2 s")
	}
	tr := iv.Traffic
	if iv.Requests != 3 || tr.RequestsPerS != 1.5 || tr.Unparsed != 2 {
		t.Errorf("%d requests, %v req/s, %d unparsed; want 3, 1.5 and 2 (garbage, overlong)", iv.Requests, tr.RequestsPerS, tr.Unparsed)
	}
	if tr.P50Ms == nil || *tr.P50Ms != 20 || tr.Status == nil || tr.Status.S5xx != 33.33 {
		t.Errorf("traffic %s, want p50 20 ms and 33.33 %% 5xx", jsonOf(t, tr))
	}
	if len(tr.TopEndpoints) != 1 || tr.TopEndpoints[0].Count != 3 || *tr.TopEndpoints[0].TotalMs != 60 {
		t.Errorf("endpoints %s, want GET /a/:id × 3, 60 ms", jsonOf(t, tr.TopEndpoints))
	}
	if files := s.Files(); files[1].State != Following {
		t.Errorf("the created file is %q", files[1].State)
	}

	// A Poll at the same instant reads but does not end an interval.
	appendTo(t, app, `127.0.0.1 - - [27/Nov/2026:11:00:02 +0000] "GET /b HTTP/1.0" 200 2 "-" "x" 0.001000`+"\n")
	if _, ok := s.Poll(t0.Add(2 * time.Second)); ok {
		t.Error("an interval of zero seconds")
	}
	iv, ok = s.Poll(t0.Add(3 * time.Second))
	if !ok || iv.Requests != 1 || iv.Seconds != 1 {
		t.Errorf("next interval: ok %v, %d requests over %v s; want the held line over 1 s", ok, iv.Requests, iv.Seconds)
	}
}

func TestNewSetRejects(t *testing.T) {
	t0 := time.Unix(0, 0)
	dir := t.TempDir()
	tests := []struct {
		paths []string
		want  string
	}{
		{nil, "no path"},
		{[]string{""}, "empty path"},
		{[]string{filepath.Join(dir, "a.log"), filepath.Join(dir, ".", "a.log")}, "is named twice"},
	}
	for _, tc := range tests {
		s, err := NewSet(tc.paths, t0, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewSet(%q): %v, want an error saying %q", tc.paths, err, tc.want)
		}
		if s != nil {
			t.Errorf("NewSet(%q) returned a set with its error", tc.paths)
		}
	}
}

func TestSetStatusIsPrintable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "evil\x1b[2J.log")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := NewSet([]string{path}, time.Unix(0, 0), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Poll(time.Unix(1, 0))
	st := s.Files()[0]
	if strings.ContainsRune(st.Path, 0x1b) || st.State != Unreadable || st.Reason == "" {
		t.Errorf("status %+v, want an escaped path, %q and a reason", st, Unreadable)
	}
}
