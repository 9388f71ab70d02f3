package sampler

import (
	"context"
	"errors"
)

// Source yields Snapshots one at a time. Next blocks until the next snapshot
// is due (a live source) or returns at once (a recording); it returns io.EOF
// when a recording ends.
type Source interface {
	Next(ctx context.Context) (Snapshot, error)
	Close() error
}

// ProbeResult is one HTTP request made by a Prober.
type ProbeResult struct {
	MS     float64 `json:"ms"`               // time to the end of the response body, or to the failure
	Status int     `json:"status,omitempty"` // HTTP status; 0 when no response came
	Err    string  `json:"err,omitempty"`    // "timeout", "refused", … when no response came
}

// Failed reports whether the request counts as an error: no response, or
// a status other than 2xx and 3xx.
func (r ProbeResult) Failed() bool {
	return r.Err != "" || r.Status < 200 || r.Status >= 400
}

// A Collector adds one kind of evidence to each snapshot of a source: the
// kernel's saturation counters, the cgroups, an access log, a database. It
// is one file with one small job, so adding a collector touches nothing
// else. Collect must not block past its own timeout; a collector whose
// service is down says so in the snapshot instead of failing.
type Collector interface {
	// Name is the collector's name, for messages.
	Name() string
	Collect(s *Snapshot)
	Close() error
}

// Collected is a Source whose snapshots each collector fills in, in order.
type Collected struct {
	Source
	Collectors []Collector
}

// Next takes the next snapshot of the source and runs the collectors on it.
func (c Collected) Next(ctx context.Context) (Snapshot, error) {
	s, err := c.Source.Next(ctx)
	if err != nil {
		return s, err
	}
	for _, col := range c.Collectors {
		col.Collect(&s)
	}
	return s, nil
}

// Close closes the collectors and the source.
func (c Collected) Close() error {
	var errs []error
	for _, col := range c.Collectors {
		errs = append(errs, col.Close())
	}
	return errors.Join(append(errs, c.Source.Close())...)
}
