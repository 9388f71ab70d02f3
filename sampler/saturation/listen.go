package saturation

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// errGone says a process exited (its /proc entry is gone).
var errGone = errors.New("process gone")

// procFDs is what one pass over /proc/PID/fd found for a given process.
type procFDs struct {
	app     App
	ok      bool           // the fd directory was readable
	open    int            // entries in /proc/PID/fd
	sockets map[uint32]int // socket inode -> fd number
}

// scanFDs lists /proc/PID/fd: the count of open descriptors and which of
// them are sockets. Reading another user's fd directory needs root (or
// CAP_SYS_PTRACE); that pid is then unknown. errGone: it has exited.
func (r *Reader) scanFDs(pid int) (procFDs, error) {
	dir := filepath.Join(r.cfg.ProcRoot, strconv.Itoa(pid), "fd")
	f, err := os.Open(dir)
	if err != nil {
		if _, serr := os.Stat(filepath.Dir(dir)); errors.Is(serr, fs.ErrNotExist) {
			return procFDs{}, errGone
		}
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
			addr := s.Addr.String()
			if s.Unix {
				addr = "unix:" + s.Path
			}
			out = append(out, Listener{
				Addr:    addr,
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
func (r *Reader) readNetstat(path string) (overflows, drops uint64, err error) {
	b, err := r.readShared(path)
	if err != nil {
		return 0, 0, err
	}
	return parseNetstat(b, path)
}

func parseNetstat(b []byte, path string) (overflows, drops uint64, err error) {
	var names []byte
	for line := range bytes.Lines(b) {
		rest, ok := bytes.CutPrefix(line, []byte("TcpExt:"))
		if !ok {
			continue
		}
		if names == nil {
			names = rest
			continue
		}
		if nn, nv := countFields(names), countFields(rest); nn != nv {
			return 0, 0, fmt.Errorf("%s: TcpExt has %d names and %d values", path, nn, nv)
		}
		for _, c := range []struct {
			name string
			v    *uint64
		}{{"ListenOverflows", &overflows}, {"ListenDrops", &drops}} {
			i := fieldIndex(names, c.name)
			if i < 0 {
				return 0, 0, fmt.Errorf("%s: no TcpExt %s", path, c.name)
			}
			if *c.v, err = strconv.ParseUint(string(field(rest, i)), 10, 64); err != nil {
				return 0, 0, fmt.Errorf("%s: TcpExt %s: %w", path, c.name, err)
			}
		}
		return overflows, drops, nil
	}
	return 0, 0, fmt.Errorf("%s: no TcpExt values", path)
}

// The TcpExt lines have over a hundred fields; these walk them once
// without splitting the line into a slice every interval.

// fields yields the index and text of each blank-separated field.
func fields(line []byte) iter.Seq2[int, []byte] {
	return func(yield func(int, []byte) bool) {
		for i := 0; ; i++ {
			line = bytes.TrimLeft(line, " \t\n")
			if len(line) == 0 {
				return
			}
			end := bytes.IndexAny(line, " \t\n")
			if end < 0 {
				end = len(line)
			}
			if !yield(i, line[:end]) {
				return
			}
			line = line[end:]
		}
	}
}

// field returns the i-th field of line, or nil.
func field(line []byte, i int) []byte {
	for j, f := range fields(line) {
		if j == i {
			return f
		}
	}
	return nil
}

// fieldIndex is the position of name among the fields of line, or -1.
func fieldIndex(line []byte, name string) int {
	for i, f := range fields(line) {
		if string(f) == name {
			return i
		}
	}
	return -1
}

func countFields(line []byte) int {
	n := 0
	for range fields(line) {
		n++
	}
	return n
}
