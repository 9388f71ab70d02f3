package services

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/headroom-dev/headroom/sampler/text"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/logging"
)

// quietRedis stops go-redis from printing its own messages (pool and dial
// failures, with addresses) to stderr, which would tear the dashboard; the
// collector reports failures itself. The library's logger is global.
var quietRedis sync.Once

// RedisCollector samples one Redis server with INFO, over one pooled
// connection.
type RedisCollector struct {
	client  *redis.Client
	addr    string
	secrets []string
	opt     Options

	mu   sync.Mutex
	prev *cacheCounters
}

// NewRedis checks a redis:// or rediss:// URL (a bare host:port is taken
// as redis://host:port) without connecting. The error names the URL only
// in its redacted form.
func NewRedis(rawURL string, opt Options) (*RedisCollector, error) {
	if !strings.Contains(rawURL, "://") {
		rawURL = "redis://" + rawURL
	}
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redis URL %s is not valid: want redis://[user:password@]host:port[/db]", Redact(rawURL))
	}
	if p := text.BadPort(o.Addr); p != "" {
		return nil, fmt.Errorf("redis URL %s: port %s is not a port (use 1 to 65535)", Redact(rawURL), text.Printable(p))
	}
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout = opt.timeout(), opt.timeout(), opt.timeout()
	o.ContextTimeoutEnabled = true
	o.MaxRetries = -1 // a retry would outlast the timeout; the next tick is the retry
	o.DialerRetries = 1
	o.PoolSize, o.MinIdleConns = 1, 0
	o.DisableIdentity = true // no CLIENT SETINFO: the collector only reads
	quietRedis.Do(func() { redis.SetLogger(&logging.VoidLogger{}) })
	return &RedisCollector{client: redis.NewClient(o), addr: Redact(rawURL),
		secrets: secretsOf(o.Password), opt: opt}, nil
}

// Addr is the server the collector reads, without the password.
func (c *RedisCollector) Addr() string { return c.addr }

// Close releases the connection.
func (c *RedisCollector) Close() error { return c.client.Close() }

// Collect takes one sample within the timeout; a server that is down or
// refuses gives State "unavailable" and a printable Reason.
func (c *RedisCollector) Collect(ctx context.Context) CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, c.opt.timeout())
	defer cancel()
	text, err := c.client.Info(ctx).Result()
	if err != nil {
		return CacheStats{Kind: KindRedis, Addr: c.addr, State: StateUnavailable,
			Reason: reason(err, c.opt.timeout(), c.secrets...)}
	}
	st, cur, err := redisSample(parseRedisInfo(text))
	if err != nil {
		return CacheStats{Kind: KindRedis, Addr: c.addr, State: StateUnavailable, Reason: shorten(err.Error(), 120)}
	}
	cur.at = c.opt.now()
	applyCacheDeltas(c.prev, cur, &st)
	c.prev = &cur
	st.Addr, st.State = c.addr, StateOK
	return st
}
