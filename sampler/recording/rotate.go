package recording

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/apps"
)

// DirOptions configure a DirRecorder.
type DirOptions struct {
	Dir    string        // created with mode 0700 when missing
	Rotate time.Duration // a new file each period (UTC-aligned); 0 means a day
	Keep   time.Duration // files whose last sample is older are deleted; 0 keeps all
	Header Header        // written at the top of every file
	Clock  sampler.Clock // nil: the real one
	// FrameSpan is how long one zstd frame runs before the next begins (and
	// an index entry is written); 0 means five minutes. Shorter frames seek
	// faster and compress worse (a minute: +20 % on the lab's recordings).
	FrameSpan time.Duration
	// Warn receives problems that do not stop recording (a retention
	// delete that failed, a directory others can read).
	Warn func(string)
}

// DefaultFrameSpan is the length of a frame: a jump decodes at most this
// much of the recording (300 lines at 1 Hz, a few milliseconds).
const DefaultFrameSpan = 5 * time.Minute

// DirRecorder writes snapshots to rotating zstd files in a directory:
// v1 JSON lines inside the compression (`zstdcat file | jq` works), a block
// flushed after every snapshot so that a crash loses at most the snapshot
// being written, and a new frame, with an index entry, every FrameSpan.
type DirRecorder struct {
	o         DirOptions
	cur       *dirFile
	n         int
	line      bytes.Buffer
	enc       *zstd.Encoder
	lastPrune time.Time
	frame     frameProcs // the frame being written's processes (compact.go)
}

// dirFile is the file being written.
type dirFile struct {
	path       string
	f          *os.File
	idx        *os.File
	w          countWriter
	period     time.Time // start of the rotation period
	frameStart time.Time // zero between frames
}

// countWriter counts the compressed bytes written, for the index's offsets.
type countWriter struct {
	f *os.File
	n int64
}

// Write writes p to the file and counts it.
func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.f.Write(p)
	c.n += int64(n)
	return n, err
}

// fileName matches the files a DirRecorder writes; the name carries the
// start time, so names sort by time and retention needs no reading.
var fileName = regexp.MustCompile(`^headroom-(\d{8}T\d{6}Z)(-\d+)?\.jsonl\.zst$`)

const nameTime = "20060102T150405Z"

// CreateDir opens a directory for recording. Nothing is written until the
// first snapshot, so a failing start leaves no empty file behind.
func CreateDir(o DirOptions) (*DirRecorder, error) {
	if o.Rotate <= 0 {
		o.Rotate = 24 * time.Hour
	}
	if o.FrameSpan <= 0 {
		o.FrameSpan = DefaultFrameSpan
	}
	if o.Clock == nil {
		o.Clock = sampler.RealClock
	}
	if o.Warn == nil {
		o.Warn = func(string) {}
	}
	if o.Rotate < time.Minute {
		return nil, fmt.Errorf("--rotate %s: use a minute or more, like 1h or 24h", shortDur(o.Rotate))
	}
	if o.Keep > 0 && o.Keep < o.Rotate {
		// Files go whole: a --keep shorter than a file's span would delete
		// each file as soon as the next one starts.
		return nil, fmt.Errorf("--keep %s is shorter than --rotate %s: keep at least one file's span, like --keep 168h", shortDur(o.Keep), shortDur(o.Rotate))
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("recording directory: %v", err)
	}
	if info, err := os.Stat(o.Dir); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("recording directory %s: not a directory", o.Dir)
	} else if info.Mode().Perm()&0o077 != 0 {
		o.Warn(fmt.Sprintf("%s has mode %04o: others may list the recordings (chmod 700 %s)", o.Dir, info.Mode().Perm(), o.Dir))
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression),
		zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(1<<20), zstd.WithLowerEncoderMem(true))
	if err != nil {
		return nil, err
	}
	o.Header.Headroom = FormatVersion
	r := &DirRecorder{o: o, enc: enc}
	r.prune(o.Clock.Now())
	return r, nil
}

// Write appends one snapshot, rotating and pruning first when due.
func (r *DirRecorder) Write(s sampler.Snapshot) error {
	now := r.o.Clock.Now()
	period := now.UTC().Truncate(r.o.Rotate)
	if r.cur != nil && !r.cur.period.Equal(period) {
		if err := r.closeFile(); err != nil {
			return err
		}
	}
	if r.cur == nil {
		if err := r.openFile(now, period); err != nil {
			return err
		}
		r.prune(now)
	}
	c := r.cur
	first := c.frameStart.IsZero()
	if first {
		if err := appendIndex(c.idx, s.Time, c.w.n); err != nil {
			return fmt.Errorf("write %s: %w", c.path+indexSuffix, unwrapPath(err))
		}
		r.enc.Reset(&c.w)
		c.frameStart = now
		if c.w.n == 0 {
			if err := r.encodeLine(r.o.Header); err != nil {
				return err
			}
		}
	}
	s.Procs = apps.TopProcs(s.Procs, sampler.MaxRecordedProcs)
	for i := range s.Procs {
		s.Procs[i].Cmd = cutCmd(s.Procs[i].Cmd)
	}
	// In pid order, one second's list lines up with the last one's, which
	// zstd then stores as a few changed numbers (by CPU the order churns).
	s.Procs = slices.Clone(s.Procs)
	slices.SortFunc(s.Procs, func(a, b sampler.Process) int { return cmp.Compare(a.PID, b.PID) })
	if err := r.encodeFrameLine(s, first); err != nil {
		return err
	}
	// A block a snapshot: what a crash can lose is the snapshot being written.
	if err := r.enc.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", c.path, unwrapPath(err))
	}
	r.n++
	if now.Sub(c.frameStart) >= r.o.FrameSpan {
		if err := r.endFrame(); err != nil {
			return err
		}
		if now.Sub(r.lastPrune) >= time.Hour {
			r.prune(now)
		}
	}
	return nil
}

