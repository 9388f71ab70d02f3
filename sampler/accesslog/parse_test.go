package accesslog

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// fixtureLines reads a testdata file's lines, blank ones included.
func fixtureLines(t testing.TB, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		lines = append(lines, bytes.Clone(sc.Bytes()))
	}
	return lines
}

// want is what one fixture line parses to; ms < 0 means untimed.
type want struct {
	ok       bool
	format   Format
	status   int
	endpoint string
	ms       float64
}

func TestParseFixtures(t *testing.T) {
	fixtures := map[string][]want{
		"nginx.log": {
			{true, FormatNginx, 200, "GET /api/users/:id", 12},
			{true, FormatNginx, 200, "GET /api/users/:id", 20},
			{true, FormatNginx, 201, "POST /api/orders", 250},
			{true, FormatNginx, 304, "GET /static/app.css", 0},
			{true, FormatNginx, 502, "GET /api/orders/:id", 1003},
			{true, FormatNginx, 404, "GET /api/orders/:id", 4},
			{true, FormatNginx, 400, "-", 1},
			{true, FormatNginx, 400, "-", 0},
		},
		"gunicorn_seconds.log": {
			{true, FormatSeconds, 200, "GET /accounts/login/", 31.415},
			{true, FormatSeconds, 302, "POST /accounts/login/", 120},
			{true, FormatSeconds, 500, "GET /reports/:id/:id", 2500.001},
		},
		"gunicorn_micros.log": {
			{true, FormatMicros, 200, "GET /health", 0.812},
			{true, FormatMicros, 200, "GET /items/:id/", 45},
			{true, FormatMicros, 204, "DELETE /items/:id/", 150},
		},
		"access.jsonl": {
			{true, FormatJSON, 200, "GET /api/users/:id", 15},
			{true, FormatJSON, 200, "GET /api/users/:id", 30.5},
			{true, FormatJSON, 503, "POST /api/orders", 1.5},
			{true, FormatJSON, 404, "GET /search", 2},
			{true, FormatJSON, 201, "PUT /api/users/:id", 12.5},
			{true, FormatJSON, 200, "GET /health", -1},
		},
		"odd.log": {
			{ok: false}, // gunicorn's error log
			{ok: false}, // JSON without a status
			{ok: false}, // truncated JSON
			{ok: false}, // status 999
			{true, FormatCombined, 200, "GET /combined", -1},
			{true, FormatCombined, 200, "GET /common", -1},
			{true, FormatNginx, 200, "GET /with-xff", 7},
			{ok: false}, // blank
			{true, FormatNginx, 200, "GET /ctl/\uFFFD]0;pwned\uFFFD", 1},
		},
	}
	for name, wants := range fixtures {
		t.Run(name, func(t *testing.T) {
			lines := fixtureLines(t, name)
			if len(lines) != len(wants) {
				t.Fatalf("%d lines, want %d", len(lines), len(wants))
			}
			var p Parser
			for i, line := range lines {
				w := wants[i]
				r, ok := p.Parse(line)
				if ok != w.ok {
					t.Errorf("line %d: ok %v, want %v: %s", i+1, ok, w.ok, line)
					continue
				}
				if !ok {
					continue
				}
				ep := string(appendEndpoint(nil, r.Method, r.Target))
				if r.Format != w.format || r.Status != w.status || ep != w.endpoint {
					t.Errorf("line %d: %v %d %q, want %v %d %q", i+1, r.Format, r.Status, ep, w.format, w.status, w.endpoint)
				}
				if w.ms < 0 {
					if r.Timed {
						t.Errorf("line %d: timed %v s, want no time", i+1, r.Seconds)
					}
				} else if !r.Timed || math.Abs(r.Seconds*1000-w.ms) > 1e-6 {
					t.Errorf("line %d: %v ms (timed %v), want %v ms", i+1, r.Seconds*1000, r.Timed, w.ms)
				}
			}
		})
	}
}

