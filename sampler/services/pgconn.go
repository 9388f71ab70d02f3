package services

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5"
)

// pgSession is the one connection a Postgres or PgBouncer collector keeps:
// opened when first needed, dropped after a failure (so the next collect
// dials afresh), closed within the timeout. The collectors hold mu for a
// whole collect.
type pgSession struct {
	cfg     *pgx.ConnConfig
	addr    string   // the DSN without its password
	secrets []string // what must never reach a reason
	opt     Options

	mu   sync.Mutex
	conn *pgx.Conn
}

func newPGSession(dsn string, cfg *pgx.ConnConfig, opt Options) pgSession {
	return pgSession{cfg: cfg, addr: Redact(dsn), secrets: secretsOf(cfg.Password), opt: opt}
}

// open returns the connection, dialing when there is none.
func (s *pgSession) open(ctx context.Context) (*pgx.Conn, error) {
	if s.conn == nil || s.conn.IsClosed() {
		conn, err := pgx.ConnectConfig(ctx, s.cfg)
		if err != nil {
			return nil, err
		}
		s.conn = conn
	}
	return s.conn, nil
}

// failed drops the connection after err and words err as a reason.
func (s *pgSession) failed(ctx context.Context, err error) string {
	if s.conn != nil {
		s.conn.Close(ctx) // ctx may be over: then it just drops the socket
		s.conn = nil
	}
	return reason(err, s.opt.timeout(), s.secrets...)
}

// Close ends the connection, waiting at most the timeout.
func (s *pgSession) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.opt.timeout())
	defer cancel()
	err := s.conn.Close(ctx)
	s.conn = nil
	return err
}
