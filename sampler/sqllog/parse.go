// Package sqllog reads SQL query logs — Django's django.db.backends debug
// log and PostgreSQL's duration log — and ranks the statements in them by
// the time they take, naming N+1 loops and their Django fix.
package sqllog

import (
	"strconv"
	"strings"
	"time"
)

// Kind says what a log line is, for the parser that assembles statements.
type Kind int

// The kinds of line ParseLine recognises.
const (
	Unknown     Kind = iota // not a line of a known format (or a continuation)
	Django                  // "(0.002) SELECT …; args=(1,)", complete on its line unless args= is missing
	PgStatement             // Postgres "LOG:  duration: … ms  statement: …" or "LOG:  statement: …"
	PgDuration              // Postgres "LOG:  duration: … ms" alone: the time of the session's last statement
	PgOther                 // another Postgres record (DETAIL, ERROR, parse/bind durations): ends a statement
)

// Line is one parsed log line.
type Line struct {
	Kind     Kind
	Duration time.Duration
	Timed    bool   // Duration was in the line
	SQL      string // the statement text as far as this line has it
	Complete bool   // Django: the "; args=" tail was on this line
	Session  string // Postgres backend pid or Django process id from the prefix, when present
	Request  string // request id from the prefix, when present
}

// pgSeverities are Postgres's stderr record markers; a line carrying one
// starts a new record, so it cannot continue a multi-line statement.
var pgSeverities = []string{"LOG:  ", "ERROR:  ", "DETAIL:  ", "STATEMENT:  ", "HINT:  ", "CONTEXT:  ",
	"WARNING:  ", "FATAL:  ", "PANIC:  ", "NOTICE:  ", "INFO:  ", "DEBUG:  ", "DEBUG1:  ", "DEBUG2:  ",
	"DEBUG3:  ", "DEBUG4:  ", "DEBUG5:  ", "LOCATION:  "}

// djangoZero is the time counted for a Django "(0.000)": Django rounds to
// the millisecond, so the run took somewhere in [0, 0.5) ms. Counting it as
// zero would rank a loop of 2,000 such lookups below a single 3 ms query.
const djangoZero = 250 * time.Microsecond

// maxSeconds bounds a logged duration (a week): larger numbers are not
// durations, and would overflow time.Duration.
const maxSeconds = 7 * 24 * 3600

// maxPrefix bounds the logging prefix (time, level, logger, ids) searched
// before Django's "(duration)", so SQL text is not mistaken for a prefix.
const maxPrefix = 256

// ParseLine recognises one line of a query log. It never fails: a line of
// no known format is Kind Unknown.
func ParseLine(s string) Line {
	// Whichever marker comes first wins: a Postgres severity inside a
	// Django statement's SQL is text, and so is a "(0.1) " in Postgres's.
	dl, dAt, dOK := parseDjango(s)
	if sev, pAt := pgMarker(s); pAt >= 0 && (!dOK || pAt < dAt) {
		return parsePostgres(s, sev, pAt)
	}
	if dOK {
		return dl
	}
	return Line{}
}

// parseDjango reads "[prefix ](0.002) SQL; args=…[; alias=…]".
func parseDjango(s string) (l Line, at int, ok bool) {
	limit := min(len(s), maxPrefix)
	for i := 0; i < limit; i++ {
		if s[i] != '(' || (i > 0 && s[i-1] != ' ' && s[i-1] != '\t' && s[i-1] != ']' && s[i-1] != ':') {
			continue
		}
		end := strings.IndexByte(s[i:], ')')
		if end < 2 {
			continue
		}
		secs, ok := parseDecimal(s[i+1 : i+end])
		ok = ok && secs <= maxSeconds
		rest := s[i+end+1:]
		if !ok || !strings.HasPrefix(rest, " ") {
			continue
		}
		sql := strings.TrimSpace(rest) // "" when the statement starts on the next line
		prefix := s[:i]
		d := time.Duration(secs * float64(time.Second))
		if d == 0 {
			d = djangoZero
		}
		l = Line{Kind: Django, Duration: d, Timed: true,
			Session: bracketedNumber(prefix), Request: requestID(prefix)}
		if a := strings.Index(sql, "; args="); a >= 0 {
			l.SQL, l.Complete = strings.TrimSpace(sql[:a]), true
		} else {
			l.SQL = sql
		}
		return l, i, true
	}
	return Line{}, -1, false
}

