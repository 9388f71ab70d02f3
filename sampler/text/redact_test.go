package text

import "testing"

func TestRedactPasswords(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"sleep 600", "sleep 600"},
		{"headroom --postgres postgres://app:S3cr3t@127.0.0.1:5432/db --redis redis://:pw@127.0.0.1:6379",
			"headroom --postgres postgres://app:xxxxx@127.0.0.1:5432/db --redis redis://:xxxxx@127.0.0.1:6379"},
		{"curl http://u:p@ss/w0rd@127.0.0.1/x?q=1", "curl http://u:xxxxx@127.0.0.1/x?q=1"},
		{"celery --broker amqp://guest@rabbit//", "celery --broker amqp://guest@rabbit//"},
		{"wget https://example.org/a@b", "wget https://example.org/a@b"},
		{"psql host=db user=app password=S3cr3t dbname=x", "psql host=db user=app password=xxxxx dbname=x"},
		{"psql host=db password='a b' dbname=x", "psql host=db password=xxxxx dbname=x"},
		// libpq skips blanks around '=': the value is y.
		{"x password= y", "x password= xxxxx"},
		{"x password=", "x password="},
		{"a://", "a://"},
		{"headroom --probe=http://u:pw@127.0.0.1:1/?token=TK&n=1 -v", "headroom --probe=http://u:xxxxx@127.0.0.1:1/?token=xxxxx&n=1 -v"},
		{`headroom --postgres=host=db password = s3cret dbname=x`, `headroom --postgres=host=db password = xxxxx dbname=x`},
		{`psql "host=db password=s3c\ retTAIL dbname=x"`, `psql "host=db password=xxxxx dbname=x"`},
		{`psql host=db password='it\'s a b' user=u`, `psql host=db password=xxxxx user=u`},
		{"env PGPASSWORD=S3cr3t psql", "env PGPASSWORD=xxxxx psql"},
		{"app --db-passwd=x1 --client_secret=x2 --api-token x3 --API_KEY=x4", "app --db-passwd=xxxxx --client_secret=xxxxx --api-token x3 --API_KEY=xxxxx"},
		{"ALTER ROLE app PASSWORD 'it''s' VALID UNTIL 'x'", "ALTER ROLE app PASSWORD xxxxx VALID UNTIL 'x'"},
		{"app --passwordless=1 --tokens=5 --secretary=bob", "app --passwordless=1 --tokens=5 --secretary=bob"},
		{"SELECT * FROM t WHERE token = $1", "SELECT * FROM t WHERE token = xxxxx"},
	} {
		if got := RedactPasswords(tc.in); got != tc.want {
			t.Errorf("%q:\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestBadPort(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:8000": "", "127.0.0.1:65535": "", "127.0.0.1:1": "", "localhost": "", "[::1]": "", "[::1]:6379": "",
		"127.0.0.1:0": "0", "127.0.0.1:65536": "65536", "[::1]:70000": "70000", "h:http": "http", "h:-1": "-1",
		"h:": "", "::1": "", "fe80::1": "",
	} {
		if got := BadPort(in); got != want {
			t.Errorf("BadPort(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactQuerySecrets(t *testing.T) {
	for in, want := range map[string]string{
		"http://h/x?password=pw&full=1":        "http://h/x?password=xxxxx&full=1",
		"http://h/?Token=abc#top":              "http://h/?Token=xxxxx#top",
		"/health/?api_key=k&sig=s&n=2":         "/health/?api_key=xxxxx&sig=xxxxx&n=2",
		"http://h/search?q=password&page=2":    "http://h/search?q=password&page=2",
		"http://h/no-query":                    "http://h/no-query",
		"http://h/?passwordless=1&keyboard=us": "http://h/?passwordless=1&keyboard=us",
	} {
		if got := RedactQuerySecrets(in); got != want {
			t.Errorf("RedactQuerySecrets(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every command line of every process passes through RedactPasswords at
// its first read; one without a secret must cost little and allocate nothing.
func BenchmarkRedactPasswordsClean(b *testing.B) {
	line := "/usr/bin/python3 /usr/bin/gunicorn --workers 3 --bind 127.0.0.1:8000 labproject.wsgi:application"
	b.ReportAllocs()
	for range b.N {
		if RedactPasswords(line) != line {
			b.Fatal("changed")
		}
	}
}
