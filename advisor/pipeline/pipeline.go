// Package pipeline is headroom's one loop: Source → Snapshot → History →
// Advise → {Snapshot, Advice} out to every subscriber (the dashboard,
// record, once, --on-change, --log, --report). It is where time and I/O
// meet the pure advisor; a new source or a new consumer touches only here
// and its own file.
package pipeline

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/apps"
)

// Update is one step of the stream: the newest snapshot, with every
// process, and the advice on the window that ends at it.
type Update struct {
	// Seq is the snapshot's sequence number in the pipeline's History.
	Seq      uint64
	Snapshot sampler.Snapshot
	Advice   advisor.Advice
}

// Event is what a subscriber receives: an update, a status line for
// people (a hook failed, the recording stopped), or the end of the stream.
type Event struct {
	Update *Update
	Status string
	// Alert is a status that lasts: something stopped working (the
	// recording) while the rest goes on.
	Alert string
	// Err is the error that ended the source; Ended is set when it ran out
	// (a recording's end). Either is the last event.
	Err   error
	Ended bool
}

// Pipeline runs a source and hands each judged snapshot to its subscribers.
type Pipeline struct {
	src   sampler.Source
	rules advisor.Rules
	hist  *sampler.History

	mu     sync.Mutex
	subs   []*subscriber
	closed bool // Run has returned: queues are closed

	waitFinal func() // tests: called where the last word waits for room
}

// New makes a pipeline over src, keeping a History sized for interval
// (an hour, or the window if longer).
func New(src sampler.Source, rules advisor.Rules, interval time.Duration) *Pipeline {
	if interval <= 0 {
		interval = time.Second
	}
	span := max(sampler.DefaultHistorySpan, rules.Window)
	// Process lists and control groups are kept over the whole window the
	// advisor judges: History thins the snapshots older than that.
	h := sampler.NewHistory(int(span/interval)+1, int(max(sampler.DefaultProcsSpan, rules.Window)/interval))
	return &Pipeline{src: src, rules: rules, hist: h}
}

// History is the run's only History. Readers on other goroutines may use
// it at any time; only the pipeline adds to it.
func (p *Pipeline) History() *sampler.History { return p.hist }

// Rules are the advisor's rules the pipeline judges with.
func (p *Pipeline) Rules() advisor.Rules { return p.rules }

// subscriber is one consumer: called in the loop (sync) or fed through a
// bounded queue on its own goroutine (async).
type subscriber struct {
	fn      func(Event)
	queue   chan Event
	dropped atomic.Int64
}

// Subscribe calls fn from the loop for every event, in order. fn must be
// quick (it holds the sampler back): counting, comparing, starting a
// goroutine.
func (p *Pipeline) Subscribe(fn func(Event)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.subs = append(p.subs, &subscriber{fn: fn})
}

// Queue is an asynchronous subscription: events wait in a bounded queue,
// and when the consumer falls behind the newest are dropped and counted,
// so a slow consumer never holds the sampler back.
type Queue struct {
	C   <-chan Event
	sub *subscriber
}

// Dropped is how many updates the consumer missed.
func (q Queue) Dropped() int64 { return q.sub.dropped.Load() }

// SubscribeQueue adds an asynchronous subscriber with room for n events.
func (p *Pipeline) SubscribeQueue(n int) Queue {
	ch := make(chan Event, max(1, n))
	s := &subscriber{queue: ch}
	p.mu.Lock()
	p.subs = append(p.subs, s)
	p.mu.Unlock()
	return Queue{C: ch, sub: s}
}

// Notify sends a status line to every subscriber.
func (p *Pipeline) Notify(status string) {
	p.publish(context.Background(), Event{Status: status})
}

// Alert sends a lasting status to every subscriber.
func (p *Pipeline) Alert(msg string) {
	p.publish(context.Background(), Event{Alert: msg})
}

func (p *Pipeline) publish(ctx context.Context, ev Event) {
	p.mu.Lock()
	subs := append([]*subscriber(nil), p.subs...)
	p.mu.Unlock()
	// Sync subscribers run without the lock (they may Notify), and hear
	// even what comes after the end (a recorder's last alert).
	for _, s := range subs {
		if s.fn != nil {
			s.fn(ev)
		}
	}
	// The lock is held while sending to queues, so closing them cannot race
	// a send; sends never block, except the final word.
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	if ev.Err != nil || ev.Ended {
		// The last word is never dropped: it waits for room, or for the
		// end, and without the lock. A queue's reader may Notify before it
		// reads again (a --textfile that fails): waiting with the lock held,
		// each would wait for the other for ever. Only Run sends the last
		// word, and only Run, after it, closes the queues.
		p.mu.Unlock()
		if p.waitFinal != nil {
			p.waitFinal()
		}
		for _, s := range subs {
			if s.queue != nil {
				select {
				case s.queue <- ev:
				case <-ctx.Done():
				}
			}
		}
		return
	}
	defer p.mu.Unlock()
	for _, s := range subs {
		if s.queue == nil {
			continue
		}
		select {
		case s.queue <- ev:
		default:
			if ev.Update != nil {
				s.dropped.Add(1)
			}
		}
	}
}

// Push judges one snapshot: it is kept in History (with the process list
// History keeps), advised on, and published. Run calls it for each
// snapshot of the source; tests call it directly.
func (p *Pipeline) Push(s sampler.Snapshot) Update {
	kept := s
	kept.Procs = apps.TopProcs(s.Procs, sampler.MaxRecordedProcs)
	seq := p.hist.Add(kept)
	u := Update{Seq: seq, Snapshot: s, Advice: advisor.Advise(p.hist.Window(p.rules.Window), p.rules)}
	p.publish(context.Background(), Event{Update: &u})
	return u
}

// Run reads the source until it ends, fails, or ctx is cancelled; the
// source's error is returned (nil for an end or a cancel). When it returns,
// every queue is closed, so their readers finish.
func (p *Pipeline) Run(ctx context.Context) error {
	defer p.closeQueues()
	for {
		s, err := p.src.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, io.EOF) {
				p.publish(ctx, Event{Ended: true})
				return nil
			}
			p.publish(ctx, Event{Err: err})
			return err
		}
		p.Push(s)
	}
}

func (p *Pipeline) closeQueues() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, s := range p.subs {
		if s.queue != nil {
			close(s.queue)
		}
	}
}
