package tui

import (
	"strings"
	"testing"
)

// A summary that does not fit keeps whole sentences, each with its action,
// and says that more follows; one that fits is wrapped as it is.
func TestWrapSummary(t *testing.T) {
	s := "CPU-bound: optimize hot paths, or move to a higher-CPU instance. Saturated: requests queue and CPU is at capacity (14 waiting on gunicorn 127.0.0.1:8000): scale out. Now psi:cpu 51%: not sustained over the window (yet)."
	got := wrapSummary(s, 38, 3)
	want := []string{"CPU-bound: optimize hot paths, or move", "to a higher-CPU instance. …"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("3 lines at 38:\n%q\nwant\n%q", got, want)
	}
	if got := wrapSummary(s, 200, 3); len(got) != 2 || !strings.HasSuffix(got[1], "(yet).") {
		t.Errorf("at 200 columns it fits whole: %q", got)
	}
	if got := wrapSummary("A very long first sentence that cannot fit in one line at all.", 10, 1); len(got) != 1 || !strings.HasSuffix(got[0], "…") {
		t.Errorf("a first sentence too long is cut: %q", got)
	}
	if got := sentences("p95 1.5 s at 127.0.0.1. Next one."); len(got) != 2 || got[0] != "p95 1.5 s at 127.0.0.1." {
		t.Errorf("sentences: %q", got)
	}
}

// A line of figures too wide keeps whole figures and says more follows.
func TestFitParts(t *testing.T) {
	s := "queue 48/2048 · busy 2/2 · psi mem 0 io 3 · oom 0 · fds 2%"
	for w, want := range map[int]string{
		80: s + strings.Repeat(" ", 80-len([]rune(s))),
		40: "queue 48/2048 · busy 2/2 …              ",
		30: "queue 48/2048 · busy 2/2 …    ",
		10: "queue 48/…",
	} {
		if got := fitParts(s, w); got != want {
			t.Errorf("fitParts at %d = %q, want %q", w, got, want)
		}
	}
}
