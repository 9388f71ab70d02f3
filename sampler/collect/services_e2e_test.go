package collect

import (
	"context"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// A service that does not answer never holds a snapshot back: Collect
// returns at once, and the state says why once the collection times out.
func TestServicesNeverBlock(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, err := NewServices(ctx, ServiceConfig{Postgres: "postgres://u:s3cret@127.0.0.1:1/db", Redis: "redis://127.0.0.1:1/0",
		Memcached: "127.0.0.1:1", Interval: 50 * time.Millisecond, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var s sampler.Snapshot
	for i := 0; i < 200 && (s.Postgres == nil || len(s.Cache) < 2); i++ {
		s = sampler.Snapshot{}
		c.Collect(&s)
		time.Sleep(10 * time.Millisecond)
	}
	if s.Postgres == nil || s.Postgres.State != "unavailable" || s.Postgres.Reason != "connection refused" {
		t.Errorf("postgres: %+v", s.Postgres)
	}
	if len(s.Cache) != 2 || s.Cache[0].State != "unavailable" || s.Cache[1].State != "unavailable" {
		t.Errorf("caches: %+v", s.Cache)
	}
}
