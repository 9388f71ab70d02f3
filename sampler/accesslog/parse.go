package accesslog

import (
	"bytes"
	"math"
)

// Format names the log layout a line was recognised as.
type Format uint8

// The layouts Parse recognises, detected per line.
const (
	FormatNone     Format = iota // not an access-log line
	FormatCombined               // combined or common log format without a time
	FormatSeconds                // combined + one decimal time in seconds: gunicorn %(L)s, nginx $request_time alone
	FormatMicros                 // combined + one integer time in microseconds: gunicorn %(D)s
	FormatNginx                  // combined + $request_time $upstream_response_time
	FormatJSON                   // one JSON object per line
)

// String names the format for status lines and tests.
func (f Format) String() string {
	switch f {
	case FormatCombined:
		return "combined"
	case FormatSeconds:
		return "combined+seconds"
	case FormatMicros:
		return "combined+micros"
	case FormatNginx:
		return "nginx"
	case FormatJSON:
		return "json"
	}
	return "none"
}

// Request is one parsed log line. Method and Target point into the line (or
// the Parser's scratch space) and are valid only until the next Parse.
type Request struct {
	Status  int     // HTTP status, 100..599
	Method  []byte  // request method; empty when the request line was not HTTP
	Target  []byte  // path as logged, query included; empty when unknown
	Seconds float64 // request time; meaningful only when Timed
	Timed   bool    // whether the line carried a request time
	Format  Format
}

// Parser turns access-log lines into Requests without allocating for the
// common formats. A Parser is not safe for concurrent use.
type Parser struct {
	scratch []byte // unescaped JSON strings
}

// Parse recognises one line (without its newline). ok is false when the
// line is no access-log line this package knows; that is never an error.
func (p *Parser) Parse(line []byte) (r Request, ok bool) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return Request{}, false
	}
	if line[0] == '{' {
		return p.parseJSON(line)
	}
	return parseCombined(line)
}

// parseCombined reads `addr ident user [time] "request" status bytes`, then
// optionally `"referer" "agent"` and trailing time fields. Quotes inside the
// request or user agent (raw in gunicorn, \" elsewhere) do not break it: the
// request ends at the quote followed by a status, and the time fields are
// whatever follows the last quote of the line.
func parseCombined(line []byte) (Request, bool) {
	var r Request
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return r, false
	}
	open := bytes.Index(line[sp:], []byte(" ["))
	if open < 0 {
		return r, false
	}
	open += sp + 2
	end := bytes.Index(line[open:], []byte(`] "`))
	if end < 0 {
		return r, false
	}
	reqStart := open + end + 3
	reqEnd, status, afterStatus := findRequestEnd(line, reqStart)
	if reqEnd < 0 {
		return r, false
	}
	r.Status = status
	r.Method, r.Target = splitRequestLine(line[reqStart:reqEnd])
	rest := line[afterStatus:]
	// body bytes: digits or "-"
	n := 0
	for n < len(rest) && rest[n] != ' ' {
		if c := rest[n]; c != '-' && (c < '0' || c > '9') {
			return Request{}, false
		}
		n++
	}
	if n == 0 {
		return Request{}, false
	}
	rest = rest[n:]
	r.Format = FormatCombined
	if len(rest) == 0 {
		return r, true
	}
	q := bytes.LastIndexByte(rest, '"')
	if q < 0 {
		return r, true
	}
	tail := rest[q+1:]
	first, more := nextField(tail)
	switch {
	case len(first) == 0 || (len(first) == 1 && first[0] == '-'):
		if len(more) > 0 {
			r.Format = FormatNginx
		}
	case len(more) > 0:
		if v, isInt, ok := parseDecimal(first); ok && !isInt {
			r.Seconds, r.Timed, r.Format = v, true, FormatNginx
		}
	default:
		if v, isInt, ok := parseDecimal(first); ok {
			if isInt {
				r.Seconds, r.Timed, r.Format = v/1e6, true, FormatMicros
			} else {
				r.Seconds, r.Timed, r.Format = v, true, FormatSeconds
			}
		}
	}
	return r, true
}

// findRequestEnd finds the closing quote of the request: the first `"`
// after start that is followed by ` NNN ` with NNN a status. It returns the
// quote's index, the status and the index after the status and its space.
func findRequestEnd(line []byte, start int) (end, status, after int) {
	for i := start; i < len(line); i++ {
		if line[i] != '"' {
			continue
		}
		if i+5 >= len(line) || line[i+1] != ' ' || line[i+5] != ' ' {
			continue
		}
		s := 0
		digits := true
		for _, c := range line[i+2 : i+5] {
			if c < '0' || c > '9' {
				digits = false
				break
			}
			s = s*10 + int(c-'0')
		}
		if digits && s >= 100 && s <= 599 {
			return i, s, i + 6
		}
	}
	return -1, 0, 0
}

// splitRequestLine splits `METHOD target HTTP/x` into method and target;
// anything else (a TLS handshake on a plain port, "-") gives neither.
func splitRequestLine(req []byte) (method, target []byte) {
	sp := bytes.IndexByte(req, ' ')
	if sp <= 0 || sp > 20 {
		return nil, nil
	}
	for _, c := range req[:sp] {
		if (c < 'A' || c > 'Z') && c != '-' && c != '_' {
			return nil, nil
		}
	}
	target = req[sp+1:]
	if last := bytes.LastIndexByte(target, ' '); last >= 0 && bytes.HasPrefix(target[last+1:], []byte("HTTP/")) {
		target = target[:last]
	}
	target = pathOf(target)
	if target == nil {
		return nil, nil
	}
	return req[:sp], target
}

// pathOf returns the path part of a request target: itself when it starts
// with "/" or is "*", the part after the host for an absolute URL, nil
// otherwise.
func pathOf(t []byte) []byte {
	if len(t) == 0 {
		return nil
	}
	if t[0] == '/' || (len(t) == 1 && t[0] == '*') {
		return t
	}
	for _, scheme := range [][]byte{[]byte("http://"), []byte("https://")} {
		if len(t) >= len(scheme) && bytes.EqualFold(t[:len(scheme)], scheme) {
			rest := t[len(scheme):]
			if i := bytes.IndexAny(rest, "/?#"); i >= 0 {
				if rest[i] == '/' {
					return rest[i:]
				}
			}
			return []byte("/")
		}
	}
	return nil
}

// nextField returns the first space-separated field of b and what follows it.
func nextField(b []byte) (field, rest []byte) {
	i := 0
	for i < len(b) && b[i] == ' ' {
		i++
	}
	j := i
	for j < len(b) && b[j] != ' ' {
		j++
	}
	rest = b[j:]
	for len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	return b[i:j], rest
}

// parseDecimal reads digits with an optional fraction ("0.003", "1234")
// without allocating; isInt tells whether there was no decimal point.
func parseDecimal(b []byte) (v float64, isInt, ok bool) {
	if len(b) == 0 || len(b) > 24 {
		return 0, false, false
	}
	isInt = true
	var mant uint64
	scale := 0
	digits := 0
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			if mant > (math.MaxUint64-9)/10 {
				return 0, false, false
			}
			mant = mant*10 + uint64(c-'0')
			digits++
			if !isInt {
				scale++
			}
		case c == '.' && isInt && i > 0:
			isInt = false
		default:
			return 0, false, false
		}
	}
	if digits == 0 || b[len(b)-1] == '.' {
		return 0, false, false
	}
	return float64(mant) / math.Pow10(scale), isInt, true
}
