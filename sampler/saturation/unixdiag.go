package saturation

// Unix-domain listeners: gunicorn or uwsgi behind nginx on the same
// machine usually listen on a socket file, and their accept queue is the
// same queue ss -lx shows. sock_diag reports it with UDIAG_SHOW_RQLEN.

import (
	"encoding/binary"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

const (
	unixDiagReqLen = 24 // struct unix_diag_req
	unixDiagMsgLen = 16 // struct unix_diag_msg
	udiagShowName  = 0x01
	udiagShowRQLen = 0x10
	unixDiagName   = 0 // UNIX_DIAG_NAME attribute
	unixDiagRQLen  = 4 // UNIX_DIAG_RQLEN attribute
)

// unixDiagRequest asks for every unix socket in LISTEN state with its
// path and queue lengths.
func unixDiagRequest(seq uint32) []byte {
	b := make([]byte, nlmsgHdrLen+unixDiagReqLen)
	ne := binary.NativeEndian
	ne.PutUint32(b[0:], uint32(len(b)))
	ne.PutUint16(b[4:], sockDiagByFamily)
	ne.PutUint16(b[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	ne.PutUint32(b[8:], seq)
	b[16] = unix.AF_UNIX
	ne.PutUint32(b[20:], 1<<tcpListen)                 // udiag_states
	ne.PutUint32(b[28:], udiagShowName|udiagShowRQLen) // udiag_show
	return b
}

// parseUnixDiagMsg decodes a struct unix_diag_msg and its attributes.
// Sockets without a name (socketpair listeners do not exist, but a
// dump may race a close) are kept with an empty path.
func parseUnixDiagMsg(b []byte) (Socket, error) {
	if len(b) < unixDiagMsgLen {
		return Socket{}, fmt.Errorf("sock_diag reply: unix_diag_msg of %d bytes, want %d", len(b), unixDiagMsgLen)
	}
	ne := binary.NativeEndian
	s := Socket{Inode: ne.Uint32(b[4:]), Unix: true}
	for attrs := b[unixDiagMsgLen:]; len(attrs) >= 4; {
		n := int(ne.Uint16(attrs))
		typ := ne.Uint16(attrs[2:])
		if n < 4 || n > len(attrs) {
			return Socket{}, fmt.Errorf("sock_diag reply: attribute length %d of %d bytes", n, len(attrs))
		}
		v := attrs[4:n]
		switch typ {
		case unixDiagName:
			s.Path = unixPath(v)
		case unixDiagRQLen:
			if len(v) < 8 {
				return Socket{}, fmt.Errorf("sock_diag reply: UNIX_DIAG_RQLEN of %d bytes", len(v))
			}
			s.Queued, s.Backlog = ne.Uint32(v), ne.Uint32(v[4:])
		}
		next := (n + 3) &^ 3
		if next >= len(attrs) {
			break
		}
		attrs = attrs[next:]
	}
	return s, nil
}

// unixPath renders a socket name: a file path, or "@name" for the
// abstract namespace (leading NUL), as ss prints them.
func unixPath(b []byte) string {
	if len(b) > 0 && b[0] == 0 {
		return "@" + clean(strings.TrimRight(string(b[1:]), "\x00"))
	}
	return clean(strings.TrimRight(string(b), "\x00"))
}
