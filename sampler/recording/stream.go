package recording

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/headroom-dev/headroom/sampler/userfile"

	"github.com/klauspost/compress/zstd"

	"github.com/headroom-dev/headroom/sampler"
)

// Range limits what a Stream returns. Zero times are open ends.
type Range struct {
	Since, Until time.Time
}

// Stream is a Source over a recording read as it goes: a JSON Lines file,
// a zstd or gzip compressed one, or a directory of them, oldest first. It
// holds one file open and one line in memory, whatever the recording's
// length; with an index it starts at the frame before Since.
type Stream struct {
	files    []namedFile
	next     int
	rg       Range
	header   *Header
	cur      *Decoder
	closer   io.Closer
	zdec     *zstd.Decoder
	prev     time.Time
	warnings []string
	n        int
	pending  *sampler.Snapshot
}

// zstdMagic and gzipMagic start every zstd frame and gzip member.
var (
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
	gzipMagic = []byte{0x1f, 0x8b}
)

// Open opens a recording (file, compressed file or directory) for
// streaming. It reads up to the first snapshot in range, so that a file
// that is not a recording, or a range that holds nothing, is an error here.
func Open(path string, rg Range) (*Stream, error) {
	info, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("recording %s: no such file or directory", path)
		}
		return nil, fmt.Errorf("recording %s: %v", path, unwrapPath(err))
	}
	st := &Stream{rg: rg}
	if info.IsDir() {
		if st.files, err = dirFiles(path); err != nil {
			return nil, fmt.Errorf("recording %s: %v", path, unwrapPath(err))
		}
		if len(st.files) == 0 {
			return nil, fmt.Errorf("recording %s: a directory without recordings (*.jsonl, *.jsonl.zst, *.jsonl.gz)", path)
		}
	} else {
		st.files = []namedFile{{path: path}}
	}
	// Whole files that end before Since (the next one starts before it) are skipped.
	for st.next+1 < len(st.files) && !st.rg.Since.IsZero() && !st.files[st.next+1].start.IsZero() &&
		!st.files[st.next+1].start.After(st.rg.Since) {
		st.next++
	}
	s, err := st.Next(context.Background())
	if err != nil {
		st.Close()
		if err == io.EOF {
			if st.n == 0 && len(st.warnings) > 0 {
				return nil, fmt.Errorf("%s, and no snapshots are left in the recording", st.warnings[0])
			}
			return nil, fmt.Errorf("recording %s: no snapshots%s", path, rg.describe())
		}
		return nil, err
	}
	st.pending = &s
	return st, nil
}

// describe names a range for an error message.
func (rg Range) describe() string {
	switch {
	case !rg.Since.IsZero() && !rg.Until.IsZero():
		return " between " + rg.Since.UTC().Format(time.RFC3339) + " and " + rg.Until.UTC().Format(time.RFC3339)
	case !rg.Since.IsZero():
		return " since " + rg.Since.UTC().Format(time.RFC3339)
	case !rg.Until.IsZero():
		return " until " + rg.Until.UTC().Format(time.RFC3339)
	}
	return " in the recording"
}

// Header is the first file's header (nil when it has none).
func (st *Stream) Header() *Header { return st.header }

// Warnings are the problems skipped so far (cut lines, damaged frames at
// the end of a file, files out of order).
func (st *Stream) Warnings() []string {
	if st.cur != nil {
		return append(append([]string(nil), st.warnings...), st.cur.Warnings...)
	}
	return st.warnings
}

// Count is the number of snapshots returned so far.
func (st *Stream) Count() int { return st.n }

// Next returns the next snapshot in range, or io.EOF after the last.
func (st *Stream) Next(ctx context.Context) (sampler.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return sampler.Snapshot{}, err
	}
	if p := st.pending; p != nil {
		st.pending = nil
		return *p, nil
	}
	for {
		if st.cur == nil {
			if st.next >= len(st.files) {
				return sampler.Snapshot{}, io.EOF
			}
			if err := st.openFile(st.files[st.next].path); err != nil {
				return sampler.Snapshot{}, err
			}
			st.next++
		}
		s, err := st.cur.Next()
		if err == io.EOF {
			st.endFile()
			continue
		}
		if err != nil {
			return sampler.Snapshot{}, err
		}
		if !st.rg.Since.IsZero() && s.Time.Before(st.rg.Since) {
			continue
		}
		if !st.rg.Until.IsZero() && s.Time.After(st.rg.Until) {
			st.endFile()
			st.next = len(st.files)
			return sampler.Snapshot{}, io.EOF
		}
		if !st.prev.IsZero() && s.Time.Before(st.prev) {
			st.warnings = append(st.warnings, fmt.Sprintf("%s: snapshot at %s is older than the previous file's last; skipped",
				st.cur.name, s.Time.Format(sampler.TimeFormat)))
			continue
		}
		st.prev = s.Time
		st.n++
		return s, nil
	}
}

