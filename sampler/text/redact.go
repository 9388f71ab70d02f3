package text

import (
	"strconv"
	"strings"
)

// RedactPasswords hides the passwords a command line carries: the password
// of every URL in it ("postgres://app:pw@db/x" becomes
// "postgres://app:xxxxx@db/x") and the value of a libpq-style "password="
// pair. A command line is shown on screen and kept in recordings, and a
// DSN on it (headroom's own --postgres, a psql, a worker's --broker) often
// holds one. Written here, on plain strings, because the process table
// must not pull in the database clients that sampler/services does.
func RedactPasswords(s string) string {
	if !strings.Contains(s, "://") && !strings.Contains(s, "password=") {
		return s // nearly every command line: no copy
	}
	var b strings.Builder
	rest := s
	for {
		i := strings.Index(rest, "://")
		if i < 0 {
			break
		}
		b.WriteString(rest[:i+3])
		rest = rest[i+3:]
		word := rest // one argument: the URL ends at a space
		if sp := strings.IndexByte(word, ' '); sp >= 0 {
			word = word[:sp]
		}
		if user, hostPath, password := SplitUserinfo(word); password {
			b.WriteString(user + ":xxxxx@")
			rest = rest[len(word)-len(hostPath):]
		}
	}
	b.WriteString(rest)
	return redactPairs(b.String())
}

// SplitUserinfo splits what follows "scheme://" into the user name (as
// written, its password dropped: password says there was one) and the host
// and path. The userinfo ends at the last '@': a password may hold '@',
// '/' or '?', a host never holds '@' (url.Parse fails on such passwords,
// or puts pieces of them in the wrong field).
func SplitUserinfo(rest string) (user, hostPath string, password bool) {
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return "", rest, false
	}
	user, hostPath = rest[:at], rest[at+1:]
	if c := strings.IndexByte(user, ':'); c >= 0 {
		user, password = user[:c], true
	}
	return user, hostPath, password
}

// redactPairs hides the value of each "password=" pair, up to the next
// space (or the closing quote of a quoted value).
func redactPairs(s string) string {
	const key = "password="
	var b strings.Builder
	for {
		i := strings.Index(s, key)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i+len(key)])
		s = s[i+len(key):]
		end := strings.IndexByte(s, ' ')
		if strings.HasPrefix(s, "'") {
			if q := strings.IndexByte(s[1:], '\''); q >= 0 {
				end = q + 2
			}
		}
		if end < 0 {
			end = len(s)
		}
		if end > 0 {
			b.WriteString("xxxxx")
		}
		s = s[end:]
	}
}

// BadPort is the port of a host:port (a URL's Host, brackets and all) when
// it is outside 1–65535; "" when it is in range or there is none. net/url
// and the clients' parsers check only that a port is digits, so 70000
// would pass them all and fail later as a dial error every interval.
func BadPort(hostport string) string {
	i := strings.LastIndexByte(hostport, ':')
	if i < 0 || strings.HasSuffix(hostport[:i+1], "::") || strings.IndexByte(hostport[i:], ']') >= 0 {
		return "" // no port: a bare host, or an IPv6 literal without one
	}
	port := hostport[i+1:]
	if port == "" {
		return ""
	}
	n, err := strconv.ParseUint(port, 10, 32)
	if err == nil && n >= 1 && n <= 65535 {
		return ""
	}
	return port
}

// secretParams are query parameters whose values are credentials in the
// wild (?password=, ?token=, ?api_key=, a signed URL's signature).
var secretParams = map[string]bool{"password": true, "passwd": true, "pass": true, "pwd": true, "secret": true,
	"token": true, "access_token": true, "auth": true, "auth_token": true, "api_key": true, "apikey": true,
	"key": true, "signature": true, "sig": true, "client_secret": true, "sslpassword": true}

// RedactQuerySecrets hides the values of a URL's credential-like query
// parameters (secretParams) in s, a URL or what follows its host: the
// query is kept for what it says (a health check's ?full=1), its secrets
// are not shown.
func RedactQuerySecrets(s string) string {
	q := strings.IndexByte(s, '?')
	if q < 0 {
		return s
	}
	query, frag, hasFrag := strings.Cut(s[q+1:], "#")
	pairs := strings.Split(query, "&")
	changed := false
	for i, p := range pairs {
		k, _, ok := strings.Cut(p, "=")
		if ok && secretParams[strings.ToLower(k)] {
			pairs[i], changed = k+"=xxxxx", true
		}
	}
	if !changed {
		return s
	}
	out := s[:q+1] + strings.Join(pairs, "&")
	if hasFrag {
		out += "#" + frag
	}
	return out
}
