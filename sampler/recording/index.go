package recording

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// indexSuffix names a compressed recording's index: one line per frame,
// "<unix ms of the frame's first snapshot> <byte offset of the frame>".
// Every frame starts a fresh zstd frame, so decoding can begin at any
// offset listed; a missing or bad index only makes seeking slower.
const indexSuffix = ".idx"

// maxIndexLines bounds an index read from disk: a frame a minute is 1,440
// a day, so this is years of one file, and a hostile index cannot take all
// memory.
const maxIndexLines = 1 << 20

// indexEntry is one frame: when its first snapshot was taken and where it starts.
type indexEntry struct {
	t   time.Time
	off int64
}

// readIndex reads the index beside a compressed file of size bytes. It
// returns nil, with the reason, when the index is missing or does not
// match the file (offsets past its end, times or offsets going backwards).
func readIndex(path string, size int64) ([]indexEntry, error) {
	f, err := os.Open(path + indexSuffix)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var idx []indexEntry
	sc := bufio.NewScanner(io.LimitReader(f, 64<<20))
	for n := 1; sc.Scan(); n++ {
		if n > maxIndexLines {
			return nil, fmt.Errorf("%s: more than %d lines", path+indexSuffix, maxIndexLines)
		}
		ms, off, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		t, err1 := strconv.ParseInt(ms, 10, 64)
		o, err2 := strconv.ParseInt(off, 10, 64)
		if !ok || err1 != nil || err2 != nil || o < 0 || o >= size {
			return nil, fmt.Errorf("%s line %d: not \"<unix ms> <offset>\" within the file", path+indexSuffix, n)
		}
		e := indexEntry{time.UnixMilli(t).UTC(), o}
		if k := len(idx); k > 0 && (e.off <= idx[k-1].off || e.t.Before(idx[k-1].t)) {
			return nil, fmt.Errorf("%s line %d: goes backwards", path+indexSuffix, n)
		}
		idx = append(idx, e)
	}
	return idx, sc.Err()
}

// seekOffset is where to start decoding to reach time t: the last frame
// that starts at or before t (0, the file's start, when none does).
func seekOffset(idx []indexEntry, t time.Time) int64 {
	i := sort.Search(len(idx), func(i int) bool { return idx[i].t.After(t) })
	if i == 0 {
		return 0
	}
	return idx[i-1].off
}

// appendIndex adds one frame to an open index file.
func appendIndex(w io.Writer, t time.Time, off int64) error {
	_, err := fmt.Fprintf(w, "%d %d\n", t.UnixMilli(), off)
	return err
}
