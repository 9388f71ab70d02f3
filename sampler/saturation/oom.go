package saturation

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"syscall"
)

// KernelLog yields the kernel log lines written since the previous call.
// It must never block: with nothing new it returns no lines.
type KernelLog interface {
	NewLines() ([]string, error)
}

// Kmsg reads /dev/kmsg without blocking. Opened, it starts at the end of
// the log, so only kills after the first read are reported. With
// kernel.dmesg_restrict=1 (the default on many distributions) only root
// or CAP_SYSLOG may open it; NewLines then returns the error every time
// and the victims are unknown.
type Kmsg struct {
	Path   string // "/dev/kmsg"
	fd     int
	opened bool
	err    error
	buf    []byte
}

// maxNewLines bounds the records read per call, so a flood of kernel
// messages cannot hold a sampling interval up.
const maxNewLines = 4096

// NewLines returns the messages (text after the "prio,seq,time,flags;"
// prefix) logged since the previous call.
func (k *Kmsg) NewLines() ([]string, error) {
	if !k.opened && k.err == nil {
		k.open()
	}
	if k.err != nil {
		return nil, k.err
	}
	var lines []string
	for range maxNewLines {
		// /dev/kmsg returns one record per read. A plain read(2): an
		// *os.File would park on the poller instead of returning EAGAIN.
		n, err := syscall.Read(k.fd, k.buf)
		switch {
		case errors.Is(err, syscall.EAGAIN), err == nil && n <= 0:
			return lines, nil
		case errors.Is(err, syscall.EPIPE):
			continue // records were overwritten before we read them
		case err != nil:
			return lines, fmt.Errorf("read %s: %w", k.Path, err)
		}
		if msg, ok := kmsgMessage(string(k.buf[:n])); ok {
			lines = append(lines, msg)
		}
	}
	return lines, nil
}

// kmsgMessage is the text of one /dev/kmsg record,
// "prio,seq,usec,flags[,...];message\n" followed by " KEY=value" lines.
func kmsgMessage(record string) (string, bool) {
	_, msg, ok := strings.Cut(record, ";")
	if !ok {
		return "", false
	}
	msg, _, _ = strings.Cut(msg, "\n")
	return msg, true
}

func (k *Kmsg) open() {
	fd, err := syscall.Open(k.Path, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		k.err = fmt.Errorf("open %s: %w", k.Path, err)
		return
	}
	if _, err := syscall.Seek(fd, 0, io.SeekEnd); err != nil {
		syscall.Close(fd)
		k.err = fmt.Errorf("seek %s: %w", k.Path, err)
		return
	}
	k.fd, k.opened = fd, true
	k.buf = make([]byte, 8<<10) // a record is at most ~1 KiB
}

// Close closes /dev/kmsg if it was opened.
func (k *Kmsg) Close() error {
	if !k.opened {
		return nil
	}
	k.opened = false
	return syscall.Close(k.fd)
}

// oomVictims collects the victims named in the kernel log lines since the
// previous read.
func (r *Reader) oomVictims() ([]OOMVictim, error) {
	lines, err := r.cfg.KernelLog.NewLines()
	if err != nil && len(lines) == 0 {
		return nil, err
	}
	return parseOOMVictims(lines), err
}

// parseOOMVictims finds the victims in kernel log lines, one per pid:
//
//	Out of memory: Killed process 1234 (name) total-vm:... (also "Memory cgroup out of memory:")
//	oom-kill:constraint=CONSTRAINT_NONE,...,task=name,pid=1234,uid=33
func parseOOMVictims(lines []string) []OOMVictim {
	var out []OOMVictim
	add := func(pid int, name string) {
		for i, v := range out {
			if v.PID == pid {
				if v.Name == "" {
					out[i].Name = clean(name)
				}
				return
			}
		}
		out = append(out, OOMVictim{PID: pid, Name: clean(name)})
	}
	for _, line := range lines {
		if _, rest, ok := strings.Cut(line, "Killed process "); ok {
			pidStr, rest, _ := strings.Cut(rest, " (")
			pid, err := strconv.Atoi(pidStr)
			if err != nil || pid <= 0 {
				continue
			}
			// A name may itself hold ") ": the one before "total-vm" ends it.
			end := strings.LastIndex(rest, ") total-vm")
			if end < 0 {
				end = strings.LastIndex(rest, ")")
			}
			if end < 0 {
				continue
			}
			add(pid, rest[:end])
			continue
		}
		if _, rest, ok := strings.Cut(line, "oom-kill:"); ok {
			pid, name := oomKillFields(rest)
			if pid > 0 {
				add(pid, name)
			}
		}
	}
	return out
}

// oomKillFields reads task= and pid= from an "oom-kill:" line's
// comma-separated key=value list. task is the comm, which may contain a
// comma; it runs to ",pid=".
func oomKillFields(s string) (pid int, task string) {
	if i := strings.Index(s, "task="); i >= 0 {
		rest := s[i+len("task="):]
		if j := strings.Index(rest, ",pid="); j >= 0 {
			task = rest[:j]
			pidStr, _, _ := strings.Cut(rest[j+len(",pid="):], ",")
			pid, _ = strconv.Atoi(pidStr)
		}
	}
	return pid, task
}
