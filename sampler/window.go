package sampler

import "time"

// The pipeline asks for the advisor's window after every snapshot it adds.
// Copying five minutes of snapshots (300 × 400 bytes) each time was most
// of a sample's garbage once the window had filled, and the idle dashboard
// cost a fifth more after five minutes than in its first. So Window keeps
// its answer and brings it up to date: the snapshots added since are
// appended and those that fell out are sliced off the front. What it
// returned before is never written again: an append lands past every
// earlier answer's end, and the front is only ever sliced, not moved.

// Window returns the snapshots of the last d before the newest one (those
// whose time is within d of it), oldest first. Callers must not change the
// slice's elements: it is shared with the next call's answer.
func (h *History) Window(d time.Duration) []Snapshot {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.len() == 0 {
		return nil
	}
	added := h.seq - h.winSeq
	if h.win == nil || d != h.winD || added > uint64(h.len()) {
		h.win = h.windowAt(h.seq, d)
	} else {
		for i := h.len() - int(added); i < h.len(); i++ {
			h.win = append(h.win, h.at(i))
		}
		last := h.win[len(h.win)-1].Time
		first := len(h.win) - 1 // as windowAt: back from the newest
		for first > 0 && last.Sub(h.win[first-1].Time) < d {
			first--
		}
		h.win = h.win[first:]
	}
	h.winD, h.winSeq = d, h.seq
	return h.win[:len(h.win):len(h.win)] // a caller's append cannot reach the shared array
}
