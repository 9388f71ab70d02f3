package sqllog

import (
	"bytes"
	"compress/gzip"
	"os"
	"reflect"
	"strings"
	"testing"
)

// readFixture reads testdata/name into a report.
func readFixture(t *testing.T, name string, top int) Report {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l := NewLog()
	if _, err := l.ReadFrom(f); err != nil {
		t.Fatal(err)
	}
	return l.Report(top)
}

func TestFixtures(t *testing.T) {
	cases := []struct {
		file                   string
		lines, unparsed, count int
		firstPrefix            string // start of the top fingerprint
		firstCount             int
		firstTotalMS           float64
		n1Table, n1Fix         string
		n1Run, n1Count         int
		summary                string
	}{
		// Real Django 3.2 output from the lab: a multi-line introspection
		// statement (63 ms once), a schema line (unparsed), the N+1 of /db/.
		{"django32_prefix.log", 43, 1, 36,
			"SELECT name, type FROM sqlite_master WHERE type IN ( ? )", 2, 63.25,
			"lab_category", "select_related('category')", 30, 30,
			"1 statement takes 88 % of query time; it is called 2 times, 31.6 ms each on average; also an N+1 on lab_category (runs of 30): select_related('category')"},
		{"django32_plain.log", 18, 1, 17,
			"SELECT COUNT ( * ) FROM lab_item WHERE lab_item.name LIKE ?", 2, 215,
			"lab_item", "prefetch_related('item_set')", 12, 12, "1 statement takes 87 % of query time"},
		// Interleaved per request: only the request ids show the loops.
		{"django4_prefix.log", 63, 0, 63,
			"SELECT lab_tag.id, lab_tag.name FROM lab_tag INNER JOIN lab_item_tags", 30, 60,
			"lab_tag", "prefetch_related('tags')", 15, 30,
			"2 statements take 85 % of query time; the first is called 30 times in runs of 15 — an N+1 on lab_tag: prefetch_related('tags'); also an N+1 on lab_category (runs of 15): select_related('category')"},
		{"django4_plain.log", 11, 0, 11,
			"SELECT lab_item.id FROM lab_item WHERE lab_item.name = ?", 1, 30,
			"lab_category", "select_related('category')", 10, 10, "the first is called once, 30 ms;"},
		// Multi-line statements, execute (not parse/bind), statements
		// paired with their session's duration line, an untimed BEGIN.
		{"postgres.log", 25, 1, 6,
			"SELECT o.id, o.total FROM orders o WHERE o.customer_id = ? AND o.created_at > ? ORDER BY o.created_at DESC", 2, 23,
			"", "", 0, 0, "2 statements take 99 % of query time; the first is called 2 times, 11.5 ms each on average"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			r := readFixture(t, c.file, 0)
			if r.Lines != c.lines || r.Unparsed != c.unparsed || r.Count != c.count {
				t.Errorf("lines %d unparsed %d statements %d, want %d %d %d", r.Lines, r.Unparsed, r.Count, c.lines, c.unparsed, c.count)
			}
			first := r.Statements[0]
			if !strings.HasPrefix(first.Fingerprint, c.firstPrefix) || first.Count != c.firstCount || first.TotalMS != c.firstTotalMS {
				t.Errorf("first: %+v", first)
			}
			share := 0.0
			for i, s := range r.Statements {
				share += s.SharePct
				if i > 0 && s.TotalMS > r.Statements[i-1].TotalMS {
					t.Errorf("not ranked by total time: %v after %v", s.TotalMS, r.Statements[i-1].TotalMS)
				}
			}
			if share < 99.8 || share > 100.2 {
				t.Errorf("shares add to %.1f", share)
			}
			if c.n1Table == "" {
				if len(r.NPlusOne) != 0 {
					t.Errorf("unexpected N+1: %+v", r.NPlusOne)
				}
			} else if len(r.NPlusOne) == 0 {
				t.Errorf("no N+1 found")
			} else if n := r.NPlusOne[0]; n.Table != c.n1Table || n.Fix != c.n1Fix || n.Run != c.n1Run || n.Count != c.n1Count {
				t.Errorf("N+1: %+v", n)
			}
			if !strings.Contains(r.Summary, c.summary) {
				t.Errorf("summary %q lacks %q", r.Summary, c.summary)
			}
		})
	}
}

