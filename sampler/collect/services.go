package collect

import (
	"context"
	"sync"
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/services"
)

// Services fills Snapshot.Postgres, PgBouncer and Cache. Each service is
// sampled on its own goroutine (services.Runner) with its own timeout, and
// Collect only copies the newest results: a slow or dead service never
// holds a snapshot back; it shows as "unavailable" with its reason.
type Services struct {
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	pg      *services.Runner[services.PostgresStats]
	bouncer *services.Runner[services.PgBouncerStats]
	caches  []*services.Runner[services.CacheStats]
	closers []func() error
}

// ServiceConfig names the services to sample; empty fields are not sampled.
type ServiceConfig struct {
	Postgres, PgBouncer, Redis, Memcached string
	Interval                              time.Duration
	Timeout                               time.Duration // per collection; services.DefaultTimeout when zero
}

// Configured reports whether any service is named.
func (c ServiceConfig) Configured() bool {
	return c.Postgres != "" || c.PgBouncer != "" || c.Redis != "" || c.Memcached != ""
}

// NewServices checks every DSN and address (without connecting) and
// starts one goroutine per service; they stop with ctx or Close. An error
// names the DSN or URL in its redacted form only.
func NewServices(ctx context.Context, cfg ServiceConfig) (*Services, error) {
	opt := services.Options{Timeout: cfg.Timeout}
	c := &Services{}
	var starts []func(context.Context, <-chan time.Time)
	fail := func(err error) (*Services, error) {
		c.closeAll()
		return nil, err
	}
	if cfg.Postgres != "" {
		pg, err := services.NewPostgres(cfg.Postgres, opt)
		if err != nil {
			return fail(err)
		}
		c.pg = runner(c, &starts, pg.Collect, pg.Close)
	}
	if cfg.PgBouncer != "" {
		b, err := services.NewPgBouncer(cfg.PgBouncer, opt)
		if err != nil {
			return fail(err)
		}
		c.bouncer = runner(c, &starts, b.Collect, b.Close)
	}
	if cfg.Redis != "" {
		r, err := services.NewRedis(cfg.Redis, opt)
		if err != nil {
			return fail(err)
		}
		c.caches = append(c.caches, runner(c, &starts, r.Collect, r.Close))
	}
	if cfg.Memcached != "" {
		m, err := services.NewMemcached(cfg.Memcached, opt)
		if err != nil {
			return fail(err)
		}
		c.caches = append(c.caches, runner(c, &starts, m.Collect, nil))
	}
	ctx, c.cancel = context.WithCancel(ctx)
	for _, start := range starts {
		tick := ticks(ctx, cfg.Interval)
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			start(ctx, tick)
		}()
	}
	return c, nil
}

// runner wraps one service's collection in a Runner, to be started with the
// others; close (nil when the client holds nothing open) runs at Close.
func runner[T any](c *Services, starts *[]func(context.Context, <-chan time.Time), collect func(context.Context) T, close func() error) *services.Runner[T] {
	r := services.NewRunner(collect)
	if close != nil {
		c.closers = append(c.closers, close)
	}
	*starts = append(*starts, r.Run)
	return r
}

// ticks sends one tick at once (so the first snapshots have a sample) and
// then one per interval, dropping ticks a busy receiver cannot take.
func ticks(ctx context.Context, interval time.Duration) <-chan time.Time {
	if interval <= 0 {
		interval = time.Second
	}
	ch := make(chan time.Time, 1)
	ch <- time.Now()
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				select {
				case ch <- now:
				default:
				}
			}
		}
	}()
	return ch
}

// Name is the collector's name, for messages.
func (c *Services) Name() string { return "services" }

// Collect copies each service's newest result into the snapshot; a
// service that has not answered yet is left out (not measured yet).
func (c *Services) Collect(s *sampler.Snapshot) {
	if c.pg != nil {
		if v, ok := c.pg.Latest(); ok {
			s.Postgres = &v
		}
	}
	if c.bouncer != nil {
		if v, ok := c.bouncer.Latest(); ok {
			s.PgBouncer = &v
		}
	}
	for _, r := range c.caches {
		if v, ok := r.Latest(); ok {
			s.Cache = append(s.Cache, v)
		}
	}
}

// Close stops the goroutines and closes the connections.
func (c *Services) Close() error {
	if c.cancel != nil {
		c.cancel()
	}
	c.wg.Wait()
	return c.closeAll()
}

func (c *Services) closeAll() error {
	var first error
	for _, f := range c.closers {
		if err := f(); err != nil && first == nil {
			first = err
		}
	}
	c.closers = nil
	return first
}
