package sqllog

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/headroom-dev/headroom/sampler/userfile"
)

// Follower reads a query log as it grows, from its end at the start, the
// way access logs are followed: each Poll reports the statements finished
// since the previous one. A rotated file (new inode at the path) is read
// from its start; a truncated one from its new start. A Postgres statement
// is finished by the log's next record, so the last one written may be
// reported one Poll late; an N+1 run cut by a Poll counts in each part.
type Follower struct {
	path    string
	f       *os.File
	ino     uint64
	off     int64
	partial []byte // a last line without its newline yet
	skip    bool   // dropping the rest of an overlong line
	parser  *Parser
	current *Analyzer
}

// maxPollBytes bounds what one Poll reads, so a burst cannot stall the
// caller; the rest is read by the next Poll.
const maxPollBytes = 64 << 20

// NewFollower opens path and positions at its end.
func NewFollower(path string) (*Follower, error) {
	fl := &Follower{path: path, current: NewAnalyzer()}
	fl.parser = NewParser(func(s Statement) { fl.current.Add(s) })
	if err := fl.open(true); err != nil {
		return nil, err
	}
	return fl, nil
}

func (fl *Follower) open(atEnd bool) error {
	f, err := userfile.Open(fl.path)
	if userfile.IsNotRegular(err) {
		return fmt.Errorf("%s %v", Printable(fl.path, 200), errors.Unwrap(err))
	}
	var pe *os.PathError
	if errors.As(err, &pe) { // "PATH: no such file or directory", not "open PATH: …"
		return fmt.Errorf("%s: %v", Printable(fl.path, 200), pe.Err)
	}
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	if fi.IsDir() {
		f.Close()
		return fmt.Errorf("%s is a directory, not a log file", Printable(fl.path, 200))
	}
	fl.f, fl.ino, fl.off, fl.partial, fl.skip = f, inode(fi), 0, nil, false
	if atEnd {
		fl.off = fi.Size()
	}
	return nil
}

func inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// Poll reads what was appended since the last Poll and returns the
// statements of that interval, ranked (top as in Analyzer.Report). A path
// that is gone for the moment (mid-rotation) is an empty interval.
func (fl *Follower) Poll(top int) (Report, error) {
	lines, unparsed := fl.parser.Lines, fl.parser.Unparsed
	if fi, err := os.Stat(fl.path); err == nil {
		if inode(fi) != fl.ino {
			// Rotated: finish the old file, then read the new one from its start.
			fl.readNew()
			fl.f.Close()
			if err := fl.open(false); err != nil {
				return Report{}, err
			}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return Report{}, err
	}
	if fi, err := fl.f.Stat(); err == nil && fi.Size() < fl.off {
		fl.off, fl.partial, fl.skip = 0, nil, false // truncated in place
	}
	if err := fl.readNew(); err != nil {
		return Report{}, err
	}
	r := fl.current.Report(top)
	r.Lines, r.Unparsed = fl.parser.Lines-lines, fl.parser.Unparsed-unparsed
	fl.current = NewAnalyzer()
	return r, nil
}

// readNew parses the complete lines appended since off.
func (fl *Follower) readNew() error {
	buf := make([]byte, 64<<10)
	read := 0
	for read < maxPollBytes {
		n, err := fl.f.ReadAt(buf, fl.off)
		fl.off += int64(n)
		read += n
		fl.take(buf[:n])
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
	return nil
}

// take splits data into lines; an unfinished last line waits for more.
func (fl *Follower) take(data []byte) {
	for len(data) > 0 {
		i := indexNL(data)
		if fl.skip {
			if i < 0 {
				return
			}
			fl.skip, data = false, data[i+1:]
			continue
		}
		if i < 0 {
			if len(fl.partial)+len(data) > MaxLineBytes {
				fl.parser.Lines++
				fl.parser.Unparsed++
				fl.partial, fl.skip = fl.partial[:0], true
				return
			}
			fl.partial = append(fl.partial, data...)
			return
		}
		line := append(fl.partial, data[:i]...)
		fl.partial = fl.partial[:0]
		if len(line) > MaxLineBytes {
			fl.parser.Lines++
			fl.parser.Unparsed++
		} else {
			fl.parser.Line(string(line))
		}
		data = data[i+1:]
	}
}

func indexNL(b []byte) int {
	for i, c := range b {
		if c == '\n' {
			return i
		}
	}
	return -1
}

// Close closes the followed file.
func (fl *Follower) Close() error { return fl.f.Close() }
