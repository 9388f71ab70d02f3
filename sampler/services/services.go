// Package services samples the services a web app leans on — Postgres,
// PgBouncer, Redis and memcached — read-only, each on its own goroutine
// with a timeout, so a slow or dead service shows as "unavailable" with a
// reason and never holds sampling back.
package services

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/headroom-dev/headroom/sampler/text"
)

// DefaultTimeout bounds one Collect when Options.Timeout is zero.
const DefaultTimeout = 2 * time.Second

// Options are shared by every collector.
type Options struct {
	Timeout time.Duration    // bound of one Collect; DefaultTimeout when zero
	Now     func() time.Time // clock for per-second rates; time.Now when nil
}

func (o Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return DefaultTimeout
	}
	return o.Timeout
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

// Runner calls a collector once per tick on its own goroutine and keeps the
// latest result, so the sampler reads it without waiting on the service.
type Runner[T any] struct {
	collect func(context.Context) T

	mu     sync.Mutex
	latest T
	have   bool
}

// NewRunner wraps a collector's Collect method (which bounds itself).
func NewRunner[T any](collect func(context.Context) T) *Runner[T] {
	return &Runner[T]{collect: collect}
}

// Run collects once per tick until ctx ends or tick is closed. A tick that
// arrives while a collection runs is not queued: time.Ticker drops it.
func (r *Runner[T]) Run(ctx context.Context, tick <-chan time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-tick:
			if !ok {
				return
			}
			v := r.collect(ctx)
			if ctx.Err() != nil {
				return // a result cut short by shutdown is not news
			}
			r.mu.Lock()
			r.latest, r.have = v, true
			r.mu.Unlock()
		}
	}
}

// Latest returns the newest result, and false before the first one.
func (r *Runner[T]) Latest() (T, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.latest, r.have
}

// reason turns a failure into a short printable phrase for people:
// "connection refused", "timeout after 2 s", "auth failed", … Secrets
// (passwords) are replaced before anything else happens to the text.
func reason(err error, timeout time.Duration, secrets ...string) string {
	if err == nil {
		return ""
	}
	msg := scrub(err.Error(), secrets...)
	low := strings.ToLower(msg)
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout(), strings.Contains(low, "timeout"),
		strings.Contains(low, "deadline exceeded"):
		return fmt.Sprintf("timeout after %s s", trimFloat(timeout.Seconds()))
	case errors.Is(err, syscall.ECONNREFUSED), strings.Contains(low, "connection refused"):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), strings.Contains(low, "connection reset"):
		return "connection reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed by the server"
	case strings.Contains(low, "password authentication failed"), strings.Contains(low, "28p01"),
		strings.Contains(low, "wrongpass"), strings.Contains(low, "noauth"),
		strings.Contains(low, "invalid password"), strings.Contains(low, "auth failed"),
		strings.Contains(low, "authentication required"), strings.Contains(low, "sasl"):
		return "auth failed"
	case strings.Contains(low, "no such host"):
		return "no such host"
	}
	return shorten(msg, 120)
}

func trimFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// scrub replaces every occurrence of each secret with "xxxxx".
func scrub(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		s = strings.ReplaceAll(s, sec, "xxxxx")
	}
	return s
}

// Printable makes text from a service (statements, error messages) one
// safe line for a terminal: text.Fold without a length limit.
func Printable(s string) string { return text.Fold(s, 0) }

// shorten makes s printable, folds runs of spaces and cuts it to at most n
// runes, marking a cut with "…".
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(Printable(s)), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
