package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
