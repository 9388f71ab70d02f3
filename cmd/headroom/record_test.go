package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/advisor/pipeline"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/recording"
	"github.com/muesli/termenv"
)

// TestMain lets a test run the real command in a child process (for
// signals and exit statuses): the child is this test binary with
// HEADROOM_RUN_MAIN set.
func TestMain(m *testing.M) {
	if os.Getenv("HEADROOM_RUN_MAIN") == "1" {
		os.Exit(runThenStopProfiles(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func child(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "HEADROOM_RUN_MAIN=1")
	return cmd
}

// Live machine: --for ends the recording by itself.
func TestRecordFor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.jsonl")
	code, _, stderr := runCLI(t, "record", "-o", path, "--for", "1s", "--interval", "250ms")
	rec, err := recording.ReadFile(path)
	if code != 0 || err != nil {
		t.Fatalf("exit %d, %v, %s", code, err, stderr)
	}
	if n := len(rec.Snapshots); n < 3 || n > 6 {
		t.Errorf("%d snapshots in 1 s at 250 ms", n)
	}
	// The file exists now: a second run must not overwrite it.
	code, _, stderr = runCLI(t, "record", "-o", path, "--for", "1s")
	if code != exitBadInput || !strings.Contains(stderr, "already exists") {
		t.Errorf("exit %d, %q", code, stderr)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestNoColor(t *testing.T) {
	defer lipgloss.SetColorProfile(lipgloss.ColorProfile())
	lipgloss.SetColorProfile(termenv.TrueColor)
	applyNoColor(func(string) (string, bool) { return "", false })
	if lipgloss.ColorProfile() != termenv.TrueColor {
		t.Fatal("colour turned off without NO_COLOR")
	}
	applyNoColor(func(k string) (string, bool) { return "", k == "NO_COLOR" })
	if lipgloss.ColorProfile() != termenv.Ascii {
		t.Error("NO_COLOR set (even empty) did not turn colour off")
	}
}

// failingDisk accepts n snapshots, then fails like a full disk.
type failingDisk struct{ n, written int }

func (d *failingDisk) Write(sampler.Snapshot) error {
	if d.written == d.n {
		return errors.New("write r.jsonl: no space left on device")
	}
	d.written++
	return nil
}
func (d *failingDisk) Close() error { return nil }

// A full disk stops the recording, says so in a lasting alert, and nothing
// else: every snapshot still reaches the screen.
func TestFullDiskStopsOnlyTheRecording(t *testing.T) {
	snaps, err := recording.ReadFile("../../testdata/idle.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	p := pipeline.New(recording.NewReplay(snaps), advisor.DefaultRules(), time.Second)
	disk := &failingDisk{n: 10}
	var updates int
	var alerts []string
	p.Subscribe(func(ev pipeline.Event) {
		if ev.Update != nil {
			updates++
		}
		if ev.Alert != "" {
			alerts = append(alerts, ev.Alert)
		}
	})
	done := subscribeRecorder(p, disk)
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	rerr := <-done
	if updates != len(snaps.Snapshots) {
		t.Errorf("%d of %d snapshots reached the screen", updates, len(snaps.Snapshots))
	}
	if disk.written != 10 || rerr == nil || !strings.Contains(rerr.Error(), "no space left") {
		t.Errorf("recorded %d, result %v", disk.written, rerr)
	}
	if len(alerts) != 1 || !strings.Contains(alerts[0], "recording stopped: write r.jsonl: no space left on device") {
		t.Errorf("alerts %q", alerts)
	}
}

// A recorder has no screen: a --textfile that cannot be written is said on
// stderr, once, not only to a dashboard that is not there.
func TestTextfileFailureOnStderr(t *testing.T) {
	snaps, err := recording.ReadFile("../../testdata/idle.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	p := pipeline.New(recording.NewReplay(snaps), advisor.DefaultRules(), time.Second)
	var warn bytes.Buffer
	done := textfileFlags{Textfile: notDir}.subscribeTextfile(p, &warn)
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-done
	if got := strings.Count(warn.String(), "headroom: --textfile: "); got != 1 || !strings.Contains(warn.String(), "not a directory") {
		t.Errorf("stderr %q; want the failure said once", warn.String())
	}
}