func (st *Stream) endFile() {
	if st.cur == nil {
		return
	}
	st.warnings = append(st.warnings, st.cur.Warnings...)
	st.cur = nil
	st.closer.Close()
}

// openFile opens one file, decompressing by its first bytes (not its
// name), and seeks by its index to the frame before Since.
func (st *Stream) openFile(path string) error {
	f, err := userfile.Open(path)
	if err != nil {
		return fmt.Errorf("recording %s: %v", path, unwrapPath(err))
	}
	magic := make([]byte, 4)
	n, _ := io.ReadFull(f, magic)
	magic = magic[:n]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return fmt.Errorf("recording %s: %v", path, unwrapPath(err))
	}
	st.closer = f
	switch {
	case bytes.HasPrefix(magic, zstdMagic):
		return st.openZstd(f, path)
	case bytes.HasPrefix(magic, gzipMagic):
		zr, err := gzip.NewReader(bufio.NewReader(f))
		if err != nil {
			f.Close()
			return fmt.Errorf("recording %s: gzip: %v", path, err)
		}
		st.cur = NewDecoder(zr, path)
		st.cur.cutIsEnd = true
	default:
		st.cur = NewDecoder(f, path)
	}
	st.cur.skipBefore = st.rg.Since
	return st.readHeader()
}

// readHeader takes the header of the first file opened, checking its
// version through the Decoder's first line.
func (st *Stream) readHeader() error {
	s, err := st.cur.Next()
	if err != nil && err != io.EOF {
		return err
	}
	if st.header == nil {
		st.header = st.cur.Header()
	}
	if err == nil {
		st.cur.pushBack(s)
	}
	return nil
}

func (st *Stream) openZstd(f *os.File, path string) error {
	var err error
	if st.zdec == nil {
		// One frame at a time, a bounded window: a hostile file cannot ask for gigabytes.
		st.zdec, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(8<<20), zstd.WithDecoderMaxMemory(64<<20))
		if err != nil {
			return err
		}
	}
	off := int64(0)
	if !st.rg.Since.IsZero() {
		if info, err := f.Stat(); err == nil {
			if idx, err := readIndex(path, info.Size()); err == nil {
				off = seekOffset(idx, st.rg.Since)
			}
			// An offset that is not a frame's start: the index is not this file's.
			magic := make([]byte, len(zstdMagic))
			if _, err := f.ReadAt(magic, off); off > 0 && (err != nil || !bytes.Equal(magic, zstdMagic)) {
				st.warnings = append(st.warnings, fmt.Sprintf("%s: its index does not match it; read from the start", path+indexSuffix))
				off = 0
			}
		}
	}
	if off > 0 && st.header == nil {
		// The header is the first line of the file's first frame.
		if err := st.zdec.Reset(bufio.NewReader(f)); err != nil {
			return fmt.Errorf("recording %s: zstd: %v", path, err)
		}
		st.cur = NewDecoder(st.zdec, path)
		st.cur.cutIsEnd = true
		if err := st.readHeader(); err != nil {
			return err
		}
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return fmt.Errorf("recording %s: %v", path, unwrapPath(err))
	}
	if err := st.zdec.Reset(bufio.NewReader(f)); err != nil {
		return fmt.Errorf("recording %s: zstd: %v", path, err)
	}
	name := path
	if off > 0 {
		name = fmt.Sprintf("%s (from byte %d)", path, off)
	}
	hadHeader := st.header != nil
	st.cur = NewDecoder(st.zdec, name)
	st.cur.cutIsEnd = true
	st.cur.skipBefore = st.rg.Since
	if off > 0 && hadHeader {
		return nil
	}
	return st.readHeader()
}

// Close closes the file being read.
func (st *Stream) Close() error {
	if st.cur != nil {
		st.cur = nil
		st.closer.Close()
	}
	if st.zdec != nil {
		st.zdec.Close()
		st.zdec = nil
	}
	return nil
}
