package accesslog

import (
	"bytes"
	"unicode/utf8"
)

// maxEndpointLen bounds an endpoint's length in bytes: paths come from
// clients, and scanners send long ones.
const maxEndpointLen = 200

// unknownEndpoint stands for requests whose line had no HTTP request
// (a TLS handshake on a plain port, an empty request).
const unknownEndpoint = "-"

// appendEndpoint appends "METHOD /path" with the query string dropped,
// numeric ids, UUIDs and long hex ids folded to ":id", control characters
// and invalid UTF-8 replaced by U+FFFD, and the length bounded.
func appendEndpoint(dst, method, target []byte) []byte {
	if len(target) == 0 {
		return append(dst, unknownEndpoint...)
	}
	start := len(dst)
	if len(method) > 0 {
		dst = append(dst, method...)
		dst = append(dst, ' ')
	}
	if i := bytes.IndexAny(target, "?#"); i >= 0 {
		target = target[:i]
	}
	if len(target) == 0 {
		target = []byte("/")
	}
	for len(target) > 0 {
		seg := target
		slash := bytes.IndexByte(target, '/')
		switch {
		case slash == 0:
			dst = append(dst, '/')
			target = target[1:]
			continue
		case slash > 0:
			seg, target = target[:slash], target[slash:]
		default:
			target = nil
		}
		if isID(seg) {
			dst = append(dst, ":id"...)
		} else {
			dst = appendPrintable(dst, seg)
		}
		if len(dst)-start > maxEndpointLen {
			break
		}
	}
	if len(dst)-start > maxEndpointLen {
		cut := start + maxEndpointLen
		for cut > start && !utf8.RuneStart(dst[cut]) {
			cut--
		}
		dst = append(dst[:cut], "…"...)
	}
	return dst
}

// isID reports whether a path segment is an identifier rather than a name:
// all digits, a UUID, or 16 or more hex digits (object ids, hashes).
func isID(seg []byte) bool {
	if len(seg) == 0 {
		return false
	}
	digits := true
	for _, c := range seg {
		if c < '0' || c > '9' {
			digits = false
			break
		}
	}
	if digits {
		return true
	}
	if len(seg) == 36 && seg[8] == '-' && seg[13] == '-' && seg[18] == '-' && seg[23] == '-' {
		for i, c := range seg {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				continue
			}
			if !isHex(c) {
				return false
			}
		}
		return true
	}
	if len(seg) < 16 {
		return false
	}
	for _, c := range seg {
		if !isHex(c) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// appendPrintable appends b with control characters (C0, DEL, C1) and
// invalid UTF-8 replaced by U+FFFD, so that log text never reaches a
// terminal as an escape sequence.
func appendPrintable(dst, b []byte) []byte {
	for len(b) > 0 {
		c := b[0]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				dst = append(dst, "\uFFFD"...)
			} else {
				dst = append(dst, c)
			}
			b = b[1:]
			continue
		}
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError || (r >= 0x80 && r <= 0x9f) {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, b[:size]...)
		}
		b = b[size:]
	}
	return dst
}

// printable returns s made safe for a terminal, as appendPrintable does.
func printable(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return string(appendPrintable(nil, []byte(s)))
		}
	}
	return s
}
