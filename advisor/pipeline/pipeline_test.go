package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/recording"
)

func snaps(n int) []sampler.Snapshot {
	t0 := time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC)
	out := make([]sampler.Snapshot, n)
	for i := range out {
		s := sampler.Snapshot{Time: t0.Add(time.Duration(i) * time.Second), CPU: sampler.CPU{Cores: 2, Percent: 95},
			Mem: sampler.Memory{Total: 1 << 30, Available: 1 << 29}}
		for pid := int32(1); pid <= 200; pid++ {
			s.Procs = append(s.Procs, sampler.Process{PID: pid, CPU: float64(pid % 7), RSS: uint64(pid) << 20})
		}
		out[i] = s
	}
	return out
}

// Each snapshot is judged once, in order, with every process in the
// update and the trimmed list in History.
func TestRunJudgesEachSnapshot(t *testing.T) {
	rec := &recording.Recording{Snapshots: snaps(30)}
	p := New(recording.NewReplay(rec), advisor.DefaultRules(), time.Second)
	var seqs []uint64
	var last Update
	ended := false
	p.Subscribe(func(ev Event) {
		if ev.Update != nil {
			seqs = append(seqs, ev.Update.Seq)
			last = *ev.Update
		}
		ended = ended || ev.Ended
	})
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(seqs) != 30 || seqs[0] != 1 || seqs[29] != 30 || !ended {
		t.Fatalf("saw %d updates (%v…), ended %v", len(seqs), seqs[:min(3, len(seqs))], ended)
	}
	if len(last.Snapshot.Procs) != 200 {
		t.Errorf("update carries %d processes, want all 200", len(last.Snapshot.Procs))
	}
	if kept, _ := p.History().Get(30); len(kept.Procs) != sampler.MaxRecordedProcs {
		t.Errorf("History keeps %d processes, want %d", len(kept.Procs), sampler.MaxRecordedProcs)
	}
	if last.Advice.Verdict != advisor.Scale || last.Advice.CoveredS != 29 {
		t.Errorf("advice on the last window: %v covered %v", last.Advice.Verdict, last.Advice.CoveredS)
	}
}

// A queue nobody reads never holds the loop back: updates past its room
// are dropped and counted, the last word still arrives, and the queue is
// closed when the run ends.
func TestSlowQueueDropsAndCounts(t *testing.T) {
	p := New(recording.NewReplay(&recording.Recording{}), advisor.DefaultRules(), time.Second)
	q := p.SubscribeQueue(5)
	for _, s := range snaps(20) {
		p.Push(s) // nothing reads yet
	}
	if q.Dropped() != 15 || len(q.C) != 5 {
		t.Fatalf("%d queued, %d dropped; want 5 and 15", len(q.C), q.Dropped())
	}
	got := runAndDrain(t, p, q)
	if len(got) != 6 || !got[5].Ended || got[0].Update.Seq != 1 {
		t.Errorf("received %d events; want the 5 queued updates and the end", len(got))
	}
}

// runAndDrain runs p (its source ends at once) while reading q to its
// close, and returns what q received.
func runAndDrain(t *testing.T, p *Pipeline, q Queue) []Event {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- p.Run(context.Background()) }()
	var got []Event
	for ev := range q.C {
		got = append(got, ev)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return got
}

// A queue's reader that Notifies (a --textfile that fails) while the last
// word waits for room in its full queue: the last word must wait without
// the lock Notify needs, or each waits for the other for ever. Here the
// reader Notifies exactly then, and then reads on.
func TestTheLastWordWaitsWithoutTheLock(t *testing.T) {
	p := New(recording.NewReplay(&recording.Recording{}), advisor.DefaultRules(), time.Second)
	q := p.SubscribeQueue(1)
	p.Push(snaps(1)[0]) // the queue is full
	p.waitFinal = func() {
		if !p.mu.TryLock() {
			t.Error("the last word waits for room holding the lock")
			return // Notify would wait for ever
		}
		p.mu.Unlock()
		p.Notify("--textfile: not a directory")
	}
	got := runAndDrain(t, p, q)
	// The status is there when the reader had made room for it in time.
	if n := len(got); n < 2 || n > 3 || got[0].Update == nil || !got[n-1].Ended {
		t.Errorf("received %+v; want the update, perhaps the status, and the end", got)
	}
}
