// Package text makes strings that came from outside the program (process
// names, command lines, user names, mount points, recordings) safe to show on
// a terminal.
//
// A terminal acts on control characters: ESC starts a CSI or OSC sequence
// that can move the cursor, blink, or set the window title; the 8-bit C1
// codes (U+0080–U+009F) do the same on terminals that honour them. Any local
// user can name a process or a mount with such bytes, so every string read
// from /proc, the mount table or a recording passes through Printable before
// it is stored in a Snapshot.
package text

import (
	"strings"
	"unicode/utf8"
)

// Substitute replaces each control character and each byte of invalid UTF-8.
//
// U+FFFD (the replacement character) rather than '?': it is what Go itself
// puts in place of invalid UTF-8, it is one column wide, and it cannot be
// mistaken for a real '?' in a command line or URL (a query string).
const Substitute = '\uFFFD'

// Printable returns s with every control character (C0 U+0000–U+001F,
// DEL U+007F, C1 U+0080–U+009F, ESC among them) and every byte of invalid
// UTF-8 replaced by Substitute; all other Unicode is kept as it is. Tabs and
// newlines are control characters too: one string is one line on screen.
// When nothing needs replacing, s itself is returned without allocating.
func Printable(s string) string {
	i := firstUnprintable(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	// Each replaced byte may grow to three (U+FFFD); most strings need one or two.
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if isControl(rune(c)) {
				b.WriteRune(Substitute)
			} else {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || isControl(r) {
			b.WriteRune(Substitute) // one per bad byte; strings.ToValidUTF8 would merge a run into one
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// IsPrintable reports whether Printable would return s unchanged.
func IsPrintable(s string) bool { return firstUnprintable(s) < 0 }

// firstUnprintable is the byte offset of the first control character or
// invalid UTF-8 in s, or -1.
func firstUnprintable(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if isControl(rune(c)) {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || isControl(r) {
			return i
		}
		i += size
	}
	return -1
}

// isControl reports whether r is in Unicode category Cc (C0, DEL, C1), a
// line or paragraph separator, or a bidirectional control: those reorder
// what a terminal shows (text that reads other than it is).
func isControl(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == '\u2028' || r == '\u2029' ||
		(r >= 0x200e && r <= 0x200f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x061c
}

// Fold is Printable for text that is one line on screen however it was
// written (a statement, an error from a service): runs of spaces, tabs and
// newlines become one space, the ends are trimmed, and with max > 0 it is
// cut to max runes, the cut marked "…".
func Fold(s string, max int) string {
	s = Printable(strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r'
	}), " "))
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}
