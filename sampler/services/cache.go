package services

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// cacheCounters are a cache server's cumulative counters at one moment.
type cacheCounters struct {
	at                           time.Time
	hits, misses, evictions, ops int64
}

// applyCacheDeltas fills the interval fields of st; with no previous
// sample they stay absent.
func applyCacheDeltas(prev *cacheCounters, cur cacheCounters, st *CacheStats) {
	if prev == nil {
		return
	}
	elapsed := cur.at.Sub(prev.at)
	st.HitRate = hitPercent(prev.hits, cur.hits, prev.misses, cur.misses)
	st.EvictionsPerS = ratePerSecond(prev.evictions, cur.evictions, elapsed)
	st.OpsPerS = ratePerSecond(prev.ops, cur.ops, elapsed)
}

// fields is a server's "name value" statistics, read by name.
type fields map[string]string

// int reads one field as an integer; the error names the field.
func (f fields) int(name string) (int64, error) {
	v, ok := f[name]
	if !ok {
		return 0, fmt.Errorf("no %s in the server's statistics", name)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s is %q, not an integer", name, shorten(v, 40))
	}
	return n, nil
}

// ints reads several fields; the first failure is the error.
func (f fields) ints(names ...string) ([]int64, error) {
	out := make([]int64, len(names))
	for i, n := range names {
		v, err := f.int(n)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// parseRedisInfo reads the text of INFO: "# Section" headers and
// "name:value" lines, CRLF or LF.
func parseRedisInfo(text string) fields {
	f := fields{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			f[k] = v
		}
	}
	return f
}

// redisSample turns INFO fields into a sample and its counters.
func redisSample(f fields) (CacheStats, cacheCounters, error) {
	v, err := f.ints("keyspace_hits", "keyspace_misses", "evicted_keys", "total_commands_processed",
		"used_memory", "maxmemory", "connected_clients", "blocked_clients")
	if err != nil {
		return CacheStats{}, cacheCounters{}, err
	}
	st := CacheStats{Kind: KindRedis, UsedBytes: v[4], Clients: v[6], BlockedClients: &v[7]}
	if v[5] > 0 { // maxmemory 0 means no limit
		st.MaxBytes = &v[5]
	}
	return st, cacheCounters{hits: v[0], misses: v[1], evictions: v[2], ops: v[3]}, nil
}

// memcachedOps are the stats counters that together count commands.
var memcachedOps = []string{"cmd_get", "cmd_set", "cmd_touch", "delete_hits", "delete_misses",
	"incr_hits", "incr_misses", "decr_hits", "decr_misses"}

// memcachedSample turns `stats` fields into a sample and its counters.
// Operations count keys for multi-gets, as memcached's cmd_get does.
func memcachedSample(f fields) (CacheStats, cacheCounters, error) {
	v, err := f.ints("get_hits", "get_misses", "evictions", "bytes", "limit_maxbytes", "curr_connections")
	if err != nil {
		return CacheStats{}, cacheCounters{}, err
	}
	var ops int64
	for _, name := range memcachedOps {
		if n, err := f.int(name); err == nil { // older servers lack some
			ops += n
		}
	}
	st := CacheStats{Kind: KindMemcached, UsedBytes: v[3], MaxBytes: &v[4], Clients: v[5]}
	return st, cacheCounters{hits: v[0], misses: v[1], evictions: v[2], ops: ops}, nil
}
