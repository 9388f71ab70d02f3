package accesslog

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// JSON field names, compared without regard to case. Time fields named in
// seconds take integers of 1000 or more as nanoseconds (Go's slog and
// Traefik write durations so; no request takes 1000 s), and any string with
// a unit ("1.5ms", "250µs") is read as a Go duration whatever the name.
var (
	jsonStatusKeys  = []string{"status", "status_code", "statuscode", "response_status", "downstreamstatus"}
	jsonMethodKeys  = []string{"method", "request_method", "requestmethod", "http_method"}
	jsonPathKeys    = []string{"path", "uri", "url", "request_uri", "request_path", "requestpath", "request"}
	jsonSecondsKeys = []string{"request_time", "duration", "response_time", "latency", "elapsed", "request_duration"}
	jsonMillisKeys  = []string{"duration_ms", "request_time_ms", "response_time_ms", "latency_ms", "elapsed_ms"}
	jsonMicrosKeys  = []string{"duration_us", "request_time_us", "duration_micros"}
	jsonNanosKeys   = []string{"duration_ns"}
)

// parseJSON reads one JSON object. It needs a status; method, path and a
// time are taken when present. A "request" member may be the request line
// ("GET /x HTTP/1.1") or an object with method and uri (Caddy).
func (p *Parser) parseJSON(line []byte) (Request, bool) {
	if !json.Valid(line) {
		return Request{}, false
	}
	p.scratch = p.scratch[:0]
	r := Request{Format: FormatJSON}
	var pathVal, methodVal []byte
	m := members{b: line}
	for {
		key, val, ok := m.next()
		if !ok {
			break
		}
		switch {
		case keyIn(key, jsonStatusKeys):
			if v, ok := jsonNumber(val); ok && v >= 100 && v <= 599 && v == math.Trunc(v) {
				r.Status = int(v)
			}
		case keyIn(key, jsonMethodKeys):
			methodVal = val
		case bytes.EqualFold(key, []byte("request")) && len(val) > 0 && val[0] == '{':
			inner := members{b: val}
			for {
				k, v, ok := inner.next()
				if !ok {
					break
				}
				switch {
				case keyIn(k, jsonMethodKeys):
					methodVal = v
				case keyIn(k, jsonPathKeys):
					pathVal = v
				}
			}
		case keyIn(key, jsonPathKeys):
			if pathVal == nil || !bytes.EqualFold(key, []byte("request")) {
				pathVal = val
			}
		case keyIn(key, jsonSecondsKeys):
			r.Seconds, r.Timed = jsonDuration(val, 1, true)
		case keyIn(key, jsonMillisKeys):
			r.Seconds, r.Timed = jsonDuration(val, 1e-3, false)
		case keyIn(key, jsonMicrosKeys):
			r.Seconds, r.Timed = jsonDuration(val, 1e-6, false)
		case keyIn(key, jsonNanosKeys):
			r.Seconds, r.Timed = jsonDuration(val, 1e-9, false)
		}
	}
	if r.Status == 0 {
		return Request{}, false
	}
	path := p.jsonString(pathVal)
	method := p.jsonString(methodVal)
	if bytes.IndexByte(path, ' ') > 0 { // a whole request line
		m, target := splitRequestLine(path)
		path = target
		if len(method) == 0 {
			method = m
		}
	} else {
		path = pathOf(path)
	}
	if path != nil {
		r.Target = path
		if validMethod(method) {
			r.Method = method
		}
	}
	return r, true
}

func validMethod(m []byte) bool {
	if len(m) == 0 || len(m) > 20 {
		return false
	}
	for _, c := range m {
		if (c < 'A' || c > 'Z') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func keyIn(key []byte, names []string) bool {
	for _, n := range names {
		if len(n) == len(key) && bytes.EqualFold(key, []byte(n)) {
			return true
		}
	}
	return false
}

// jsonString returns a JSON string value's text: the raw bytes when it has
// no escapes, else an unescaped copy in the parser's scratch space. Non
// strings give nil.
func (p *Parser) jsonString(v []byte) []byte {
	if len(v) < 2 || v[0] != '"' {
		return nil
	}
	inner := v[1 : len(v)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return nil
	}
	start := len(p.scratch)
	p.scratch = append(p.scratch, s...)
	return p.scratch[start:len(p.scratch):len(p.scratch)]
}

// jsonNumber reads a number, or a string holding one ("200", "0.003").
func jsonNumber(v []byte) (float64, bool) {
	if len(v) >= 2 && v[0] == '"' {
		v = v[1 : len(v)-1]
	}
	if f, _, ok := parseDecimal(v); ok {
		return f, true
	}
	if len(v) == 0 || len(v) > 32 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// jsonDuration reads a time value in seconds: a number times unit, or a Go
// duration string. nanoInts applies the integers-are-nanoseconds rule of
// fields named in seconds.
func jsonDuration(v []byte, unit float64, nanoInts bool) (float64, bool) {
	if len(v) >= 2 && v[0] == '"' {
		inner := v[1 : len(v)-1]
		if n := len(inner); n > 1 && n < 32 && (inner[n-1] == 's' || inner[n-1] == 'm' || inner[n-1] == 'h') {
			if d, err := time.ParseDuration(string(inner)); err == nil && d >= 0 {
				return d.Seconds(), true
			}
		}
	}
	f, ok := jsonNumber(v)
	if !ok || f < 0 {
		return 0, false
	}
	if nanoInts && f >= 1000 && f == math.Trunc(f) && bytes.IndexAny(v, ".eE") < 0 {
		return f / 1e9, true
	}
	return f * unit, true
}

// members walks the members of a JSON object already checked by json.Valid,
// without allocating.
type members struct {
	b     []byte
	i     int
	begun bool
}

// next returns the next key (raw, without quotes) and raw value.
func (m *members) next() (key, val []byte, ok bool) {
	b := m.b
	i := skipSpace(b, m.i)
	if !m.begun {
		if i >= len(b) || b[i] != '{' {
			return nil, nil, false
		}
		i++
		m.begun = true
	} else if i < len(b) && b[i] == ',' {
		i++
	}
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != '"' {
		m.i = len(b)
		return nil, nil, false
	}
	kEnd := stringEnd(b, i)
	key = b[i+1 : kEnd-1]
	i = skipSpace(b, kEnd)
	if i >= len(b) || b[i] != ':' {
		m.i = len(b)
		return nil, nil, false
	}
	i = skipSpace(b, i+1)
	vEnd := valueEnd(b, i)
	val = b[i:vEnd]
	m.i = vEnd
	return key, val, true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// stringEnd returns the index after the closing quote of the string at i.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// valueEnd returns the index after the value that starts at i.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\r' && b[j] != '\n' {
		j++
	}
	return j
}