// parseDecimal accepts "0.002" and "12.345" (digits, one dot), nothing else.
func parseDecimal(s string) (float64, bool) {
	dot := false
	if s == "" || len(s) > 24 {
		return 0, false
	}
	for _, c := range []byte(s) {
		switch {
		case c == '.' && !dot:
			dot = true
		case c >= '0' && c <= '9':
		default:
			return 0, false
		}
	}
	if !dot || s[0] == '.' || s[len(s)-1] == '.' {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// parsePostgres reads "[prefix]LOG:  duration: 1.2 ms  statement: SQL" and
// its relatives (execute, parse, bind, a duration alone, a statement alone).
func parsePostgres(s, sev string, at int) Line {
	prefix, body := s[:at], s[at+len(sev):]
	l := Line{Kind: PgOther, Session: bracketedNumber(prefix)}
	if sev != "LOG:  " {
		return l
	}
	if rest, ok := strings.CutPrefix(body, "duration: "); ok {
		num, after, ok := strings.Cut(rest, " ms")
		ms, okNum := parseDecimal(num)
		if !ok || !okNum || ms > maxSeconds*1000 {
			return l
		}
		l.Duration, l.Timed = time.Duration(ms*float64(time.Millisecond)), true
		after = strings.TrimLeft(after, " ")
		if after == "" {
			l.Kind = PgDuration
			return l
		}
		body = after
	}
	if sql, ok := strings.CutPrefix(body, "statement: "); ok {
		l.Kind, l.SQL = PgStatement, sql
		return l
	}
	// Extended protocol: "execute <unnamed>: SQL" is the run; parse and
	// bind are steps of the same statement and would count it three times.
	if rest, ok := strings.CutPrefix(body, "execute "); ok {
		if _, sql, ok := strings.Cut(rest, ": "); ok {
			l.Kind, l.SQL = PgStatement, sql
		}
	}
	return l
}

// pgMarker finds the first Postgres severity marker near the start of s.
func pgMarker(s string) (sev string, at int) {
	at = -1
	head := s[:min(len(s), maxPrefix+len("STATEMENT:  "))] // a marker deep in SQL text is not one
	for _, m := range pgSeverities {
		if i := strings.Index(head, m); i >= 0 && (at < 0 || i < at) {
			sev, at = m, i
		}
	}
	return sev, at
}

// bracketedNumber returns the digits of the first "[1234]" or "[1234-1]"
// in a prefix: Postgres's %p, or a process id in a Python log format.
func bracketedNumber(prefix string) string {
	for {
		i := strings.IndexByte(prefix, '[')
		if i < 0 {
			return ""
		}
		prefix = prefix[i+1:]
		j := 0
		for j < len(prefix) && prefix[j] >= '0' && prefix[j] <= '9' {
			j++
		}
		if j > 0 && j < len(prefix) && (prefix[j] == ']' || prefix[j] == '-') {
			return prefix[:j]
		}
	}
}

// requestIDKeys are the key=value names request-id middlewares put in log
// formats.
var requestIDKeys = []string{"request_id=", "request-id=", "req_id=", "rid="}

// requestID returns the value of a request-id key in a prefix, or "".
func requestID(prefix string) string {
	for _, k := range requestIDKeys {
		i := strings.Index(prefix, k)
		if i < 0 || (i > 0 && isWordByte(prefix[i-1])) {
			continue
		}
		v := prefix[i+len(k):]
		if e := strings.IndexAny(v, " \t],;"); e >= 0 {
			v = v[:e]
		}
		if v != "" && v != "-" && v != "None" {
			return v
		}
	}
	return ""
}

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
