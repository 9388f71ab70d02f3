package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/advisor/pipeline"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/recording"
)

// runCLI runs headroom with args and returns exit status, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// isolate points config and state at empty temp dirs.
func isolate(t *testing.T) string {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	return dir
}

// head writes the first n snapshots of a testdata recording to a temp
// file: a real recording, cut at a moment of interest.
func head(t *testing.T, file string, n int) string {
	t.Helper()
	b, err := os.ReadFile("../../testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	path := filepath.Join(t.TempDir(), file)
	os.WriteFile(path, []byte(strings.Join(lines[:n+1], "")), 0o600)
	return path
}

func TestExitStatusForBadInput(t *testing.T) {
	isolate(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--bogus"}, "unknown flag --bogus"},
		{[]string{"once", "--for", "soon"}, `--for: "soon" is not a duration`},
		{[]string{"once", "--interval", "1ms"}, "too short"},
		{[]string{"once", "--replay", "/nonexistent.jsonl"}, "/nonexistent.jsonl: no such file"},
		{[]string{"once", "--replay", "../../testdata/idle.jsonl", "--for", "5s"}, "cannot be used with --replay"},
		{[]string{"once", "--config", "/nonexistent.toml"}, "config /nonexistent.toml: cannot read"},
		{[]string{"record"}, `record needs -o FILE`},
		{[]string{"--theme", "neon"}, `unknown theme "neon"`},
		{[]string{"--speed", "0"}, "--speed 0"},
		{[]string{"--speed", "NaN"}, "--speed NaN"},
		{[]string{"once", "--interval", "10s", "--for", "2s"}, "--for 2s is shorter than the interval"},
		{[]string{"once", "--window", "1s"}, "holds less than two samples"},
		{[]string{"once", "--log", "/nonexistent/dir/x.csv"}, "--log /nonexistent/dir/x.csv: the directory /nonexistent/dir"},
		{[]string{"once", "--log", "/tmp"}, "--log /tmp is a directory"},
		{[]string{"once", "--state", "/nonexistent/dir/st"}, "--state /nonexistent/dir/st: the directory"},
		{[]string{"record", "-o", "-"}, "not to standard output"},
		{[]string{"--report", "/nonexistent/dir/r.md"}, "--report /nonexistent/dir/r.md: no such file or directory"},
		{[]string{"once", "--interval", "0"}, "use a duration above zero"},
		{[]string{"once", "--window", "0s"}, "use a duration above zero"},
		{[]string{"once", "--for", "0"}, "use a duration above zero"},
		{[]string{"once", "--interval", "2562047h"}, "use at most 87600h0m0s (ten years)"},
		{[]string{"once", "--window", "9223372036854775807ns"}, "use at most 87600h0m0s (ten years)"},
		{[]string{"once", "--sla", "0"}, "use a duration above zero"},
		{[]string{"once", "--probe-timeout", "0"}, "use a duration above zero"},
		{[]string{"record", "-o", "x.jsonl", "--for", "0"}, "use a duration above zero"},
		{[]string{"once", "--replay", "../../testdata/idle.jsonl", "--probe", "http://127.0.0.1:1/"}, "cannot be used with --replay"},
		{[]string{"once", "--on-change", "touch x; rm -rf y"}, "shell syntax (\"; rm -rf y\") is not interpreted"},
		// Not a terminal (the test's stdout is a buffer): point to once.
		{[]string{}, "headroom once"},
		{[]string{"once", "--on-change", "notify 'unclosed"}, "--on-change"},
		{[]string{"once", "--probe", "localhost:8000"}, `--probe "localhost:8000" is not an http:// or https:// URL`},
		{[]string{"once", "--sla=-1s"}, "use a duration above zero"},
		{[]string{"--report", "main.go"}, "--report main.go already exists"},
		{[]string{"--replay", "../../testdata/idle.jsonl", "--probe", "http://127.0.0.1:1/"}, "cannot be used with --replay"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, _, stderr := runCLI(t, c.args...)
			if code != exitBadInput {
				t.Errorf("exit %d, want %d", code, exitBadInput)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr %q lacks %q", stderr, c.want)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") > 0 || strings.Contains(stderr, "goroutine") {
				t.Errorf("want a one-line error, got %q", stderr)
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	code, out, _ := runCLI(t, "--version")
	if code != 0 || strings.TrimSpace(out) != versionText() {
		t.Errorf("--version: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "--help")
	if code != 0 || !strings.Contains(out, "Exit status") || !strings.Contains(out, "2  once: verdict SCALE") {
		t.Errorf("--help: %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "once", "--help")
	if code != 0 || !strings.Contains(out, "--replay=PATH") || !strings.Contains(out, "--on-change=CMD") {
		t.Errorf("once --help: %d\n%s", code, out)
	}
}

func TestOnceOnRecordings(t *testing.T) {
	isolate(t)
	cases := []struct {
		file   string
		window string
		code   int
		want   string
	}{
		{"../../testdata/idle.jsonl", "5m", exitOK, "MONITOR"},
		{head(t, "memory-pressure.jsonl", 200), "2m", exitScale, "SCALE — Memory-bound"},
		{"../../testdata/memory-pressure.jsonl", "2m", exitScale, "MONITOR"}, // after the release: MONITOR at the end, SCALE the worst
		{head(t, "cpu-ramp.jsonl", 280), "2m", exitScale, "SCALE — CPU-bound"},
		{head(t, "cpu-ramp.jsonl", 280), "5m", exitOK, "MONITOR"}, // a 2-minute burst in 5 minutes
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.file)+" "+c.window, func(t *testing.T) {
			code, out, stderr := runCLI(t, "once", "--replay", c.file, "--window", c.window)
			if code != c.code || !strings.HasPrefix(out, c.want) {
				t.Errorf("exit %d (want %d), output:\n%s\n%s", code, c.code, out, stderr)
			}
			if !strings.Contains(out, "→ suggest") || !strings.Contains(out, "measured") {
				t.Errorf("no measured worker suggestion:\n%s", out)
			}
		})
	}
}

func TestOnceJSON(t *testing.T) {
	isolate(t)
	code, out, _ := runCLI(t, "once", "--json", "--replay", "../../testdata/cpu-ramp.jsonl", "--window", "5m")
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not JSON (%v):\n%s", err, out)
	}
	for _, k := range []string{"verdict", "focus", "summary", "window_s", "covered_s", "findings", "workers", "host", "source"} {
		if _, ok := m[k]; !ok {
			t.Errorf("missing %q", k)
		}
	}
	wantCode := map[string]int{"MONITOR": 0, "OPTIMIZE": 1, "SCALE": 2}[m["verdict"].(string)]
	if code != wantCode {
		t.Errorf("exit %d for verdict %v", code, m["verdict"])
	}
	if m["window_s"].(float64) != 300 {
		t.Errorf("window_s = %v", m["window_s"])
	}
	w := m["workers"].(map[string]any)
	if w["running"].(float64) != 3 || w["per_worker_source"] != "measured" {
		t.Errorf("workers = %v; the lab runs 3 gunicorn workers", w)
	}
}

func TestOnceLogAndOnChange(t *testing.T) {
	dir := isolate(t)
	logPath := filepath.Join(dir, "checks.csv")
	out := filepath.Join(dir, "hook.out")
	script := filepath.Join(dir, "hook.sh")
	os.WriteFile(script, []byte("#!/bin/sh\n{ echo \"$HEADROOM_PREVIOUS>$HEADROOM_VERDICT focus=$HEADROOM_FOCUS\"; cat; echo; } >> "+out+"\n"), 0o755)
	mem := head(t, "memory-pressure.jsonl", 200)
	idle := "../../testdata/idle.jsonl"

	runCLI(t, "once", "--replay", mem, "--window", "2m", "--log", logPath, "--on-change", script)
	runCLI(t, "once", "--replay", mem, "--window", "2m", "--log", logPath, "--on-change", script) // no change: no run
	runCLI(t, "once", "--replay", idle, "--log", logPath, "--on-change", script)

	b, _ := os.ReadFile(out)
	got := string(b)
	if strings.Count(got, "focus=") != 2 || !strings.Contains(got, "MONITOR>SCALE focus=memory") || !strings.Contains(got, "SCALE>MONITOR focus=") {
		t.Errorf("on-change runs:\n%s", got)
	}
	if !strings.Contains(got, `"verdict":"SCALE"`) {
		t.Error("advice JSON not on the command's stdin")
	}
	f, _ := os.Open(logPath)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || !strings.HasPrefix(strings.Join(rows[0], ","), "time,cpu,memory,swap,disk,disk_mount,load1,verdict,p95_ms,errors_pct,workers_running,workers_recommended,queue,psi_memory,oom,fds,provisional,") {
		t.Fatalf("csv rows: %v", rows)
	}
	// A recording without the saturation counters: queue, oom and fds unknown (empty), never 0.
	if got := strings.Join(rows[1][12:17], ","); got != ",0.0,,,false" {
		t.Errorf("csv saturation columns %q; want psi memory only", got)
	}
	if rows[1][7] != "SCALE" || rows[3][7] != "MONITOR" || rows[1][3] != "" || rows[1][5] != "/" || rows[1][10] != "3" {
		t.Errorf("csv: %v (swap empty: no swap configured; the fullest disk is /; 3 workers run)", rows)
	}
}

// A failing --on-change command is reported and changes nothing else.
func TestOnChangeFailureReported(t *testing.T) {
	isolate(t)
	code, _, stderr := runCLI(t, "once", "--replay", head(t, "memory-pressure.jsonl", 200), "--window", "2m", "--on-change", "/nonexistent/notify")
	if code != exitScale || !strings.Contains(stderr, "--on-change /nonexistent/notify: no such file\n") || strings.Contains(stderr, "fork/exec") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestTruncatedRecordingWarns(t *testing.T) {
	isolate(t)
	b, _ := os.ReadFile("../../testdata/idle.jsonl")
	path := filepath.Join(t.TempDir(), "crash.jsonl")
	os.WriteFile(path, b[:len(b)-100], 0o600)
	code, out, stderr := runCLI(t, "once", "--replay", path)
	if code != exitOK || !strings.Contains(stderr, "truncated last line skipped") || !strings.HasPrefix(out, "MONITOR") {
		t.Errorf("exit %d\n%s\n%s", code, out, stderr)
	}
	corrupt := filepath.Join(t.TempDir(), "corrupt.jsonl")
	lines := strings.SplitN(string(b), "\n", 4)
	os.WriteFile(corrupt, []byte(lines[0]+"\n"+lines[1]+"\n{oops\n"+lines[3]), 0o600)
	code, _, stderr = runCLI(t, "once", "--replay", corrupt)
	if code != exitBadInput || !strings.Contains(stderr, "corrupt.jsonl line 3") {
		t.Errorf("corrupt: exit %d %q", code, stderr)
	}
}

// record and the dashboard run --on-change from the stream they watch:
// the pipeline's verdict changes, each once, with the one before it.
func TestVerdictWatchFiresOnChange(t *testing.T) {
	rec, err := recording.ReadFile("../../testdata/memory-pressure.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	st := defaultSettings()
	st.Rules.Window = 2 * time.Minute
	var got []string
	w := newVerdictWatch([]string{"hook"}, io.Discard)
	w.spawn = func(f func()) { f() }
	w.run = func(_ context.Context, argv []string, a advisor.Advice, prev advisor.Level) error {
		got = append(got, fmt.Sprintf("%s>%s %s", prev, a.Verdict, strings.Join(a.Focus, ",")))
		return nil
	}
	p := pipeline.New(recording.NewReplay(rec), st.Rules, time.Second)
	p.Subscribe(w.observe)
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"MONITOR>OPTIMIZE memory", "OPTIMIZE>SCALE memory", "SCALE>MONITOR "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("hook runs %q, want %q", got, want)
	}
}

// hangingHook writes a hook script that starts a child and waits for it
// for ever; pidFile gets the child's pid once it runs.
func hangingHook(t *testing.T) (script, pidFile string) {
	dir := t.TempDir()
	script, pidFile = filepath.Join(dir, "hang.sh"), filepath.Join(dir, "child.pid")
	os.WriteFile(script, []byte("#!/bin/sh\nsleep 1000 &\necho $! > "+pidFile+"\nwait\n"), 0o755)
	return script, pidFile
}

// waitForChild waits, a bounded number of turns, until the hook's child
// has started (its pid file is there).
func waitForChild(t *testing.T, pidFile string) {
	t.Helper()
	for i := 0; ; i++ {
		if b, _ := os.ReadFile(pidFile); len(b) > 0 {
			return
		}
		runtime.Gosched()
		if i > 1e8 {
			t.Fatal("the hook never started its child")
		}
	}
}

// childGone checks that the hook's child is gone. SIGKILL is delivered at
// once but acted on by the kernel a moment later: the child gets a bounded
// number of turns to go.
func childGone(t *testing.T, pidFile, after string) {
	t.Helper()
	b, _ := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	for i := 0; i < 100000 && pid > 0 && running(pid); i++ {
		runtime.Gosched()
	}
	if pid > 0 && running(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("the hook's child %d outlived %s", pid, after)
	}
}

// A hook that hangs, leaving a child that holds what it was given, is
// stopped at the time limit, children and all, and said to be.
func TestHookTimeout(t *testing.T) {
	script, pidFile := hangingHook(t)
	clock := sampler.NewFakeClock(time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC))
	h := hookRunner{clock: clock, timeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- h.run(context.Background(), []string{script}, advisor.Advice{}, advisor.Monitor) }()
	clock.BlockUntil(1)
	waitForChild(t, pidFile)
	clock.Advance(30 * time.Second)
	if err := <-errc; err == nil || !strings.Contains(err.Error(), "still running after 30s, stopped") {
		t.Fatalf("err = %v", err)
	}
	childGone(t, pidFile, "the timeout")
}

// once told to stop (SIGTERM from systemd, a cron job's timeout) stops its
// hook and the hook's children then, not after the hook's 30 s.
func TestHookStopsWhenHeadroomIsInterrupted(t *testing.T) {
	script, pidFile := hangingHook(t)
	clock := sampler.NewFakeClock(time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC))
	h := hookRunner{clock: clock, timeout: 30 * time.Second}
	ctx, interrupt := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- h.run(ctx, []string{script}, advisor.Advice{}, advisor.Monitor) }()
	waitForChild(t, pidFile)
	interrupt() // the clock never moves: only the interruption can end it
	if err := <-errc; err == nil || err.Error() != "--on-change "+script+": stopped: headroom was interrupted" {
		t.Fatalf("err = %v", err)
	}
	childGone(t, pidFile, "the interruption")
}

// When headroom ends, a hook still running is stopped with its children
// once the grace is over: none outlives record or the dashboard.
func TestHooksEndWithHeadroom(t *testing.T) {
	script, pidFile := hangingHook(t)
	w := newVerdictWatch([]string{script}, io.Discard)
	started := make(chan struct{})
	run := w.run
	w.run = func(ctx context.Context, argv []string, a advisor.Advice, prev advisor.Level) error {
		close(started)
		return run(ctx, argv, a, prev)
	}
	w.observe(pipeline.Event{Update: &pipeline.Update{Advice: advisor.Advice{Verdict: advisor.Scale}}})
	<-started
	waitForChild(t, pidFile)
	w.cancel() // as Close does after the grace, without waiting for it
	w.Close()
	childGone(t, pidFile, "headroom")
}

// A password in the probe URL is never printed or recorded.
func TestProbePasswordStaysSecret(t *testing.T) {
	dir := isolate(t)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	u := "http://bob:s3cret@" + addr + "/health/?x=1"
	_, out, stderr := runCLI(t, "once", "--json", "--for", "1s", "--interval", "500ms", "--window", "2s", "--probe", u)
	rec := filepath.Join(dir, "r.jsonl")
	runCLI(t, "record", "-o", rec, "--for", "1s", "--interval", "500ms", "--window", "2s", "--probe", u)
	b, _ := os.ReadFile(rec)
	for what, s := range map[string]string{"once --json": out, "stderr": stderr, "the recording": string(b)} {
		if strings.Contains(s, "s3cret") {
			t.Errorf("%s shows the password", what)
		}
	}
	if !strings.Contains(out, "bob:xxxxx@"+addr+"/health/?x=1") || !strings.Contains(string(b), "bob:xxxxx@") {
		t.Errorf("the probe URL should show with its password hidden:\n%s", out)
	}
}

// An argument or a file name is quoted in errors; its escape sequences
// never reach the terminal, and an error of several lines keeps them.
func TestErrorsArePrintable(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "b\x1b]0;PWN\a.jsonl")
	if err := os.WriteFile(bad, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"once", "\x1b]0;PWN\a"}, {"once", "--replay", dir}, {"once", "--replay", bad + "\x1b[2J"}} {
		code, _, stderr := runCLI(t, args...)
		if code != exitBadInput || strings.ContainsAny(stderr, "\x1b\a") || !strings.Contains(stderr, "PWN") {
			t.Errorf("%q: exit %d, stderr %q; want 3, the name shown without its escapes", args, code, stderr)
		}
	}
	if got := printableLines("one\x1b[2J\ntwo\n"); got != "one\uFFFD[2J\ntwo" {
		t.Errorf("printableLines: %q", got)
	}
	if got := printableLines(strings.Repeat("é", 100_000)); len(got) > maxErrorLine+3 || !strings.HasSuffix(got, "é…") {
		t.Errorf("a 100 kB line: %d bytes, ends %q", len(got), got[len(got)-8:])
	}
}

// --state keeps one verdict word. A file that holds anything else, or a
// device, is refused and left as it is; a symlink is replaced, not written
// through; the word is kept for the next run.
func TestOnceStateFile(t *testing.T) {
	dir := isolate(t)
	mem := head(t, "memory-pressure.jsonl", 200)
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("line1 important\n"), 0o600)
	_, _, stderr := runCLI(t, "once", "--replay", mem, "--window", "2m", "--state", notes)
	if b, _ := os.ReadFile(notes); string(b) != "line1 important\n" || !strings.Contains(stderr, "holds something other than a verdict") {
		t.Errorf("notes.txt now %q, stderr %q; want it left as it was, and said", b, stderr)
	}
	if _, _, stderr := runCLI(t, "once", "--replay", mem, "--window", "2m", "--state", "/dev/zero"); !strings.Contains(stderr, "is a device, not a file") {
		t.Errorf("/dev/zero: %q", stderr)
	}
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("OPTIMIZE\n"), 0o600)
	link := filepath.Join(dir, "st")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	runCLI(t, "once", "--replay", mem, "--window", "2m", "--state", link)
	b, _ := os.ReadFile(link)
	tb, _ := os.ReadFile(target)
	fi, _ := os.Lstat(link)
	if string(b) != "SCALE\n" || string(tb) != "OPTIMIZE\n" || fi.Mode()&os.ModeSymlink != 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("state %q (mode %v), symlink target %q; want SCALE in a file of its own, the target untouched", b, fi.Mode(), tb)
	}
	if level, err := readState(link); err != nil || level.String() != "SCALE" {
		t.Errorf("read back: %v, %v", level, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 { // notes.txt, target, st: no temporary file left
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files left: %v", names)
	}
}

// An empty file name is refused, never read as the current directory.
func TestEmptyPathsRefused(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{
		{"once", "--state="}, {"once", "--log", ""}, {"record", "--dir="}, {"record", "-o", ""}, {"queries", ""},
		{"plan", "--from", ","}, {"plan", "--from", "a.jsonl,"}, {"--config=", "once"}, {"once", "--textfile", ""},
	} {
		code, _, stderr := runCLI(t, args...)
		if code != exitBadInput || !strings.Contains(stderr, "an empty path") {
			t.Errorf("%q: exit %d, %q; want 3, an empty path", args, code, stderr)
		}
	}
	if code, _, stderr := runCLI(t, "once", "--replay", "../../testdata/idle.jsonl", "--state", filepath.Join(t.TempDir(), "st")); code != exitOK {
		t.Errorf("a named --state: exit %d, %s", code, stderr)
	}
}

// A log that cannot be followed is said: otherwise once shows nothing of
// it, as if there had been no traffic.
func TestOnceSaysWhyALogIsNotRead(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	code, _, stderr := runCLI(t, "once", "--for", "1s", "--access-log", filepath.Join(dir, "missing.log"), "--sql-log", dir)
	if code == exitBadInput || !strings.Contains(stderr, "warning: --access-log: "+filepath.Join(dir, "missing.log")+": missing") ||
		!strings.Contains(stderr, "warning: --sql-log: "+dir+" is a directory") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// A port outside 1–65535 is bad input at once, for every address a flag
// takes, not a dial error every interval afterwards; so is a probe timeout
// past a minute (once waits for its last request that long).
func TestPortsOutOfRangeRefused(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{
		{"once", "--probe", "http://127.0.0.1:70000/"}, {"once", "--probe", "http://[::1]:0/"},
		{"once", "--redis", "redis://127.0.0.1:65536"}, {"once", "--redis", "127.0.0.1:99999"},
		{"once", "--memcached", "127.0.0.1:70000"}, {"once", "--memcached", "127.0.0.1:http"},
		{"once", "--prometheus", "http://127.0.0.1:123456"}, {"load", "--rate", "5/s", "--for", "1s", "http://127.0.0.1:70000/"},
	} {
		code, _, stderr := runCLI(t, args...)
		if code != exitBadInput || !strings.Contains(stderr, "is not a port (use 1 to 65535)") {
			t.Errorf("%q: exit %d, %q; want 3, not a port", args, code, stderr)
		}
	}
	if code, _, stderr := runCLI(t, "once", "--memcached", "127.0.0.1:"); code != exitBadInput || !strings.Contains(stderr, "is not host:port") {
		t.Errorf("--memcached with no port: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, "once", "--probe", "http://127.0.0.1:1/", "--probe-timeout", "2h"); code != exitBadInput || !strings.Contains(stderr, "use at most 1m") {
		t.Errorf("--probe-timeout 2h: exit %d, %q", code, stderr)
	}
}

// Every duration flag reads the same way: a word or 0 is refused in
// headroom's words (exit 3), never with Go's "time: invalid duration".
func TestDurationFlagsRefusedAlike(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	for _, args := range [][]string{
		{"record", "--dir", dir, "--rotate", "daily"}, {"record", "--dir", dir, "--rotate", "0"}, {"record", "--dir", dir, "--keep=-1h"},
		{"plan", "--from", "../../testdata/idle.jsonl", "--sla", "0"}, {"plan", "--from", "../../testdata/idle.jsonl", "--sla", "fast"},
		{"load", "--for", "a-while", "http://127.0.0.1:1/"}, {"once", "--for", "0"}, {"once", "--interval", "1"},
	} {
		code, _, stderr := runCLI(t, args...)
		if code != exitBadInput || strings.Contains(stderr, "time:") ||
			!(strings.Contains(stderr, "is not a duration") || strings.Contains(stderr, "use a duration above zero")) {
			t.Errorf("%q: exit %d, %q; want 3 in headroom's words", args, code, stderr)
		}
	}
}

// A named pipe given for a file is refused at once (exit 3), for every
// flag that names one, instead of an open that waits for a writer forever.
func TestNamedPipesRefused(t *testing.T) {
	isolate(t)
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"once", "--replay", fifo}, {"once", "--replay", "../../testdata/idle.jsonl", "--state", fifo},
		{"once", "--replay", "../../testdata/idle.jsonl", "--log", fifo}, {"--config", fifo, "once"},
		{"plan", "--from", fifo}, {"compare", fifo, fifo}, {"load", "--targets", fifo}, {"queries", fifo},
	} {
		code, _, stderr := runCLI(t, args...)
		if code != exitBadInput || !strings.Contains(stderr, "is a named pipe, not a file") {
			t.Errorf("%q: exit %d, %q; want 3, a named pipe", args, code, stderr)
		}
	}
}

// A hung app (it accepts and never answers) is not judged fine because the
// run ended before its request timed out: once waits for that request, up
// to --probe-timeout, and counts the timeout.
func TestOnceWaitsForTheProbeInFlight(t *testing.T) {
	isolate(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c) // never answered
		}
	}()
	code, out, stderr := runCLI(t, "once", "--json", "--for", "1s", "--probe", "http://"+l.Addr().String()+"/", "--probe-timeout", "1500ms")
	var r struct {
		Verdict string
		Probe   *struct{ Timeouts int }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("exit %d: %v\n%s%s", code, err, out, stderr)
	}
	if r.Verdict == "MONITOR" || r.Probe == nil || r.Probe.Timeouts < 1 {
		t.Errorf("exit %d, verdict %s, probe %+v; want the hung request counted as a timeout", code, r.Verdict, r.Probe)
	}
}