func TestParseDetails(t *testing.T) {
	tests := []struct {
		name, line   string
		ok           bool
		method, path string
	}{
		{"absolute URL target", `1.2.3.4 - - [t] "GET http://example.com/x/1?y HTTP/1.1" 200 1 "-" "-" 0.001 -`, true, "GET", "/x/1?y"},
		{"HTTP/0.9 request", `1.2.3.4 - - [t] "GET /old" 200 1 "-" "-" 0.001 -`, true, "GET", "/old"},
		{"quote in path", `1.2.3.4 - - [t] "GET /a"b HTTP/1.1" 404 1 "-" "-" 0.001 -`, true, "GET", `/a"b`},
		{"asterisk", `1.2.3.4 - - [t] "OPTIONS * HTTP/1.1" 200 0 "-" "-" 0.001 -`, true, "OPTIONS", "*"},
		{"lowercase method", `1.2.3.4 - - [t] "get /x HTTP/1.1" 200 0 "-" "-" 0.001 -`, true, "", ""},
		{"no brackets", `1.2.3.4 - - t "GET / HTTP/1.1" 200 0`, false, "", ""},
		{"bytes not a number", `1.2.3.4 - - [t] "GET / HTTP/1.1" 200 abc "-" "-"`, false, "", ""},
		{"JSON request line and method", `{"request":"GET /r HTTP/1.1","request_method":"GET","status":200}`, true, "GET", "/r"},
		{"JSON escaped path", `{"path":"/caf\u00e9/\u001b[2J","status":200}`, true, "", "/café/\x1b[2J"},
		{"JSON status out of range", `{"path":"/","status":42}`, false, "", ""},
		{"JSON array", `[{"status":200}]`, false, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p Parser
			r, ok := p.Parse([]byte(tc.line))
			if ok != tc.ok {
				t.Fatalf("ok %v, want %v", ok, tc.ok)
			}
			if string(r.Method) != tc.method || string(r.Target) != tc.path {
				t.Errorf("method %q path %q, want %q %q", r.Method, r.Target, tc.method, tc.path)
			}
		})
	}
}

func TestJSONDurationUnits(t *testing.T) {
	tests := []struct {
		field string
		ms    float64
	}{
		{`"request_time":0.25`, 250},
		{`"request_time":"0.250"`, 250},
		{`"duration":2`, 2000},           // small integers named in seconds are seconds
		{`"duration":2500000`, 2.5},      // large ones are nanoseconds (slog, Traefik)
		{`"duration":2.5e-3`, 2.5},       // exponent
		{`"duration_ms":7`, 7},           // named in ms
		{`"duration_us":7000`, 7},        // named in µs
		{`"duration_ns":7000000`, 7},     // named in ns
		{`"response_time":"1.5s"`, 1500}, // a Go duration string
		{`"elapsed":"250µs"`, 0.25},
	}
	for _, tc := range tests {
		var p Parser
		r, ok := p.Parse([]byte(`{"status":200,` + tc.field + `}`))
		if !ok || !r.Timed || math.Abs(r.Seconds*1000-tc.ms) > 1e-9 {
			t.Errorf("%s: %v ms (ok %v timed %v), want %v", tc.field, r.Seconds*1000, ok, r.Timed, tc.ms)
		}
	}
	var p Parser
	if r, ok := p.Parse([]byte(`{"status":200,"duration":-1}`)); !ok || r.Timed {
		t.Errorf("negative duration: ok %v timed %v, want a request without a time", ok, r.Timed)
	}
}

func TestParseDecimal(t *testing.T) {
	good := map[string]float64{"0": 0, "0.003": 0.003, "12.5": 12.5, "1234": 1234}
	for s, v := range good {
		got, _, ok := parseDecimal([]byte(s))
		if !ok || math.Abs(got-v) > 1e-12 {
			t.Errorf("parseDecimal(%q) = %v %v, want %v", s, got, ok, v)
		}
	}
	for _, s := range []string{"", ".5", "5.", "1.2.3", "-1", "1e3", "99999999999999999999999"} {
		if _, _, ok := parseDecimal([]byte(s)); ok {
			t.Errorf("parseDecimal(%q) accepted", s)
		}
	}
}
