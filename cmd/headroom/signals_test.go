package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair: the dashboard needs a terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("ptsname: %v", err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pts: %v", err)
	}
	unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 80})
	return m, s
}

// startOnTerminal starts headroom with args on a terminal's slave side, in a
// session of its own; its stderr is kept for failure messages.
func startOnTerminal(t *testing.T, slave *os.File, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := child(args...)
	cmd.Stdin, cmd.Stdout = slave, slave
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr
}

// A dropped SSH session (SIGHUP), SIGINT and SIGTERM end the dashboard as
// q does: the report is written, and the exit status is 0.
func TestDashboardSignalsWriteTheReport(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			isolate(t)
			report := filepath.Join(t.TempDir(), "report.md")
			master, slave := openPTY(t)
			defer master.Close()
			cmd, stderr := startOnTerminal(t, slave, "--replay", "../../testdata/idle.jsonl", "--speed", "1000", "--theme", "mono", "--report", report)
			slave.Close()
			// Wait (on the terminal's output, not the clock) for the end of
			// the recording on screen, then drain the rest.
			var screen bytes.Buffer
			buf := make([]byte, 4096)
			for !strings.Contains(screen.String(), "end of the recording") {
				n, err := master.Read(buf)
				if err != nil {
					t.Fatalf("terminal closed before the dashboard drew: %v\n%s", err, stderr.String())
				}
				screen.Write(buf[:n])
			}
			go io.Copy(io.Discard, master)
			cmd.Process.Signal(sig)
			if err := cmd.Wait(); err != nil {
				t.Fatalf("exit after %v: %v\n%s", sig, err, stderr.String())
			}
			b, err := os.ReadFile(report)
			if err != nil || !strings.Contains(string(b), "# headroom report") {
				t.Errorf("report after %v: %v\n%s", sig, err, b)
			}
		})
	}
}
