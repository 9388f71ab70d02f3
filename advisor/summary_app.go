package advisor

import (
	"fmt"
	"strings"

	"github.com/headroom-dev/headroom/sampler/services/stats"
	"github.com/headroom-dev/headroom/sampler/text"
)

func init() { registerSummary(appSummary) }

// appSummary words the app's findings: traffic, the database, its pool,
// the caches; and says where throughput stopped growing.
func appSummary(a Advice) []string {
	var parts []string
	level := func(m string) Level { f, _ := a.Finding(m); return f.Level }
	if t := a.Traffic; t != nil {
		if a.latencyFromTraffic() {
			switch level(KeyLatency) {
			case Scale:
				parts = append(parts, fmt.Sprintf("p95 latency %.0f ms at %.0f req/s is over the %s SLA with the machine saturated: scale out.", *t.P95Ms, t.RequestsPerS, slaOf(a)))
			case Optimize:
				parts = append(parts, fmt.Sprintf("p95 latency %.0f ms at %.0f req/s is over the %s SLA %s: optimize the app (queries, caching, workers).", *t.P95Ms, t.RequestsPerS, slaOf(a), roomPhrase(a)))
			}
		}
		if a.errorsFromTraffic() {
			switch level(KeyErrors) {
			case Down:
				if a.Probe == nil {
					parts = append([]string{"The app answers every request with 5xx: restart or fix it before judging capacity."}, parts...)
				}
			case Scale:
				parts = append(parts, fmt.Sprintf("%.1f%% of requests answered 5xx with the machine saturated: scale out.", t.Status.S5xx))
			case Optimize:
				parts = append(parts, fmt.Sprintf("%.1f%% of requests answered 5xx: find the failing endpoints in the app's error log.", t.Status.S5xx))
			}
		}
	}
	if f, ok := a.Finding(KeyDBConnections); ok && f.Level > Monitor {
		if pool, n := waitingPool(a.PgBouncer); n > 0 {
			parts = append(parts, fmt.Sprintf("PgBouncer pool %s has %d clients waiting for a server connection: raise its pool_size or shorten transactions.", pool, n))
		}
		if a.Postgres != nil && a.Postgres.State == stats.StateOK && f.Mean >= f.Threshold {
			s := fmt.Sprintf("Database connections at %.0f%% of max_connections (%d/%d): pool connections: PgBouncer, CONN_MAX_AGE.", f.Now, a.Postgres.Connections, a.Postgres.MaxConnections)
			if f.Level == Scale {
				s = strings.TrimSuffix(s, ".") + "; the machine is saturated too: scale the database host."
			}
			parts = append(parts, s)
		}
	}
	if f, ok := a.Finding(KeyDBSlow); ok && f.Level > Monitor && a.TopStatement != nil {
		parts = append(parts, slowWording(*a.TopStatement))
	}
	for _, kind := range []string{stats.KindRedis, stats.KindMemcached} {
		key := KeyCacheRedis
		if kind == stats.KindMemcached {
			key = KeyCacheMemcached
		}
		if f, ok := a.Finding(key); ok && f.Level > Monitor {
			parts = append(parts, fmt.Sprintf("%s hit rate %.0f%% (mean %.0f%%) is under %.0f%%: improve the cache strategy (what is cached, keys, TTLs).", kind, f.Now, f.Mean, f.Threshold))
		}
	}
	for _, c := range a.Cache {
		if cacheFull(c) {
			parts = append(parts, fmt.Sprintf("%s evicts at its memory limit: cache full: give it memory or shorter TTLs.", c.Kind))
		}
	}
	if a.CapacityRPS != nil {
		parts = append(parts, fmt.Sprintf("Requests/s stopped rising while latency rose with CPU at capacity: capacity reached at about %.0f req/s.", *a.CapacityRPS))
	}
	return parts
}

// slaOf is the latency finding's line, as a duration for people.
func slaOf(a Advice) string {
	f, _ := a.Finding(KeyLatency)
	return fmt.Sprintf("%.0f ms", f.Threshold)
}

// slowWording names the statement, shortened, with why it is slow.
func slowWording(st TopStatement) string {
	q := ShortStatement(st.Query, 60)
	s := fmt.Sprintf("Statement “%s” takes %.0f%% of DB time (%.1f calls/s, mean %.1f ms): optimize it (an index, fewer calls).", q, st.SharePct, st.CallsPerS, st.MeanMS)
	if st.PerRequest != nil && *st.PerRequest >= nPlusOnePerRequest {
		fix := "select_related / prefetch_related"
		if st.Fix != "" {
			fix = text.Printable(st.Fix)
		}
		s = fmt.Sprintf("Statement “%s” runs %.0f times per request (%.0f%% of DB time): a likely N+1: %s.", q, *st.PerRequest, st.SharePct, fix)
	}
	return s
}

// ShortStatement is a statement on one line, printable, cut to max runes.
func ShortStatement(q string, max int) string {
	// Postgres quotes every identifier ("lab_item"."id"): noise on one line.
	q = strings.Join(strings.Fields(strings.ReplaceAll(text.Printable(q), `"`, "")), " ")
	if r := []rune(q); len(r) > max {
		q = string(r[:max-1]) + "…"
	}
	return q
}

// waitingPool is the PgBouncer pool with the most clients waiting.
func waitingPool(b *stats.PgBouncerStats) (string, int64) {
	if b == nil || b.State != stats.StateOK {
		return "", 0
	}
	name, most := "", int64(0)
	for _, p := range b.Pools {
		if p.ClWaiting > most {
			name, most = text.Printable(p.Database+"/"+p.User), p.ClWaiting
		}
	}
	return name, most
}

// cacheFull: evicting while the memory in use is at the limit (95 % or more).
func cacheFull(c stats.CacheStats) bool {
	return c.State == stats.StateOK && c.EvictionsPerS != nil && *c.EvictionsPerS > 0 &&
		c.MaxBytes != nil && *c.MaxBytes > 0 && float64(c.UsedBytes) >= 0.95*float64(*c.MaxBytes)
}
