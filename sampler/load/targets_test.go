package load

import (
	"strings"
	"testing"
)

func TestParseTargets(t *testing.T) {
	ts, err := ParseTargets(strings.NewReader(`# mix
{"url": "http://127.0.0.1:8000/cpu/", "weight": 3}

{"url": "http://127.0.0.1:8000/db/", "method": "post", "header": {"X-A": ["1"]}, "body": "x=1"}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 || ts[0].Weight != 3 || ts[0].Method != "GET" || ts[1].Method != "POST" || ts[1].Weight != 1 || ts[1].Header.Get("X-A") != "1" {
		t.Fatalf("%+v", ts)
	}
	for _, bad := range []string{`{"url": "ftp://x/"}`, `{"url": "http://127.0.0.1/", "weight": -1}`, `{"url": "http://127.0.0.1/", "wieght": 2}`, `# nothing`} {
		if _, err := ParseTargets(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestWeightedShares(t *testing.T) {
	w := newWeighted([]Target{{URL: "a", Weight: 3}, {URL: "b", Weight: 1}})
	var seq []int
	for range 8 {
		seq = append(seq, w.next())
	}
	n := 0
	for _, i := range seq {
		if i == 0 {
			n++
		}
	}
	if n != 6 {
		t.Fatalf("order %v: target a sent %d of 8, want 6", seq, n)
	}
	if seq[0] != 0 || seq[1] != 0 || seq[2] != 1 {
		t.Errorf("order %v: want the light target spread in, not last", seq)
	}
}

func TestCheckHosts(t *testing.T) {
	local := []Target{{URL: "http://127.0.0.1:8000/"}, {URL: "http://[::1]/"}, {URL: "http://localhost/"}}
	if err := CheckHosts(local, nil); err != nil {
		t.Fatal(err)
	}
	remote := []Target{{URL: "http://example.com/"}}
	err := CheckHosts(remote, nil)
	if err == nil || !strings.Contains(err.Error(), "--allow-remote example.com") {
		t.Fatalf("remote host: %v", err)
	}
	if err := CheckHosts(remote, []string{"example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := CheckHosts(remote, []string{"other.org"}); err == nil {
		t.Fatal("--allow-remote naming another host let example.com through")
	}
}

// What the HTTP client would refuse at every request is refused once, with
// the line, before any is sent; a weight written 0 is not one left out.
func TestParseTargetsRefusesUnsendable(t *testing.T) {
	for bad, want := range map[string]string{
		`{"url": "http://127.0.0.1/", "method": "GE T"}`:                 `line 1: method "GE T" is not an HTTP method`,
		`{"url": "http://127.0.0.1/", "header": {"X A": ["1"]}}`:         `line 1: header name "X A"`,
		`{"url": "http://127.0.0.1/", "header": {"X-A": ["1\r\nB: 2"]}}`: "line 1: header X-A: its value holds a line break",
		`{"url": "http://127.0.0.1/", "weight": 0}`:                      "line 1: weight 0: use 1 to 1000 (leave it out for 1)",
	} {
		if _, err := ParseTargets(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want %q", bad, err, want)
		}
	}
}
