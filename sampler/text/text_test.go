package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPrintable(t *testing.T) {
	const sub = "\uFFFD"
	cases := []struct{ name, in, want string }{
		{"plain ascii", "gunicorn app.wsgi -w 3", "gunicorn app.wsgi -w 3"},
		{"empty", "", ""},
		{"unicode kept", "café 日本 😀 ±5%", "café 日本 😀 ±5%"},
		{"a real U+FFFD is kept", "a\uFFFDb", "a\uFFFDb"},
		{"OSC title", "\x1b]0;pwned\x07", sub + "]0;pwned" + sub},
		{"CSI blink", "\x1b[5mdisk", sub + "[5mdisk"},
		{"tab newline CR", "a\tb\nc\rd", "a" + sub + "b" + sub + "c" + sub + "d"},
		{"NUL and DEL", "a\x00b\x7f", "a" + sub + "b" + sub},
		{"C1 CSI as UTF-8", "x\u009b5my", "x" + sub + "5my"},
		{"C1 range ends", "\u0080\u009f\u00a0", sub + sub + "\u00a0"},
		{"raw 8-bit CSI byte", "x\x9b5m", "x" + sub + "5m"},
		{"invalid UTF-8, one substitute per byte", "a\xff\xfeb", "a" + sub + sub + "b"},
		{"cut multi-byte rune", "ab\xe6\x97", "ab" + sub + sub},
		{"surrogate half", "\xed\xa0\x80", sub + sub + sub},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Printable(c.in); got != c.want {
				t.Errorf("Printable(%q) = %q, want %q", c.in, got, c.want)
			}
			if IsPrintable(c.in) != (c.in == c.want) {
				t.Errorf("IsPrintable(%q) = %v", c.in, IsPrintable(c.in))
			}
		})
	}
}

// The common case, a clean string, costs no allocation: Printable runs on
// every process name and command line of every sample.
func TestPrintableCleanDoesNotAllocate(t *testing.T) {
	s := strings.Repeat("python3 manage.py runserver café ", 8)
	var out string
	allocs := testing.AllocsPerRun(100, func() { out = Printable(s) })
	if allocs != 0 {
		t.Errorf("%v allocations for a clean string, want 0", allocs)
	}
	if out != s {
		t.Errorf("clean string changed: %q", out)
	}
}

func FuzzPrintable(f *testing.F) {
	for _, s := range []string{"", "gunicorn", "\x1b]0;pwned\x07", "\x1b[5m", "\u009b", "\xff", "日本\xe6\x97", "a\tb\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Printable(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Printable(%q) = %q is not valid UTF-8", s, out)
		}
		for i := 0; i < len(out); i++ {
			if c := out[i]; c < 0x20 || c == 0x7f {
				t.Fatalf("Printable(%q) = %q holds byte %#x", s, out, c)
			}
		}
		for _, r := range out {
			if r >= 0x80 && r <= 0x9f {
				t.Fatalf("Printable(%q) = %q holds C1 %U", s, out, r)
			}
		}
		if Printable(out) != out || !IsPrintable(out) {
			t.Fatalf("Printable is not idempotent on %q", s)
		}
		// Nothing but bad characters is touched: valid, control-free input comes back whole.
		if utf8.ValidString(s) && !strings.ContainsFunc(s, isControl) && out != s {
			t.Fatalf("Printable(%q) = %q changed a clean string", s, out)
		}
		if utf8.RuneCountInString(out) > len(s) {
			t.Fatalf("more runes out (%d) than bytes in (%d)", utf8.RuneCountInString(out), len(s))
		}
	})
}

// Bidirectional controls reorder what a terminal shows: replaced too.
func TestBidiControls(t *testing.T) {
	if got := Printable("rm\u202e-rf /\u2066x\u2069"); got != "rm\uFFFD-rf /\uFFFDx\uFFFD" {
		t.Errorf("got %q", got)
	}
}

// Fold makes any text one line, and cuts it where asked.
func TestFold(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"SELECT *\n  FROM\tlab_item\r\n", 0, "SELECT * FROM lab_item"},
		{"a\x1b[5mb", 0, "a\uFFFD[5mb"},
		{"SELECT id FROM t WHERE x = 1", 10, "SELECT id …"},
		{"short", 10, "short"},
	}
	for _, c := range cases {
		if got := Fold(c.in, c.max); got != c.want {
			t.Errorf("Fold(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}
