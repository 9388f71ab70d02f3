package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/headroom-dev/headroom/advisor"
)

// bytesIEC prints a size as htop does: 1023K, 51.2M, 23.5G.
func bytesIEC(b float64) string {
	units := []string{"B", "K", "M", "G", "T", "P"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	switch {
	case i == 0:
		return fmt.Sprintf("%.0f%s", b, units[i])
	case b < 10:
		return fmt.Sprintf("%.1f%s", b, units[i])
	}
	return fmt.Sprintf("%.0f%s", b, units[i])
}

// uptime prints seconds as "3d 4h", "4h 12m" or "12m".
func uptime(sec float64) string {
	d := time.Duration(sec) * time.Second
	days := int(d.Hours()) / 24
	h := int(d.Hours()) % 24
	m := int(d.Minutes()) % 60
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, h)
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	}
	return fmt.Sprintf("%dm", m)
}

// ago prints how far back a moment is: "-1m23s".
func ago(d time.Duration) string {
	d = d.Round(time.Second)
	if d <= 0 {
		return "" // at the newest moment: "live" read wrong on a replay
	}
	return "-" + d.String()
}

// fit pads or cuts s (which may hold ANSI styles) to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := ansi.StringWidth(s)
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = ansi.StringWidth(s) // w, or w-1 where a wide rune did not fit
	}
	return s + strings.Repeat(" ", w-n)
}

// fitParts fits a line of " · "-joined figures to w keeping whole ones:
// those that do not fit are left out for a "…", never cut to "psi mem 0
// io …". A first figure wider than w is cut, as fit does.
func fitParts(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return fit(s, w)
	}
	parts := strings.Split(s, " · ")
	line := parts[0]
	for _, p := range parts[1:] {
		if ansi.StringWidth(line)+3+ansi.StringWidth(p)+2 > w { // " · " and " …"
			break
		}
		line += " · " + p
	}
	return fit(line+" …", w)
}

// wrap breaks plain text into at most max lines of width w, ending the
// last with "…" when it does not fit.
func wrap(s string, w, max int) []string {
	if w <= 0 || max <= 0 {
		return nil
	}
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case ansi.StringWidth(line)+1+ansi.StringWidth(word) <= w:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	if len(lines) > max {
		lines = lines[:max]
		lines[max-1] = ansi.Truncate(lines[max-1]+" …", w, "…")
		if !strings.HasSuffix(lines[max-1], "…") {
			lines[max-1] = ansi.Truncate(lines[max-1], w-1, "") + "…"
		}
	}
	for i := range lines {
		lines[i] = ansi.Truncate(lines[i], w, "…")
	}
	return lines
}

// compactNum prints a figure in at most four cells and its unit: 92%, 371ms, 1.2k.
func compactNum(v float64, unit advisor.Unit) string {
	var s string
	if unit == advisor.Millis && math.Abs(v) >= 999.5 {
		// A second and more reads in seconds: 1.3s, not 1.3kms.
		if math.Abs(v) >= 99950 {
			return fmt.Sprintf("%3.0fs", v/1000)
		}
		return fmt.Sprintf("%.1fs", v/1000)
	}
	switch a := math.Abs(v); {
	case a >= 9999.5:
		s = fmt.Sprintf("%.0fk", v/1000)
	case a >= 999.5:
		s = fmt.Sprintf("%.1fk", v/1000)
	default:
		s = fmt.Sprintf("%3.0f", v)
	}
	return s + string(unit)
}

// wrapText wraps plain text to width w.
func wrapText(s string, w int) string { return strings.Join(wrap(s, w, 100), "\n") }

func trimFloat(f float64) string {
	if f == math.Trunc(f) {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.1f", f)
}

// shortDur prints seconds as advisor.FormatDuration does: 5m, 4m59s.
func shortDur(sec float64) string {
	return advisor.FormatDuration(time.Duration(sec * float64(time.Second)))
}

// wrapSummary wraps the advisor's summary into at most max lines. Each of
// its sentences ends with what to do ("scale out", "add workers"), so when
// they do not all fit it keeps whole sentences from the first and marks
// that more follows, rather than cutting the last one shown before its
// action. A first sentence longer than max lines is cut, as wrap does.
func wrapSummary(s string, w, max int) []string {
	all := wrap(s, w, 1<<20)
	if len(all) <= max {
		return all
	}
	var kept []string
	var lines []string
	for _, sentence := range sentences(s) {
		try := wrap(strings.Join(append(kept, sentence), " "), w, 1<<20)
		if len(try) > max {
			break
		}
		kept, lines = append(kept, sentence), try
	}
	if len(kept) == 0 {
		return wrap(s, w, max)
	}
	if last := lines[len(lines)-1]; ansi.StringWidth(last)+2 <= w {
		lines[len(lines)-1] = last + " …"
	} else if len(lines) < max {
		lines = append(lines, "…")
	}
	return lines
}

// sentences splits a summary after each ". " that a capital letter
// follows ("1.5 s" and "127.0.0.1" stay whole).
func sentences(s string) []string {
	var out []string
	start := 0
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '.' && s[i+1] == ' ' && s[i+2] >= 'A' && s[i+2] <= 'Z' {
			out = append(out, s[start:i+1])
			start = i + 2
		}
	}
	return append(out, s[start:])
}
