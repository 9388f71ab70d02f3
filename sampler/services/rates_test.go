package services

import (
	"testing"
	"time"
)

func TestHitPercent(t *testing.T) {
	for _, tc := range []struct {
		name                          string
		prevHits, hits, prevMiss, mis int64
		want                          float64 // -1: absent
	}{
		{"three of four", 10, 13, 5, 6, 75},
		{"all hits", 0, 8, 0, 0, 100},
		{"all misses", 4, 4, 0, 2, 0},
		{"no lookups", 7, 7, 3, 3, -1},
		{"hits reset", 100, 3, 0, 1, -1},
		{"misses reset", 0, 3, 50, 1, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := hitPercent(tc.prevHits, tc.hits, tc.prevMiss, tc.mis)
			if tc.want < 0 {
				if got != nil {
					t.Fatalf("got %v, want absent", *got)
				}
				return
			}
			if got == nil || *got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRatePerSecond(t *testing.T) {
	if r := ratePerSecond(100, 130, 2*time.Second); r == nil || *r != 15 {
		t.Fatalf("30 in 2 s: got %v, want 15", r)
	}
	if r := ratePerSecond(100, 100, time.Second); r == nil || *r != 0 {
		t.Fatalf("no growth: got %v, want 0", r)
	}
	if r := ratePerSecond(100, 5, time.Second); r != nil {
		t.Fatalf("counter reset: got %v, want absent", *r)
	}
	if r := ratePerSecond(1, 5, 0); r != nil {
		t.Fatalf("no time passed: got %v, want absent", *r)
	}
}

func TestCountIn(t *testing.T) {
	if n := countIn(3, 5); n == nil || *n != 2 {
		t.Fatalf("got %v, want 2", n)
	}
	if n := countIn(5, 3); n != nil {
		t.Fatalf("reset: got %v, want absent", *n)
	}
}

func TestApplyCacheDeltas(t *testing.T) {
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	var st CacheStats
	cur := cacheCounters{at: at, hits: 90, misses: 10, evictions: 4, ops: 200}
	applyCacheDeltas(nil, cur, &st)
	if st.HitRate != nil || st.EvictionsPerS != nil || st.OpsPerS != nil {
		t.Fatalf("first sample has rates: %+v", st)
	}
	next := cacheCounters{at: at.Add(2 * time.Second), hits: 96, misses: 12, evictions: 10, ops: 300}
	applyCacheDeltas(&cur, next, &st)
	if st.HitRate == nil || *st.HitRate != 75 || *st.EvictionsPerS != 3 || *st.OpsPerS != 50 {
		t.Fatalf("got hit %v evictions/s %v ops/s %v, want 75 3 50", st.HitRate, st.EvictionsPerS, st.OpsPerS)
	}
}
