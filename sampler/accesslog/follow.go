// Package accesslog follows web-server access logs (nginx, gunicorn, JSON
// lines) as `tail -F` does and sums them per interval into requests/s,
// status shares, latency percentiles and the endpoints that cost the most
// time. Polling is driven by the caller; nothing here starts a goroutine.
package accesslog

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// State is what a Follower can see at its path.
type State string

// The states of a followed path. A missing file is a state, not an error:
// it may not have been created yet, or be between rename and create.
const (
	Following  State = "following"
	Missing    State = "missing"
	Unreadable State = "unreadable" // permission denied, not a regular file, I/O error
)

// FollowOptions bound a Follower's memory and work per poll.
type FollowOptions struct {
	MaxLine    int   // longest line kept, bytes; longer ones are skipped and counted (default 64 KiB)
	MaxRead    int64 // bytes read per Poll (default 8 MiB); the rest waits for the next Poll
	MaxBacklog int64 // unread bytes beyond which the follower jumps to the end (default 64 MiB)
}

func (o FollowOptions) withDefaults() FollowOptions {
	if o.MaxLine <= 0 {
		o.MaxLine = 64 << 10
	}
	if o.MaxRead <= 0 {
		o.MaxRead = 8 << 20
	}
	if o.MaxBacklog <= 0 {
		o.MaxBacklog = 64 << 20
	}
	return o
}

// PollResult says what one Poll read.
type PollResult struct {
	Lines        int   // lines handed to emit
	Overlong     int   // lines longer than MaxLine, skipped
	Bytes        int64 // bytes read
	Rotations    int   // times the path named a new file (rename-and-create), or appeared
	Truncations  int   // times the file shrank (copytruncate)
	SkippedBytes int64 // bytes jumped over because the backlog exceeded MaxBacklog
	Lag          int64 // bytes written but not yet read
}

// source is one open file and where reading it has got to.
type source struct {
	f       *os.File
	info    os.FileInfo // identity, for os.SameFile
	off     int64
	partial []byte // a line without its newline yet
	discard bool   // drop bytes up to the next newline (an overlong line, or one cut at the start)
}

// Follower reads the lines appended to one file, from its end, across
// rotations. Call Poll once per interval; it never blocks on a writer.
type Follower struct {
	path   string
	opt    FollowOptions
	cur    *source
	old    *source // the file the path named before a rotation, read until idle
	state  State
	reason string
	buf    []byte
	// fromEnd: the file existed at the start but could not be opened; once
	// it can, its old lines are history, not traffic.
	fromEnd bool
}

// NewFollower starts following path from its current end. A path that does
// not exist yet is followed from the start of the file once it appears; one
// that exists but cannot be read yet, from its end once it can.
func NewFollower(path string, opt FollowOptions) *Follower {
	fl := &Follower{path: path, opt: opt.withDefaults(), state: Missing}
	fl.buf = make([]byte, min(64<<10, int(fl.opt.MaxRead)))
	fl.fromEnd = !fl.open(true) && fl.state == Unreadable
	return fl
}

// Path is the followed path as given.
func (fl *Follower) Path() string { return fl.path }

// State says whether the file is being followed; reason is a printable
// explanation when it is Unreadable.
func (fl *Follower) State() (state State, reason string) { return fl.state, fl.reason }

