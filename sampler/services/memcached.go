package services

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"

	"github.com/headroom-dev/headroom/sampler/text"
)

// The memcached collector speaks the text protocol's `stats` command by
// hand: the well-kept Go client, github.com/bradfitz/gomemcache, has no
// stats call (its pull request for one was never merged), and one request
// with a "STAT name value ... END" answer is a few lines of code.

// Bounds on a `stats` answer, so a wrong or hostile server cannot make the
// reader hold unbounded memory (memcached 1.6 sends about 100 lines).
const (
	maxStatsLines    = 1000
	maxStatsLineSize = 4096
)

// MemcachedCollector samples one memcached server with `stats`, on a new
// TCP connection each time (memcached connections are cheap, and a fresh
// one never carries a half-read answer).
type MemcachedCollector struct {
	addr string
	opt  Options

	mu   sync.Mutex
	prev *cacheCounters
}

// NewMemcached checks a host:port address (an optional memcached:// prefix
// is dropped) without connecting.
func NewMemcached(addr string, opt Options) (*MemcachedCollector, error) {
	a := strings.TrimPrefix(addr, "memcached://")
	if _, port, err := net.SplitHostPort(a); err != nil || port == "" {
		return nil, fmt.Errorf("memcached address %q is not host:port, like 127.0.0.1:11211", Redact(addr))
	}
	if p := text.BadPort(a); p != "" {
		return nil, fmt.Errorf("memcached address %q: port %s is not a port (use 1 to 65535)", Redact(addr), text.Printable(p))
	}
	return &MemcachedCollector{addr: a, opt: opt}, nil
}

// Addr is the server the collector reads.
func (c *MemcachedCollector) Addr() string { return c.addr }

// Collect takes one sample within the timeout; a server that is down or
// refuses gives State "unavailable" and a printable Reason.
func (c *MemcachedCollector) Collect(ctx context.Context) CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, c.opt.timeout())
	defer cancel()
	f, err := c.stats(ctx)
	var st CacheStats
	var cur cacheCounters
	if err == nil {
		st, cur, err = memcachedSample(f)
	}
	if err != nil {
		return CacheStats{Kind: KindMemcached, Addr: c.addr, State: StateUnavailable,
			Reason: reason(err, c.opt.timeout())}
	}
	cur.at = c.opt.now()
	applyCacheDeltas(c.prev, cur, &st)
	c.prev = &cur
	st.Addr, st.State = c.addr, StateOK
	return st
}

func (c *MemcachedCollector) stats(ctx context.Context) (fields, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl) // ctx always has one: Collect set it
	}
	if _, err := io.WriteString(conn, "stats\r\n"); err != nil {
		return nil, err
	}
	return readStats(bufio.NewReaderSize(conn, maxStatsLineSize))
}

// readStats reads a `stats` answer up to its END line.
func readStats(r *bufio.Reader) (fields, error) {
	f := fields{}
	for n := 0; n < maxStatsLines; n++ {
		raw, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("stats line %d longer than %d bytes", n+1, maxStatsLineSize)
		}
		if err != nil {
			return nil, err
		}
		line := strings.TrimRight(string(raw), "\r\n")
		switch {
		case line == "END":
			return f, nil
		case strings.HasPrefix(line, "STAT "):
			parts := strings.SplitN(line, " ", 3)
			if len(parts) == 3 {
				f[parts[1]] = parts[2]
			}
		case strings.Contains(line, "ERROR"):
			return nil, fmt.Errorf("server answered %q", shorten(line, 80))
		default:
			return nil, fmt.Errorf("stats line %d is %q, not STAT name value", n+1, shorten(line, 80))
		}
	}
	return nil, fmt.Errorf("stats answer longer than %d lines", maxStatsLines)
}
