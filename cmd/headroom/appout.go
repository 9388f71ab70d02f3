package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler/services"
)

// appCSVCells fills the --log columns of the app's numbers (the last
// columns of the header; empty where not measured).
func appCSVCells(cells map[string]string, a advisor.Advice, num func(float64) string) {
	if t := a.Traffic; t != nil {
		cells["req_per_s"] = num(t.RequestsPerS)
		if t.P95Ms != nil {
			cells["req_p95_ms"] = num(*t.P95Ms)
		}
		if t.Status != nil {
			cells["req_5xx_pct"] = num(t.Status.S5xx)
		}
	}
	for metric, col := range map[string]string{advisor.KeyDBConnections: "db_connections_pct", advisor.KeyCacheRedis: "redis_hit_pct",
		advisor.KeyCacheMemcached: "memcached_hit_pct", advisor.KeyDBSlow: "db_top_statement_pct"} {
		if f, ok := a.Finding(metric); ok {
			cells[col] = num(f.Now)
		}
	}
}

// appEnv are the --on-change variables of the app's numbers beside the
// findings' own (HEADROOM_CACHE_REDIS, HEADROOM_DB_CONNECTIONS, …): the
// traffic and each service's state. Addresses are never put here, so no
// password can be either.
func appEnv(a advisor.Advice) []string {
	var env []string
	if t := a.Traffic; t != nil {
		env = append(env, fmt.Sprintf("HEADROOM_REQ_PER_S=%.1f", t.RequestsPerS))
		if t.P95Ms != nil {
			env = append(env, fmt.Sprintf("HEADROOM_REQ_P95_MS=%.1f", *t.P95Ms))
		}
		if t.Status != nil {
			env = append(env, fmt.Sprintf("HEADROOM_REQ_5XX_PCT=%.1f", t.Status.S5xx))
		}
	}
	if p := a.Postgres; p != nil {
		env = append(env, "HEADROOM_POSTGRES_STATE="+p.State)
	}
	if b := a.PgBouncer; b != nil {
		env = append(env, "HEADROOM_PGBOUNCER_STATE="+b.State)
	}
	for _, c := range a.Cache {
		name := map[string]string{services.KindRedis: "REDIS", services.KindMemcached: "MEMCACHED"}[c.Kind]
		if name != "" {
			env = append(env, "HEADROOM_"+name+"_STATE="+c.State)
		}
	}
	if st := a.TopStatement; st != nil {
		env = append(env, "HEADROOM_DB_TOP_STATEMENT="+advisor.ShortStatement(st.Query, 200))
	}
	return env
}

// secretEnv are variables that carry a service's password; the
// --on-change command does not inherit them.
var secretEnv = []string{"PGPASSWORD=", "REDISCLI_AUTH="}

// hookEnviron is headroom's environment without the secretEnv variables.
func hookEnviron() []string {
	var out []string
outer:
	for _, kv := range os.Environ() {
		for _, p := range secretEnv {
			if strings.HasPrefix(kv, p) {
				continue outer
			}
		}
		out = append(out, kv)
	}
	return out
}
