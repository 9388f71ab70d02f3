package text

import (
	"strconv"
	"strings"
)

// RedactPasswords hides the secrets a command line carries: the password
// of every URL in it ("postgres://app:pw@db/x" becomes
// "postgres://app:xxxxx@db/x") and its credential-like query parameters
// (?token=, RedactQuerySecrets), and the value of every secret-named
// setting: a libpq pair ("password=pw", "password = 'a b'"), an option or
// variable ("--db-password=pw", "PGPASSWORD=pw", "--token=t"), SQL's
// "PASSWORD 'pw'". A command line is shown on screen and kept in
// recordings, and a DSN on it (headroom's own --postgres, a psql, a
// worker's --broker) often holds one. Written here, on plain strings,
// because the process table must not pull in the database clients that
// sampler/services does.
func RedactPasswords(s string) string {
	if !strings.Contains(s, "://") && !hasSecretKey(s) {
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
		rest = rest[len(word):]
		if user, hostPath, password := SplitUserinfo(word); password {
			b.WriteString(user + ":xxxxx@")
			word = hostPath
		}
		b.WriteString(RedactQuerySecrets(word))
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

// secretKeys end the names whose values are credentials, in any case:
// password=, sslpassword=, PGPASSWORD=, --db-passwd=, client_secret=,
// --token=, api_key=.
var secretKeys = []string{"password", "passwd", "secret", "token", "api_key", "apikey"}

// hasSecretKey says whether s may set a secret key, without allocating: it
// runs on every command line read. A value follows '=' or is quoted, so
// only the word before each of those is looked at.
func hasSecretKey(s string) bool {
	for j := 0; j < len(s); j++ {
		if c := s[j]; c != '=' && c != '\'' && c != '"' {
			continue
		}
		k := j
		for k > 0 && (s[k-1] == ' ' || s[k-1] == '\t') {
			k--
		}
		for _, key := range secretKeys {
			if k >= len(key) && strings.EqualFold(s[k-len(key):k], key) {
				return true
			}
		}
	}
	return false
}

// secretKeyAt is the length of the secret key at s[i:] (ASCII, any case), 0
// for none.
func secretKeyAt(s string, i int) int {
	switch s[i] | 0x20 { // every key starts with one of these
	case 'p', 's', 't', 'a':
	default:
		return 0
	}
	for _, k := range secretKeys {
		if len(s)-i >= len(k) && strings.EqualFold(s[i:i+len(k)], k) {
			return len(k)
		}
	}
	return 0
}

// redactPairs hides the value set for each secret key: after "=" (blanks
// around it allowed, as libpq allows them), or a quoted value after blanks
// (SQL's PASSWORD 'pw'). A value ends at an unescaped blank, or, quoted,
// at its closing quote; a backslash escapes the next character in both
// (libpq), and a doubled quote is one quote (SQL). A key that runs on into
// a longer word (passwordless=1, tokens=5) is not one.
func redactPairs(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		n := secretKeyAt(s, i)
		if n == 0 {
			i++
			continue
		}
		j := skipBlanks(s, i+n)
		quotedOnly := true
		if j < len(s) && s[j] == '=' {
			j, quotedOnly = skipBlanks(s, j+1), false
		} else if j == i+n {
			i += n // no blank, no '=': part of a longer word
			continue
		}
		end := valueEnd(s, j, quotedOnly)
		if redacted(s[j:]) {
			end = j // a URL's query, done already: its next pair stays
		}
		if end == j {
			i += n
			continue
		}
		b.WriteString(s[last:j])
		b.WriteString("xxxxx")
		last, i = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// redacted says whether v starts with a value this file hid already.
func redacted(v string) bool {
	rest, ok := strings.CutPrefix(v, "xxxxx")
	return ok && (rest == "" || strings.IndexByte(" \t&#", rest[0]) >= 0)
}

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// valueEnd is where the value starting at s[i] ends; quotedOnly accepts
// only a quoted one (i itself for none).
func valueEnd(s string, i int, quotedOnly bool) int {
	if i >= len(s) {
		return i
	}
	if q := s[i]; q == '\'' || q == '"' {
		for k := i + 1; k < len(s); k++ {
			switch {
			case s[k] == '\\':
				k++
			case s[k] == q && k+1 < len(s) && s[k+1] == q:
				k++
			case s[k] == q:
				return k + 1
			}
		}
		return len(s) // unclosed: the rest is the value
	}
	if quotedOnly {
		return i
	}
	k := i
	for k < len(s) && s[k] != ' ' && s[k] != '\t' {
		if s[k] == '\\' {
			k++
		}
		k++
	}
	return min(k, len(s))
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
