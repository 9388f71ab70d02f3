package saturation

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// procFDs is what one pass over /proc/PID/fd found for a given process.
type procFDs struct {
	app     App
	ok      bool           // the fd directory was readable
	open    int            // entries in /proc/PID/fd
	sockets map[uint32]int // socket inode -> fd number
}

// scanFDs lists /proc/PID/fd: the count of open descriptors and which of
// them are sockets. Reading another user's fd directory needs root (or
// CAP_SYS_PTRACE); that pid is then unknown.
func (r *Reader) scanFDs(pid int) (procFDs, error) {
	dir := filepath.Join(r.cfg.ProcRoot, strconv.Itoa(pid), "fd")
	f, err := os.Open(dir)
	if err != nil {
		return procFDs{}, err
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return procFDs{}, fmt.Errorf("read %s: %w", dir, err)
	}
	p := procFDs{ok: true, open: len(names)}
	for _, name := range names {
		link, err := os.Readlink(dir + "/" + name)
		if err != nil {
			continue // closed since the listing
		}
		ino, ok := socketInode(link)
		if !ok {
			continue
		}
		fd, err := strconv.Atoi(name)
		if err != nil {
			continue
		}
		if p.sockets == nil {
			p.sockets = make(map[uint32]int)
		}
		p.sockets[ino] = fd
	}
	return p, nil
}

// matchListeners keeps the listening sockets some given process holds,
// attributed to the lowest such pid (procs are sorted by pid), in the
// order sock_diag returned them.
func matchListeners(socks []Socket, procs []procFDs) []Listener {
	var out []Listener
	for _, s := range socks {
		for _, p := range procs {
			if _, ok := p.sockets[s.Inode]; !ok {
				continue
			}
			out = append(out, Listener{
				Addr:    s.Addr.String(),
				Inode:   s.Inode,
				PID:     p.app.PID,
				Family:  clean(p.app.Family),
				Queued:  s.Queued,
				Backlog: s.Backlog,
			})
			break
		}
	}
	return out
}

// listenerFDs returns the fd numbers of p that are listening sockets.
func listenerFDs(p procFDs, listeners []Listener) []int {
	var fds []int
	for _, l := range listeners {
		if fd, ok := p.sockets[l.Inode]; ok {
			fds = append(fds, fd)
		}
	}
	slices.Sort(fds)
	return fds
}

// readNetstat reads TcpExt ListenOverflows and ListenDrops from
// /proc/net/netstat, whose sections come as a header line of names and
// a line of values with the same prefix.
func readNetstat(path string) (overflows, drops uint64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	return parseNetstat(b, path)
}

func parseNetstat(b []byte, path string) (overflows, drops uint64, err error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 8<<10), 1<<20)
	var names []string
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, "TcpExt:")
		if !ok {
			continue
		}
		if names == nil {
			names = strings.Fields(rest)
			continue
		}
		values := strings.Fields(rest)
		if len(values) != len(names) {
			return 0, 0, fmt.Errorf("%s: TcpExt has %d names and %d values", path, len(names), len(values))
		}
		var foundO, foundD bool
		for i, n := range names {
			switch n {
			case "ListenOverflows":
				overflows, err = strconv.ParseUint(values[i], 10, 64)
				foundO = true
			case "ListenDrops":
				drops, err = strconv.ParseUint(values[i], 10, 64)
				foundD = true
			}
			if err != nil {
				return 0, 0, fmt.Errorf("%s: TcpExt %s: %w", path, n, err)
			}
		}
		if !foundO || !foundD {
			return 0, 0, fmt.Errorf("%s: no TcpExt ListenOverflows/ListenDrops", path)
		}
		return overflows, drops, nil
	}
	if err := sc.Err(); err != nil {
		return 0, 0, fmt.Errorf("%s: %w", path, err)
	}
	return 0, 0, fmt.Errorf("%s: no TcpExt values", path)
}
