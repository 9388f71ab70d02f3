package collect

import (
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/services"
	"github.com/headroom-dev/headroom/sampler/sqllog"
	"github.com/headroom-dev/headroom/sampler/text"
)

// topSQL is how many statements of an interval a snapshot keeps.
const topSQL = 5

// SQLLog fills Snapshot.SQL from a SQL query log that grows during the run
// (--sql-log: Django's django.db.backends log or Postgres's duration log),
// for the db:slow finding where pg_stat_statements is not there. Reading a
// local file's new lines cannot hang, so it runs on the sampling goroutine.
type SQLLog struct {
	path string
	fl   *sqllog.Follower
	last time.Time
}

// NewSQLLog follows path from its end; a file that is not there yet is
// followed once it appears (unavailable until then).
func NewSQLLog(path string) *SQLLog {
	c := &SQLLog{path: path}
	c.fl, _ = sqllog.NewFollower(path)
	return c
}

// Name is the collector's name, for messages.
func (c *SQLLog) Name() string { return "sql log" }

// Collect attaches the statements finished since the previous snapshot.
func (c *SQLLog) Collect(s *sampler.Snapshot) {
	secs := 0.0
	if !c.last.IsZero() {
		secs = s.Time.Sub(c.last).Seconds()
	}
	c.last = s.Time
	if c.fl == nil {
		fl, err := sqllog.NewFollower(c.path)
		if err != nil {
			s.SQL = &sampler.SQLSample{Seconds: secs, State: services.StateUnavailable, Reason: text.Printable(err.Error())}
			return
		}
		c.fl = fl
	}
	r, err := c.fl.Poll(topSQL)
	if err != nil {
		s.SQL = &sampler.SQLSample{Seconds: secs, State: services.StateUnavailable, Reason: text.Printable(err.Error())}
		return
	}
	s.SQL = &sampler.SQLSample{Seconds: secs, Count: r.Count, TotalMS: r.TotalMS, Statements: r.Statements,
		NPlusOne: r.NPlusOne, State: services.StateOK}
}

// Close closes the file.
func (c *SQLLog) Close() error {
	if c.fl == nil {
		return nil
	}
	return c.fl.Close()
}
