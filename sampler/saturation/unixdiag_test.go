package saturation

import (
	"encoding/binary"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseUnixDiagReplyRecorded(t *testing.T) {
	// Recorded with a Python listener on /tmp/satlab.sock (backlog 5, two
	// connections never accepted) and one on the abstract name
	// "headroom-abstract" (backlog 3); ss -lx showed the same.
	got := readDiagFixture(t, "sockdiag-unix.bin")
	want := []Socket{
		{Unix: true, Path: "/tmp/satlab.sock", Inode: 152120, Queued: 2, Backlog: 5},
		{Unix: true, Path: "@headroom-abstract", Inode: 152123, Queued: 0, Backlog: 3},
	}
	if !slices.Equal(got, want) {
		t.Errorf("unix dump = %+v\nwant %+v", got, want)
	}
}

func TestUnixDiagRequest(t *testing.T) {
	b := unixDiagRequest(3)
	ne := binary.NativeEndian
	if len(b) != 40 || b[16] != unix.AF_UNIX || ne.Uint32(b[20:]) != 1<<10 || ne.Uint32(b[28:]) != udiagShowName|udiagShowRQLen {
		t.Errorf("unix_diag request % x: want 40 bytes, AF_UNIX, states 1<<TCP_LISTEN, show name and rqlen", b)
	}
}

func TestParseUnixDiagMsgBadAttributes(t *testing.T) {
	msg := make([]byte, unixDiagMsgLen)
	for name, attr := range map[string][]byte{
		"length past the message": {40, 0, 0, 0, 'x'},
		"length under a header":   {2, 0, 0, 0},
		"short rqlen":             {8, 0, 4, 0, 1, 0, 0, 0},
	} {
		if _, err := parseUnixDiagMsg(append(slices.Clone(msg), attr...)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := parseUnixDiagMsg(msg[:8]); err == nil {
		t.Error("short unix_diag_msg: no error")
	}
}

// TestOwnUnixListenQueue: a unix listener with backlog 4 and 2 connections
// it never accepts reads as 2 of 4 for this test's pid.
func TestOwnUnixListenQueue(t *testing.T) {
	if _, err := QueryListening(); err != nil {
		t.Skipf("sock_diag netlink not available here: %v", err)
	}
	path := filepath.Join(t.TempDir(), "app.sock")
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 4); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
	s := NewReader(Config{KernelLog: feed{}}).Read([]App{{PID: os.Getpid(), Family: "test"}})
	i := slices.IndexFunc(s.Listeners, func(l Listener) bool { return l.Addr == "unix:"+path })
	if i < 0 {
		t.Fatalf("unix:%s not reported; listeners %+v, unknown %v", path, s.Listeners, s.Unknown)
	}
	if l := s.Listeners[i]; l.Queued != 2 || l.Backlog != 4 || l.PID != os.Getpid() {
		t.Errorf("listener = %+v, want 2 queued of 4 for pid %d", l, os.Getpid())
	}
}
