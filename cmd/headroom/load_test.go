package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headroom-dev/headroom/sampler/load"
)

// Bad load flags are refused before anything is sent: exit 3, one line
// naming what was wrong and what would be right.
func TestLoadBadInput(t *testing.T) {
	targets := filepath.Join(t.TempDir(), "t.jsonl")
	if err := os.WriteFile(targets, []byte(`{"url": "http://10.0.0.9/"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"http://127.0.0.1:1/"}, "give exactly one of --rate"},
		{[]string{"http://127.0.0.1:1/", "--rate", "5/s", "--users", "3"}, "give exactly one of"},
		{[]string{"http://127.0.0.1:1/", "--rate", "5000/s"}, "from 1 to 2000"},
		{[]string{"http://127.0.0.1:1/", "--ramp", "10/s"}, `want 2 rates separated by ".."`},
		{[]string{"http://127.0.0.1:1/", "--users", "5000"}, "--users 5000: use 1 to 1000"},
		{[]string{"http://127.0.0.1:1/", "--rate", "5/s", "--for", "2h"}, "at most 1h"},
		{[]string{"http://example.com/", "--rate", "5/s"}, "--allow-remote example.com"},
		{[]string{"--targets", targets, "--rate", "5/s"}, "--allow-remote 10.0.0.9"},
		{[]string{"ftp://127.0.0.1/", "--rate", "5/s"}, "use an http:// or https:// URL"},
		{[]string{"--rate", "5/s"}, "no URL to load"},
		{[]string{"http://127.0.0.1:1/", "--rate", "5/s", "--report", "/nonexistent/x.md"}, "--report /nonexistent/x.md: no such file or directory"},
		{[]string{"http://127.0.0.1:1/", "--rate", "5/s", "--report", targets}, "already exists"},
		{[]string{"http://127.0.0.1:1/", "--rate", "5/s", "--target-rps", "Inf"}, "--target-rps from 0 to 1e9"},
		{[]string{"http://127.0.0.1:1/", "--rate", "5/s", "--target-rps", "NaN"}, "--target-rps from 0 to 1e9"},
		{[]string{"http://127.0.0.1:1/", "--spike", "10..5/s"}, "the peak must be above the base"},
		{[]string{"--targets", "../../testdata/idle.jsonl", "--rate", "5/s"}, `line 1: unknown field "headroom"; a target is one JSON object a line`},
	} {
		var out, errb bytes.Buffer
		code := run(append([]string{"load"}, c.args...), &out, &errb)
		if code != exitBadInput || !strings.Contains(errb.String(), c.want) || strings.Count(strings.TrimSpace(errb.String()), "\n") > 0 {
			t.Errorf("%v: exit %d, %q; want 3 and one line with %q", c.args, code, errb.String(), c.want)
		}
	}
}

// A server that answers nothing leaves nothing to judge: that is neither
// "held" nor a knee, and exits 3 (could not judge); the report says so too.
func TestLoadWithNoAnswersIsUnjudged(t *testing.T) {
	report := filepath.Join(t.TempDir(), "r.md")
	var out, errb bytes.Buffer
	code := run([]string{"load", "http://127.0.0.1:1/", "--rate", "2/s", "--for", "1s", "--json", "--report", report}, &out, &errb)
	var res struct{ Verdict, Summary string }
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if code != exitBadInput || res.Verdict != "unjudged" || !strings.HasPrefix(res.Summary, "nothing answered: none of the 2 requests got an HTTP answer (refused 2)") {
		t.Errorf("exit %d, %+v; want 3, unjudged", code, res)
	}
	if b, err := os.ReadFile(report); err != nil || !strings.Contains(string(b), "nothing answered") {
		t.Errorf("report: %v\n%s", err, b)
	}
}

func TestParseRates(t *testing.T) {
	got, err := parseRates("10,20, 40/s", ",", 0)
	if err != nil || len(got) != 3 || got[2] != 40 {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := parseRates("0.5/s", "", 1); err == nil {
		t.Error("a rate under 1/s was taken")
	}
}

// The load test's description never shows a target's password, even one
// with a '#' that url.Parse would take for the host.
func TestLoadDescriptionHidesPasswords(t *testing.T) {
	pl := loadPlan{spec: load.Spec{Targets: []load.Target{{Method: "GET", URL: "http://bob:Hunter2#x@127.0.0.1:8000/shop/?q=1"}}}}
	got := pl.describe()
	if strings.Contains(got, "Hunter2") || !strings.Contains(got, "http://bob:xxxxx@127.0.0.1:8000/shop/?q=1") {
		t.Errorf("describe() = %q", got)
	}
}

// A run stopped early has not held: a CI job killed by its timeout must
// not pass. A knee it found before stopping stands, said to be early.
func TestStoppedLoadIsNotHeld(t *testing.T) {
	r := loadResult{DurationS: 4, Verdict: "held", Summary: "SLA held at the highest rate tried: about 8 req/s, p95 2 ms"}
	r.verdict.Held = true
	markStopped(&r, 20)
	if r.Verdict != "unjudged" || !r.verdict.Unjudged || r.verdict.Held || !strings.HasPrefix(r.Summary, "stopped after 4 s of 20 s: SLA held") {
		t.Errorf("%+v", r)
	}
	k := loadResult{DurationS: 10, Verdict: "knee", Summary: "knee at 40 req/s"}
	markStopped(&k, 20)
	if k.Verdict != "knee" || k.Summary != "knee at 40 req/s (stopped after 10 s of 20 s)" {
		t.Errorf("%+v", k)
	}
	whole := loadResult{DurationS: 19, Verdict: "held", Summary: "held"}
	if markStopped(&whole, 20); whole.Verdict != "held" {
		t.Errorf("a whole run: %+v", whole)
	}
}
