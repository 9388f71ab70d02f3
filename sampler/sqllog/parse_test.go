package sqllog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseLine(t *testing.T) {
	cases := []struct {
		name, line string
		want       Line
	}{
		{"django 3.2", `(0.002) SELECT "a"."id" FROM "a" WHERE "a"."id" = 1; args=(1,)`,
			Line{Kind: Django, Duration: 2 * time.Millisecond, Timed: true, Complete: true, SQL: `SELECT "a"."id" FROM "a" WHERE "a"."id" = 1`}},
		{"django 4.x", `(0.120) SELECT 1; args=(); alias=default`,
			Line{Kind: Django, Duration: 120 * time.Millisecond, Timed: true, Complete: true, SQL: `SELECT 1`}},
		{"django prefix", `2026-11-27 11:23:32,462 DEBUG django.db.backends (0.010) SELECT 1; args=None`,
			Line{Kind: Django, Duration: 10 * time.Millisecond, Timed: true, Complete: true, SQL: `SELECT 1`}},
		{"django pid and request id", `t DEBUG [4101] request_id=a1b2 django.db.backends (0.001) SELECT 1; args=(); alias=default`,
			Line{Kind: Django, Duration: time.Millisecond, Timed: true, Complete: true, SQL: `SELECT 1`, Session: "4101", Request: "a1b2"}},
		{"django zero is half the resolution", `(0.000) SELECT 1; args=()`,
			Line{Kind: Django, Duration: djangoZero, Timed: true, Complete: true, SQL: `SELECT 1`}},
		{"django statement on the next lines", `x DEBUG django.db.backends (0.063) `,
			Line{Kind: Django, Duration: 63 * time.Millisecond, Timed: true}},
		{"pg duration statement", `2026-11-27 10:00:01.001 UTC [2301] app@shop LOG:  duration: 12.345 ms  statement: SELECT 1`,
			Line{Kind: PgStatement, Duration: 12345 * time.Microsecond, Timed: true, SQL: "SELECT 1", Session: "2301"}},
		{"pg no prefix", `LOG:  duration: 0.500 ms  statement: SELECT 2`,
			Line{Kind: PgStatement, Duration: 500 * time.Microsecond, Timed: true, SQL: "SELECT 2"}},
		{"pg execute", `[77-1] LOG:  duration: 1.000 ms  execute S_1: SELECT $1`,
			Line{Kind: PgStatement, Duration: time.Millisecond, Timed: true, SQL: "SELECT $1", Session: "77"}},
		{"pg parse is not a run", `LOG:  duration: 1.000 ms  parse <unnamed>: SELECT $1`, Line{Kind: PgOther, Duration: time.Millisecond, Timed: true}},
		{"pg statement alone", `[9] LOG:  statement: BEGIN`, Line{Kind: PgStatement, SQL: "BEGIN", Session: "9"}},
		{"pg duration alone", `[9] LOG:  duration: 2.000 ms`, Line{Kind: PgDuration, Duration: 2 * time.Millisecond, Timed: true, Session: "9"}},
		{"pg detail", `[9] DETAIL:  parameters: $1 = '1'`, Line{Kind: PgOther, Session: "9"}},
		{"a severity inside django sql", `(0.001) INSERT INTO t VALUES ('LOG:  x'); args=()`,
			Line{Kind: Django, Duration: time.Millisecond, Timed: true, Complete: true, SQL: `INSERT INTO t VALUES ('LOG:  x')`}},
		{"a django duration inside pg sql", `[5] LOG:  duration: 1.500 ms  statement: SELECT (0.1) + 1`,
			Line{Kind: PgStatement, Duration: 1500 * time.Microsecond, Timed: true, SQL: "SELECT (0.1) + 1", Session: "5"}},
		{"not a duration", `(abc) SELECT 1; args=()`, Line{}},
		{"a number without a dot", `(12) SELECT 1; args=()`, Line{}},
		{"prose", `Not Found: /favicon.ico`, Line{}},
		{"empty", ``, Line{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ParseLine(c.line); got != c.want {
				t.Errorf("ParseLine(%q)\n got %+v\nwant %+v", c.line, got, c.want)
			}
		})
	}
}

// A "LOG:  " deep inside a Django statement is SQL text, not a Postgres record.
func TestPostgresMarkerInSQLIsNotARecord(t *testing.T) {
	line := `(0.004) SELECT ` + strings.Repeat(`"a", `, 60) + `'LOG:  duration: 1.0 ms  statement: x'; args=()`
	if got := ParseLine(line); got.Kind != Django || got.Duration != 4*time.Millisecond {
		t.Errorf("got %+v", got)
	}
}

// FuzzParseLine: no line makes the parser panic, and what it returns
// is consistent (a statement has text; durations are never negative).
func FuzzParseLine(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.log")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			f.Add(line)
		}
	}
	f.Add("(0.1) ; args=")
	f.Add("[1-] LOG:  duration:  ms")
	f.Fuzz(func(t *testing.T, line string) {
		l := ParseLine(line)
		if l.Duration < 0 {
			t.Errorf("negative duration %v from %q", l.Duration, line)
		}
		if l.Kind == PgStatement && l.SQL == "" && !strings.Contains(line, "statement: ") && !strings.Contains(line, "execute ") {
			t.Errorf("statement without text from %q", line)
		}
		if l.Kind == Unknown && (l != Line{}) {
			t.Errorf("unknown line with fields %+v", l)
		}
		p := NewParser(func(Statement) {})
		p.Line(line)
		p.Flush()
		if p.Lines != 1 || p.Unparsed > 1 {
			t.Errorf("lines %d unparsed %d", p.Lines, p.Unparsed)
		}
	})
}
