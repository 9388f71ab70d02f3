package accesslog

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestAppendEndpoint(t *testing.T) {
	tests := []struct{ method, target, want string }{
		{"GET", "/users/42", "GET /users/:id"},
		{"GET", "/users/42/orders/7?page=2#top", "GET /users/:id/orders/:id"},
		{"GET", "/o/123e4567-E89B-12d3-a456-426614174000/x", "GET /o/:id/x"},
		{"GET", "/blob/0123456789abcdef0123", "GET /blob/:id"},
		{"GET", "/v2/cafe", "GET /v2/cafe"},                                               // short hex is a name
		{"GET", "/assets/app.0123456789abcdef.js", "GET /assets/app.0123456789abcdef.js"}, // not a whole segment
		{"GET", "/?q=1", "GET /"},
		{"GET", "?q=1", "GET /"},
		{"GET", "//double//slash", "GET //double//slash"},
		{"", "/no/method/9", "/no/method/:id"},
		{"GET", "", "-"},
		{"GET", "/bell\a/\x9b31m/\xff", "GET /bell\uFFFD/\uFFFD31m/\uFFFD"},
	}
	for _, tc := range tests {
		got := string(appendEndpoint(nil, []byte(tc.method), []byte(tc.target)))
		if got != tc.want {
			t.Errorf("appendEndpoint(%q, %q) = %q, want %q", tc.method, tc.target, got, tc.want)
		}
	}
}

func TestAppendEndpointBoundsLength(t *testing.T) {
	long := "/" + strings.Repeat("é", 500)
	got := appendEndpoint([]byte("keep:"), []byte("GET"), []byte(long))
	if !strings.HasPrefix(string(got), "keep:GET /é") {
		t.Fatalf("prefix lost: %q", got[:20])
	}
	if n := len(got) - len("keep:"); n > maxEndpointLen+len("…") {
		t.Errorf("endpoint is %d bytes, want at most %d", n, maxEndpointLen+len("…"))
	}
	if !utf8.Valid(got) || !strings.HasSuffix(string(got), "…") {
		t.Errorf("cut endpoint not valid UTF-8 ending in …: %q", got[len(got)-8:])
	}
}

func TestPrintable(t *testing.T) {
	in := "a\x1b[31mb\x00c\u0085d é"
	got := printable(in)
	if got != "a\uFFFD[31mb\uFFFDc\uFFFDd é" {
		t.Errorf("printable(%q) = %q", in, got)
	}
	for _, r := range got {
		if unicode.IsControl(r) {
			t.Errorf("control character %U left in %q", r, got)
		}
	}
	if s := "/plain/path"; printable(s) != s {
		t.Errorf("printable changed %q", s)
	}
}
