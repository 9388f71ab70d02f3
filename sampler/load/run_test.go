package load

import (
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestSummarize(t *testing.T) {
	var rs []*vegeta.Result
	for i := 1; i <= 100; i++ {
		rs = append(rs, &vegeta.Result{Code: 200, Latency: time.Duration(i) * time.Millisecond})
	}
	rs[0] = &vegeta.Result{Code: 503, Error: "503 Service Unavailable", Latency: time.Millisecond}
	rs[1] = &vegeta.Result{Error: "Get \"http://127.0.0.1:1/\": dial tcp 127.0.0.1:1: connect: connection refused"}
	in := Summarize(rs, 2*time.Second)
	if in.Requests != 100 || in.RPS != 50 || in.SuccessPct != 98 {
		t.Fatalf("%+v", in)
	}
	if in.Errors["5xx"] != 1 || in.Errors["refused"] != 1 || len(in.Errors) != 2 {
		t.Errorf("errors %v", in.Errors)
	}
	if in.P50 < 45 || in.P50 > 55 || in.P95 < 90 || in.P95 > 100 || in.P99 < in.P95 {
		t.Errorf("p50 %v p95 %v p99 %v", in.P50, in.P95, in.P99)
	}
	if empty := Summarize(nil, time.Second); empty.RPS != 0 || empty.SuccessPct != 0 || empty.Errors != nil {
		t.Errorf("no results: %+v", empty)
	}
}

func TestErrorKind(t *testing.T) {
	for _, c := range []struct {
		code uint16
		err  string
		want string
	}{
		{200, "", ""},
		{302, "", ""},
		{404, "404 Not Found", "4xx"},
		{502, "502 Bad Gateway", "5xx"},
		{0, `Get "http://127.0.0.1/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`, "timeout"},
		{0, "read tcp: connection reset by peer", "reset"},
		{0, "dial tcp: connect: connection refused", "refused"},
		{0, "context canceled", "cancelled"},
		{0, "something new", "other"},
	} {
		if got := ErrorKind(c.code, c.err); got != c.want {
			t.Errorf("%d %q: %q, want %q", c.code, c.err, got, c.want)
		}
	}
}

// A load's interval goes into snapshots and recordings: its URL never
// carries the password, and neither does a refusal of a bad URL.
func TestLoadURLPasswordNeverShown(t *testing.T) {
	now := time.Now()
	r := &Run{spec: Spec{Targets: []Target{{URL: "http://u:S3cr3tPW@127.0.0.1:8000/x?q=1"}}, Pattern: Pattern{Kind: "users", Users: 2}}, began: now, last: now}
	if in := r.Take(now.Add(time.Second)); in.URL != "http://u:xxxxx@127.0.0.1:8000/x?q=1" {
		t.Errorf("interval URL %q", in.URL)
	}
	for _, bad := range []string{"http://u:S3cr3tPW@127.0.0.1:notaport/", "http://u:S3cr3tPW@127.0.0.1/%zz", "ftp://u:S3cr3tPW@127.0.0.1/"} {
		_, err := NewTarget(bad)
		if err == nil || strings.Contains(err.Error(), "S3cr3tPW") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
