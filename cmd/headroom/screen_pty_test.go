package main

import (
	"bytes"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// The dashboard draws with its own screen (tui/screen), so it sets the
// terminal's raw mode, follows a resize and gives the terminal back as it
// found it; q is read as a key, not a line.
func TestDashboardTerminalModes(t *testing.T) {
	isolate(t)
	master, slave := openPTY(t)
	defer master.Close()
	defer slave.Close()
	before, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Skipf("termios: %v", err)
	}
	cmd, stderr := startOnTerminal(t, slave, "--replay", "../../testdata/idle.jsonl", "--speed", "1000", "--theme", "mono")
	var screen bytes.Buffer
	readUntil := func(what string) {
		t.Helper()
		buf := make([]byte, 4096)
		for !strings.Contains(screen.String(), what) {
			n, err := master.Read(buf)
			if err != nil {
				t.Fatalf("terminal closed before %q: %v\n%s", what, err, stderr.String())
			}
			screen.Write(buf[:n])
		}
	}
	readUntil("end of the recording")
	if !strings.HasPrefix(screen.String(), "\x1b[?1049h") {
		t.Errorf("the dashboard did not start on the alternate screen: %q", screen.String()[:min(40, screen.Len())])
	}
	during, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if during.Lflag&(unix.ICANON|unix.ECHO) != 0 {
		t.Errorf("terminal not in raw mode while the dashboard runs: lflag %#x", during.Lflag)
	}

	// A resize: a new size and SIGWINCH, as a terminal sends them. The
	// screen is erased and drawn whole at the new width.
	unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 30, Col: 100})
	screen.Reset()
	cmd.Process.Signal(syscall.SIGWINCH)
	readUntil("\x1b[2J")
	readUntil("headroom")

	screen.Reset()
	master.Write([]byte("q")) // one key, no Enter: raw mode
	readUntil("\x1b[?1049l")  // the user's screen back
	if err := cmd.Wait(); err != nil {
		t.Fatalf("q: %v\n%s", err, stderr.String())
	}
	after, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if after.Lflag != before.Lflag || after.Iflag != before.Iflag || after.Oflag != before.Oflag {
		t.Errorf("terminal modes not restored: lflag %#x → %#x, iflag %#x → %#x, oflag %#x → %#x",
			before.Lflag, after.Lflag, before.Iflag, after.Iflag, before.Oflag, after.Oflag)
	}
}
