package procs

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// An app server's PSS is read when it appears, then every pssEvery samples:
// the kernel walks its page tables for it.
func TestPSSEveryFewSamples(t *testing.T) {
	root := copyTree(t, "../testdata/proc")
	tbl := NewTable(root, time.Time{})
	tbl.noKeep = true
	t0 := time.Unix(1000, 0)
	tbl.Sample(t0)
	os.WriteFile(filepath.Join(root, "4242/smaps_rollup"), []byte("Rss: 90000 kB\nPss: 20480 kB\n"), 0o644)
	for i := 1; i <= pssEvery; i++ {
		procs, _ := tbl.Sample(t0.Add(time.Duration(i) * time.Second))
		w, _ := find(procs, 4242)
		want := uint64(40960 * 1024) // the first reading, kept
		if i == pssEvery {
			want = 20480 * 1024
		}
		if w.PSS != want {
			t.Errorf("sample %d: pss = %d, want %d", i, w.PSS, want)
		}
	}
}
