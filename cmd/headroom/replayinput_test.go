package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseWhen(t *testing.T) {
	loc := time.FixedZone("X", 3600)
	now := time.Date(2026, 11, 27, 2, 0, 0, 0, loc)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"-2h", now.Add(-2 * time.Hour)},
		{"2026-11-23T03:10:00Z", time.Date(2026, 11, 23, 3, 10, 0, 0, time.UTC)},
		{"01:30", time.Date(2026, 11, 27, 1, 30, 0, 0, loc)},
		{"03:10", time.Date(2026, 11, 26, 3, 10, 0, 0, loc)}, // not yet today: yesterday's
		{"03:10:30", time.Date(2026, 11, 26, 3, 10, 30, 0, loc)},
		{"2026-11-23 03:10", time.Date(2026, 11, 23, 3, 10, 0, 0, loc)},
	} {
		got, err := parseWhen("--since", tc.in, now)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("parseWhen(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"yesterday", "-", "-2", "25:00", ""} {
		if _, err := parseWhen("--since", bad, now); err == nil || !strings.Contains(err.Error(), "--since") {
			t.Errorf("parseWhen(%q) = %v, want an error naming the flag", bad, err)
		}
	}
	if _, err := (rangeFlags{Since: "03:00", Until: "02:00"}).recordingRange(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)); err == nil {
		t.Error("--until before --since accepted")
	}
}

func TestParseGoTo(t *testing.T) {
	shown := time.Date(2026, 11, 16, 1, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"12:00":                time.Date(2026, 11, 16, 12, 0, 0, 0, time.UTC), // later the same day
		"00:30:15":             time.Date(2026, 11, 16, 0, 30, 15, 0, time.UTC),
		"-2h":                  shown.Add(-2 * time.Hour),
		"+30m":                 shown.Add(30 * time.Minute),
		"2026-11-20T03:10:00Z": time.Date(2026, 11, 20, 3, 10, 0, 0, time.UTC),
	} {
		if got, err := parseGoTo(in, shown); err != nil || !got.Equal(want) {
			t.Errorf("parseGoTo(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseGoTo("soon", shown); err == nil || !strings.Contains(err.Error(), "+30m") {
		t.Errorf("bad input: %v", err)
	}
}
