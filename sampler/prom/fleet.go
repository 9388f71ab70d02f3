package prom

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/text"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// parallel is how many queries are in flight at once: enough to hide the
// round trips, few enough not to load a busy Prometheus.
const parallel = 4

// Host is one instance's window of Points, oldest first.
type Host struct {
	Instance string  `json:"instance"`
	Points   []Point `json:"-"`
}

// Snapshots is the host's window as the advisor takes it.
func (h *Host) Snapshots() []sampler.Snapshot {
	out := make([]sampler.Snapshot, len(h.Points))
	for i, p := range h.Points {
		out[i] = p.Snapshot
		out[i].Absent = p.absent()
	}
	return out
}

// Last is the newest Point; ok is false for an empty window.
func (h *Host) Last() (p Point, ok bool) {
	if len(h.Points) == 0 {
		return Point{}, false
	}
	return h.Points[len(h.Points)-1], true
}

// Fleet is the window of every instance the selector matches. It is not safe
// for concurrent use: one goroutine refreshes it and hands copies on.
type Fleet struct {
	// URL is Prometheus' address without credentials.
	URL string `json:"url"`
	// Selector is the label matchers that picked the hosts.
	Selector string `json:"selector"`
	// Hosts by instance label.
	Hosts map[string]*Host `json:"-"`
	// Updated is the time of the newest Points.
	Updated time.Time `json:"updated"`

	client *Client
}

// Snapshots is the window of every host by instance.
func (f *Fleet) Snapshots() map[string][]sampler.Snapshot {
	out := make(map[string][]sampler.Snapshot, len(f.Hosts))
	for inst, h := range f.Hosts {
		out[inst] = h.Snapshots()
	}
	return out
}

// Instances lists the hosts' instance labels in order.
func (f *Fleet) Instances() []string {
	out := make([]string, 0, len(f.Hosts))
	for inst := range f.Hosts {
		out = append(out, inst)
	}
	sort.Strings(out)
	return out
}

// Start reads the last Window at Step with query_range, so a verdict is there
// at once, and returns the fleet to Refresh from then on.
func (c *Client) Start(ctx context.Context) (*Fleet, error) {
	now := c.opts.Now()
	r := v1.Range{Start: now.Add(-c.opts.Window), End: now, Step: c.opts.Step}
	col, err := c.run(ctx, "query_range", func(ctx context.Context, expr string) (model.Value, error) {
		v, _, _, err := c.api.QueryRange(ctx, expr, r)
		return v, err
	})
	if err != nil {
		return nil, err
	}
	f := &Fleet{URL: c.shown, Selector: c.opts.Selector, Hosts: map[string]*Host{}, Updated: now, client: c}
	for inst, pts := range col.points() {
		f.Hosts[inst] = &Host{Instance: inst, Points: pts}
	}
	return f, nil
}

// Refresh appends the newest Point of every host with one instant query per
// metric and drops Points older than the window. On error the fleet is unchanged.
func (f *Fleet) Refresh(ctx context.Context) error {
	c := f.client
	now := c.opts.Now()
	col, err := c.run(ctx, "query", func(ctx context.Context, expr string) (model.Value, error) {
		v, _, _, err := c.api.Query(ctx, expr, now)
		return v, err
	})
	if err != nil {
		return err
	}
	cut := now.Add(-c.opts.Window)
	for inst, pts := range col.points() {
		h := f.Hosts[inst]
		if h == nil {
			h = &Host{Instance: inst}
			f.Hosts[inst] = h
		}
		h.Points = append(h.Points, pts...)
	}
	for inst, h := range f.Hosts {
		i := 0
		for i < len(h.Points) && h.Points[i].Snapshot.Time.Before(cut) {
			i++
		}
		h.Points = append(h.Points[:0], h.Points[i:]...)
		if len(h.Points) == 0 {
			delete(f.Hosts, inst) // gone from Prometheus for a whole window
		}
	}
	f.Updated = now
	return nil
}

// run sends every query through do, at most parallel at once, within the
// timeout, and files the answers; the first failure cancels the rest.
func (c *Client) run(ctx context.Context, kind string, do func(context.Context, string) (model.Value, error)) (*collector, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	vals := make([]model.Value, len(c.queries))
	errs := make([]error, len(c.queries))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, q := range c.queries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-sem }()
			v, err := do(ctx, q.expr)
			if err != nil {
				errs[i] = err
				cancel()
				return
			}
			vals[i] = v
		}()
	}
	wg.Wait()
	// Report the first real failure, not the cancellations it caused.
	var first error
	var firstName string
	for i, err := range errs {
		if err != nil && (first == nil || errors.Is(first, context.Canceled)) {
			first, firstName = err, c.queries[i].name
		}
	}
	if first != nil {
		if ctxErr := ctx.Err(); ctxErr == context.DeadlineExceeded {
			first = ctxErr
		}
		return nil, c.wrap(fmt.Sprintf("%s %s", kind, firstName), first)
	}
	col := newCollector()
	for i, q := range c.queries {
		col.addValue(q.field, vals[i])
	}
	if len(col.at) == 0 {
		return nil, fmt.Errorf("prometheus %s: selector %s matches no target (no series of up or node_exporter)", c.shown, text.Printable(c.opts.Selector))
	}
	return col, nil
}
