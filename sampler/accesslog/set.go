package accesslog

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// Options configure a Set: how files are followed and how intervals are summed.
type Options struct {
	Follow FollowOptions
	Sum    Settings
}

// FileStatus is one followed file's state, for the screen and JSON; Path
// and Reason are printable.
type FileStatus struct {
	Path   string `json:"path"`
	State  State  `json:"state"`
	Reason string `json:"reason,omitempty"`
	Lag    int64  `json:"lag_bytes,omitempty"` // written but not read yet at the last Poll
}

// Set follows several access logs (--access-log is repeatable) and sums all
// their lines into one Interval per Poll.
type Set struct {
	followers []*Follower
	lag       []int64
	agg       *Aggregator
	emit      func([]byte)
	last      time.Time
}

// NewSet starts following paths from their ends; start is when the first
// interval begins. Files that do not exist yet are not an error; an empty
// or repeated path is.
func NewSet(paths []string, start time.Time, opt Options) (*Set, error) {
	if len(paths) == 0 {
		return nil, errors.New("access logs: no path given")
	}
	seen := map[string]bool{}
	s := &Set{agg: NewAggregator(opt.Sum), last: start}
	s.emit = s.agg.AddLine
	for _, p := range paths {
		if p == "" {
			s.Close()
			return nil, errors.New("an empty path; give the path of an access log file")
		}
		clean := filepath.Clean(p)
		if seen[clean] {
			s.Close()
			return nil, fmt.Errorf("%s is named twice", printable(p))
		}
		seen[clean] = true
		s.followers = append(s.followers, NewFollower(p, opt.Follow))
	}
	s.lag = make([]int64, len(s.followers))
	return s, nil
}

// Poll reads every file and, when now is after the previous Poll, ends the
// interval there and returns it (ok true). Otherwise the lines read wait
// for the next interval.
func (s *Set) Poll(now time.Time) (iv Interval, ok bool) {
	for i, f := range s.followers {
		res := f.Poll(s.emit)
		s.agg.AddUnparsed(res.Overlong)
		s.lag[i] = res.Lag
	}
	if !now.After(s.last) {
		return Interval{}, false
	}
	iv = s.agg.Flush(now.Sub(s.last))
	s.last = now
	return iv, true
}

// Files reports each file's state, in the order given.
func (s *Set) Files() []FileStatus {
	out := make([]FileStatus, len(s.followers))
	for i, f := range s.followers {
		st, reason := f.State()
		out[i] = FileStatus{Path: printable(f.Path()), State: st, Reason: reason, Lag: s.lag[i]}
	}
	return out
}

// Close closes every file.
func (s *Set) Close() error {
	var err error
	for _, f := range s.followers {
		err = errors.Join(err, f.Close())
	}
	return err
}
