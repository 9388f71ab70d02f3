package recording

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// Seeker is the dashboard's replay Source: a Stream played at its pace
// that can jump to any time of the recording. A jump opens the recording
// again at the frame before the lead (the advisor's window) by the index,
// hands the lead over at once (unpaced) to fill the window, then plays
// on from the time asked for.
type Seeker struct {
	path  string
	rg    Range
	speed float64
	clock sampler.Clock
	lead  time.Duration

	// OnJump runs on the reading goroutine before the first snapshot after
	// a jump (the dashboard clears its History there); OnEnd when the
	// recording is played out (the Seeker then waits for a jump); OnError
	// with a jump that found nothing.
	OnJump  func(t time.Time)
	OnEnd   func()
	OnError func(error)
	// Fill, when set, takes the lead of a jump but its last snapshot
	// straight into the reader's History (on the reading goroutine), so
	// the window fills without a judgement and a screen update each.
	Fill func(sampler.Snapshot)

	mu      sync.Mutex
	paused  bool          // SetPaused: play holds until resumed
	resume  chan struct{} // a token when play is resumed
	onHold  func()        // tests: play is about to wait, paused
	req     *time.Time
	reqLead time.Duration // the lead of the jump asked for; 0: lead
	wake    chan struct{}
	cancel  context.CancelFunc

	cur     *Stream
	paced   *Paced
	fillTo  time.Time
	pending *sampler.Snapshot
	header  *Header
}

// Header is the recording's header, from the stream it was made with.
func (s *Seeker) Header() *Header { return s.header }

// Earliest is the first moment a jump can reach: the recording's start, or
// --since when later; zero when the header does not say.
func (s *Seeker) Earliest() time.Time {
	t := time.Time{}
	if s.header != nil {
		t = s.header.Started
	}
	if s.rg.Since.After(t) {
		t = s.rg.Since
	}
	return t
}

// NewSeeker plays st (opened from path with rg) at speed; lead is how
// much comes before a time jumped to.
func NewSeeker(st *Stream, path string, rg Range, speed float64, clock sampler.Clock, lead time.Duration) *Seeker {
	s := &Seeker{path: path, rg: rg, speed: speed, clock: clock, lead: lead, cur: st, wake: make(chan struct{}, 1),
		resume: make(chan struct{}, 1), header: st.Header()}
	s.paced = NewPaced(st, speed, clock)
	return s
}

// Seek asks for a jump to t; the latest request wins. It does not block:
// the jump happens on the reading goroutine, cutting short a paced wait.
func (s *Seeker) Seek(t time.Time) { s.SeekLead(t, 0) }

