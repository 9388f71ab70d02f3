package collect

import (
	"sort"
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/accesslog"
	"github.com/headroom-dev/headroom/sampler/services"
)

// Traffic fills Snapshot.Traffic from access logs (--access-log). Reading
// appended lines of local files cannot hang, and each poll reads a bounded
// amount (accesslog.FollowOptions), so it runs on the sampling goroutine.
type Traffic struct {
	set *accesslog.Set
}

// NewTraffic follows paths from their ends from now on (start is the
// first snapshot's time, or about it).
func NewTraffic(paths []string, start time.Time) (*Traffic, error) {
	set, err := accesslog.NewSet(paths, start, accesslog.Options{})
	if err != nil {
		return nil, err
	}
	return &Traffic{set: set}, nil
}

// Name is the collector's name, for messages.
func (c *Traffic) Name() string { return "access log" }

// Collect ends the interval at the snapshot's time and attaches it.
func (c *Traffic) Collect(s *sampler.Snapshot) {
	iv, ok := c.set.Poll(s.Time)
	files := c.set.Files()
	if !ok {
		return // no time passed since the last poll: nothing to say yet
	}
	s.Traffic = TrafficOf(iv, files)
}

// Close closes the logs.
func (c *Traffic) Close() error { return c.set.Close() }

// TrafficOf is the snapshot's form of an interval: the endpoints cut to
// the costliest MaxEndpointTotals, and unavailable when no file can be read.
func TrafficOf(iv accesslog.Interval, files []accesslog.FileStatus) *sampler.TrafficSample {
	t := &sampler.TrafficSample{Traffic: iv.Traffic, Seconds: iv.Seconds, Requests: iv.Requests, Classes: iv.Classes,
		Latency: iv.Latency, Files: files, State: services.StateOK}
	eps := append([]accesslog.EndpointTotal(nil), iv.Endpoints...)
	sort.Slice(eps, func(i, j int) bool {
		if eps[i].SumMs != eps[j].SumMs {
			return eps[i].SumMs > eps[j].SumMs
		}
		return eps[i].Count > eps[j].Count
	})
	for i, e := range eps {
		if i == sampler.MaxEndpointTotals {
			break
		}
		t.Endpoints = append(t.Endpoints, sampler.EndpointSum{Endpoint: e.Endpoint, Count: e.Count, Timed: e.Timed, SumMs: e.SumMs})
	}
	readable := false
	for _, f := range files {
		readable = readable || f.State == accesslog.Following
	}
	if !readable && len(files) > 0 {
		t.State = services.StateUnavailable
		t.Reason = files[0].Path + ": " + string(files[0].State)
		if files[0].Reason != "" {
			t.Reason += " (" + files[0].Reason + ")"
		}
	}
	return t
}
