package services

import (
	"net/url"
	"strings"

	"github.com/headroom-dev/headroom/sampler/text"
)

// Redact shows where a DSN or URL points without its secrets:
// "postgres://user@host:port/db" for a URL or a key=value DSN, and
// "redis://host:port/0" for a redis URL with only a password. The password
// and the whole query string (which may carry password= or sslpassword=)
// are dropped; the result is printable.
func Redact(dsnOrURL string) string {
	s := strings.TrimSpace(dsnOrURL)
	if s == "" {
		return ""
	}
	if i := strings.Index(s, "://"); i > 0 {
		return Printable(redactURL(s[:i], s[i+3:]))
	}
	if strings.Contains(s, "=") {
		return Printable(redactKeyValue(s))
	}
	// A bare host:port (memcached) has no secrets; anything else is shown
	// only by its shape.
	if !strings.ContainsAny(s, " @") {
		return Printable(s)
	}
	return "(unreadable address)"
}

// redactURL rebuilds scheme://user@host/path by hand rather than through
// url.Parse, because a password with '#', '/' or '?' in it makes
// url.Parse fail or put pieces of it in the wrong field.
func redactURL(scheme, rest string) string {
	user, hostPath, _ := splitUserinfo(rest)
	if q := strings.IndexAny(hostPath, "?#"); q >= 0 {
		hostPath = hostPath[:q]
	}
	return joinURL(scheme, user, hostPath)
}

func joinURL(scheme, userinfo, hostPath string) string {
	if userinfo != "" {
		return scheme + "://" + userinfo + "@" + hostPath
	}
	return scheme + "://" + hostPath
}

// RedactKeepQuery is Redact for a URL whose path and query say what it
// points at (a health check headroom probes): a password becomes "xxxxx",
// the rest stays. Without a scheme:// it is Redact.
func RedactKeepQuery(raw string) string {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(raw), "://")
	if !ok || scheme == "" {
		return Redact(raw)
	}
	user, hostPath, password := splitUserinfo(rest)
	if password {
		user += ":xxxxx"
	}
	return Printable(joinURL(scheme, user, text.RedactQuerySecrets(hostPath)))
}

// splitUserinfo is text.SplitUserinfo with the user name unescaped.
func splitUserinfo(rest string) (user, hostPath string, password bool) {
	user, hostPath, password = text.SplitUserinfo(rest)
	if u, err := url.PathUnescape(user); err == nil {
		user = u
	}
	return user, hostPath, password
}

// redactKeyValue reads a libpq key=value DSN ("host=db user=app
// password='s e'") and keeps only user, host, port and dbname.
func redactKeyValue(s string) string {
	kv, ok := parseKeyValue(s)
	if !ok {
		return "(unreadable DSN)"
	}
	out := "postgres://"
	if u := kv["user"]; u != "" {
		out += u + "@"
	}
	out += kv["host"]
	if p := kv["port"]; p != "" {
		out += ":" + p
	}
	if db := kv["dbname"]; db != "" {
		out += "/" + db
	}
	return out
}

// parseKeyValue splits a libpq key=value string, honouring single quotes
// and backslash escapes; ok is false when a pair is malformed.
func parseKeyValue(s string) (map[string]string, bool) {
	kv := map[string]string{}
	i := 0
	for {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			return kv, true
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq <= 0 {
			return nil, false
		}
		key := strings.TrimSpace(s[i : i+eq])
		i += eq + 1
		for i < len(s) && s[i] == ' ' {
			i++
		}
		var val strings.Builder
		if i < len(s) && s[i] == '\'' {
			i++
			closed := false
			for i < len(s) {
				c := s[i]
				if c == '\\' && i+1 < len(s) {
					val.WriteByte(s[i+1])
					i += 2
					continue
				}
				i++
				if c == '\'' {
					closed = true
					break
				}
				val.WriteByte(c)
			}
			if !closed {
				return nil, false
			}
		} else {
			for i < len(s) && s[i] != ' ' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				val.WriteByte(s[i])
				i++
			}
		}
		kv[key] = val.String()
	}
}
