package procs

import (
	"bytes"
	"errors"

	"github.com/headroom-dev/headroom/sampler/text"
)

// statFields are the parts of /proc/<pid>/stat headroom uses.
type statFields struct {
	comm    []byte // aliases the input buffer
	state   byte
	ppid    int32
	ticks   uint64 // utime + stime, in clock ticks
	threads int64
	start   uint64 // starttime, clock ticks after boot
	rss     uint64 // pages
	kthread bool   // PF_KTHREAD in flags: a kernel thread, with no command line
}

// pfKthread is the kernel's PF_KTHREAD process flag (field 9 of stat).
const pfKthread = 0x00200000

var errBadStat = errors.New("malformed /proc/<pid>/stat")

// parseStat reads /proc/<pid>/stat without allocating: it runs once per
// process per sample, the hottest loop in headroom. The command name is
// everything between the first '(' and the last ')', since it may itself
// hold spaces and parentheses.
func parseStat(b []byte) (statFields, error) {
	var f statFields
	open := bytes.IndexByte(b, '(')
	closing := bytes.LastIndexByte(b, ')')
	if open < 0 || closing < open || closing+2 >= len(b) {
		return f, errBadStat
	}
	f.comm = b[open+1 : closing]
	rest := b[closing+2:]
	// Fields after the name, counted from 3 (state) as in proc(5).
	field := 3
	for len(rest) > 0 && field <= 24 {
		end := bytes.IndexByte(rest, ' ')
		if end < 0 {
			end = len(rest)
		}
		tok := rest[:end]
		switch field {
		case 3:
			if len(tok) != 1 {
				return f, errBadStat
			}
			f.state = tok[0]
		case 4:
			v, ok := atou(tok)
			if !ok {
				return f, errBadStat
			}
			f.ppid = int32(v)
		case 9:
			v, ok := atou(tok)
			if !ok {
				return f, errBadStat
			}
			f.kthread = v&pfKthread != 0
		case 14, 15:
			v, ok := atou(tok)
			if !ok {
				return f, errBadStat
			}
			f.ticks += v
		case 20:
			v, ok := atou(tok)
			if !ok {
				return f, errBadStat
			}
			f.threads = int64(v)
		case 22:
			v, ok := atou(tok)
			if !ok {
				return f, errBadStat
			}
			f.start = v
		case 24:
			v, ok := atou(tok)
			if !ok {
				return f, errBadStat
			}
			f.rss = v
		}
		field++
		if end == len(rest) {
			break
		}
		rest = rest[end+1:]
	}
	if field <= 24 {
		return f, errBadStat
	}
	return f, nil
}

// parseSchedstat reads the first field of /proc/<pid>/schedstat: the
// main thread's time on the CPU, in nanoseconds.
func parseSchedstat(b []byte) (uint64, bool) {
	if i := bytes.IndexByte(b, ' '); i > 0 {
		return atou(b[:i])
	}
	return 0, false
}

// atou parses a decimal unsigned integer (a trailing newline is allowed).
func atou(b []byte) (uint64, bool) {
	b = bytes.TrimRight(b, "\n")
	if len(b) == 0 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

// parseKB finds "<key>: <n> kB" in a /proc status-style file and returns bytes.
func parseKB(b []byte, key string) (uint64, bool) {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if !bytes.HasPrefix(line, []byte(key)) || len(line) <= len(key) || line[len(key)] != ':' {
			continue
		}
		fields := bytes.Fields(line[len(key)+1:])
		if len(fields) == 0 {
			return 0, false
		}
		v, ok := atou(fields[0])
		if !ok {
			return 0, false
		}
		if len(fields) > 1 && bytes.EqualFold(fields[1], []byte("kB")) {
			v *= 1024
		}
		return v, true
	}
	return 0, false
}

// cmdlineString turns /proc/<pid>/cmdline (NUL-separated) into one
// printable line: the arguments joined by spaces, and any other control
// character or invalid UTF-8 replaced (text.Printable), since any user can
// put escape sequences in their arguments. Kernel threads have none; they are
// shown as [name], as ps does (name is printable already). A password in a
// URL or DSN argument is hidden (text.RedactPasswords): the line is shown
// and recorded.
func cmdlineString(b []byte, name string) string {
	b = bytes.TrimRight(b, "\x00")
	if len(b) == 0 {
		return "[" + name + "]"
	}
	out := make([]byte, len(b))
	for i, c := range b {
		if c == 0 {
			c = ' '
		}
		out[i] = c
	}
	return text.RedactPasswords(text.Printable(string(out)))
}
