package recording

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// crashedFile records n snapshots and leaves the file as a killed process
// would: blocks flushed, the last frame never ended, nothing closed cleanly.
func crashedFile(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	r := recordDir(t, DirOptions{Dir: dir}, time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC), n, 1)
	r.cur.f.Close()
	r.cur.idx.Close()
	return r.cur.path
}

func TestCrashLosesAtMostTheLastSnapshot(t *testing.T) {
	path := crashedFile(t, 30)
	st, err := Open(path, Range{})
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, st)
	if len(got) != 30 {
		t.Fatalf("read %d of 30 flushed snapshots", len(got))
	}
	if w := st.Warnings(); len(w) != 1 || !strings.Contains(w[0], "cut compressed data at the end skipped") {
		t.Fatalf("warnings = %q, want one about the unfinished frame", w)
	}
}

func TestCrashMidFrame(t *testing.T) {
	path := crashedFile(t, 30)
	info, _ := os.Stat(path)
	// Cut inside the last block, as a crash mid-write leaves it.
	if err := os.Truncate(path, info.Size()-20); err != nil {
		t.Fatal(err)
	}
	st, err := Open(path, Range{})
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, st)
	if len(got) != 29 {
		t.Fatalf("read %d snapshots, want the 29 before the cut block", len(got))
	}
	if w := st.Warnings(); len(w) != 1 || !strings.Contains(w[0], "skipped") {
		t.Fatalf("warnings = %q", w)
	}
}

func TestCorruptLastFrameIsSkipped(t *testing.T) {
	dir := t.TempDir()
	r := recordDir(t, DirOptions{Dir: dir, FrameSpan: 10 * time.Second}, time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC), 30, 1)
	r.Close()
	path := filepath.Join(dir, "headroom-20261123T030000Z.jsonl.zst")
	b, _ := os.ReadFile(path)
	b[len(b)-30] ^= 0x55 // inside the last frame: its checksum no longer holds
	os.WriteFile(path, b, 0o600)
	st, err := Open(dir, Range{})
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, st)
	if len(got) < 20 || len(got) >= 30 {
		t.Fatalf("read %d snapshots; want the frames before the damaged one", len(got))
	}
	if w := st.Warnings(); len(w) != 1 {
		t.Fatalf("warnings = %q", w)
	}
}

func TestCorruptMiddleLineIsAnError(t *testing.T) {
	var plain bytes.Buffer
	plain.WriteString(goodLine + "\n{\"t\":1}\n" + goodLine + "\n")
	var z bytes.Buffer
	zw, _ := zstd.NewWriter(&z)
	zw.Write(plain.Bytes())
	zw.Close()
	path := filepath.Join(t.TempDir(), "r.jsonl.zst")
	os.WriteFile(path, z.Bytes(), 0o600)
	st, err := Open(path, Range{})
	if err != nil {
		t.Fatal(err)
	}
	for err == nil {
		_, err = st.Next(context.Background())
	}
	if err == io.EOF || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err = %v, want one naming line 2 of a sound stream", err)
	}
}

func TestPlainAndGzipFilesStream(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/idle.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var gz bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write(raw)
	gw.Close()
	os.WriteFile(filepath.Join(dir, "a.jsonl.gz"), gz.Bytes()[:gz.Len()-40], 0o600) // cut short
	for _, path := range []string{"../../testdata/idle.jsonl", filepath.Join(dir, "a.jsonl.gz")} {
		st, err := Open(path, Range{})
		if err != nil {
			t.Fatal(err)
		}
		got := drain(t, st)
		st.Close()
		if len(got) < 170 || st.Header() == nil || st.Header().IntervalMS != 1000 {
			t.Errorf("%s: %d snapshots, header %+v", path, len(got), st.Header())
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ path, want string }{
		{filepath.Join(dir, "none"), "no such file or directory"},
		{dir, "a directory without recordings"},
	} {
		if _, err := Open(tc.path, Range{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%s) = %v, want %q", tc.path, err, tc.want)
		}
	}
	since := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := Open("../../testdata/idle.jsonl", Range{Since: since}); err == nil || !strings.Contains(err.Error(), "no snapshots since 2030") {
		t.Errorf("empty range: %v", err)
	}
}

// FuzzFrameReader feeds arbitrary bytes, starting as a sound compressed
// recording, to the streaming reader: it may fail, never panic, and every
// snapshot it returns passes validation.
func FuzzFrameReader(f *testing.F) {
	var z bytes.Buffer
	zw, _ := zstd.NewWriter(&z)
	io.WriteString(zw, "{\"headroom\":1,\"interval_ms\":1000}\n"+goodLine+"\n")
	zw.Flush()
	io.WriteString(zw, strings.Replace(goodLine, "13:00:01", "13:00:02", 1)+"\n")
	zw.Close()
	f.Add(z.Bytes())
	f.Add(z.Bytes()[:z.Len()-7])
	f.Add([]byte(goodLine + "\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "f.jsonl.zst")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Skip(err)
		}
		st, err := Open(path, Range{})
		if err != nil {
			return
		}
		defer st.Close()
		for i := 0; i < 1000; i++ {
			s, err := st.Next(context.Background())
			if err != nil {
				return
			}
			if verr := validate(s); verr != nil {
				t.Fatalf("an invalid snapshot came through: %v", verr)
			}
		}
	})
}

func TestWrongIndexIsNotTrusted(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	recordDir(t, DirOptions{Dir: dir, FrameSpan: time.Minute}, start, 600, 1).Close()
	idx := filepath.Join(dir, "headroom-20261123T000000Z.jsonl.zst.idx")
	// Offsets one byte off every frame's start: in the file, not frames.
	b, _ := os.ReadFile(idx)
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		ms, off, _ := strings.Cut(line, " ")
		n, _ := strconv.Atoi(off)
		out = append(out, ms+" "+strconv.Itoa(n+1))
	}
	os.WriteFile(idx, []byte(strings.Join(out, "\n")+"\n"), 0o600)
	since := start.Add(5 * time.Minute)
	st, err := Open(dir, Range{Since: since})
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, st)
	if len(got) != 300 || !got[0].Time.Equal(since) {
		t.Fatalf("%d snapshots from %v, want the 300 from %v", len(got), got[0].Time, since)
	}
	if w := st.Warnings(); len(w) != 1 || !strings.Contains(w[0], "does not match") {
		t.Errorf("warnings = %q", w)
	}
}
