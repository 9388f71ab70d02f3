package sampler

import (
	"context"
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
