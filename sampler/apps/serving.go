package apps

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/headroom-dev/headroom/sampler"
)

// Serving are the app servers a URL reaches: those whose master's command
// line names the URL's port (gunicorn --bind 127.0.0.1:8000, --port 8000),
// or, when none does, those whose command line names no port at all (a
// socket behind nginx, a port from a config file). One that names another
// port serves that one: a load test of another server on the machine must
// not be read as its workers' queue.
func Serving(procs []sampler.Process, found []App, rawURL string) []App {
	u, err := url.Parse(rawURL)
	if err != nil || u.Port() == "" {
		return found
	}
	port := u.Port()
	cmds := make(map[int32]string, len(procs))
	for _, p := range procs {
		cmds[p.PID] = p.Cmd
	}
	var named, unknown []App
	for _, a := range found {
		c := cmds[a.MasterPID]
		switch {
		case strings.Contains(c, ":"+port+" ") || strings.HasSuffix(c, ":"+port) ||
			strings.Contains(c, "--port "+port) || strings.Contains(c, "--port="+port):
			named = append(named, a)
		case !anyPort.MatchString(c):
			unknown = append(unknown, a)
		}
	}
	if len(named) > 0 {
		return named
	}
	return unknown
}

// anyPort finds a port in a command line: "host:8000" as a word's end, or
// --port 8000.
var anyPort = regexp.MustCompile(`:\d{1,5}(\s|$)|--port[= ]\d`)
