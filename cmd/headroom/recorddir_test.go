package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/recording"
)

// storedDir writes the memory-pressure recording, looped, as record --dir
// would over hours hours (a file an hour), and returns the directory.
func storedDir(t *testing.T, hours int) (string, time.Time) {
	t.Helper()
	rec, err := recording.ReadFile("../../testdata/memory-pressure.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "rec")
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	clock := sampler.NewFakeClock(start)
	w, err := recording.CreateDir(recording.DirOptions{Dir: dir, Rotate: time.Hour, Clock: clock, Header: recording.Header{Host: "web1", IntervalMS: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < hours*3600; i++ {
		s := rec.Snapshots[i%len(rec.Snapshots)]
		s.Time = start.Add(time.Duration(i) * time.Second)
		if err := w.Write(s); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, start
}

func TestOnceReplaysADirectory(t *testing.T) {
	isolate(t)
	dir, start := storedDir(t, 3)
	type judgement struct {
		Time     time.Time `json:"time"`
		CoveredS float64   `json:"covered_s"`
		Host     string    `json:"host"`
	}
	judged := func(args ...string) judgement {
		t.Helper()
		code, out, errs := runCLI(t, append([]string{"once", "--json", "--replay", dir}, args...)...)
		if code == exitBadInput {
			t.Fatalf("once %v: %d %s", args, code, errs)
		}
		var r judgement
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := judged()
	if !r.Time.Equal(start.Add(3*time.Hour-time.Second)) || r.Host != "web1" {
		t.Errorf("judged at %v on %q, want the last sample of web1", r.Time, r.Host)
	}
	at := start.Add(90 * time.Minute)
	r = judged("--until", at.Format(time.RFC3339))
	if !r.Time.Equal(at) || r.CoveredS < 290 {
		t.Errorf("--until: judged at %v over %vs, want %v over the window", r.Time, r.CoveredS, at)
	}
	r = judged("--since", at.Format(time.RFC3339), "--until", at.Add(time.Minute).Format(time.RFC3339))
	if !r.Time.Equal(at.Add(time.Minute)) || r.CoveredS > 61 {
		t.Errorf("--since/--until: judged at %v over %vs", r.Time, r.CoveredS)
	}
	code, _, errs := runCLI(t, "once", "--replay", dir, "--since", "2030-01-01T00:00:00Z")
	if code != exitBadInput || !strings.Contains(errs, "no snapshots since 2030") {
		t.Errorf("empty range: %d %s", code, errs)
	}
	code, _, errs = runCLI(t, "once", "--since=-2h")
	if code != exitBadInput || !strings.Contains(errs, "use them with --replay") {
		t.Errorf("--since live: %d %s", code, errs)
	}
}

func TestOnceWarnsOfACutFile(t *testing.T) {
	isolate(t)
	dir, _ := storedDir(t, 1)
	ents, _ := os.ReadDir(dir)
	path := filepath.Join(dir, ents[0].Name())
	info, _ := os.Stat(path)
	os.Truncate(path, info.Size()-50)
	code, out, errs := runCLI(t, "once", "--replay", path)
	if code == exitBadInput || !strings.Contains(errs, "warning:") || !strings.Contains(errs, "skipped") || out == "" {
		t.Errorf("cut file: %d %q %q", code, out, errs)
	}
}

func TestPlanReadsADirectory(t *testing.T) {
	isolate(t)
	dir, start := storedDir(t, 2)
	code, out, errs := runCLI(t, "plan", "--json", dir, "--since", start.Add(time.Hour).Format(time.RFC3339))
	if code != 0 {
		t.Fatalf("plan: %d %s", code, errs)
	}
	var r planReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Samples != 3600 || r.Host != "web1" {
		t.Errorf("plan over the second hour: %d samples of %q", r.Samples, r.Host)
	}
	code, _, errs = runCLI(t, "compare", dir, dir)
	if code == exitBadInput {
		t.Errorf("compare of directories: %d %s", code, errs)
	}
}

func TestRecordFlagsChecked(t *testing.T) {
	isolate(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"record"}, "record needs -o FILE"},
		{[]string{"record", "-o", "x.jsonl", "--keep", "1h"}, "apply to --dir recordings"},
		{[]string{"record", "--dir", t.TempDir(), "--rotate=-1h"}, "use a duration above zero"},
		{[]string{"record", "--dir", t.TempDir(), "--rotate", "10s"}, "a minute or more"},
		{[]string{"record", "-o", "x.jsonl", "--dir", t.TempDir()}, "can't be used together"},
	} {
		code, _, errs := runCLI(t, tc.args...)
		if code != exitBadInput || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
			t.Errorf("%v: exit %d, %q; want exit 3 and %q", tc.args, code, errs, tc.want)
		}
	}
}

// A --keep shorter than a file's span would delete each file as the next
// one starts: refused, as is a replay too slow to move.
func TestKeepShorterThanRotateRefused(t *testing.T) {
	isolate(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"record", "--dir", t.TempDir(), "--keep", "1m"}, "--keep 1m is shorter than --rotate 24h"},
		{[]string{"record", "--dir", t.TempDir(), "--rotate", "2h", "--keep", "90m"}, "--keep 1h30m is shorter than --rotate 2h"},
		{[]string{"--replay", "../../testdata/idle.jsonl", "--speed", "0.0000001"}, "use a number from 0.01 to 1000"},
	} {
		code, _, errs := runCLI(t, tc.args...)
		if code != exitBadInput || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, %q; want 3 and %q", tc.args, code, errs, tc.want)
		}
	}
}
