package services

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// findBinary returns the first candidate that exists, or skips the test
// naming the Debian package that provides it.
func findBinary(t *testing.T, pkg string, candidates ...string) string {
	t.Helper()
	for _, c := range candidates {
		if filepath.IsAbs(c) {
			if _, err := os.Stat(c); err == nil {
				return c
			}
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	t.Skipf("%s not found: install the Debian package %s", candidates[0], pkg)
	return ""
}

// freePort asks the kernel for a free loopback port.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// labDir is a t.TempDir that an unprivileged server can own: as root, the
// servers run as the named user (Postgres refuses root), so the directory
// is given to it and the test's private parent directory made passable.
func labDir(t *testing.T, account string) (string, *syscall.SysProcAttr) {
	t.Helper()
	dir := t.TempDir()
	if os.Geteuid() != 0 {
		return dir, nil
	}
	u, err := user.Lookup(account)
	if err != nil {
		t.Skipf("running as root and there is no %q user to run the server as: %v", account, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chmod(filepath.Dir(dir), 0o711); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	return dir, &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
}

// runAs runs a short command (initdb) to completion as the lab's user.
func runAs(t *testing.T, attr *syscall.SysProcAttr, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = attr
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

// startServer starts a long-running server and stops it by its pid when
// the test ends: stop first, then kill if it has not exited in 10 s.
func startServer(t *testing.T, attr *syscall.SysProcAttr, logPath string, stop syscall.Signal, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = attr
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(done) }()
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		syscall.Kill(pid, stop)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(pid, syscall.SIGKILL)
			<-done
		}
	})
}

// waitFor polls ready until it succeeds, at most for bound; the failure
// names what never became ready, with the server's log.
func waitFor(t *testing.T, what, logPath string, bound time.Duration, ready func() error) {
	t.Helper()
	deadline := time.Now().Add(bound)
	var err error
	for time.Now().Before(deadline) {
		if err = ready(); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	log, _ := os.ReadFile(logPath)
	t.Fatalf("%s not ready after %s: %v\nlog:\n%s", what, bound, errors.Join(err), log)
}

// poll repeats check (a collection and its assertions) until it returns
// "" or the bound passes; then the last complaint fails the test.
func poll(t *testing.T, bound time.Duration, check func() string) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// inBackground runs a client call that blocks (a query waiting on a lock
// or a pool); at the end of the test it is cancelled and awaited before
// its connection is closed.
func inBackground(t *testing.T, call func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { call(ctx); close(done) }()
	t.Cleanup(func() { cancel(); awaitBounded(t, done) })
}

// awaitBounded waits for a background client call to end, at most 10 s.
func awaitBounded(t *testing.T, done <-chan struct{}) {
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Error("a background client call did not end")
	}
}
