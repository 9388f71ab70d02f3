package saturation

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// readDiagFixture parses a recorded sock_diag dump (little-endian, as
// recorded on amd64; one file holds the dump's datagrams back to back).
func readDiagFixture(t *testing.T, name string) []Socket {
	t.Helper()
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("sock_diag fixtures were recorded on a little-endian machine")
	}
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	socks, done, err := parseDiagReply(b, nil)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !done {
		t.Fatalf("%s: no NLMSG_DONE", name)
	}
	return socks
}

func TestParseDiagReplyRecorded(t *testing.T) {
	// Recorded while the lab's gunicorn (2 sync workers, both in
	// /slow/?ms=3000) had 3 requests queued, and a Python listener on
	// [::1] with backlog 7 had 2 unaccepted connections (ss -lnt agreed).
	want := map[string]Socket{
		"127.0.0.1:18471": {Inode: 26731, Queued: 3, Backlog: 2048},
		"0.0.0.0:2024":    {Queued: 0, Backlog: 128},
	}
	got := map[string]Socket{}
	for _, s := range readDiagFixture(t, "sockdiag-inet.bin") {
		got[s.Addr.String()] = s
	}
	for addr, w := range want {
		g, ok := got[addr]
		if !ok {
			t.Fatalf("no listener %s in %v", addr, got)
		}
		if g.Queued != w.Queued || g.Backlog != w.Backlog || (w.Inode != 0 && g.Inode != w.Inode) {
			t.Errorf("%s = %+v, want queued %d backlog %d inode %d", addr, g, w.Queued, w.Backlog, w.Inode)
		}
	}
	v6 := readDiagFixture(t, "sockdiag-inet6.bin")
	if len(v6) != 1 || v6[0].Addr.String() != "[::1]:37471" || v6[0].Queued != 2 || v6[0].Backlog != 7 {
		t.Errorf("inet6 dump = %+v, want [::1]:37471 with 2 of 7 queued", v6)
	}
}

func TestDiagRequestAsksForListenOnly(t *testing.T) {
	b := diagRequest(unix.AF_INET6, 9)
	ne := binary.NativeEndian
	if len(b) != 72 || ne.Uint32(b) != 72 {
		t.Fatalf("request of %d bytes, header says %d; want 72", len(b), ne.Uint32(b))
	}
	if ne.Uint16(b[4:]) != sockDiagByFamily || ne.Uint16(b[6:]) != unix.NLM_F_REQUEST|unix.NLM_F_DUMP || ne.Uint32(b[8:]) != 9 {
		t.Errorf("header type/flags/seq = %d/%#x/%d", ne.Uint16(b[4:]), ne.Uint16(b[6:]), ne.Uint32(b[8:]))
	}
	if b[16] != unix.AF_INET6 || b[17] != unix.IPPROTO_TCP || ne.Uint32(b[20:]) != 1<<10 {
		t.Errorf("req family %d proto %d states %#x, want AF_INET6 TCP 1<<TCP_LISTEN", b[16], b[17], ne.Uint32(b[20:]))
	}
}

func TestParseDiagReplyBadInput(t *testing.T) {
	hdr := func(length uint32, typ uint16, body []byte) []byte {
		b := make([]byte, 16, 16+len(body))
		binary.NativeEndian.PutUint32(b, length)
		binary.NativeEndian.PutUint16(b[4:], typ)
		return append(b, body...)
	}
	errno := make([]byte, 4)
	eperm := -int32(unix.EPERM)
	binary.NativeEndian.PutUint32(errno, uint32(eperm))
	cases := map[string]struct {
		b    []byte
		want error
	}{
		"length past the datagram": {hdr(200, sockDiagByFamily, nil), nil},
		"length under a header":    {hdr(8, sockDiagByFamily, nil), nil},
		"short inet_diag_msg":      {hdr(16+10, sockDiagByFamily, make([]byte, 10)), nil},
		"unknown address family":   {hdr(16+72, sockDiagByFamily, append([]byte{99}, make([]byte, 71)...)), nil},
		"error reply":              {hdr(20, unix.NLMSG_ERROR, errno), unix.EPERM},
	}
	for name, c := range cases {
		_, _, err := parseDiagReply(c.b, nil)
		if err == nil {
			t.Errorf("%s: no error", name)
		} else if c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

func FuzzParseDiagReply(f *testing.F) {
	for _, name := range []string{"sockdiag-inet.bin", "sockdiag-inet6.bin", "sockdiag-unix.bin"} {
		if b, err := os.ReadFile("testdata/" + name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		socks, _, err := parseDiagReply(b, nil)
		if err == nil {
			for _, s := range socks {
				if !s.Unix && !s.Addr.IsValid() {
					t.Errorf("socket without an address: %+v", s)
				}
			}
		}
	})
}

func TestSocketInode(t *testing.T) {
	for link, want := range map[string]uint32{"socket:[26731]": 26731, "socket:[]": 0, "pipe:[26730]": 0, "socket:[x]": 0, "/dev/null": 0} {
		got, ok := socketInode(link)
		if got != want || ok != (want != 0) {
			t.Errorf("socketInode(%q) = %d, %v; want %d", link, got, ok, want)
		}
	}
}

// TestOwnListenQueue reads the live kernel: a listener with backlog 8 on
// 127.0.0.1 and 3 connections it never accepts must read as 3 queued of
// 8, held by this test's own pid. connect(2) returns once the handshake
// is done, so the connections are in the accept queue already.
func TestOwnListenQueue(t *testing.T) {
	if _, err := QueryListening(); err != nil {
		t.Skipf("sock_diag netlink not available here: %v", err)
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 8); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(sa.(*unix.SockaddrInet4).Port))
	const n = 3
	for range n {
		c, err := net.Dial("tcp", addr.String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}

	r := NewReader(Config{KernelLog: feed{}})
	s := r.Read([]App{{PID: os.Getpid(), Family: "test"}})
	var found *Listener
	for i, l := range s.Listeners {
		if l.Addr == addr.String() {
			found = &s.Listeners[i]
		}
	}
	if found == nil {
		t.Fatalf("listener %s not reported; listeners %+v, unknown %v", addr, s.Listeners, s.Unknown)
	}
	if found.Queued != n || found.Backlog != 8 || found.PID != os.Getpid() || found.Family != "test" {
		t.Errorf("listener = %+v, want %d queued of 8 for pid %d", *found, n, os.Getpid())
	}
	if found.Inode == 0 {
		t.Error("listener without its socket inode")
	}
	if s.FDs == nil || s.FDs.Top == nil || s.FDs.Top.PID != os.Getpid() || s.FDs.Top.Open < n+1 {
		t.Errorf("fds = %+v, want this process with at least %d open", s.FDs, n+1)
	}
}
