package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler/recording"
)

// The real command on the live machine, in a child process: it waits (for
// the recording to have lines) as end-to-end tests may.

// Live machine: record, stop with SIGTERM, and nothing recorded is lost.
func TestRecordStopsCleanlyOnSIGTERM(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "r.jsonl")
			cmd := child("record", "-o", path, "--interval", "200ms")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for time.Now().Before(deadline) {
				if b, _ := os.ReadFile(path); bytes.Count(b, []byte("\n")) >= 4 {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			cmd.Process.Signal(sig)
			err := cmd.Wait()
			if err != nil {
				t.Fatalf("exit: %v\n%s", err, stderr.String())
			}
			rec, err := recording.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(rec.Warnings) > 0 || len(rec.Snapshots) < 3 || rec.Header == nil {
				t.Errorf("%d snapshots, warnings %v", len(rec.Snapshots), rec.Warnings)
			}
			if !strings.Contains(stderr.String(), "recorded "+itoa(len(rec.Snapshots))+" snapshots") {
				t.Errorf("stderr %q does not match the %d snapshots in the file", stderr.String(), len(rec.Snapshots))
			}
			info, _ := os.Stat(path)
			if info.Mode().Perm() != 0o600 {
				t.Errorf("mode %v", info.Mode().Perm())
			}
		})
	}
}
