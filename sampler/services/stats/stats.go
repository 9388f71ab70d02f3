// Package stats holds what the service collectors measure (Postgres,
// PgBouncer, Redis, memcached) as plain data, apart from the collectors and
// their client libraries: snapshots, the advisor and the screen carry these
// types without linking a database driver.
package stats

import "encoding/json"

// State values of every result: a service answered, or it did not.
const (
	StateOK          = "ok"
	StateUnavailable = "unavailable"
)

// Cache kinds.
const (
	KindRedis     = "redis"
	KindMemcached = "memcached"
)

// CacheStats is one sample of a Redis or memcached server. When State is
// "unavailable" only Kind, Addr, State and Reason are set. Rates and the
// hit rate are absent until a second sample gives them an interval; the
// hit rate also when the interval had no lookups.
type CacheStats struct {
	Kind           string   `json:"kind"` // "redis" or "memcached"
	Addr           string   `json:"addr"` // without the password
	HitRate        *float64 `json:"hit_rate,omitempty"`
	EvictionsPerS  *float64 `json:"evictions_per_s,omitempty"`
	UsedBytes      int64    `json:"used_bytes"`
	MaxBytes       *int64   `json:"max_bytes,omitempty"`       // absent: no memory limit set
	Clients        int64    `json:"clients"`                   // open client connections
	BlockedClients *int64   `json:"blocked_clients,omitempty"` // Redis only
	OpsPerS        *float64 `json:"ops_per_s,omitempty"`
	State          string   `json:"state"`
	Reason         string   `json:"reason,omitempty"`
}

// MarshalJSON writes only kind, addr, state and reason for an unavailable
// server.
func (s CacheStats) MarshalJSON() ([]byte, error) {
	type plain CacheStats
	if s.State == StateUnavailable {
		return json.Marshal(struct {
			Kind   string `json:"kind"`
			Addr   string `json:"addr"`
			State  string `json:"state"`
			Reason string `json:"reason,omitempty"`
		}{s.Kind, s.Addr, s.State, s.Reason})
	}
	return json.Marshal(plain(s))
}

// PostgresStats is one sample of a Postgres server. When State is
// "unavailable" only State and Reason are set (and marshalled): nothing
// else was measured. Rate fields are absent until a second sample gives
// them an interval.
type PostgresStats struct {
	Connections       int            `json:"connections"`           // client backends in pg_stat_activity
	MaxConnections    int            `json:"max_connections"`       // the server's max_connections
	ByState           map[string]int `json:"by_state"`              // client backends per state ("active", "idle", …)
	LongestQueryS     float64        `json:"longest_query_s"`       // age of the oldest running query
	LongestXactS      float64        `json:"longest_xact_s"`        // age of the oldest open transaction
	IdleInXact        int            `json:"idle_in_xact"`          // sessions idle inside a transaction
	IdleInXactOldestS float64        `json:"idle_in_xact_oldest_s"` // longest such idle time
	LockWaits         int            `json:"lock_waits"`            // sessions waiting on a lock
	CacheHitPct       *float64       `json:"cache_hit_pct,omitempty"`
	XactPerS          *float64       `json:"xact_per_s,omitempty"` // commits + rollbacks per second
	Deadlocks         *int64         `json:"deadlocks,omitempty"`  // in the interval
	TempFiles         *int64         `json:"temp_files,omitempty"` // in the interval
	TopStatements     []Statement    `json:"top_statements,omitempty"`
	// StatementsReason says why TopStatements is missing ("pg_stat_statements not installed").
	StatementsReason string `json:"statements_reason,omitempty"`
	State            string `json:"state"`
	Reason           string `json:"reason,omitempty"`
}

// Statement is one pg_stat_statements entry over the last interval.
type Statement struct {
	Query     string  `json:"query"`       // normalized text, shortened and printable
	Calls     int64   `json:"calls"`       // calls in the interval
	CallsPerS float64 `json:"calls_per_s"` // the same per second
	MeanMS    float64 `json:"mean_ms"`     // mean execution time in the interval
	TotalMS   float64 `json:"total_ms"`    // execution time in the interval
	SharePct  float64 `json:"share_pct"`   // of all statements' execution time in the interval
}

// MarshalJSON writes only state and reason for an unavailable server, so
// nothing unmeasured reads as a zero.
func (s PostgresStats) MarshalJSON() ([]byte, error) {
	type plain PostgresStats
	return marshalState(s.State, s.Reason, plain(s))
}

// PgBouncerStats is one sample of a PgBouncer's pools. When State is
// "unavailable" only State and Reason are set.
type PgBouncerStats struct {
	Pools  []Pool `json:"pools"`
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
}

// Pool is one line of SHOW POOLS: a database/user pair.
type Pool struct {
	Database  string  `json:"database"`
	User      string  `json:"user"`
	ClActive  int64   `json:"cl_active"`  // clients linked to a server connection
	ClWaiting int64   `json:"cl_waiting"` // clients waiting for one
	SvActive  int64   `json:"sv_active"`  // server connections in use
	MaxWaitS  float64 `json:"maxwait_s"`  // how long the oldest waiting client has waited
}

// MarshalJSON writes only state and reason for an unavailable PgBouncer.
func (s PgBouncerStats) MarshalJSON() ([]byte, error) {
	type plain PgBouncerStats
	return marshalState(s.State, s.Reason, plain(s))
}

// marshalState writes only state and reason for an unavailable server, so
// nothing unmeasured reads as a zero; otherwise all of v.
func marshalState(state, reason string, v any) ([]byte, error) {
	if state == StateUnavailable {
		return json.Marshal(struct {
			State  string `json:"state"`
			Reason string `json:"reason,omitempty"`
		}{state, reason})
	}
	return json.Marshal(v)
}
