package recording

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// Decoder reads a recording's JSON lines one snapshot at a time, so that a
// reader holds one line, not the file. It keeps every rule of Read: a line
// is bounded (maxLine), every value validated, every string made printable,
// snapshots oldest first, and a last line cut short by a crash skipped with
// a warning.
type Decoder struct {
	br     *bufio.Reader
	name   string
	lineNo int
	prev   time.Time
	header *Header
	done   bool
	// Warnings are problems skipped so far, such as a truncated last line.
	Warnings []string
	// cutIsEnd makes a read error after some data (a zstd or gzip stream
	// cut mid-frame) end the file with a warning, as a cut last line does.
	cutIsEnd bool
	back     *sampler.Snapshot
	blank    int
	// skipBefore makes lines stamped before it skipped unparsed: a seek
	// lands at the frame before the time asked for, and parsing a frame's
	// lines whole would cost most of a jump. Lines not written the usual
	// way (time first) are parsed as always.
	skipBefore time.Time
	// frame is what later lines of a frame leave out (compact.go).
	frame frameRead
}

// maxBlankLines bounds a run of blank lines (see Next).
const maxBlankLines = 4096

// maxTail bounds what damagedTail reads to tell a damaged end from a bad
// line: more than this after the bad line is not "the end".
const maxTail = 64 << 20

// NewDecoder reads JSON lines from r; name is used in errors ("file line N: …").
func NewDecoder(r io.Reader, name string) *Decoder {
	return &Decoder{br: bufio.NewReaderSize(r, 64*1024), name: name}
}

// Header is the recording's header line, once read (nil when it has none).
func (d *Decoder) Header() *Header { return d.header }

// Next returns the next snapshot, or io.EOF after the last.
func (d *Decoder) Next() (sampler.Snapshot, error) {
	if b := d.back; b != nil {
		d.back = nil
		return *b, nil
	}
	for !d.done {
		line, complete, rerr := d.readLine()
		if rerr != nil && rerr != io.EOF {
			if d.cutIsEnd {
				d.done = true
				d.Warnings = append(d.Warnings, fmt.Sprintf("%s after line %d: damaged or cut compressed data at the end skipped (%v)", d.name, d.lineNo, rerr))
				break
			}
			return sampler.Snapshot{}, rerr
		}
		if len(line) == 0 && rerr == io.EOF {
			d.done = true
			break
		}
		d.lineNo++
		if rerr == io.EOF {
			d.done = true
		}
		text := bytes.TrimSpace(line)
		if len(text) == 0 {
			// A recording has no runs of blank lines; a compressed run of
			// them (a few bytes making gigabytes) is not a recording.
			if d.blank++; d.blank > maxBlankLines {
				d.done = true
				return sampler.Snapshot{}, fmt.Errorf("%s line %d: more than %d blank lines in a row; not a recording", d.name, d.lineNo, maxBlankLines)
			}
			continue
		}
		d.blank = 0
		if d.before(text) {
			if isFrameStart(text) {
				d.parseLine(text) // what the frame's later lines leave out
			}
			continue
		}
		s, isSnap, perr := d.parseLine(text)
		if perr != nil {
			if !complete && rerr == io.EOF && cutShort(text) {
				d.Warnings = append(d.Warnings, fmt.Sprintf("%s line %d: truncated last line skipped (%v)", d.name, d.lineNo, perr))
				break
			}
			d.done = true
			if d.cutIsEnd && d.damagedTail() {
				d.Warnings = append(d.Warnings, fmt.Sprintf("%s line %d: damaged compressed data at the end skipped (%v)", d.name, d.lineNo, perr))
				break
			}
			return sampler.Snapshot{}, fmt.Errorf("%s line %d: %w", d.name, d.lineNo, perr)
		}
		if isSnap {
			return s, nil
		}
	}
	return sampler.Snapshot{}, io.EOF
}

