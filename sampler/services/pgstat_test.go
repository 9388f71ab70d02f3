package services

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestSummarizeActivity(t *testing.T) {
	rows := []activityRow{
		{state: "active", queryAge: 0.01, xactAge: 0.01, self: true}, // the collector: never the longest
		{state: "active", queryAge: 12, xactAge: 30, stateAge: 12},
		{state: "active", queryAge: 3, xactAge: 3, stateAge: 3, lockWait: true},
		{state: "idle in transaction", queryAge: 50, xactAge: 60, stateAge: 45},
		{state: "idle in transaction (aborted)", queryAge: 9, xactAge: 9, stateAge: 8},
		{state: "idle", queryAge: 500, xactAge: -1, stateAge: 500},
		{state: "", queryAge: -1, xactAge: -1, stateAge: -1},
	}
	var st PostgresStats
	summarizeActivity(rows, &st)
	want := map[string]int{"active": 3, "idle in transaction": 1, "idle in transaction (aborted)": 1, "idle": 1, "unknown": 1}
	if st.Connections != 7 || len(st.ByState) != len(want) {
		t.Fatalf("connections %d by state %v", st.Connections, st.ByState)
	}
	for k, n := range want {
		if st.ByState[k] != n {
			t.Fatalf("by state %v, want %v", st.ByState, want)
		}
	}
	if st.LongestQueryS != 12 || st.LongestXactS != 60 || st.IdleInXact != 2 ||
		st.IdleInXactOldestS != 45 || st.LockWaits != 1 {
		t.Fatalf("got %+v", st)
	}
}

func TestApplyDBDeltas(t *testing.T) {
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	prev := dbCounters{at: at, blksHit: 1000, blksRead: 100, commits: 50, rollbacks: 5, deadlocks: 1, tempFiles: 2}
	var st PostgresStats
	applyDBDeltas(nil, prev, &st)
	if st.CacheHitPct != nil || st.XactPerS != nil || st.Deadlocks != nil || st.TempFiles != nil {
		t.Fatalf("first sample has interval values: %+v", st)
	}
	cur := dbCounters{at: at.Add(4 * time.Second), blksHit: 1990, blksRead: 110, commits: 88, rollbacks: 7, deadlocks: 2, tempFiles: 2}
	applyDBDeltas(&prev, cur, &st)
	if *st.CacheHitPct != 99 || *st.XactPerS != 10 || *st.Deadlocks != 1 || *st.TempFiles != 0 {
		t.Fatalf("hit %v xact/s %v deadlocks %v temp %v, want 99 10 1 0",
			*st.CacheHitPct, *st.XactPerS, *st.Deadlocks, *st.TempFiles)
	}
	// stats reset: deadlocks and temp files go back to zero
	reset := dbCounters{at: cur.at.Add(time.Second), blksHit: 2000, blksRead: 110, commits: 90, rollbacks: 7}
	applyDBDeltas(&cur, reset, &st)
	if st.Deadlocks != nil || st.TempFiles != nil || *st.CacheHitPct != 100 {
		t.Fatalf("after a reset: %+v", st)
	}
}

func TestRankStatements(t *testing.T) {
	a, b, c, own, idle := stmtKey{1, 1, 10}, stmtKey{1, 1, 20}, stmtKey{1, 1, 30}, stmtKey{1, 1, 40}, stmtKey{1, 1, 50}
	prev := map[stmtKey]stmtCounter{a: {100, 1000}, b: {10, 5000}, own: {5, 10}, idle: {3, 3}, c: {500, 900}}
	cur := map[stmtKey]stmtCounter{
		a:          {160, 1600},  // 60 calls, 600 ms
		b:          {12, 5300},   // 2 calls, 300 ms
		c:          {4, 100},     // reset since: counts from zero, 4 calls 100 ms
		own:        {900, 90000}, // the collector's: left out
		idle:       {3, 3},       // did not run
		{2, 1, 60}: {1, 50},      // new: 1 call 50 ms
	}
	got, dbTime := rankStatements(prev, cur, map[stmtKey]bool{own: true})
	if dbTime != 1050 {
		t.Fatalf("db time %v, want 1050", dbTime)
	}
	wantIDs := []int64{10, 20, 30, 60}
	if len(got) != len(wantIDs) {
		t.Fatalf("got %+v", got)
	}
	for i, id := range wantIDs {
		if got[i].key.id != id {
			t.Fatalf("order %+v, want ids %v", got, wantIDs)
		}
	}
	if got[0].calls != 60 || got[0].totalMS != 600 || got[2].calls != 4 || got[2].totalMS != 100 {
		t.Fatalf("deltas %+v", got)
	}
}

func TestStatementOf(t *testing.T) {
	text := "SELECT *\n FROM item\tWHERE id = $1 \x1b[31m" + strings.Repeat(" AND v = $2", 40)
	s := statementOf(stmtDelta{calls: 40, totalMS: 200}, text, 800, 2*time.Second)
	if s.MeanMS != 5 || s.CallsPerS != 20 || s.SharePct != 25 || s.Calls != 40 || s.TotalMS != 200 {
		t.Fatalf("got %+v", s)
	}
	if strings.ContainsAny(s.Query, "\x1b\n\t") || !strings.HasPrefix(s.Query, "SELECT * FROM item WHERE id = $1 \uFFFD[31m") ||
		len([]rune(s.Query)) != 200 || !strings.HasSuffix(s.Query, "…") {
		t.Fatalf("query not shortened and made printable: %q", s.Query)
	}
}

func TestUnavailableMarshalsOnlyStateAndReason(t *testing.T) {
	for _, v := range []any{
		PostgresStats{State: StateUnavailable, Reason: "connection refused", Connections: 3},
		PgBouncerStats{State: StateUnavailable, Reason: "connection refused", Pools: []Pool{{Database: "app"}}},
	} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != `{"state":"unavailable","reason":"connection refused"}` {
			t.Fatalf("got %s", b)
		}
	}
	b, _ := json.Marshal(CacheStats{Kind: KindRedis, Addr: "redis://h:1", State: StateUnavailable, Reason: "auth failed", Clients: 4})
	if string(b) != `{"kind":"redis","addr":"redis://h:1","state":"unavailable","reason":"auth failed"}` {
		t.Fatalf("got %s", b)
	}
	hit := 80.0
	b, _ = json.Marshal(CacheStats{Kind: KindMemcached, Addr: "h:1", State: StateOK, HitRate: &hit, UsedBytes: 5})
	if string(b) != `{"kind":"memcached","addr":"h:1","hit_rate":80,"used_bytes":5,"clients":0,"state":"ok"}` {
		t.Fatalf("ok sample: got %s", b)
	}
	b, _ = json.Marshal(PostgresStats{State: StateOK, Connections: 2, MaxConnections: 100, ByState: map[string]int{"idle": 2}})
	if !strings.Contains(string(b), `"connections":2,"max_connections":100,"by_state":{"idle":2}`) || strings.Contains(string(b), "cache_hit_pct") {
		t.Fatalf("ok sample: got %s", b)
	}
}
