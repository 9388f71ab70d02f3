package themes

import (
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
		st := New(p)
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
	mono := New(Builtin[len(Builtin)-1])
	if out := mono.Crit.Render("SCALE"); containsColour(out) {
		t.Errorf("mono renders colour: %q", out)
	}
}

func containsColour(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == 0x1b && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && s[j] != 'm' {
				if (s[j] == '3' || s[j] == '4') && j+1 < len(s) && (s[j+1] >= '0' && s[j+1] <= '8') && (j == i+2 || s[j-1] == ';') {
					return true
				}
				j++
			}
		}
	}
	return false
}
