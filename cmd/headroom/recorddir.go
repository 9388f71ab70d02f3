package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/sampler/recording"
)

// recordingWriter is a recording being written: one JSON Lines file
// (recording.Recorder) or a directory of rotating compressed files
// (recording.DirRecorder).
type recordingWriter interface {
	snapshotWriter
	Count() int
	Path() string
}

// createRecorder opens the dashboard's --record: a directory (one that
// exists, or a name ending in "/") gets daily compressed files, anything
// else one JSON Lines file.
func createRecorder(path string, h recording.Header, stderr io.Writer) (recordingWriter, error) {
	if info, err := os.Stat(path); (err == nil && info.IsDir()) || strings.HasSuffix(path, "/") {
		return recording.CreateDir(recording.DirOptions{Dir: path, Header: h, Warn: warnTo(stderr)})
	}
	return recording.Create(path, h)
}

// warnTo prints a recorder's warnings as headroom's.
func warnTo(w io.Writer) func(string) {
	return func(s string) { fmt.Fprintln(w, "headroom: warning:", s) }
}

// recordDirFlags are `record --dir` and its rotation and retention.
type recordDirFlags struct {
	Dir    string           `xor:"out" placeholder:"DIR" type:"path" help:"Record into a directory (created 0700): zstd files of JSON lines (zstdcat FILE | jq), a new one a day (--rotate), each with an index for --since."`
	Rotate positiveDuration `placeholder:"DUR" help:"With --dir: start a new file this often, aligned to UTC (default 24h; at least 1m)."`
	Keep   positiveDuration `placeholder:"DUR" help:"With --dir: delete files whose last sample is older than this (e.g. 168h for a week). Default: keep all."`
}

// check says what is wrong with the flags before anything starts.
func (f recordDirFlags) check(output string) error {
	switch {
	case f.Dir == "" && output == "":
		return errors.New("record needs -o FILE (one JSON Lines file) or --dir DIR (daily compressed files)")
	case f.Dir == "" && (f.Rotate != 0 || f.Keep != 0):
		return errors.New("--rotate and --keep apply to --dir recordings; use --dir DIR instead of -o")
	}
	return nil
}

// create opens the recorder the flags name: -o FILE or --dir DIR.
func (f recordDirFlags) create(output string, h recording.Header, stderr io.Writer) (recordingWriter, error) {
	if err := f.check(output); err != nil {
		return nil, err
	}
	if f.Dir == "" {
		return recording.Create(output, h)
	}
	return recording.CreateDir(recording.DirOptions{Dir: f.Dir, Rotate: time.Duration(f.Rotate), Keep: time.Duration(f.Keep), Header: h, Warn: warnTo(stderr)})
}
