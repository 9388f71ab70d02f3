package services

import (
	"bufio"
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRedisSampleFromInfo(t *testing.T) {
	// INFO of Redis 7.0 with maxmemory 64mb, after SET, GET hit, GET miss.
	st, c, err := redisSample(parseRedisInfo(readFixture(t, "redis_info.txt")))
	if err != nil {
		t.Fatal(err)
	}
	if st.Kind != KindRedis || st.UsedBytes != 966336 || st.MaxBytes == nil || *st.MaxBytes != 64<<20 ||
		st.Clients != 1 || st.BlockedClients == nil || *st.BlockedClients != 0 {
		t.Fatalf("got %+v", st)
	}
	if c.hits != 2 || c.misses != 2 || c.evictions != 0 || c.ops != 6 {
		t.Fatalf("counters %+v", c)
	}
}

func TestRedisSampleNoLimitAndBadFields(t *testing.T) {
	base := "# Stats\r\nkeyspace_hits:1\r\nkeyspace_misses:0\r\nevicted_keys:0\r\ntotal_commands_processed:9\r\n" +
		"used_memory:100\r\nconnected_clients:2\r\nblocked_clients:0\r\n"
	st, _, err := redisSample(parseRedisInfo(base + "maxmemory:0\r\n"))
	if err != nil || st.MaxBytes != nil {
		t.Fatalf("maxmemory 0 is no limit: %+v %v", st, err)
	}
	if _, _, err := redisSample(parseRedisInfo(base)); err == nil || !strings.Contains(err.Error(), "maxmemory") {
		t.Fatalf("missing field: %v", err)
	}
	if _, _, err := redisSample(parseRedisInfo(base + "maxmemory:lots\x1b]0;\r\n")); err == nil ||
		!strings.Contains(err.Error(), "maxmemory") || strings.Contains(err.Error(), "\x1b") {
		t.Fatalf("bad field: %v", err)
	}
}

func TestMemcachedSampleFromStats(t *testing.T) {
	// `stats` of memcached 1.6 (-m 64) after a set, two hits and a miss.
	f, err := readStats(bufio.NewReader(strings.NewReader(readFixture(t, "memcached_stats.txt"))))
	if err != nil {
		t.Fatal(err)
	}
	st, c, err := memcachedSample(f)
	if err != nil {
		t.Fatal(err)
	}
	if st.Kind != KindMemcached || st.UsedBytes != 61 || *st.MaxBytes != 64<<20 || st.Clients != 1 || st.BlockedClients != nil {
		t.Fatalf("got %+v", st)
	}
	if c.hits != 2 || c.misses != 1 || c.evictions != 0 || c.ops != 4 {
		t.Fatalf("counters %+v", c)
	}
}

func TestReadStatsRejects(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"error answer", "ERROR\r\n", `server answered "ERROR"`},
		{"not stats", "STAT pid 1\r\nHTTP/1.1 400\r\n", "stats line 2"},
		{"cut short", "STAT pid 1\r\n", "EOF"},
		{"endless", strings.Repeat("STAT x 1\r\n", maxStatsLines+1), "longer than 1000 lines"},
		{"long line", "STAT x " + strings.Repeat("9", maxStatsLineSize) + "\r\nEND\r\n", "longer than 4096 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readStats(bufio.NewReaderSize(strings.NewReader(tc.in), maxStatsLineSize))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestNewCacheCollectorsRejectBadAddresses(t *testing.T) {
	if _, err := NewMemcached("memcached://u:S3cr3tPW@127.0.0.1:4", Options{}); err == nil || strings.Contains(err.Error(), "S3cr3tPW") {
		t.Errorf("a refused address shows its password: %v", err)
	}
	if _, err := NewMemcached("localhost", Options{}); err == nil || !strings.Contains(err.Error(), "host:port") {
		t.Fatalf("memcached without port: %v", err)
	}
	_, err := NewRedis("http://:Hunter2@cache:6379", Options{})
	if err == nil || strings.Contains(err.Error(), "Hunter2") || !strings.Contains(err.Error(), "http://cache:6379") {
		t.Fatalf("redis bad scheme: %v", err)
	}
}

// silentServer accepts connections on loopback and never answers, like a
// hung service; it returns the address.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, conn)
		}
	}()
	return l.Addr().String()
}

// A hung server costs one timeout, then shows as unavailable with it.
func TestHungServersTimeOut(t *testing.T) {
	opt := Options{Timeout: 50 * time.Millisecond}
	addr := silentServer(t)
	m, err := NewMemcached(addr, opt)
	must(t, err)
	r, err := NewRedis("redis://:Hunter2@"+addr, opt)
	must(t, err)
	defer r.Close()
	p, err := NewPostgres("postgres://app:Hunter2@"+addr+"/shop?sslmode=disable", opt)
	must(t, err)
	b, err := NewPgBouncer("postgres://app:Hunter2@"+addr+"/pgbouncer?sslmode=disable", opt)
	must(t, err)
	ctx := context.Background()
	for name, collect := range map[string]func() (string, string){
		"memcached": func() (string, string) { s := m.Collect(ctx); return s.State, s.Reason },
		"redis":     func() (string, string) { s := r.Collect(ctx); return s.State, s.Reason },
		"postgres":  func() (string, string) { s := p.Collect(ctx); return s.State, s.Reason },
		"pgbouncer": func() (string, string) { s := b.Collect(ctx); return s.State, s.Reason },
	} {
		if state, why := collect(); state != StateUnavailable || why != "timeout after 0.05 s" {
			t.Errorf("%s: got %s %q, want unavailable after the timeout", name, state, why)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
