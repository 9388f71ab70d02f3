package main

import (
	"slices"
	"strings"
	"testing"
)

func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string]string{
		"bash": "complete -o default -o bashdefault -C headroom headroom",
		"zsh":  "#compdef headroom",
		"fish": `complete -f -c headroom -a "(__complete_headroom)"`,
	} {
		code, out, stderr := runCLI(t, "completion", shell)
		if code != exitOK || !strings.Contains(out, want) || stderr != "" {
			t.Errorf("completion %s: exit %d, stdout %q, stderr %q", shell, code, out, stderr)
		}
	}
	code, out, stderr := runCLI(t, "completion", "tcsh")
	if code != exitBadInput || out != "" || !strings.Contains(stderr, `"bash","zsh","fish"`) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("completion tcsh: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

// TestCompletionFromModel answers the shell as bash's complete -C does: the
// candidates are the kong model's commands and flags, hidden ones left out.
func TestCompletionFromModel(t *testing.T) {
	complete := func(line string) []string {
		t.Helper()
		t.Setenv("COMP_LINE", line)
		t.Setenv("COMP_POINT", "")
		words := strings.Fields(line)
		code, out, stderr := runCLI(t, "headroom", words[len(words)-1], words[len(words)-2])
		if code != exitOK || stderr != "" {
			t.Fatalf("completing %q: exit %d, stderr %q", line, code, stderr)
		}
		return strings.Fields(out)
	}
	if got := complete("headroom rec"); !slices.Equal(got, []string{"record"}) {
		t.Errorf("headroom rec<Tab>: %q, want record", got)
	}
	if got := complete("headroom com"); !slices.Contains(got, "completion") || !slices.Contains(got, "compare") {
		t.Errorf("headroom com<Tab>: %q, want compare and completion", got)
	}
	if got := complete("headroom once --js"); !slices.Equal(got, []string{"--json"}) {
		t.Errorf("headroom once --js<Tab>: %q, want --json", got)
	}
	if got := complete("headroom completion f"); !slices.Equal(got, []string{"fish"}) {
		t.Errorf("headroom completion f<Tab>: %q, want fish (the enum)", got)
	}
}
