package main

import (
	"fmt"
	"time"

	"github.com/headroom-dev/headroom/advisor"
)

// provisionalWord marks a verdict judged on less than a fifth of its
// window, beside the verdict itself, so it is read with it.
func provisionalWord(a advisor.Advice) string {
	if a.Provisional {
		return " (provisional)"
	}
	return ""
}

// provisionalNote says how little of the window a verdict has seen: a
// live run sampling for less than the window, or a short recording.
func provisionalNote(a advisor.Advice, sampled time.Duration) string {
	window := time.Duration(a.WindowS * float64(time.Second))
	switch {
	case sampled > 0 && sampled < window && a.Provisional:
		return fmt.Sprintf("provisional: --for %s samples less than a fifth of the %s window (--window sets it)",
			advisor.FormatDuration(sampled), fmtDur(a.WindowS))
	case sampled > 0 && sampled < window:
		return fmt.Sprintf("--for %s is shorter than the %s window: judged on what it sampled",
			advisor.FormatDuration(sampled), fmtDur(a.WindowS))
	case a.Provisional:
		return fmt.Sprintf("provisional: %s covered, less than a fifth of the %s window", fmtDur(a.CoveredS), fmtDur(a.WindowS))
	}
	return ""
}
