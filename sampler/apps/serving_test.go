package apps

import (
	"fmt"
	"testing"

	"github.com/headroom-dev/headroom/sampler"
)

func TestServing(t *testing.T) {
	procs := []sampler.Process{
		{PID: 10, Cmd: "/usr/bin/python3 /usr/bin/gunicorn --bind 127.0.0.1:8791 lab.wsgi"},
		{PID: 20, Cmd: "uvicorn app:app --port=9000"},
		{PID: 30, Cmd: "/usr/bin/python3 /usr/bin/gunicorn -c /etc/gunicorn.conf.py app.wsgi"},
	}
	found := []App{{Kind: "gunicorn", MasterPID: 10}, {Kind: "uvicorn", MasterPID: 20}, {Kind: "gunicorn", MasterPID: 30}}
	masters := func(as []App) string {
		var out []int32
		for _, a := range as {
			out = append(out, a.MasterPID)
		}
		return fmt.Sprint(out)
	}
	for url, want := range map[string]string{
		"http://127.0.0.1:8791/cpu/": "[10]",       // named on its command line
		"http://127.0.0.1:9000/":     "[20]",       // --port=
		"http://127.0.0.1:8080/":     "[30]",       // another server's port: only the one whose port is unknown
		"http://127.0.0.1/":          "[10 20 30]", // no port in the URL: any of them
	} {
		if got := masters(Serving(procs, found, url)); got != want {
			t.Errorf("%s: %s, want %s", url, got, want)
		}
	}
	// Every app server named its own, other port: the load reaches none.
	if got := Serving(procs[:2], found[:2], "http://127.0.0.1:8080/"); len(got) != 0 {
		t.Errorf("another port: %s, want none", masters(got))
	}
}
