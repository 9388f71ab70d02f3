package recording

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// synth returns the i-th snapshot of a synthetic recording: the lab's
// cpu-ramp recording played in a loop, one second apart from start.
func synth(tb testing.TB, start time.Time) func(i int) sampler.Snapshot {
	tb.Helper()
	rec, err := ReadFile("../../testdata/cpu-ramp.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	return func(i int) sampler.Snapshot {
		s := rec.Snapshots[i%len(rec.Snapshots)]
		s.Time = start.Add(time.Duration(i) * time.Second)
		return s
	}
}

// recordDir writes n snapshots every step seconds into dir with a fake
// clock that follows the snapshots' times, and returns the recorder unclosed.
func recordDir(t *testing.T, o DirOptions, start time.Time, n, step int) *DirRecorder {
	t.Helper()
	clock := sampler.NewFakeClock(start)
	o.Clock = clock
	r, err := CreateDir(o)
	if err != nil {
		t.Fatal(err)
	}
	at := synth(t, start)
	for i := 0; i < n; i++ {
		if err := r.Write(at(i * step)); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Duration(step) * time.Second)
	}
	return r
}

func drain(t *testing.T, st *Stream) []sampler.Snapshot {
	t.Helper()
	var out []sampler.Snapshot
	for {
		s, err := st.Next(context.Background())
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
}

func TestDirRotationAndRetention(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rec")
	start := time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC)
	// Five hours, a snapshot every 10 s, a file an hour, two hours kept.
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "a-old-incident.jsonl"), []byte(goodLine+"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "b-old-incident.jsonl"), []byte(goodLine+"\n"), 0o600)
	r := recordDir(t, DirOptions{Dir: dir, Rotate: time.Hour, Keep: 2 * time.Hour, Header: Header{Host: "web1", IntervalMS: 10000}}, start, 1800, 10)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
		info, _ := e.Info()
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", e.Name(), info.Mode().Perm())
		}
	}
	sort.Strings(names)
	// At 02:00 the 22:00 file ended (23:00) before the cutoff (00:00): deleted.
	want := []string{
		"a-old-incident.jsonl", "b-old-incident.jsonl", // not the recorder's: kept
		"headroom-20261123T230000Z.jsonl.zst", "headroom-20261123T230000Z.jsonl.zst.idx",
		"headroom-20261124T000000Z.jsonl.zst", "headroom-20261124T000000Z.jsonl.zst.idx",
		"headroom-20261124T010000Z.jsonl.zst", "headroom-20261124T010000Z.jsonl.zst.idx",
		"headroom-20261124T020000Z.jsonl.zst", "headroom-20261124T020000Z.jsonl.zst.idx",
	}
	if len(names) != len(want) {
		t.Fatalf("files = %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("files = %v, want %v", names, want)
		}
	}
	if info, _ := os.Stat(dir); info.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", info.Mode().Perm())
	}
	st, err := Open(dir, Range{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got := drain(t, st)
	// The foreign files come first (oldest by name): their one line each, then the hours kept.
	if len(got) != 2+4*360 || !got[2].Time.Equal(start.Add(time.Hour)) {
		t.Fatalf("read %d snapshots from %v, want 2 + 1440 from 23:00", len(got), got[2].Time)
	}
	if h := st.Header(); h == nil || h.Host != "web1" {
		t.Errorf("header = %+v", h)
	}
	if w := st.Warnings(); len(w) != 0 {
		t.Errorf("warnings: %v", w)
	}
}

func TestDirIndexSeeksToSince(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	r := recordDir(t, DirOptions{Dir: dir}, start, 3*3600, 1)
	r.Close()
	path := filepath.Join(dir, "headroom-20261123T000000Z.jsonl.zst")
	info, _ := os.Stat(path)
	idx, err := readIndex(path, info.Size())
	if err != nil {
		t.Fatal(err)
	}
	// A frame every five minutes (it ends once five have passed: 301 samples each).
	if len(idx) != 3*3600/301+1 {
		t.Fatalf("%d index entries for 3 hours, want a frame every five minutes", len(idx))
	}
	since := start.Add(90*time.Minute + 30*time.Second)
	off := seekOffset(idx, since)
	if off <= 0 || off >= info.Size() {
		t.Fatalf("seek offset %d of %d", off, info.Size())
	}
	st, err := Open(dir, Range{Since: since, Until: since.Add(10 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, st)
	st.Close()
	if len(got) != 11 || !got[0].Time.Equal(since) || !got[10].Time.Equal(since.Add(10*time.Second)) {
		t.Fatalf("got %d snapshots from %v", len(got), got[0].Time)
	}
	if st.Header() == nil || st.Header().Headroom != 1 {
		t.Errorf("header after a seek: %+v", st.Header())
	}
}
