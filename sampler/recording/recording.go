package recording

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
	"unicode/utf8"

	"github.com/headroom-dev/headroom/sampler/userfile"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/apps"
)

// FormatVersion is the recording format written and read here.
const FormatVersion = 1

// Header is the optional first line of a recording.
type Header struct {
	Headroom   int       `json:"headroom"`
	Host       string    `json:"host,omitempty"`
	IntervalMS int64     `json:"interval_ms,omitempty"`
	ProbeURL   string    `json:"probe_url,omitempty"`
	Started    time.Time `json:"-"`
}

type headerJSON struct {
	Header
	Started string `json:"started,omitempty"`
}

// MarshalJSON writes the header with its start time in the recording's format.
func (h Header) MarshalJSON() ([]byte, error) {
	type plain Header
	v := struct {
		plain
		Started string `json:"started,omitempty"`
	}{plain: plain(h)}
	if !h.Started.IsZero() {
		v.Started = h.Started.UTC().Format(sampler.TimeFormat)
	}
	return json.Marshal(v)
}

// Recorder appends snapshots to a recording file, one line each, written
// with a single write so a crash loses at most the line being written.
type Recorder struct {
	f    *os.File
	path string
	buf  bytes.Buffer
	n    int
}

// Create creates a new recording file with mode 0600 (command lines
// can carry secrets) and writes its header. It refuses to replace an
// existing file: that would lose what was recorded before.
func Create(path string, h Header) (*Recorder, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("%s already exists; choose a new file name (headroom never overwrites a recording)", path)
		}
		return nil, fmt.Errorf("create recording %s: %v", path, unwrapPath(err))
	}
	r := &Recorder{f: f, path: path}
	h.Headroom = FormatVersion
	if err := r.writeLine(h); err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// Write appends one snapshot, keeping at most MaxRecordedProcs processes.
func (r *Recorder) Write(s sampler.Snapshot) error {
	s.Procs = apps.TopProcs(s.Procs, sampler.MaxRecordedProcs)
	for i := range s.Procs {
		s.Procs[i].Cmd = cutCmd(s.Procs[i].Cmd)
	}
	if err := r.writeLine(s); err != nil {
		return err
	}
	r.n++
	return nil
}

func (r *Recorder) writeLine(v any) error {
	r.buf.Reset()
	enc := json.NewEncoder(&r.buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // Encode adds the newline
		return fmt.Errorf("encode snapshot: %w", err)
	}
	if _, err := r.f.Write(r.buf.Bytes()); err != nil {
		return fmt.Errorf("write %s: %w", r.path, unwrapPath(err))
	}
	return nil
}

// unwrapPath drops the *fs.PathError around an error of a file whose name
// the message already gives ("write x: write x: no space left on device").
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// maxRecordedCmd bounds a command line in a recording; the rest is rarely
// read and would make recordings several times larger.
const maxRecordedCmd = 256

// cutCmd shortens a command line to maxRecordedCmd bytes, at a character
// boundary so that no half a UTF-8 sequence is written.
func cutCmd(cmd string) string {
	if len(cmd) <= maxRecordedCmd {
		return cmd
	}
	n := maxRecordedCmd
	for n > 0 && !utf8.RuneStart(cmd[n]) {
		n--
	}
	return cmd[:n]
}

// Count is the number of snapshots written.
func (r *Recorder) Count() int { return r.n }

// Path is the recording's file name.
func (r *Recorder) Path() string { return r.path }

// Close syncs and closes the file.
func (r *Recorder) Close() error {
	serr := r.f.Sync()
	if err := r.f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", r.path, unwrapPath(err))
	}
	if serr != nil {
		return fmt.Errorf("sync %s: %w", r.path, unwrapPath(serr))
	}
	return nil
}

// Recording is a recording read whole.
type Recording struct {
	Header    *Header // nil when the file has none
	Snapshots []sampler.Snapshot
	// Warnings are problems that were skipped, such as a truncated last line.
	Warnings []string
}

