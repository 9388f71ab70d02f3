package saturation

import (
	"strings"
	"unicode"
)

// clean replaces control characters (escape sequences included) and
// invalid UTF-8 with U+FFFD: process names, kernel log text and family
// names come from outside and may end up on a terminal.
func clean(s string) string {
	ok := true
	for _, c := range s {
		if c == unicode.ReplacementChar || unicode.IsControl(c) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	return strings.Map(func(c rune) rune {
		if unicode.IsControl(c) {
			return unicode.ReplacementChar
		}
		return c
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
