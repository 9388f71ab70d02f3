package cgroup

import (
	"errors"
	"fmt"
	"strconv"
	"syscall"
)

// Most processes of a host share a handful of /proc/PID/cgroup contents
// (one per unit or container), so a membership read keeps the resolved
// group by the file's bytes: a process whose file says what another's did
// costs an open, a read and a close, with no parsing and no allocation.
// os.ReadFile would add a stat, a path join and a buffer per process, which
// at a first read of 1000 processes was a third of its time.

// resolvedByContent caps the contents remembered (a host with more
// distinct groups than this re-parses the rest).
const resolvedByContent = 4096

// resolved is a membership file's group and key.
type resolved struct {
	g   group
	key string
}

// groupOf reads and resolves pid's /proc/PID/cgroup; the caller holds r.mu.
func (r *Reader) groupOf(pid int) (group, string, error) {
	b, err := r.readWhole(r.procRoot + "/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		return group{}, "", err
	}
	if v, ok := r.byContent[string(b)]; ok {
		return v.g, v.key, nil
	}
	m, err := ParseProcCgroup(b)
	if err != nil {
		return group{}, "", fmt.Errorf("/proc/%d/cgroup: %w", pid, err)
	}
	g, key := r.resolve(m)
	if r.byContent == nil {
		r.byContent = map[string]resolved{}
	}
	if len(r.byContent) < resolvedByContent {
		r.byContent[string(b)] = resolved{g: g, key: key}
	}
	return g, key, nil
}

// readWhole reads the file name whole into r.buf, which grows (doubling
// from 4 kB) until the longest file read fits; the answer aliases r.buf.
// The caller holds r.mu.
func (r *Reader) readWhole(name string) ([]byte, error) {
	if r.buf == nil {
		r.buf = make([]byte, 4096)
	}
	for {
		fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		n, err := readAll(fd, r.buf)
		syscall.Close(fd)
		if err == errTooLong {
			r.buf = make([]byte, 2*len(r.buf))
			continue
		}
		return r.buf[:n], err
	}
}

// errTooLong is readAll's answer for a file longer than its buffer.
var errTooLong = errors.New("longer than the buffer")

// readAll reads fd to its end into buf; a file that fills buf is
// errTooLong.
func readAll(fd int, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return n, err
		}
		if m == 0 {
			return n, nil
		}
		n += m
	}
	return n, errTooLong
}