// ReadFile reads a recording from a file; a directory or unreadable file is an error naming it once.
func ReadFile(path string) (*Recording, error) {
	f, err := userfile.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("recording %s: no such file", path)
		}
		return nil, fmt.Errorf("recording %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.IsDir() {
		return nil, fmt.Errorf("recording %s: is a directory, not a file", path)
	}
	return Read(f, path)
}

// maxLine bounds one recording line (a snapshot with 50 long command lines is
// ~30 kB), so that a file that is not a recording (/dev/zero, a disk image)
// is an error naming the line, not all memory.
const maxLine = 16 << 20

// Read reads JSON Lines from r whole; name is used in errors ("file line
// N: …"). A last line cut short without its newline (a crash mid-write: its
// JSON ends early) is skipped with a warning; any other bad line is an
// error. Every string read is made printable (text.Printable). Streaming
// readers use Decoder (or Open) instead.
func Read(r io.Reader, name string) (*Recording, error) {
	rec := &Recording{}
	d := NewDecoder(r, name)
	for {
		s, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		rec.Snapshots = append(rec.Snapshots, s)
	}
	rec.Header, rec.Warnings = d.Header(), d.Warnings
	if len(rec.Snapshots) == 0 {
		if len(rec.Warnings) > 0 { // a header and a line cut short: say so, not only "none"
			return nil, fmt.Errorf("%s, and no snapshots are left in the recording", rec.Warnings[0])
		}
		return nil, fmt.Errorf("%s: no snapshots in the recording", name)
	}
	return rec, nil
}

// cutShort reports whether a line is JSON that ends before its value does,
// as a write interrupted by a crash leaves it (rather than a wrong value).
func cutShort(line []byte) bool {
	var v json.RawMessage
	err := json.NewDecoder(bytes.NewReader(line)).Decode(&v)
	return errors.Is(err, io.ErrUnexpectedEOF)
}

// Replay is a Source over a recording: Next returns its snapshots in order,
// at once, then io.EOF.
type Replay struct {
	rec *Recording
	i   int
}

// NewReplay makes a Source of a recording.
func NewReplay(rec *Recording) *Replay { return &Replay{rec: rec} }

// Next returns the next snapshot, or io.EOF after the last.
func (r *Replay) Next(ctx context.Context) (sampler.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return sampler.Snapshot{}, err
	}
	if r.i >= len(r.rec.Snapshots) {
		return sampler.Snapshot{}, io.EOF
	}
	r.i++
	return r.rec.Snapshots[r.i-1], nil
}

// Close does nothing; the recording is already in memory.
func (r *Replay) Close() error { return nil }

// Paced wraps a Source so that snapshots arrive as far apart as their
// timestamps say, divided by speed (2 plays twice as fast).
type Paced struct {
	clock sampler.Clock
	src   sampler.Source
	speed float64
	prev  time.Time
	due   time.Time
}

// NewPaced paces src at speed (> 0).
func NewPaced(src sampler.Source, speed float64, clock sampler.Clock) *Paced {
	return &Paced{clock: clock, src: src, speed: speed}
}

// Next returns the next snapshot once its time (scaled by speed) has come.
func (p *Paced) Next(ctx context.Context) (sampler.Snapshot, error) {
	s, err := p.src.Next(ctx)
	if err != nil {
		return s, err
	}
	if !p.prev.IsZero() {
		gap := time.Duration(float64(s.Time.Sub(p.prev)) / p.speed)
		p.due = p.due.Add(gap)
		if d := p.due.Sub(p.clock.Now()); d > 0 {
			select {
			case <-ctx.Done():
				return sampler.Snapshot{}, ctx.Err()
			case <-p.clock.After(d):
			}
		} else {
			p.due = p.clock.Now()
		}
	} else {
		p.due = p.clock.Now()
	}
	p.prev = s.Time
	return s, nil
}

// Close closes the wrapped source.
func (p *Paced) Close() error { return p.src.Close() }

// Restart paces the next snapshot from now, one recorded gap later, as
// after a pause.
func (p *Paced) Restart() {
	if !p.prev.IsZero() {
		p.due = p.clock.Now()
	}
}