// Postgres statements continued over lines keep every line; a paired
// duration belongs to its own session's statement.
func TestPostgresContinuationAndPairing(t *testing.T) {
	var got []Statement
	p := NewParser(func(s Statement) { got = append(got, s) })
	b, _ := os.ReadFile("testdata/postgres.log")
	p.ReadFrom(bytes.NewReader(b))
	want := map[string]string{ // SQL start → duration
		"SELECT o.id, o.total\n\t  FROM orders o\n\t WHERE o.customer_id = 42": "12.345ms",
		"UPDATE stock SET qty = qty - 1\n\t WHERE sku = 'A-1'":                 "4ms",
		"UPDATE stock SET qty = qty - 3 WHERE sku = 'B-9'":                     "2ms",
		"SELECT * FROM customers WHERE id = $1":                                "410µs",
		"BEGIN":                                                                "0s",
	}
	for prefix, d := range want {
		found := false
		for _, s := range got {
			if strings.HasPrefix(s.SQL, prefix) {
				found = true
				if s.Duration.String() != d {
					t.Errorf("%q: %v, want %s", prefix, s.Duration, d)
				}
			}
		}
		if !found {
			t.Errorf("no statement %q in %+v", prefix, got)
		}
	}
}

// Text from the log never reaches a terminal raw.
func TestExamplesArePrintable(t *testing.T) {
	r := readFixture(t, "django4_plain.log", 0)
	ex := r.Statements[0].Example
	if strings.ContainsRune(ex, 0x1b) || !strings.Contains(ex, "x\uFFFD[31mred") {
		t.Errorf("example %q", ex)
	}
	if got := Printable("a\n\t b\x00"+strings.Repeat("x", 50), 10); got != "a b\uFFFDxxxxxx…" {
		t.Errorf("Printable = %q", got)
	}
}

func TestTopKeepsShares(t *testing.T) {
	all := readFixture(t, "django32_plain.log", 0)
	top := readFixture(t, "django32_plain.log", 2)
	if len(top.Statements) != 2 || !reflect.DeepEqual(top.Statements[1], all.Statements[1]) || top.Summary != all.Summary {
		t.Errorf("top 2: %+v", top.Statements)
	}
	var b strings.Builder
	WriteText(&b, top, 100)
	if !strings.Contains(b.String(), "(the top 2 of 4 distinct statements)") {
		t.Errorf("text does not say it is cut:\n%s", b.String())
	}
}

// An N+1 needs NPlusOneRun in a row: nine are not one.
func TestRunThreshold(t *testing.T) {
	for _, n := range []int{NPlusOneRun - 1, NPlusOneRun} {
		a := NewAnalyzer()
		for i := range n {
			a.Add(Statement{SQL: "SELECT * FROM lab_category WHERE id = " + string(rune('0'+i%10)), Timed: true})
		}
		a.Add(Statement{SQL: "SELECT 1", Timed: true})
		if got := len(a.Report(0).NPlusOne); got != map[bool]int{true: 1, false: 0}[n >= NPlusOneRun] {
			t.Errorf("run of %d: %d N+1", n, got)
		}
	}
}

func TestGzipAndLongLines(t *testing.T) {
	plain, _ := os.ReadFile("testdata/django32_plain.log")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat("y", MaxLineBytes+10) + "\n"))
	zw.Write(plain)
	zw.Close()
	path := t.TempDir() + "/sql.log.1" // no .gz: found by its magic bytes
	os.WriteFile(path, gz.Bytes(), 0o600)
	rc, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	l := NewLog()
	if _, err := l.ReadFrom(rc); err != nil {
		t.Fatal(err)
	}
	r := l.Report(0)
	if r.Lines != 19 || r.Unparsed != 2 || r.Count != 17 {
		t.Errorf("lines %d unparsed %d statements %d", r.Lines, r.Unparsed, r.Count)
	}
	if _, err := Open(t.TempDir(), nil); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: %v", err)
	}
	stdin, err := Open("-", strings.NewReader("(0.001) SELECT 1; args=()\n"))
	if err != nil {
		t.Fatal(err)
	}
	l = NewLog()
	l.ReadFrom(stdin)
	if l.Report(0).Count != 1 {
		t.Error("stdin not read")
	}
}

