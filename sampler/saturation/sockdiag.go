package saturation

// The sock_diag query is hand-rolled on golang.org/x/sys/unix rather than
// taken from github.com/vishvananda/netlink: that library's SocketDiagTCP
// and SocketDiagTCPInfo (v1.3.1) always dump all twelve TCP states with
// tcp_info attached, so on a busy web server every read would carry and
// parse thousands of ESTABLISHED and TIME_WAIT sockets to find a handful of
// listeners. Asking the kernel for LISTEN only is a 72-byte request per
// address family and the reply parser below.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// Socket is one listening socket as sock_diag reports it: TCP (Addr) or
// unix-domain (Unix, Path).
type Socket struct {
	Addr    netip.AddrPort
	Unix    bool
	Path    string // socket file, or "@name" in the abstract namespace
	Inode   uint32
	Queued  uint32 // idiag_rqueue: connections waiting to be accepted
	Backlog uint32 // idiag_wqueue: the accept queue's limit
}

const (
	sockDiagByFamily = 20 // SOCK_DIAG_BY_FAMILY
	tcpListen        = 10 // TCP_LISTEN in include/net/tcp_states.h
	nlmsgHdrLen      = 16
	diagReqLen       = 56 // struct inet_diag_req_v2
	diagMsgLen       = 72 // struct inet_diag_msg
)

// QueryListening dumps the sockets in LISTEN state, TCP over IPv4 and
// IPv6 and unix-domain, of this network namespace through sock_diag
// netlink. Unprivileged users may do this (it is what `ss -lntx` does).
func QueryListening() ([]Socket, error) {
	return new(listenQuery).query()
}

// listenQuery keeps the receive buffer between dumps, so a Reader does
// not allocate 32 KiB every interval.
type listenQuery struct{ buf []byte }

func (q *listenQuery) query() ([]Socket, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return nil, fmt.Errorf("sock_diag socket: %w", err)
	}
	defer unix.Close(fd)
	// A dump answers at once; the timeout only guards against a kernel
	// that never answers, so a read can never hang the sampler.
	tv := unix.NsecToTimeval(int64(time.Second))
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return nil, fmt.Errorf("sock_diag timeout: %w", err)
	}
	var socks []Socket
	if q.buf == nil {
		q.buf = make([]byte, 32<<10)
	}
	buf := q.buf
	reqs := [][]byte{diagRequest(unix.AF_INET, 1), diagRequest(unix.AF_INET6, 2), unixDiagRequest(3)}
	for _, req := range reqs {
		if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
			return nil, fmt.Errorf("sock_diag request: %w", err)
		}
		for done := false; !done; {
			n, _, err := unix.Recvfrom(fd, buf, 0)
			if err != nil {
				return nil, fmt.Errorf("sock_diag reply: %w", err)
			}
			socks, done, err = parseDiagReply(buf[:n], socks)
			if err != nil {
				return nil, err
			}
		}
	}
	return socks, nil
}

// diagRequest builds a netlink header and an inet_diag_req_v2 asking for
// every TCP socket of one address family in LISTEN state.
func diagRequest(family uint8, seq uint32) []byte {
	b := make([]byte, nlmsgHdrLen+diagReqLen)
	ne := binary.NativeEndian
	ne.PutUint32(b[0:], uint32(len(b)))
	ne.PutUint16(b[4:], sockDiagByFamily)
	ne.PutUint16(b[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	ne.PutUint32(b[8:], seq)
	b[16] = family
	b[17] = unix.IPPROTO_TCP
	ne.PutUint32(b[20:], 1<<tcpListen) // idiag_states; the socket id stays zero
	return b
}

// parseDiagReply appends the sockets of one netlink datagram to socks;
// done is true once the dump's NLMSG_DONE was seen.
func parseDiagReply(b []byte, socks []Socket) (_ []Socket, done bool, err error) {
	ne := binary.NativeEndian
	for len(b) >= nlmsgHdrLen {
		n := int(ne.Uint32(b[0:]))
		typ := ne.Uint16(b[4:])
		if n < nlmsgHdrLen || n > len(b) {
			return socks, false, fmt.Errorf("sock_diag reply: message length %d of %d bytes", n, len(b))
		}
		body := b[nlmsgHdrLen:n]
		switch typ {
		case unix.NLMSG_DONE:
			return socks, true, nil
		case unix.NLMSG_ERROR:
			if len(body) >= 4 {
				if errno := int32(ne.Uint32(body)); errno != 0 {
					return socks, false, fmt.Errorf("sock_diag: %w", unix.Errno(-errno))
				}
			}
			return socks, false, errors.New("sock_diag: error reply")
		case sockDiagByFamily:
			parse := parseDiagMsg
			if len(body) > 0 && body[0] == unix.AF_UNIX {
				parse = parseUnixDiagMsg
			}
			s, err := parse(body)
			if err != nil {
				return socks, false, err
			}
			socks = append(socks, s)
		}
		// Messages are 4-byte aligned within a datagram.
		next := (n + 3) &^ 3
		if next > len(b) {
			break
		}
		b = b[next:]
	}
	return socks, false, nil
}

// parseDiagMsg decodes one struct inet_diag_msg. Ports are big-endian,
// queues and the inode in host order.
func parseDiagMsg(b []byte) (Socket, error) {
	if len(b) < diagMsgLen {
		return Socket{}, fmt.Errorf("sock_diag reply: inet_diag_msg of %d bytes, want %d", len(b), diagMsgLen)
	}
	port := binary.BigEndian.Uint16(b[4:])
	var addr netip.Addr
	switch b[0] {
	case unix.AF_INET:
		addr = netip.AddrFrom4([4]byte(b[8:12]))
	case unix.AF_INET6:
		addr = netip.AddrFrom16([16]byte(b[8:24]))
	default:
		return Socket{}, fmt.Errorf("sock_diag reply: address family %d", b[0])
	}
	ne := binary.NativeEndian
	return Socket{
		Addr:    netip.AddrPortFrom(addr, port),
		Queued:  ne.Uint32(b[56:]),
		Backlog: ne.Uint32(b[60:]),
		Inode:   ne.Uint32(b[68:]),
	}, nil
}

// socketInode extracts INODE from a /proc/PID/fd link "socket:[INODE]".
func socketInode(link string) (uint32, bool) {
	const pre = "socket:["
	if len(link) < len(pre)+2 || link[:len(pre)] != pre || link[len(link)-1] != ']' {
		return 0, false
	}
	n, err := strconv.ParseUint(link[len(pre):len(link)-1], 10, 32)
	return uint32(n), err == nil
}
