package sqllog

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/sampler/userfile"
)

// Statement is one statement run as the log tells it.
type Statement struct {
	SQL      string
	Duration time.Duration
	Timed    bool   // the log gave a duration (log_statement alone does not)
	Session  string // Postgres backend pid or process id, "" when the log has none
	Request  string // request id, "" when the log has none
}

// Limits on what one statement may take from the log, so a runaway
// continuation (or a hostile file) cannot grow without end.
const (
	MaxLineBytes         = 1 << 20 // longer lines are cut here and counted unparsed
	maxStatementBytes    = 1 << 20
	maxContinuationLines = 10000
	maxAwaiting          = 1024 // Postgres statements waiting for their duration line
)

// Parser assembles statements from log lines: Django lines, Postgres
// records with their continuation lines, and Postgres statement lines
// paired with the session's next duration line.
type Parser struct {
	emit     func(Statement)
	pending  *Statement // may still get continuation lines
	django   bool       // pending is a Django statement still missing its "; args="
	contLen  int
	awaiting []Statement // Postgres statements without a duration yet, oldest first

	Lines    int // lines read
	Unparsed int // lines of no known format that continue nothing
}

// NewParser returns a parser that hands each finished statement to emit.
func NewParser(emit func(Statement)) *Parser { return &Parser{emit: emit} }

// Line takes one log line (without its newline).
func (p *Parser) Line(s string) {
	p.Lines++
	s = strings.TrimSuffix(s, "\r")
	l := ParseLine(s)
	if l.Kind == Unknown {
		if p.pending == nil || p.contLen >= maxContinuationLines || len(p.pending.SQL)+len(s) > maxStatementBytes {
			p.Unparsed++
			return
		}
		p.contLen++
		if p.django {
			if a := strings.Index(s, "; args="); a >= 0 {
				p.pending.SQL += "\n" + s[:a]
				p.closePending()
				return
			}
		}
		p.pending.SQL += "\n" + s
		return
	}
	p.closePending()
	st := Statement{SQL: l.SQL, Duration: l.Duration, Timed: l.Timed, Session: l.Session, Request: l.Request}
	switch l.Kind {
	case Django:
		if l.Complete {
			p.emit(st)
			return
		}
		p.pending, p.django, p.contLen = &st, true, 0
	case PgStatement:
		p.pending, p.django, p.contLen = &st, false, 0
	case PgDuration:
		for i, w := range p.awaiting {
			if w.Session == l.Session {
				w.Duration, w.Timed = l.Duration, true
				p.awaiting = append(p.awaiting[:i], p.awaiting[i+1:]...)
				p.emit(w)
				return
			}
		}
	}
}

// closePending finishes the statement that was open for continuation lines.
func (p *Parser) closePending() {
	st := p.pending
	if st == nil {
		return
	}
	p.pending = nil
	st.SQL = strings.TrimSpace(st.SQL)
	if st.Timed || p.django {
		p.emit(*st)
		return
	}
	// log_statement without a duration: the session's next
	// "duration:" line is its time. An older statement of the same
	// session never got one.
	for i, w := range p.awaiting {
		if w.Session == st.Session {
			p.awaiting = append(p.awaiting[:i], p.awaiting[i+1:]...)
			p.emit(w)
			break
		}
	}
	if len(p.awaiting) >= maxAwaiting {
		p.emit(p.awaiting[0])
		p.awaiting = p.awaiting[1:]
	}
	p.awaiting = append(p.awaiting, *st)
}

// Flush finishes every statement still open: call it at the end of input.
func (p *Parser) Flush() {
	p.closePending()
	for _, w := range p.awaiting {
		p.emit(w)
	}
	p.awaiting = nil
}

// ReadFrom feeds every line of r to the parser (lines cut at
// MaxLineBytes) and flushes at the end.
func (p *Parser) ReadFrom(r io.Reader) (int64, error) {
	lr := newLineReader(r)
	for {
		line, long, err := lr.next()
		if err != nil {
			p.Flush()
			if errors.Is(err, io.EOF) {
				return lr.n, nil
			}
			return lr.n, err
		}
		if long {
			p.Lines++
			p.Unparsed++
			continue
		}
		p.Line(line)
	}
}

// lineReader reads lines of bounded length.
type lineReader struct {
	br *bufio.Reader
	n  int64
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next line without its newline; long is true when the
// line exceeded MaxLineBytes (its text is dropped). A last line without a
// newline is returned before io.EOF.
func (lr *lineReader) next() (line string, long bool, err error) {
	var buf []byte
	for {
		chunk, err := lr.br.ReadSlice('\n')
		lr.n += int64(len(chunk))
		if !long {
			if len(buf)+len(chunk) > MaxLineBytes+1 {
				long, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		switch {
		case err == nil:
			return strings.TrimSuffix(string(buf), "\n"), long, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && (len(buf) > 0 || long):
			return string(buf), long, nil
		default:
			return "", false, err
		}
	}
}

// Open opens a query log by name: "-" is stdin, and a gzip file (known by
// its magic bytes, whatever its name) is decompressed. Errors other than
// the os.Open's do not repeat the path: the caller names the file.
func Open(path string, stdin io.Reader) (io.ReadCloser, error) {
	var rc io.ReadCloser
	if path == "-" {
		rc = io.NopCloser(stdin)
	} else {
		f, err := userfile.Open(path)
		if err != nil {
			return nil, err
		}
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			f.Close()
			return nil, errors.New("is a directory, not a log file")
		}
		rc = f
	}
	br := bufio.NewReader(rc)
	magic, _ := br.Peek(2)
	if !bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		return readCloser{br, rc}, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		rc.Close()
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return readCloser{zr, multiCloser{zr, rc}}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

type multiCloser []io.Closer

func (m multiCloser) Close() error {
	var errs []error
	for _, c := range m {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