// readLine reads one line whole (at most maxLine bytes) and whether it
// ended with its newline.
func (d *Decoder) readLine() ([]byte, bool, error) {
	line, err := d.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		full := append([]byte(nil), line...)
		for err == bufio.ErrBufferFull && len(full) <= maxLine {
			line, err = d.br.ReadSlice('\n')
			full = append(full, line...)
		}
		if len(full) > maxLine {
			d.done = true
			return nil, false, fmt.Errorf("%s line %d: longer than %d MiB; not a recording line", d.name, d.lineNo+1, maxLine>>20)
		}
		line = full
	}
	if err != nil && err != io.EOF {
		if d.cutIsEnd {
			return line, false, err
		}
		d.done = true
		return nil, false, fmt.Errorf("%s line %d: read: %w", d.name, d.lineNo+1, unwrapPath(err))
	}
	return line, len(line) > 0 && line[len(line)-1] == '\n', err
}

// parseLine reads the header (first line only) or one snapshot.
func (d *Decoder) parseLine(b []byte) (sampler.Snapshot, bool, error) {
	if b[0] != '{' {
		return sampler.Snapshot{}, false, errors.New("not a JSON object")
	}
	if d.lineNo == 1 && bytes.Contains(b, []byte(`"headroom"`)) {
		var h headerJSON
		err := json.Unmarshal(b, &h)
		if err != nil && !bytes.Contains(b, []byte(`"t"`)) {
			// A header (no snapshot time in it) that does not parse: say
			// what is wrong with it, not that a snapshot lacks its time.
			return sampler.Snapshot{}, false, fmt.Errorf("header: %v", cleanJSONError(err))
		}
		if err == nil && h.Headroom != 0 {
			switch {
			case h.Headroom > FormatVersion:
				return sampler.Snapshot{}, false, fmt.Errorf("recording format %d is newer than this headroom reads (%d)", h.Headroom, FormatVersion)
			case h.Headroom < 0:
				return sampler.Snapshot{}, false, fmt.Errorf("header: format %d: want %d", h.Headroom, FormatVersion)
			case h.IntervalMS < 0 || h.IntervalMS > 24*3600*1000: // 0: an older header without it
				return sampler.Snapshot{}, false, fmt.Errorf("header: interval_ms %d: want a positive interval, at most a day", h.IntervalMS)
			}
			if h.Started != "" {
				h.Header.Started, _ = time.Parse(time.RFC3339Nano, h.Started)
			}
			cleanHeader(&h.Header)
			d.header = &h.Header
			return sampler.Snapshot{}, false, nil
		}
	}
	var s sampler.Snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return s, false, cleanJSONError(err)
	}
	if err := validate(s); err != nil {
		return s, false, err
	}
	if mayHoldUnprintable(b) {
		cleanAll(reflect.ValueOf(&s).Elem())
	}
	d.expand(&s, isFrameStart(b))
	if !d.prev.IsZero() && s.Time.Before(d.prev) {
		return s, false, fmt.Errorf("time %s is before the previous line's (snapshots must be oldest first)", s.Time.Format(sampler.TimeFormat))
	}
	d.prev = s.Time
	return s, true, nil
}

// pushBack returns s from the next call to Next, after a caller read ahead.
func (d *Decoder) pushBack(s sampler.Snapshot) { d.back = &s }

// damagedTail reads the rest of a compressed stream after a bad line: when
// the stream itself breaks before its end (a frame whose checksum fails, or
// cut short), the bad line is part of a damaged end, skipped with a warning
// like a cut last line; when the stream is sound, the line is an error.
func (d *Decoder) damagedTail() bool {
	n, err := io.Copy(io.Discard, io.LimitReader(d.br, maxTail))
	return err != nil && n < maxTail
}

// timePrefix is how every snapshot line headroom writes begins.
var timePrefix = []byte(`{"t":"`)

// before reports whether a complete line is a snapshot stamped before
// skipBefore, reading only its time.
func (d *Decoder) before(line []byte) bool {
	if d.skipBefore.IsZero() || !bytes.HasPrefix(line, timePrefix) || line[len(line)-1] != '}' {
		return false
	}
	rest := line[len(timePrefix):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 || end > 40 {
		return false
	}
	t, err := time.Parse(time.RFC3339Nano, string(rest[:end]))
	return err == nil && t.Before(d.skipBefore)
}
