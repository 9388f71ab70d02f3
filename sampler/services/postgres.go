package services

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ownMarker starts every query the collector sends, so it can recognise
// (and leave out) its own entries in pg_stat_statements.
const ownMarker = "/* headroom */"

// DefaultTopStatements is how many statements a sample lists.
const DefaultTopStatements = 5

// PostgresCollector samples one Postgres server over one kept-open
// connection (reopened after a failure). It only reads statistics views.
type PostgresCollector struct {
	pgSession
	top int

	prevDB    *dbCounters
	prevStmts map[stmtKey]stmtCounter
	prevAt    time.Time
	texts     map[stmtKey]string
	own       map[stmtKey]bool
}

// NewPostgres checks a DSN (URL or key=value; password also from
// PGPASSWORD or the passfile, as pgx reads them) without connecting. The
// error names the DSN only in its redacted form.
func NewPostgres(dsn string, opt Options) (*PostgresCollector, error) {
	cfg, err := pgConfig(dsn, opt)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["application_name"] = "headroom"
	return &PostgresCollector{pgSession: newPGSession(dsn, cfg, opt), top: DefaultTopStatements,
		texts: map[stmtKey]string{}, own: map[stmtKey]bool{}}, nil
}

// pgConfig parses a DSN for Postgres or PgBouncer; the simple protocol
// keeps the collector working through PgBouncer in transaction mode and on
// its admin console, which has no extended protocol.
func pgConfig(dsn string, opt Options) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx quotes the DSN in its message; say what is wrong without it.
		return nil, fmt.Errorf("postgres DSN %s is not valid: want postgres://user@host:port/db or host=… user=… dbname=…", Redact(dsn))
	}
	cfg.ConnectTimeout = opt.timeout()
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	return cfg, nil
}

// secretsOf lists the forms a password can take inside an error message.
func secretsOf(password string) []string {
	if password == "" {
		return nil
	}
	return []string{password, url.PathEscape(password), url.QueryEscape(password), url.UserPassword("", password).String()[1:]}
}

// Addr is the server the collector reads, without the password.
func (c *PostgresCollector) Addr() string { return c.addr }

// SetTopStatements sets how many statements a sample lists (at least 1).
func (c *PostgresCollector) SetTopStatements(n int) { c.top = max(n, 1) }

// Collect takes one sample within the timeout. A server that is down,
// refuses or is slow gives State "unavailable" and a printable Reason.
func (c *PostgresCollector) Collect(ctx context.Context) PostgresStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, c.opt.timeout())
	defer cancel()
	st, err := c.collect(ctx)
	if err != nil {
		return PostgresStats{State: StateUnavailable, Reason: c.failed(ctx, err)}
	}
	st.State = StateOK
	return st
}

func (c *PostgresCollector) collect(ctx context.Context) (PostgresStats, error) {
	var st PostgresStats
	if _, err := c.open(ctx); err != nil {
		return st, err
	}
	if err := c.conn.QueryRow(ctx, ownMarker+" SELECT current_setting('max_connections')::int").Scan(&st.MaxConnections); err != nil {
		return st, err
	}
	rows, err := c.conn.Query(ctx, ownMarker+` SELECT coalesce(state, ''),
	  coalesce(extract(epoch FROM now() - query_start), -1)::float8,
	  coalesce(extract(epoch FROM now() - xact_start), -1)::float8,
	  coalesce(extract(epoch FROM now() - state_change), -1)::float8,
	  coalesce(wait_event_type = 'Lock', false), pid = pg_backend_pid()
	FROM pg_stat_activity WHERE backend_type = 'client backend'`)
	if err != nil {
		return st, err
	}
	acts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (activityRow, error) {
		var a activityRow
		err := r.Scan(&a.state, &a.queryAge, &a.xactAge, &a.stateAge, &a.lockWait, &a.self)
		return a, err
	})
	if err != nil {
		return st, err
	}
	summarizeActivity(acts, &st)

	var db dbCounters
	if err := c.conn.QueryRow(ctx, ownMarker+` SELECT coalesce(sum(blks_hit), 0)::int8, coalesce(sum(blks_read), 0)::int8,
	  coalesce(sum(xact_commit), 0)::int8, coalesce(sum(xact_rollback), 0)::int8,
	  coalesce(sum(deadlocks), 0)::int8, coalesce(sum(temp_files), 0)::int8 FROM pg_stat_database`).Scan(
		&db.blksHit, &db.blksRead, &db.commits, &db.rollbacks, &db.deadlocks, &db.tempFiles); err != nil {
		return st, err
	}
	db.at = c.opt.now()
	applyDBDeltas(c.prevDB, db, &st)
	c.prevDB = &db

	if err := c.statements(ctx, db.at, &st); err != nil {
		return st, err
	}
	return st, nil
}

