package services

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://app:Hunter2@db.internal:5432/shop", "postgres://app@db.internal:5432/shop"},
		{"postgresql://app:Hu%40nter2@db:5432/shop?sslmode=require&password=Hunter2", "postgresql://app@db:5432/shop"},
		{"postgres://app:p@ss/w#rd?@db:5432/shop", "postgres://app@db:5432/shop"},
		{"postgres://db/shop", "postgres://db/shop"},
		{"host=db port=5432 user=app password=Hunter2 dbname=shop", "postgres://app@db:5432/shop"},
		{"host=db user=app password='Hunt er2\\' x' dbname=shop sslmode=disable", "postgres://app@db/shop"},
		{"host=db password='unterminated", "(unreadable DSN)"},
		{"redis://:Hunter2@cache:6379/0", "redis://cache:6379/0"},
		{"rediss://default:Hunter2@cache:6380", "rediss://default@cache:6380"},
		{"127.0.0.1:11211", "127.0.0.1:11211"},
		{"redis://cache:6379/\x1b[2J", "redis://cache:6379/\uFFFD[2J"},
		{"", ""},
	} {
		got := Redact(tc.in)
		if got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if strings.Contains(got, "Hunt") {
			t.Errorf("Redact(%q) shows the password: %q", tc.in, got)
		}
	}
}

// timeoutErr is a net.Error that timed out, as a dial or read returns.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o op" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestReason(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
		pw   string // the password to keep out; "Hunter2" when empty
	}{
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), "timeout after 2 s", ""},
		{"net timeout", &net.OpError{Op: "dial", Err: timeoutErr{}}, "timeout after 2 s", ""},
		{"os deadline", os.ErrDeadlineExceeded, "timeout after 2 s", ""},
		{"refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, "connection refused", ""},
		{"pg auth", errors.New(`failed to connect to user=app database=shop: 127.0.0.1:5432: failed SASL auth: FATAL: password authentication failed for user "app" (SQLSTATE 28P01)`), "auth failed", ""},
		{"redis auth", errors.New("WRONGPASS invalid username-password pair or user is disabled."), "auth failed", ""},
		{"redis noauth", errors.New("NOAUTH Authentication required."), "auth failed", ""},
		{"dns", errors.New("dial tcp: lookup db.invalid: no such host"), "no such host", ""},
		// Whatever a library puts in its message, the password never comes out.
		{"dsn in message", errors.New("cannot parse postgres://app:Hunter2@db/shop: bad option \x1b[31m"), "cannot parse postgres://app:xxxxx@db/shop: bad option \uFFFD[31m", ""},
		{"escaped dsn", errors.New("server said: postgres://app:Hunter%212@db"), "server said: postgres://app:xxxxx@db", "Hunter!2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pw := tc.pw
			if pw == "" {
				pw = "Hunter2"
			}
			got := reason(tc.err, 2*time.Second, secretsOf(pw)...)
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	if got := reason(errors.New(strings.Repeat("x", 300)), time.Second); len([]rune(got)) != 120 {
		t.Fatalf("long message not shortened: %d runes", len([]rune(got)))
	}
}

func TestNewPostgresBadDSNHidesPassword(t *testing.T) {
	for _, dsn := range []string{
		"postgres://app:Hunter2@db:notaport/shop",
		"host=db user=app password=Hunter2 port=notaport",
	} {
		_, err := NewPostgres(dsn, Options{})
		if err == nil || strings.Contains(err.Error(), "Hunter2") || !strings.Contains(err.Error(), "app@db") {
			t.Errorf("NewPostgres(%q): %v", Redact(dsn), err)
		}
		_, err = NewPgBouncer(dsn, Options{})
		if err == nil || strings.Contains(err.Error(), "Hunter2") {
			t.Errorf("NewPgBouncer(%q): %v", Redact(dsn), err)
		}
	}
}

func TestPrintable(t *testing.T) {
	got := Printable("a\tb\nc\x1b[31md\x07\u202eé\xff")
	if got != "a b c\uFFFD[31md\uFFFD\uFFFDé\uFFFD" {
		t.Fatalf("got %q", got)
	}
}

// A password pgx finds in PGPASSWORD is kept out of reasons like one in
// the DSN.
func TestPasswordFromEnvironmentIsScrubbed(t *testing.T) {
	t.Setenv("PGPASSWORD", "Env-Hunter2")
	c, err := NewPostgres("postgres://app@127.0.0.1:5432/shop", Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := reason(errors.New("server closed: password=Env-Hunter2 rejected"), time.Second, c.secrets...)
	if strings.Contains(got, "Env-Hunter2") || got != "server closed: password=xxxxx rejected" {
		t.Fatalf("got %q", got)
	}
}
