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
		{"x password= y", "x password= y"},
		{"a://", "a://"},
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