// statements fills TopStatements from pg_stat_statements. Its absence or
// misconfiguration is a StatementsReason, not a failure of the sample;
// only a timeout or a broken connection is.
func (c *PostgresCollector) statements(ctx context.Context, now time.Time, st *PostgresStats) error {
	var schema string
	var version int
	err := c.conn.QueryRow(ctx, ownMarker+` SELECT coalesce((SELECT n.nspname FROM pg_extension e
	  JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'), ''),
	  current_setting('server_version_num')::int`).Scan(&schema, &version)
	if err != nil {
		return err
	}
	if schema == "" {
		st.StatementsReason = "pg_stat_statements not installed in this database"
		c.prevStmts = nil
		return nil
	}
	fn := pgx.Identifier{schema, "pg_stat_statements"}.Sanitize()
	total := "total_exec_time"
	if version < 130000 {
		total = "total_time"
	}
	rows, err := c.conn.Query(ctx, fmt.Sprintf(`%s SELECT userid, dbid, queryid, calls, %s
	  FROM %s(false) WHERE queryid IS NOT NULL`, ownMarker, total, fn))
	cur := map[stmtKey]stmtCounter{}
	if err == nil {
		var k stmtKey
		var sc stmtCounter
		_, err = pgx.ForEachRow(rows, []any{&k.user, &k.db, &k.id, &sc.calls, &sc.totalMS}, func() error {
			p := cur[k] // track = all can list one statement at top level and nested
			cur[k] = stmtCounter{p.calls + sc.calls, p.totalMS + sc.totalMS}
			return nil
		})
	}
	if err != nil {
		if ctx.Err() != nil || c.conn.IsClosed() {
			return err
		}
		st.StatementsReason = "pg_stat_statements unreadable: " + reason(err, c.opt.timeout(), c.secrets...)
		c.prevStmts = nil
		return nil
	}
	prev, elapsed := c.prevStmts, now.Sub(c.prevAt)
	c.prevStmts, c.prevAt = cur, now
	if prev == nil {
		return nil // the first sample is the baseline
	}
	ranked, dbTime := rankStatements(prev, cur, c.own)
	if err := c.fetchTexts(ctx, fn, ranked); err != nil {
		return err
	}
	ranked, dbTime = rankStatements(prev, cur, c.own) // own entries found just now
	st.TopStatements = []Statement{}
	for _, d := range ranked[:min(c.top, len(ranked))] {
		st.TopStatements = append(st.TopStatements, statementOf(d, c.texts[d.key], dbTime, elapsed))
	}
	for k := range c.texts { // forget statements Postgres forgot
		if _, ok := cur[k]; !ok {
			delete(c.texts, k)
			delete(c.own, k)
		}
	}
	return nil
}

// fetchTexts reads the query texts of the leading entries not seen before
// (texts are the expensive part of pg_stat_statements, so they are read
// once per entry) and marks the collector's own.
func (c *PostgresCollector) fetchTexts(ctx context.Context, fn string, ranked []stmtDelta) error {
	var ids []int64
	for _, d := range ranked[:min(c.top+8, len(ranked))] {
		if _, ok := c.texts[d.key]; !ok {
			ids = append(ids, d.key.id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	strs := make([]string, len(ids))
	for i, id := range ids {
		strs[i] = strconv.FormatInt(id, 10)
	}
	rows, err := c.conn.Query(ctx, fmt.Sprintf(`%s SELECT userid, dbid, queryid, query FROM %s(true)
	  WHERE queryid IN (%s)`, ownMarker, fn, strings.Join(strs, ",")))
	if err != nil {
		return err
	}
	var k stmtKey
	var text string
	_, err = pgx.ForEachRow(rows, []any{&k.user, &k.db, &k.id, &text}, func() error {
		c.texts[k] = text
		if strings.HasPrefix(strings.TrimSpace(text), ownMarker) {
			c.own[k] = true
		}
		return nil
	})
	if err != nil && (ctx.Err() != nil || c.conn.IsClosed()) {
		return err
	}
	return nil // texts are a nicety: any other failure leaves them empty
}
