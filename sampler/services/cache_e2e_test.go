package services

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// startRedis starts a password-protected Redis with a 4 MB memory limit
// that evicts, and returns its port.
func startRedis(t *testing.T) int {
	t.Helper()
	bin := findBinary(t, "redis-server", "redis-server")
	dir, attr := labDir(t, "nobody")
	port := freePort(t)
	logPath := filepath.Join(dir, "redis.log")
	startServer(t, attr, logPath, syscall.SIGTERM, bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir, "--requirepass", labPassword,
		"--maxmemory", "4mb", "--maxmemory-policy", "allkeys-lru")
	waitFor(t, "redis", logPath, 10*time.Second, func() error {
		return redisClient(t, port).Ping(context.Background()).Err()
	})
	return port
}

func redisClient(t *testing.T, port int) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port), Password: labPassword})
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRedisE2E(t *testing.T) {
	port := startRedis(t)
	ctx := context.Background()
	clock := newStepClock()
	c, err := NewRedis(fmt.Sprintf("redis://:%s@127.0.0.1:%d/0", labPassword, port), Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if strings.Contains(c.Addr(), labPassword) {
		t.Fatalf("addr shows the password: %s", c.Addr())
	}
	first := c.Collect(ctx)
	if first.State != StateOK || first.HitRate != nil || first.OpsPerS != nil ||
		first.MaxBytes == nil || *first.MaxBytes != 4<<20 || first.UsedBytes <= 0 {
		t.Fatalf("first sample: %+v", first)
	}

	// Three hits and one miss: 75 %. A BLPOP on an empty list blocks a client.
	app := redisClient(t, port)
	must(t, app.Set(ctx, "k", "v", 0).Err())
	for i := 0; i < 3; i++ {
		must(t, app.Get(ctx, "k").Err())
	}
	if err := app.Get(ctx, "missing").Err(); err != redis.Nil {
		t.Fatalf("get missing: %v", err)
	}
	blocked := redisClient(t, port)
	done := make(chan struct{})
	go func() { blocked.BLPop(ctx, 0, "queue"); close(done) }()
	t.Cleanup(func() { // go-redis does not abandon a BLPOP on cancel: answer it
		app.LPush(ctx, "queue", "done")
		awaitBounded(t, done)
	})

	clock.Advance(2 * time.Second)
	got := c.Collect(ctx)
	if got.State != StateOK || got.HitRate == nil || *got.HitRate != 75 || got.OpsPerS == nil || *got.OpsPerS < 3 {
		t.Fatalf("after 3 hits and 1 miss: %+v", got)
	}
	poll(t, 5*time.Second, func() string {
		clock.Advance(time.Second)
		got := c.Collect(ctx)
		if got.HitRate != nil {
			return fmt.Sprintf("hit rate %v with no lookups", *got.HitRate)
		}
		if got.Clients < 3 || got.BlockedClients == nil || *got.BlockedClients != 1 {
			return fmt.Sprintf("clients %d blocked %v", got.Clients, got.BlockedClients)
		}
		return ""
	})

	// 8 MB of values into a 4 MB cache: evictions.
	big := strings.Repeat("x", 100<<10)
	for i := 0; i < 80; i++ {
		must(t, app.Set(ctx, fmt.Sprint("big", i), big, 0).Err())
	}
	clock.Advance(time.Second)
	got = c.Collect(ctx)
	if got.EvictionsPerS == nil || *got.EvictionsPerS < 1 || got.UsedBytes > 5<<20 {
		t.Fatalf("after overfilling: %+v", got)
	}
}

func TestRedisUnavailableE2E(t *testing.T) {
	port := startRedis(t)
	for _, tc := range []struct{ name, url, want string }{
		{"wrong password", fmt.Sprintf("redis://:Wr0ng-Pa55@127.0.0.1:%d", port), "auth failed"},
		{"no password", fmt.Sprintf("127.0.0.1:%d", port), "auth failed"},
		{"nothing listening", fmt.Sprintf("redis://:Wr0ng-Pa55@127.0.0.1:%d", freePort(t)), "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewRedis(tc.url, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			got := c.Collect(context.Background())
			if got.State != StateUnavailable || got.Reason != tc.want || strings.Contains(got.Addr, "Wr0ng") {
				t.Fatalf("got %+v, want unavailable: %s", got, tc.want)
			}
		})
	}
}

func TestMemcachedE2E(t *testing.T) {
	bin := findBinary(t, "memcached", "memcached")
	dir, _ := labDir(t, "nobody")
	port := freePort(t)
	logPath := filepath.Join(dir, "memcached.log")
	args := []string{"-l", "127.0.0.1", "-p", fmt.Sprint(port), "-U", "0", "-m", "8"}
	if syscall.Geteuid() == 0 {
		args = append(args, "-u", "nobody") // memcached drops root itself
	}
	startServer(t, nil, logPath, syscall.SIGTERM, bin, args...)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	var app net.Conn
	waitFor(t, "memcached", logPath, 10*time.Second, func() (err error) {
		app, err = net.Dial("tcp", addr)
		return err
	})
	t.Cleanup(func() { app.Close() })
	// One round trip: the server has taken the connection when it answers,
	// so the stats below count it.
	if _, err := app.Write([]byte("version\r\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(app).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	clock := newStepClock()
	c, err := NewMemcached(addr, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	first := c.Collect(context.Background())
	if first.State != StateOK || first.HitRate != nil || first.MaxBytes == nil || *first.MaxBytes != 8<<20 || first.Clients < 2 {
		t.Fatalf("first sample: %+v", first)
	}
	// One hit and three misses: 25 %.
	r := bufio.NewReader(app)
	for _, cmd := range []string{"set k 0 0 1\r\nx\r\n", "get k\r\n", "get a\r\n", "get b\r\n", "get c\r\n"} {
		if _, err := app.Write([]byte(cmd)); err != nil {
			t.Fatal(err)
		}
		for line := ""; line != "END\r\n" && line != "STORED\r\n"; {
			if line, err = r.ReadString('\n'); err != nil {
				t.Fatal(err)
			}
		}
	}
	clock.Advance(time.Second)
	got := c.Collect(context.Background())
	if got.State != StateOK || got.HitRate == nil || *got.HitRate != 25 || got.UsedBytes <= 0 ||
		got.OpsPerS == nil || *got.OpsPerS != 5 || got.EvictionsPerS == nil || *got.EvictionsPerS != 0 {
		t.Fatalf("after 1 hit and 3 misses: %+v", got)
	}
}
