package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/headroom-dev/headroom/sampler/userfile"

	"github.com/headroom-dev/headroom/advisor/plan"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/recording"
)

// readHistoryIn is readHistory with a time range; the range applies to
// recordings only (a --log CSV is a few rows a day and read whole).
func readHistoryIn(path string, rg recording.Range) (history, error) {
	if rg == (recording.Range{}) {
		return readHistory(path)
	}
	if !compressed(path) && !isDir(path) {
		if h, err := readHistory(path); err != nil || len(h.snaps) == 0 {
			if err == nil {
				err = fmt.Errorf("%s: --since and --until select part of a recording, not of a --log CSV file", plan.Clean(path))
			}
			return history{}, err
		}
	}
	h, _, err := readStoredHistory(path, rg)
	return h, err
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

// readStoredHistory reads a directory of recordings, a compressed
// recording, or any recording when a range is given, through the streaming
// reader. ok is false for a file it leaves to readHistory (plain JSON
// Lines or CSV without a range). Plan and compare need every sample's
// values, so what is kept grows with the range; --since/--until bound it.
func readStoredHistory(path string, rg recording.Range) (history, bool, error) {
	info, err := os.Stat(path)
	if err != nil {
		return history{}, false, nil // readHistory names the problem
	}
	if !info.IsDir() && rg == (recording.Range{}) && !compressed(path) {
		return history{}, false, nil
	}
	st, err := recording.Open(path, rg)
	if err != nil {
		return history{}, true, err
	}
	defer st.Close()
	var snaps []sampler.Snapshot
	for {
		s, err := st.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return history{}, true, err
		}
		snaps = append(snaps, s)
		// Process lists only for the last window, as History keeps them:
		// a day of them would be most of the memory, and only the latest
		// advice (workers, apps) reads them.
		if n := len(snaps) - procWindow; n >= 0 {
			snaps[n].Procs = nil
		}
	}
	h := history{snaps: snaps, warnings: st.Warnings()}
	host := ""
	var interval time.Duration
	if hd := st.Header(); hd != nil {
		host, interval = hd.Host, time.Duration(hd.IntervalMS)*time.Millisecond
	}
	h.input = plan.FromSnapshots(path, host, snaps)
	h.input.Interval = interval
	return h, true, nil
}

// procWindow is how many of the newest snapshots keep their processes.
const procWindow = 600

// compressed reports whether a file starts as zstd or gzip data.
func compressed(path string) bool {
	f, err := userfile.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, 4)
	n, _ := io.ReadFull(f, b)
	return bytes.HasPrefix(b[:n], []byte{0x28, 0xb5, 0x2f, 0xfd}) || bytes.HasPrefix(b[:n], []byte{0x1f, 0x8b})
}