// SeekLead is Seek with another lead (0: the Seeker's): the dashboard
// scrubbing back asks for more than the advisor's window, so that it can
// step back through that much before the next refill.
func (s *Seeker) SeekLead(t time.Time, lead time.Duration) {
	s.mu.Lock()
	s.req, s.reqLead = &t, lead
	if s.cancel != nil {
		s.cancel()
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// SetPaused holds play (the dashboard paused on a replay: the recording
// waits where it is, as a film does, instead of playing on unseen) or
// resumes it where it stopped. Jumps are still taken while held.
func (s *Seeker) SetPaused(p bool) {
	s.mu.Lock()
	s.paused = p
	s.mu.Unlock()
	if !p {
		select {
		case s.resume <- struct{}{}:
		default:
		}
	}
}

func (s *Seeker) isPaused() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paused
}

func (s *Seeker) takeRequest() (time.Time, time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.req == nil {
		return time.Time{}, 0, false
	}
	t, lead := *s.req, s.reqLead
	s.req = nil
	if lead <= 0 {
		lead = s.lead
	}
	return t, lead, true
}

// Next returns the next snapshot: the lead of a jump at once, then paced.
func (s *Seeker) Next(ctx context.Context) (sampler.Snapshot, error) {
	for {
		if err := ctx.Err(); err != nil {
			return sampler.Snapshot{}, err
		}
		if t, lead, ok := s.takeRequest(); ok {
			s.jump(t, lead)
		}
		if !s.fillTo.IsZero() && s.Fill != nil {
			last, err := s.fill(ctx)
			if err != nil {
				return sampler.Snapshot{}, err
			}
			if last != nil {
				return *last, nil
			}
			continue
		}
		if !s.fillTo.IsZero() {
			snap, err := s.cur.Next(ctx)
			if err == nil && snap.Time.Before(s.fillTo) {
				return snap, nil
			}
			s.fillTo = time.Time{}
			if err == nil {
				s.pending = &snap
			}
			s.paced = NewPaced(afterFill{s}, s.speed, s.clock)
		}
		if s.isPaused() {
			if s.onHold != nil {
				s.onHold()
			}
			select {
			case <-s.resume:
				// The pace starts again from now: what was due while held
				// is not played at once.
				s.paced.Restart()
			case <-s.wake: // a jump: taken at the top of the loop
			case <-ctx.Done():
				return sampler.Snapshot{}, ctx.Err()
			}
			continue
		}
		wctx, cancel := context.WithCancel(ctx)
		s.mu.Lock()
		s.cancel = cancel
		s.mu.Unlock()
		snap, err := s.paced.Next(wctx)
		cancel()
		switch {
		case err == nil:
			return snap, nil
		case ctx.Err() != nil:
			return sampler.Snapshot{}, ctx.Err()
		case errors.Is(err, context.Canceled):
			continue // a jump cut the wait short
		case errors.Is(err, io.EOF):
			if s.OnEnd != nil {
				s.OnEnd()
			}
			select { // played out: wait for a jump
			case <-s.wake:
			case <-ctx.Done():
				return sampler.Snapshot{}, ctx.Err()
			}
		default:
			return sampler.Snapshot{}, err
		}
	}
}

// jump reopens the recording at t - lead; on failure the play goes on.
func (s *Seeker) jump(t time.Time, lead time.Duration) {
	rg := Range{Since: t.Add(-lead), Until: s.rg.Until}
	if !s.rg.Since.IsZero() && rg.Since.Before(s.rg.Since) {
		rg.Since = s.rg.Since
	}
	st, err := Open(s.path, rg)
	if err != nil {
		if s.OnError != nil {
			s.OnError(fmt.Errorf("cannot go to %s: %w", t.Local().Format("2006-01-02 15:04:05"), err))
		}
		return
	}
	s.cur.Close()
	s.cur, s.fillTo, s.pending = st, t, nil
	if s.OnJump != nil {
		s.OnJump(t)
	}
}

// afterFill is the Source the pacing reads after a jump: the snapshot
// that ended the fill, then the stream.
type afterFill struct{ s *Seeker }

// Next returns the pending snapshot first.
func (a afterFill) Next(ctx context.Context) (sampler.Snapshot, error) {
	if p := a.s.pending; p != nil {
		a.s.pending = nil
		return *p, nil
	}
	return a.s.cur.Next(ctx)
}

// Close does nothing: the Seeker closes the stream.
func (a afterFill) Close() error { return nil }

// Close closes the stream being read.
func (s *Seeker) Close() error { return s.cur.Close() }

// fill hands the lead of a jump to Fill, all but its last snapshot, which
// it returns (nil when the lead is empty) to be judged with the window.
func (s *Seeker) fill(ctx context.Context) (*sampler.Snapshot, error) {
	var last *sampler.Snapshot
	for {
		snap, err := s.cur.Next(ctx)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if err != nil || !snap.Time.Before(s.fillTo) {
			if err == nil {
				s.pending = &snap
			}
			break
		}
		if last != nil {
			s.Fill(*last)
		}
		last = &snap
	}
	s.fillTo = time.Time{}
	s.paced = NewPaced(afterFill{s}, s.speed, s.clock)
	return last, nil
}
