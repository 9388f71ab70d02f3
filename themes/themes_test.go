package themes

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

func TestBuiltinThemes(t *testing.T) {
	if len(Builtin) < 4 {
		t.Fatalf("%d themes, want at least 4", len(Builtin))
	}
	if _, ok := ByName("mono"); !ok {
		t.Fatal("no mono theme")
	}
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	for _, p := range Builtin {
		st := New(p, termenv.TrueColor)
		// Every colour theme must tell the three levels apart.
		if p.Colour {
			a, b, c := st.OK.Render("x"), st.Warn.Render("x"), st.Crit.Render("x")
			if a == b || b == c || a == c {
				t.Errorf("%s: levels look the same", p.Name)
			}
			if p.Fg == "" || p.Crit == "" || p.HeaderBg == "" {
				t.Errorf("%s: colours missing", p.Name)
			}
		}
	}
	mono := New(Builtin[len(Builtin)-1], termenv.TrueColor)
	if out := mono.Crit.Render("SCALE"); containsColour(out) {
		t.Errorf("mono renders colour: %q", out)
	}
	// Degraded palettes: 256 and 16 colours get colour numbers, never hex.
	dark, _ := ByName("dark")
	lipgloss.SetColorProfile(termenv.ANSI256)
	if out := New(dark, termenv.ANSI256).Crit.Render("x"); !strings.Contains(out, "38;5;") {
		t.Errorf("256 colours: %q", out)
	}
	lipgloss.SetColorProfile(termenv.ANSI)
	if out := New(dark, termenv.ANSI).Crit.Render("x"); containsColour(out) == false || strings.Contains(out, "38;5;") || strings.Contains(out, "38;2;") {
		t.Errorf("16 colours: %q", out)
	}
}

var sgr = regexp.MustCompile(`\x1b\[([0-9;]*)m`)

// containsColour reports whether s sets a foreground or background colour.
func containsColour(s string) bool {
	for _, m := range sgr.FindAllStringSubmatch(s, -1) {
		for _, p := range strings.Split(m[1], ";") {
			n, err := strconv.Atoi(p)
			if err == nil && ((n >= 30 && n <= 38) || (n >= 40 && n <= 48) || (n >= 90 && n <= 97) || (n >= 100 && n <= 107)) {
				return true
			}
		}
	}
	return false
}
