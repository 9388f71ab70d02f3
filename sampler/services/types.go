package services

import "github.com/headroom-dev/headroom/sampler/services/stats"

// The results' types live in package stats, so that what carries them
// (snapshots, the advisor, the screen) does not link the clients.
type (
	// PostgresStats is one sample of a Postgres server.
	PostgresStats = stats.PostgresStats
	// Statement is one pg_stat_statements entry over the last interval.
	Statement = stats.Statement
	// PgBouncerStats is one sample of a PgBouncer's pools.
	PgBouncerStats = stats.PgBouncerStats
	// Pool is one line of SHOW POOLS.
	Pool = stats.Pool
	// CacheStats is one sample of a Redis or memcached server.
	CacheStats = stats.CacheStats
)

// Result states and cache kinds, as package stats defines them.
const (
	StateOK          = stats.StateOK
	StateUnavailable = stats.StateUnavailable
	KindRedis        = stats.KindRedis
	KindMemcached    = stats.KindMemcached
)
