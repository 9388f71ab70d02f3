package services

import (
	"sort"
	"strings"
	"time"
)

// activityRow is one client backend of pg_stat_activity; ages are in
// seconds, negative when Postgres left them NULL.
type activityRow struct {
	state                       string
	queryAge, xactAge, stateAge float64
	lockWait, self              bool
}

// summarizeActivity fills the connection fields of st. The collector's own
// session counts as a connection but never as the longest query or
// transaction.
func summarizeActivity(rows []activityRow, st *PostgresStats) {
	st.Connections = len(rows)
	st.ByState = map[string]int{}
	for _, r := range rows {
		state := r.state
		if state == "" {
			state = "unknown" // other users' sessions without pg_read_all_stats
		}
		st.ByState[state]++
		if r.lockWait {
			st.LockWaits++
		}
		if strings.HasPrefix(r.state, "idle in transaction") {
			st.IdleInXact++
			st.IdleInXactOldestS = max(st.IdleInXactOldestS, r.stateAge)
		}
		if r.self {
			continue
		}
		if r.state == "active" {
			st.LongestQueryS = max(st.LongestQueryS, r.queryAge)
		}
		st.LongestXactS = max(st.LongestXactS, r.xactAge)
	}
}

// dbCounters are the cumulative pg_stat_database sums at one moment.
type dbCounters struct {
	at                                                          time.Time
	blksHit, blksRead, commits, rollbacks, deadlocks, tempFiles int64
}

// applyDBDeltas fills the interval fields of st from two samples; with no
// previous sample they stay absent.
func applyDBDeltas(prev *dbCounters, cur dbCounters, st *PostgresStats) {
	if prev == nil {
		return
	}
	st.CacheHitPct = hitPercent(prev.blksHit, cur.blksHit, prev.blksRead, cur.blksRead)
	st.XactPerS = ratePerSecond(prev.commits+prev.rollbacks, cur.commits+cur.rollbacks, cur.at.Sub(prev.at))
	st.Deadlocks = countIn(prev.deadlocks, cur.deadlocks)
	st.TempFiles = countIn(prev.tempFiles, cur.tempFiles)
}

// stmtKey identifies a pg_stat_statements entry.
type stmtKey struct {
	user, db uint32
	id       int64
}

// stmtCounter holds an entry's cumulative counters.
type stmtCounter struct {
	calls   int64
	totalMS float64
}

// stmtDelta is an entry's growth over one interval.
type stmtDelta struct {
	key     stmtKey
	calls   int64
	totalMS float64
}

// rankStatements returns the entries that ran in the interval, by time
// spent, and the total time of all of them (the "DB time" shares are of).
// Entries in own (the collector's queries) are left out of both. An entry
// new since prev, or reset, counts from zero: that is where Postgres
// started it.
func rankStatements(prev, cur map[stmtKey]stmtCounter, own map[stmtKey]bool) ([]stmtDelta, float64) {
	var out []stmtDelta
	var dbTime float64
	for k, c := range cur {
		if own[k] {
			continue
		}
		d := stmtDelta{key: k, calls: c.calls, totalMS: c.totalMS}
		if p, ok := prev[k]; ok && c.calls >= p.calls && c.totalMS >= p.totalMS {
			d.calls, d.totalMS = c.calls-p.calls, c.totalMS-p.totalMS
		}
		if d.calls == 0 {
			continue
		}
		out = append(out, d)
		dbTime += d.totalMS
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].totalMS != out[j].totalMS {
			return out[i].totalMS > out[j].totalMS
		}
		return out[i].key.id < out[j].key.id // stable order for equal times
	})
	return out, dbTime
}

// statementOf turns a delta into the reported form.
func statementOf(d stmtDelta, text string, dbTime float64, elapsed time.Duration) Statement {
	s := Statement{Query: shorten(text, 200), Calls: d.calls, TotalMS: d.totalMS}
	s.MeanMS = d.totalMS / float64(d.calls)
	if elapsed > 0 {
		s.CallsPerS = float64(d.calls) / elapsed.Seconds()
	}
	if dbTime > 0 {
		s.SharePct = d.totalMS / dbTime * 100
	}
	return s
}
