// Package prom reads a fleet of hosts from Prometheus, where node_exporter
// runs on each, and turns its series into sampler.Snapshots per instance.
//
// The metrics are those of node_exporter's mixin (CPU = 1 − idle rate,
// memory = 1 − MemAvailable/MemTotal, real writable filesystems), so the
// advisor judges a remote host by the same numbers as the local one. Every
// metric is one query for all hosts of the selector, never one per host.
package prom

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/headroom-dev/headroom/sampler/userfile"

	"github.com/headroom-dev/headroom/sampler/text"
	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
)

// DefaultSelector picks node_exporter's targets as the mixin names them.
const DefaultSelector = `{job="node"}`

// maxPoints is Prometheus' limit on points per series in one query_range.
const maxPoints = 11000

// Options says where Prometheus is and how to read it. Credentials come from
// the config file, never from flags (ps would show them).
type Options struct {
	// URL is Prometheus' base URL, e.g. http://prometheus:9090.
	URL string `toml:"url" json:"url"`
	// Selector picks the node_exporter series, e.g. {job="node"}.
	Selector string `toml:"match" json:"match"`
	// Window is how far back Start reads (the advisor's window).
	Window time.Duration `toml:"-" json:"-"`
	// Step is the distance between two points: the scrape and refresh interval.
	Step time.Duration `toml:"-" json:"-"`
	// RateRange is the range of rate(); 0 means 4 × Step (four scrapes).
	RateRange time.Duration `toml:"-" json:"-"`
	// Timeout bounds each Start and Refresh as a whole (the probe timeout).
	Timeout time.Duration `toml:"-" json:"-"`
	// Username and Password give basic auth; Password alone is not enough.
	Username string `toml:"username" json:"-"`
	Password string `toml:"password" json:"-"`
	// BearerToken is sent as "Authorization: Bearer …" when set.
	BearerToken string `toml:"bearer_token" json:"-"`
	// CAFile is a PEM bundle that signs Prometheus' certificate.
	CAFile string `toml:"ca_file" json:"-"`
	// Now is the clock; nil means time.Now. Tests pin it.
	Now func() time.Time `toml:"-" json:"-"`
	// Transport replaces the HTTP transport (tests); auth is still added.
	Transport http.RoundTripper `toml:"-" json:"-"`
}

// Client queries one Prometheus for one selector.
type Client struct {
	api     v1.API
	opts    Options
	shown   string // the URL without credentials, for errors
	queries []query
}

// New checks the options and builds a client; it does not contact Prometheus.
func New(o Options) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(o.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("prometheus URL %q: want http://host:port or https://host:port", Redact(o.URL))
	}
	if p := text.BadPort(u.Host); p != "" {
		return nil, fmt.Errorf("prometheus URL %q: port %s is not a port (use 1 to 65535)", Redact(o.URL), text.Printable(p))
	}
	if u.User != nil {
		// Credentials in the URL are honoured but never shown again.
		if o.Username == "" {
			o.Username = u.User.Username()
			o.Password, _ = u.User.Password()
		}
		u.User = nil
	}
	shown := text.RedactQuerySecrets(u.String())
	if o.Username != "" && o.BearerToken != "" {
		return nil, fmt.Errorf("prometheus %s: set basic auth or a bearer token, not both", shown)
	}
	if o.Selector == "" {
		o.Selector = DefaultSelector
	}
	matchers, err := selectorMatchers(o.Selector)
	if err != nil {
		return nil, fmt.Errorf("prometheus %s: %w", shown, err)
	}
	if o.Step <= 0 {
		o.Step = time.Second
	}
	if o.Window <= 0 {
		o.Window = 5 * time.Minute
	}
	if n := o.Window / o.Step; n > maxPoints {
		return nil, fmt.Errorf("prometheus %s: a window of %s at %s steps is %d points; Prometheus answers at most %d per series", shown, o.Window, o.Step, n, maxPoints)
	}
	if o.RateRange <= 0 {
		o.RateRange = 4 * o.Step
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	rt, err := transport(o)
	if err != nil {
		return nil, fmt.Errorf("prometheus %s: %w", shown, err)
	}
	ac, err := api.NewClient(api.Config{Address: u.String(), RoundTripper: rt})
	if err != nil {
		return nil, fmt.Errorf("prometheus %s: %w", shown, err)
	}
	return &Client{api: v1.NewAPI(ac), opts: o, shown: shown, queries: buildQueries(matchers, o.RateRange)}, nil
}

// URL is Prometheus' address without credentials, fit for screens and errors.
func (c *Client) URL() string { return c.shown }

// Redact removes the user and password from a URL for showing it; text that
// does not parse is replaced whole, since it may still hold a password.
func Redact(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	return text.RedactQuerySecrets(u.String())
}

// transport adds the CA bundle and the Authorization header.
func transport(o Options) (http.RoundTripper, error) {
	base := o.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		if o.CAFile != "" {
			pem, err := readCAFile(o.CAFile)
			var pe *os.PathError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("CA file %s: %v", text.Printable(o.CAFile), pe.Err)
			}
			if err != nil {
				return nil, fmt.Errorf("CA file: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("CA file %q holds no PEM certificate", o.CAFile)
			}
			t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		}
		base = t
	}
	switch {
	case o.BearerToken != "":
		return authRoundTripper{base: base, header: "Bearer " + o.BearerToken}, nil
	case o.Username != "":
		return authRoundTripper{base: base, user: o.Username, pass: o.Password, basic: true}, nil
	}
	return base, nil
}

// authRoundTripper sets credentials on a copy of each request.
type authRoundTripper struct {
	base       http.RoundTripper
	header     string
	user, pass string
	basic      bool
}

func (a authRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if a.basic {
		r.SetBasicAuth(a.user, a.pass)
	} else {
		r.Header.Set("Authorization", a.header)
	}
	return a.base.RoundTrip(r)
}

// wrap names the URL and the reason; a deadline says which timeout ran out.
func (c *Client) wrap(what string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("prometheus %s: %s: no answer within %s", c.shown, what, c.opts.Timeout)
	}
	msg := err.Error()
	// The reasons a person acts on, in words: the client's own say
	// 'Post "http://…/api/v1/query_range": dial tcp …: connect: …' or
	// "bad_response: invalid character 'h' looking for beginning of value".
	var ae *v1.Error
	var de *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		msg = "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		msg = "connection reset"
	case errors.As(err, &de):
		msg = "host name not found"
	case errors.As(err, &ae) && (ae.Type == v1.ErrBadResponse || strings.HasSuffix(ae.Msg, "404")):
		msg = "the answer is not Prometheus' HTTP API (is this Prometheus' address?)"
	}
	// The client's errors quote the full request URL; keep credentials out.
	if c.opts.Password != "" {
		msg = strings.ReplaceAll(msg, c.opts.Password, "xxxxx")
	}
	if c.opts.BearerToken != "" {
		msg = strings.ReplaceAll(msg, c.opts.BearerToken, "xxxxx")
	}
	return fmt.Errorf("prometheus %s: %s: %s", c.shown, what, text.Printable(msg))
}

// readCAFile reads a CA bundle: a regular file, at most 16 MiB (a bundle of
// every public CA is a few hundred kilobytes).
func readCAFile(path string) ([]byte, error) {
	f, err := userfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 16<<20))
}