func TestSummaryWithoutDurations(t *testing.T) {
	l := NewLog()
	l.ReadFrom(strings.NewReader("[1] LOG:  statement: SELECT 1\n[2] LOG:  statement: SELECT 2\n"))
	r := l.Report(0)
	if r.Count != 2 || !strings.HasPrefix(r.Summary, "2 statements, none with a duration") {
		t.Errorf("%d %q", r.Count, r.Summary)
	}
	if s := NewLog().Report(0).Summary; s != "no SQL statements in the log" {
		t.Errorf("empty: %q", s)
	}
}

func TestDjangoFixRule(t *testing.T) {
	f := newFingerprinter()
	cases := map[string]string{
		`SELECT "a_b"."id" FROM "a_b" WHERE "a_b"."id" = 3 LIMIT 21`:                                                                         "select_related('b')",
		`SELECT * FROM shop_line WHERE shop_line.order_id IN (1, 2)`:                                                                         "prefetch_related('line_set')",
		`SELECT t.id FROM auth_group t INNER JOIN auth_user_groups ON (t.id = auth_user_groups.group_id) WHERE auth_user_groups.user_id = 1`: "prefetch_related('groups')",
		`SELECT * FROM a_b WHERE name = 'x'`:                                                                                                 "",
		`UPDATE a_b SET n = 1 WHERE id = 3`:                                                                                                  "",
	}
	for sql, want := range cases {
		if got := djangoFix(f.of(sql)); got != want {
			t.Errorf("%s: %q, want %q", sql, got, want)
		}
	}
}

// The example keeps a run's literals, but not the credentials a statement
// carries: --json output goes to files and tickets.
func TestExamplesHideSecrets(t *testing.T) {
	l := NewLog()
	log := "2026-11-27 10:00:01.001 UTC [2301] app@shop LOG:  duration: 1.0 ms  statement: ALTER ROLE app PASSWORD 's3cretPW'\n" +
		"2026-11-27 10:00:01.002 UTC [2301] app@shop LOG:  duration: 1.0 ms  statement: SELECT * FROM dblink('postgres://u:s3cretURL@127.0.0.1/db', 'SELECT 1')\n" +
		"2026-11-27 10:00:01.003 UTC [2301] app@shop LOG:  duration: 1.0 ms  statement: SELECT dblink_connect('host=db password=s3cretDL user=u')\n"
	if _, err := l.ReadFrom(strings.NewReader(log)); err != nil {
		t.Fatal(err)
	}
	r := l.Report(0)
	if len(r.Statements) != 3 {
		t.Fatalf("%d statements, want 3", len(r.Statements))
	}
	for _, s := range r.Statements {
		if strings.Contains(s.Example, "s3cret") || !strings.Contains(s.Example, "xxxxx") {
			t.Errorf("example %q", s.Example)
		}
	}
}

// Literal numbers fold; digits in names do not.
func TestDigitsInNamesStay(t *testing.T) {
	f := newFingerprinter()
	if a, b := f.of("SELECT * FROM log_2024 WHERE id = 7").text, f.of("SELECT * FROM log_2025 WHERE id = 9").text; a == b || !strings.Contains(a, "log_2024") {
		t.Errorf("%q and %q; want two statements naming their tables", a, b)
	}
	if a, b := f.of("SELECT * FROM t WHERE id = 7").text, f.of("SELECT * FROM t WHERE id = 9").text; a != b {
		t.Errorf("%q and %q; want one statement", a, b)
	}
	if a := f.of(`SELECT "oauth2_token" FROM s3_files`).text; !strings.Contains(a, "oauth2_token") || !strings.Contains(a, "s3_files") {
		t.Errorf("%q", a)
	}
}
