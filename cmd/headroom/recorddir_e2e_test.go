package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler/recording"
)

// Live: record --dir until SIGTERM; the file is whole (no warning) and private.
func TestRecordDirStopsCleanly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rec")
	cmd := child("record", "--dir", dir, "--interval", "200ms", "--keep", "168h")
	cmd.Env = append(cmd.Env, "XDG_CONFIG_HOME="+t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if ents, _ := os.ReadDir(dir); len(ents) == 2 {
			if info, _ := ents[1].Info(); info != nil && info.Size() > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("nothing recorded in 20 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second)
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("record: %v", err)
	}
	st, err := recording.Open(dir, recording.Range{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := 0
	for _, err := st.Next(t.Context()); err == nil; _, err = st.Next(t.Context()) {
		n++
	}
	if n < 3 || len(st.Warnings()) > 0 {
		t.Errorf("%d snapshots, warnings %v", n, st.Warnings())
	}
	if info, _ := os.Stat(dir); info.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v", info.Mode().Perm())
	}
}
