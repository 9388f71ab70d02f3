package apps

import (
	"net/url"
	"strings"

	"github.com/headroom-dev/headroom/sampler"
)

// Serving are the app servers a URL reaches: those whose master's command
// line names the URL's port (gunicorn --bind 127.0.0.1:8000, --port 8000),
// or every one when none does (a socket behind nginx, a port from a config
// file). Another, idle app server on the machine is left out this way.
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
	var out []App
	for _, a := range found {
		c := cmds[a.MasterPID]
		if strings.Contains(c, ":"+port+" ") || strings.HasSuffix(c, ":"+port) || strings.Contains(c, "--port "+port) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return found
	}
	return out
}
