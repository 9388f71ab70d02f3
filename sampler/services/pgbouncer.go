package services

import (
	"context"
	"fmt"
	"strconv"
)

// PgBouncerCollector reads SHOW POOLS from PgBouncer's admin console (the
// DSN's database is "pgbouncer"; the user must be in admin_users or
// stats_users).
type PgBouncerCollector struct {
	pgSession
}

// NewPgBouncer checks the admin-console DSN without connecting.
func NewPgBouncer(dsn string, opt Options) (*PgBouncerCollector, error) {
	cfg, err := pgConfig(dsn, opt)
	if err != nil {
		return nil, fmt.Errorf("pgbouncer: %w", err)
	}
	return &PgBouncerCollector{newPGSession(dsn, cfg, opt)}, nil
}

// Addr is the console the collector reads, without the password.
func (c *PgBouncerCollector) Addr() string { return c.addr }

// Collect takes one sample within the timeout; a PgBouncer that is down
// or refuses gives State "unavailable" and a printable Reason.
func (c *PgBouncerCollector) Collect(ctx context.Context) PgBouncerStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, c.opt.timeout())
	defer cancel()
	pools, err := c.collect(ctx)
	if err != nil {
		return PgBouncerStats{State: StateUnavailable, Reason: c.failed(ctx, err)}
	}
	return PgBouncerStats{Pools: pools, State: StateOK}
}

func (c *PgBouncerCollector) collect(ctx context.Context) ([]Pool, error) {
	conn, err := c.open(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := conn.Query(ctx, "SHOW POOLS")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for _, f := range rows.FieldDescriptions() {
		names = append(names, f.Name)
	}
	pools := []Pool{}
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, err
		}
		rec := map[string]string{}
		for i, v := range vals {
			if i < len(names) && v != nil {
				rec[names[i]] = fmt.Sprint(v)
			}
		}
		if p, ok := poolOf(rec); ok {
			pools = append(pools, p)
		}
	}
	return pools, rows.Err()
}

// poolOf reads one SHOW POOLS line by column name (the columns differ
// between PgBouncer versions). The admin console's own "pgbouncer" pool is
// not an application pool and is left out.
func poolOf(rec map[string]string) (Pool, bool) {
	if rec["database"] == "pgbouncer" {
		return Pool{}, false
	}
	num := func(k string) int64 {
		n, _ := strconv.ParseInt(rec[k], 10, 64) // a missing column reads as 0
		return n
	}
	return Pool{
		Database:  Printable(rec["database"]),
		User:      Printable(rec["user"]),
		ClActive:  num("cl_active"),
		ClWaiting: num("cl_waiting"),
		SvActive:  num("sv_active"),
		MaxWaitS:  float64(num("maxwait")) + float64(num("maxwait_us"))/1e6,
	}, true
}
