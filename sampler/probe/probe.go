package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/headroom-dev/headroom/sampler/text"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/services"
)

// Prober requests one URL once per interval, one request at a time, and
// keeps the results until they are drained into a snapshot.
type Prober struct {
	clock    sampler.Clock
	url      string
	interval time.Duration
	timeout  time.Duration
	client   *http.Client

	mu      sync.Mutex
	pending []sampler.ProbeResult
	// Requests are numbered from 1 as they start: cur is the one in
	// flight (0: none), appended the newest whose result is pending,
	// drained the newest whose result Drain handed on.
	started, cur, appended, drained uint64
}

// ParseProbeURL checks a --probe value: an http or https URL with a host.
func ParseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err == nil && u.Host != "" {
		if p := text.BadPort(u.Host); p != "" {
			return "", fmt.Errorf("--probe %s: port %s is not a port (use 1 to 65535)", Shown(raw), text.Printable(p))
		}
	}
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		shown := "(unparsable)"
		if err == nil {
			shown = Shown(raw) // the error is printed: never its password
		}
		return "", fmt.Errorf("--probe %q is not an http:// or https:// URL with a host, like http://127.0.0.1:8000/health/", shown)
	}
	return u.String(), nil
}

// NewProber makes a prober; timeout bounds each request (a hung app shows
// as timeouts, never as a stalled headroom).
func New(rawURL string, interval, timeout time.Duration) (*Prober, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return &Prober{clock: sampler.RealClock, url: u, interval: interval, timeout: timeout, client: &http.Client{
		// A redirect is an answer: measure the app, not where it points.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{Proxy: nil, MaxIdleConns: 1, DisableCompression: true},
	}}, nil
}

// URL is the probed URL.
func (p *Prober) URL() string { return p.url }

// Run probes until ctx ends.
func (p *Prober) Run(ctx context.Context) {
	next := p.clock.Now()
	for {
		p.mu.Lock()
		p.started++
		id := p.started
		p.cur = id
		p.mu.Unlock()
		r := p.once(ctx)
		if ctx.Err() != nil {
			return
		}
		p.mu.Lock()
		if len(p.pending) < 1000 { // nobody drains: bound the memory
			p.pending = append(p.pending, r)
		}
		p.cur, p.appended = 0, id
		p.mu.Unlock()
		next = next.Add(p.interval)
		if d := next.Sub(p.clock.Now()); d > 0 {
			select {
			case <-ctx.Done():
				return
			case <-p.clock.After(d):
			}
		} else {
			next = p.clock.Now() // a slow answer: go on at once, one at a time
		}
	}
}

func (p *Prober) once(ctx context.Context) sampler.ProbeResult {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	req.Header.Set("User-Agent", "headroom-probe")
	t0 := time.Now()
	resp, err := p.client.Do(req)
	if err == nil {
		_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<20))
		resp.Body.Close()
	}
	r := sampler.ProbeResult{MS: math.Round(float64(time.Since(t0).Microseconds())/10) / 100}
	if resp != nil {
		r.Status = resp.StatusCode
	}
	if err != nil {
		r.Err = probeError(err)
		if r.Err == "timeout" {
			r.Status = 0
		}
	}
	return r
}

// probeError names a failure in a word or two.
func probeError(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		return "dns"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

// Drain returns the results since the last call.
func (p *Prober) Drain() []sampler.ProbeResult {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.pending
	p.pending = nil
	p.drained = p.appended
	return out
}

// InFlight is the number of the request waiting for its answer now; 0
// when none is.
func (p *Prober) InFlight() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur
}

// Drained reports whether request id's result has been handed on by Drain
// (it is in a snapshot): a run that ends may wait for that, so that a
// request to a hung app counts as the timeout it becomes, not as nothing.
func (p *Prober) Drained(id uint64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.drained >= id
}

// Probed is a Source that attaches a prober's results to each snapshot.
type Probed struct {
	sampler.Source
	Prober *Prober
}

// Next takes the next snapshot and the probe results gathered since the last.
func (p Probed) Next(ctx context.Context) (sampler.Snapshot, error) {
	s, err := p.Source.Next(ctx)
	if err == nil {
		s.Probe = p.Prober.Drain()
	}
	return s, err
}

// SetClock makes the prober wait on c between requests (tests use a
// sampler.FakeClock); call it before Run.
func (p *Prober) SetClock(c sampler.Clock) { p.clock = c }

// Shown is a probe URL as headroom prints and records it: a password in it
// becomes "xxxxx"; the path and query stay, since they say what is probed.
// The userinfo is cut by hand (services.RedactKeepQuery), not by url.Parse,
// which reads a password with '#' in it as the host and would print it.
// An unparsable URL shows as nothing.
func Shown(raw string) string {
	if _, err := url.Parse(raw); err != nil {
		return ""
	}
	return services.RedactKeepQuery(raw)
}