func (r *DirRecorder) encodeLine(v any) error {
	r.line.Reset()
	enc := json.NewEncoder(&r.line)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode snapshot: %w", err)
	}
	if _, err := r.enc.Write(r.line.Bytes()); err != nil {
		return fmt.Errorf("write %s: %w", r.cur.path, unwrapPath(err))
	}
	return nil
}

// endFrame closes the zstd frame; the next snapshot starts a new one.
func (r *DirRecorder) endFrame() error {
	r.cur.frameStart = time.Time{}
	if err := r.enc.Close(); err != nil {
		return fmt.Errorf("write %s: %w", r.cur.path, unwrapPath(err))
	}
	return nil
}

func (r *DirRecorder) openFile(now, period time.Time) error {
	base := "headroom-" + now.UTC().Format(nameTime)
	for i := 1; ; i++ {
		name := base + ".jsonl.zst"
		if i > 1 {
			name = fmt.Sprintf("%s-%d.jsonl.zst", base, i)
		}
		path := filepath.Join(r.o.Dir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) && i < 100 {
			continue
		}
		if err != nil {
			return fmt.Errorf("create recording: %v", err)
		}
		// An index left from a file deleted by hand is replaced, never followed.
		os.Remove(path + indexSuffix)
		idx, err := os.OpenFile(path+indexSuffix, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			f.Close()
			return fmt.Errorf("create recording index: %v", err)
		}
		r.cur = &dirFile{path: path, f: f, idx: idx, w: countWriter{f: f}, period: period}
		return nil
	}
}

func (r *DirRecorder) closeFile() error {
	c := r.cur
	r.cur = nil
	var errs []error
	if !c.frameStart.IsZero() {
		c.frameStart = time.Time{}
		if err := r.enc.Close(); err != nil {
			errs = append(errs, fmt.Errorf("write %s: %w", c.path, unwrapPath(err)))
		}
	}
	for _, f := range []*os.File{c.f, c.idx} {
		if err := f.Sync(); err != nil {
			errs = append(errs, fmt.Errorf("sync %s: %w", f.Name(), unwrapPath(err)))
		}
		if err := f.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", f.Name(), unwrapPath(err)))
		}
	}
	return errors.Join(errs...)
}

// prune deletes the recordings whose last sample is older than Keep: a
// file ends where the next one starts, so names alone decide. The file
// being written is never deleted.
func (r *DirRecorder) prune(now time.Time) {
	r.lastPrune = now
	if r.o.Keep <= 0 {
		return
	}
	files, err := dirFiles(r.o.Dir)
	if err != nil {
		r.o.Warn(fmt.Sprintf("retention: %v", err))
		return
	}
	// Only the files a DirRecorder names; anything else in the directory is left alone.
	files = slices.DeleteFunc(files, func(f namedFile) bool { return f.start.IsZero() })
	cutoff := now.Add(-r.o.Keep)
	for i := 0; i+1 < len(files); i++ {
		if !files[i+1].start.Before(cutoff) || (r.cur != nil && files[i].path == r.cur.path) {
			break
		}
		for _, p := range []string{files[i].path, files[i].path + indexSuffix} {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				r.o.Warn(fmt.Sprintf("retention: %v", err))
			}
		}
	}
}

// namedFile is a recording found in a directory by its name.
type namedFile struct {
	path  string
	start time.Time // from the name; zero for files not named by a DirRecorder
}

// dirFiles lists a directory's recordings (.jsonl, .jsonl.zst, .jsonl.gz,
// .zst), oldest first: DirRecorder's by the time in their names, others
// by name, before them.
func dirFiles(dir string) ([]namedFile, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []namedFile
	for _, e := range ents {
		name := e.Name()
		if !e.Type().IsRegular() || !isRecordingName(name) {
			continue
		}
		nf := namedFile{path: filepath.Join(dir, name)}
		if m := fileName.FindStringSubmatch(name); m != nil {
			nf.start, _ = time.Parse(nameTime, m[1])
		}
		out = append(out, nf)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].start.Equal(out[j].start) {
			return out[i].path < out[j].path
		}
		return out[i].start.Before(out[j].start)
	})
	return out, nil
}

func isRecordingName(name string) bool {
	for _, suf := range []string{".jsonl", ".jsonl.zst", ".jsonl.gz", ".zst"} {
		if len(name) > len(suf) && name[len(name)-len(suf):] == suf {
			return true
		}
	}
	return false
}

// Count is the number of snapshots written.
func (r *DirRecorder) Count() int { return r.n }

// Path is the directory recorded to.
func (r *DirRecorder) Path() string { return r.o.Dir }

// Close ends the current frame and file.
func (r *DirRecorder) Close() error {
	if r.cur == nil {
		return nil
	}
	return r.closeFile()
}

// shortDur is a duration as a user writes it: 24h, 1m, 90m as 1h30m.
func shortDur(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