// A time outside 1970–2199 is refused wherever a time is read: year 1 read
// as "no bound", and year 9999 overflowed the spans computed from it.
func TestTimesOutOfRangeRefused(t *testing.T) {
	isolate(t)
	csv := filepath.Join(t.TempDir(), "h.csv")
	if err := os.WriteFile(csv, []byte("time,cpu,memory,verdict\n2026-11-23T10:00:00Z,10,20,MONITOR\n9999-01-01T00:00:00Z,10,20,MONITOR\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"once", "--replay", "../../testdata/idle.jsonl", "--until=0001-01-01T00:00:00Z"},
		{"once", "--replay", "../../testdata/idle.jsonl", "--since", "9999-01-01T00:00:00Z"},
		{"once", "--replay", "../../testdata/idle.jsonl", "--since=-999999h"},
		{"plan", "--from", csv},
	} {
		code, _, stderr := runCLI(t, args...)
		if code != exitBadInput || !strings.Contains(stderr, "use a time from 1970 to 2199") {
			t.Errorf("%q: exit %d, %q; want 3, out of range", args, code, stderr)
		}
	}
}

// A flag given last without its value says so, not kong's
// `expected file value but got "EOL" (<EOL>)`.
func TestFlagWithoutValue(t *testing.T) {
	isolate(t)
	for args, want := range map[string]string{
		"once --config":                        "--config: needs a value after it (a file name)",
		"once --sla":                           "--sla: needs a value after it (a duration, like 30s)",
		"once --probe":                         "--probe: needs a value after it",
		"load --hosts 1e9 http://127.0.0.1:1/": `--hosts: "1e9" is not a whole number`,
	} {
		code, _, stderr := runCLI(t, strings.Fields(args)...)
		if code != exitBadInput || !strings.Contains(stderr, want) || strings.Contains(stderr, "EOL") {
			t.Errorf("%s: exit %d, %q; want 3 and %q", args, code, stderr, want)
		}
	}
}

// A hook that fails leaves the kept verdict as it was: the next run tells
// the change again, instead of never.
func TestFailedHookKeepsTheState(t *testing.T) {
	dir := isolate(t)
	state := filepath.Join(dir, "st")
	mem := head(t, "memory-pressure.jsonl", 200)
	_, _, stderr := runCLI(t, "once", "--replay", mem, "--window", "2m", "--state", state, "--on-change", "/nonexistent/notify")
	if b, err := os.ReadFile(state); err == nil && strings.TrimSpace(string(b)) != "MONITOR" {
		t.Errorf("state %q after a failed hook; want it not advanced", b)
	}
	if !strings.Contains(stderr, "the next run runs --on-change again") {
		t.Errorf("stderr %q", stderr)
	}
	hook := filepath.Join(dir, "hook.out")
	runCLI(t, "once", "--replay", mem, "--window", "2m", "--state", state, "--on-change", "sh -c 'cat > "+hook+"'")
	if _, err := os.Stat(hook); err != nil {
		t.Errorf("the next run did not run the hook: %v", err)
	}
}
