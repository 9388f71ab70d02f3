package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A service that is down at the end of a replayed window is a line in
// once's text, in the dashboard's words, not only a field of --json.
func TestOnceTextNamesServicesDown(t *testing.T) {
	isolate(t)
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "idle.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")[:12]
	last := strings.TrimSuffix(lines[len(lines)-1], "}\n") +
		`,"postgres":{"state":"unavailable","reason":"connection refused"},` +
		`"cache":[{"kind":"redis","addr":"redis://127.0.0.1:1","state":"unavailable","reason":"i/o timeout"},` +
		`{"kind":"memcached","addr":"127.0.0.1:2","state":"ok","hit_rate":93.4}]}` + "\n"
	rec := filepath.Join(t.TempDir(), "down.jsonl")
	if err := os.WriteFile(rec, []byte(strings.Join(append(lines[:len(lines)-1], last), "")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "once", "--replay", rec)
	if code > exitScale {
		t.Fatalf("once: %d %s", code, stderr)
	}
	want := "services: db unavailable: connection refused · redis unavailable: i/o timeout · memcached 93% hit"
	if !strings.Contains(out, want) {
		t.Errorf("once text lacks %q:\n%s", want, out)
	}
	// Without services configured, no services line.
	if _, out, _ := runCLI(t, "once", "--replay", filepath.Join("..", "..", "testdata", "idle.jsonl")); strings.Contains(out, "services:") {
		t.Errorf("a services line with none configured:\n%s", out)
	}
}

// One is singular in every count headroom prints: "recorded 1 snapshot",
// "1 sample from …".
func TestPluralOne(t *testing.T) {
	for n, want := range map[int]string{0: "0 snapshots", 1: "1 snapshot", 2: "2 snapshots"} {
		if got := plural(n, "snapshot"); got != want {
			t.Errorf("plural(%d) = %q, want %q", n, got, want)
		}
	}
	var b strings.Builder
	one := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	writePlanMarkdown(&b, planReport{Host: "web1", Samples: 1, From: &one, To: &one, Files: []string{"a.jsonl"}})
	if !strings.Contains(b.String(), "1 sample from 2026-11-01 10:00") {
		t.Errorf("plan: %q", b.String()[:min(200, b.Len())])
	}
}