// open opens the path, at its end or its start; on failure it sets the state.
func (fl *Follower) open(atEnd bool) bool {
	fi, err := os.Stat(fl.path)
	if err == nil && !fi.Mode().IsRegular() {
		fl.state, fl.reason = Unreadable, "not a regular file"
		return false
	}
	var f *os.File
	if err == nil {
		// O_NONBLOCK: should a FIFO replace the file after the check, open must not wait for a writer.
		f, err = os.OpenFile(fl.path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	}
	if err == nil {
		fi, err = f.Stat()
		if err != nil {
			f.Close()
		}
	}
	if err != nil {
		fl.fail(err)
		return false
	}
	s := &source{f: f, info: fi}
	if atEnd && fi.Size() > 0 {
		s.off = fi.Size()
		s.discard = !endsLine(f, s.off)
	}
	fl.cur, fl.state, fl.reason = s, Following, ""
	return true
}

func (fl *Follower) fail(err error) {
	if errors.Is(err, fs.ErrNotExist) {
		fl.state, fl.reason = Missing, ""
		return
	}
	fl.state, fl.reason = Unreadable, printable(err.Error())
}

// endsLine reports whether the byte before off is a newline, i.e. whether
// reading from off starts a fresh line.
func endsLine(f *os.File, off int64) bool {
	var b [1]byte
	n, _ := f.ReadAt(b[:], off-1)
	return n == 1 && b[0] == '\n'
}

// Poll reads what was appended since the last Poll, up to MaxRead bytes,
// and calls emit for each complete line (without its newline; the slice is
// valid only during the call). It follows rotation and truncation.
func (fl *Follower) Poll(emit func(line []byte)) PollResult {
	var res PollResult
	budget := fl.opt.MaxRead
	if fl.old != nil {
		if n := fl.read(fl.old, &budget, emit, &res); n == 0 && budget > 0 {
			fl.retire(emit, &res)
		}
	}
	if fl.cur == nil {
		if !fl.open(fl.fromEnd) {
			return res
		}
		if !fl.fromEnd {
			res.Rotations++
		}
		fl.fromEnd = false
	}
	s := fl.cur
	fi, err := s.f.Stat()
	if err != nil {
		fl.fail(err)
		return res
	}
	fl.state, fl.reason = Following, ""
	size := fi.Size()
	if size < s.off {
		s.off, s.partial, s.discard = 0, s.partial[:0], false
		res.Truncations++
	}
	if size-s.off > fl.opt.MaxBacklog {
		res.SkippedBytes += size - s.off
		s.off, s.partial = size, s.partial[:0]
		s.discard = !endsLine(s.f, size)
	}
	fl.read(s, &budget, emit, &res)
	if s.off >= size {
		fl.checkRotation(emit, &res, &budget)
	}
	if fl.cur != nil {
		if fi, err := fl.cur.f.Stat(); err == nil && fi.Size() > fl.cur.off {
			res.Lag = fi.Size() - fl.cur.off
		}
	}
	return res
}

// checkRotation retires the open file when the path no longer names it,
// and opens the new file from its start.
func (fl *Follower) checkRotation(emit func([]byte), res *PollResult, budget *int64) {
	pfi, err := os.Stat(fl.path)
	if (err == nil && os.SameFile(pfi, fl.cur.info)) || (err != nil && !errors.Is(err, fs.ErrNotExist)) {
		return // still ours, or the directory cannot be searched: keep reading what is open
	}
	if fl.old != nil {
		fl.retire(emit, res)
	}
	fl.old, fl.cur = fl.cur, nil
	if err != nil {
		fl.fail(err)
		return
	}
	if fl.open(false) {
		res.Rotations++
		fl.read(fl.cur, budget, emit, res)
	}
}

// retire closes the old file; its last line, if unterminated, is complete
// now that nothing writes to it.
func (fl *Follower) retire(emit func([]byte), res *PollResult) {
	s := fl.old
	if len(s.partial) > 0 && !s.discard {
		fl.emitLine(s.partial, emit, res)
	}
	s.f.Close()
	fl.old = nil
}

// read reads s from its offset until EOF or the budget is spent, and
// returns the bytes read.
func (fl *Follower) read(s *source, budget *int64, emit func([]byte), res *PollResult) int64 {
	var total int64
	for *budget > 0 {
		want := int64(len(fl.buf))
		if want > *budget {
			want = *budget
		}
		n, err := s.f.ReadAt(fl.buf[:want], s.off)
		if n > 0 {
			s.off += int64(n)
			*budget -= int64(n)
			total += int64(n)
			res.Bytes += int64(n)
			fl.split(s, fl.buf[:n], emit, res)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			fl.state, fl.reason = Unreadable, printable(err.Error())
		}
		if err != nil || int64(n) < want {
			break
		}
	}
	return total
}

// split cuts chunk into lines, keeping an unterminated end in s.partial and
// bounding every line by MaxLine.
func (fl *Follower) split(s *source, chunk []byte, emit func([]byte), res *PollResult) {
	maxLine := fl.opt.MaxLine
	for len(chunk) > 0 {
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			if s.discard {
				return
			}
			if len(s.partial)+len(chunk) > maxLine {
				res.Overlong++
				s.partial, s.discard = s.partial[:0], true
				return
			}
			s.partial = append(s.partial, chunk...)
			return
		}
		line := chunk[:i]
		chunk = chunk[i+1:]
		switch {
		case s.discard:
			s.discard = false
		case len(s.partial)+len(line) > maxLine:
			res.Overlong++
			s.partial = s.partial[:0]
		case len(s.partial) > 0:
			s.partial = append(s.partial, line...)
			fl.emitLine(s.partial, emit, res)
			s.partial = s.partial[:0]
		default:
			fl.emitLine(line, emit, res)
		}
	}
}

// emitLine hands a line on without its CR and without leading NULs (the
// hole a writer without O_APPEND leaves after copytruncate); blank lines
// are dropped.
func (fl *Follower) emitLine(line []byte, emit func([]byte), res *PollResult) {
	line = bytes.TrimRight(line, "\r")
	line = bytes.TrimLeft(line, "\x00")
	if len(line) == 0 {
		return
	}
	res.Lines++
	emit(line)
}

// Close closes the files; the Follower must not be polled afterwards.
func (fl *Follower) Close() error {
	var err error
	if fl.old != nil {
		err = fl.old.f.Close()
		fl.old = nil
	}
	if fl.cur != nil {
		err = errors.Join(err, fl.cur.f.Close())
		fl.cur = nil
	}
	return err
}
