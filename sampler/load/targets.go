package load

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpguts"

	"github.com/headroom-dev/headroom/sampler/jsonerr"

	"github.com/headroom-dev/headroom/sampler/text"

	"github.com/headroom-dev/headroom/sampler/services"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Target is one request of the mix, with its share.
type Target struct {
	Method string      `json:"method"`
	URL    string      `json:"url"`
	Header http.Header `json:"header"`
	Body   string      `json:"body"`
	Weight int         `json:"weight"`
}

// ParseTargets reads a targets file: one JSON object a line ({"url",
// "method", "header": {"K": ["v"]}, "body", "weight"}); blank lines and
// lines starting with # are skipped. vegeta's own formats have no weights.
func ParseTargets(r io.Reader) ([]Target, error) {
	var out []Target
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var t Target
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&t); err != nil {
			return nil, fmt.Errorf("line %d: %v; a target is one JSON object a line, like {\"url\": \"http://127.0.0.1/\", \"method\": \"GET\", \"weight\": 1}", n, jsonerr.Explain(err))
		}
		// A weight written 0 is not a weight left out (which is 1).
		var given struct {
			Weight *int `json:"weight"`
		}
		if json.Unmarshal([]byte(line), &given) == nil && given.Weight != nil && *given.Weight == 0 {
			return nil, fmt.Errorf("line %d: weight 0: use 1 to 1000 (leave it out for 1)", n)
		}
		if err := t.check(); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, errors.New("a line longer than 1 MiB: not a targets file (one JSON object a line)")
		}
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no targets (one JSON object a line)")
	}
	return out, nil
}

// check fills defaults and refuses what cannot be sent.
func (t *Target) check() error {
	if t.Method == "" {
		t.Method = http.MethodGet
	}
	t.Method = strings.ToUpper(t.Method)
	// What Go's client would refuse at every request ("GE T", a header
	// with a line break), refused once here, before any is sent.
	if !httpguts.ValidHeaderFieldName(t.Method) {
		return fmt.Errorf("method %q is not an HTTP method, like GET or POST", text.Printable(t.Method))
	}
	for name, vals := range t.Header {
		if !httpguts.ValidHeaderFieldName(name) {
			return fmt.Errorf("header name %q: letters, digits and -, no spaces", text.Printable(name))
		}
		for _, v := range vals {
			if !httpguts.ValidHeaderFieldValue(v) {
				return fmt.Errorf("header %s: its value holds a line break or a control character", name)
			}
		}
	}
	if t.Weight == 0 {
		t.Weight = 1
	}
	if t.Weight < 0 || t.Weight > 1000 {
		return fmt.Errorf("weight %d: use 1 to 1000", t.Weight)
	}
	u, err := url.Parse(t.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("url %q: use an http:// or https:// URL with a host", services.RedactKeepQuery(t.URL))
	}
	if p := text.BadPort(u.Host); p != "" {
		return fmt.Errorf("url %q: port %s is not a port (use 1 to 65535)", services.RedactKeepQuery(t.URL), text.Printable(p))
	}
	return nil
}

// NewTarget is a GET of rawURL with weight 1, checked.
func NewTarget(rawURL string) (Target, error) {
	t := Target{URL: rawURL}
	return t, t.check()
}

// CheckHosts refuses any target whose host is not loopback, unless it is
// one of allowed: load only what you own.
func CheckHosts(ts []Target, allowed []string) error {
	for _, t := range ts {
		u, _ := url.Parse(t.URL)
		h := u.Hostname()
		if isLoopback(h) {
			continue
		}
		ok := false
		for _, a := range allowed {
			ok = ok || strings.EqualFold(a, h)
		}
		if !ok {
			return fmt.Errorf("%s is not a loopback address: load only what you own, and name it with --allow-remote %s", h, h)
		}
	}
	return nil
}

// isLoopback: 127.0.0.0/8, ::1 or "localhost". Names are not resolved: a
// name that points at loopback today may not tomorrow.
func isLoopback(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// weighted is a smooth weighted round robin (nginx's): every target gets
// its share, spread out, and the order is the same every run.
type weighted struct {
	targets []vegeta.Target
	weights []int
	current []int
	total   int
}

func newWeighted(ts []Target) *weighted {
	w := &weighted{current: make([]int, len(ts))}
	for _, t := range ts {
		w.targets = append(w.targets, vegeta.Target{Method: t.Method, URL: t.URL, Header: t.Header.Clone(), Body: []byte(t.Body)})
		w.weights = append(w.weights, t.Weight)
		w.total += t.Weight
	}
	return w
}

// next is the index of the next target to send.
func (w *weighted) next() int {
	best := 0
	for i := range w.current {
		w.current[i] += w.weights[i]
		if w.current[i] > w.current[best] {
			best = i
		}
	}
	w.current[best] -= w.total
	return best
}
