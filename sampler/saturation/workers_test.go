package saturation

import (
	"os"
	"slices"
	"testing"
)

// TestWorkerStates runs the heuristic over testdata/proc: pids 100 and
// 201-203 were recorded from a gunicorn 20.1 sync master and workers
// (idle, in /cpu/ and in /slow/); the others are built to the same shape.
func TestWorkerStates(t *testing.T) {
	cases := []struct {
		pid  int
		want WorkerState
		why  string
	}{
		{201, WorkerState{201, StateIdle, "poll_schedule_timeout.constprop.0", "pselect6"}, "recorded idle sync worker: pselect6 with nfds 8 covers listener fd 5"},
		{202, WorkerState{202, StateCPU, "", ""}, "recorded in /cpu/: R, wchan 0, syscall running"},
		{203, WorkerState{203, StateWaiting, "hrtimer_nanosleep", "clock_nanosleep"}, "recorded in /slow/: time.sleep"},
		{100, WorkerState{100, StateWaiting, "poll_schedule_timeout.constprop.0", "pselect6"}, "recorded master: pselect6 nfds 4 does not reach listener fd 5"},
		{204, WorkerState{204, StateIO, "folio_wait_bit_common", "read"}, "D state"},
		{205, WorkerState{205, StateIdle, "ep_poll", "epoll_wait"}, "epoll set watches the listener"},
		{206, WorkerState{206, StateWaiting, "ep_poll", "epoll_wait"}, "epoll set watches a client socket only"},
		{207, WorkerState{207, StateIdle, "inet_csk_accept", "accept4"}, "accept4 on the listener fd"},
		{208, WorkerState{208, StateIdle, "poll_schedule_timeout.constprop.0", ""}, "no syscall file: wchan fallback with a listener held"},
		{209, WorkerState{209, StateWaiting, "poll_schedule_timeout.constprop.0", "poll"}, "poll(2) is a database wait, never idle"},
		{210, WorkerState{210, StateUnknown, "", ""}, "zombie"},
		{300, WorkerState{300, StateWaiting, "poll_schedule_timeout.constprop.0", "pselect6"}, "select without a listener held"},
	}
	apps := []App{{PID: 999, Worker: true}} // gone: left out

	for _, c := range cases {
		apps = append(apps, App{PID: c.pid, Family: "gunicorn", Worker: true})
	}
	r := NewReader(Config{ProcRoot: "testdata/proc", SysRoot: "testdata/sys",
		Listening: fixtureSockets, KernelLog: feed{}, Arch: "amd64"})
	s := r.Read(apps)
	for _, c := range cases {
		i := slices.IndexFunc(s.Workers, func(w WorkerState) bool { return w.PID == c.pid })
		if i < 0 {
			t.Errorf("pid %d (%s): not reported", c.pid, c.why)
			continue
		}
		if s.Workers[i] != c.want {
			t.Errorf("pid %d (%s): %+v, want %+v", c.pid, c.why, s.Workers[i], c.want)
		}
	}
	if !slices.Contains(s.Unknown, "workers") {
		t.Errorf("unknown = %v, want workers named (pid 210)", s.Unknown)
	}
	if slices.ContainsFunc(s.Workers, func(w WorkerState) bool { return w.PID == 999 }) {
		t.Error("pid 999, which does not exist, is reported")
	}
}

func TestWorkerStateOtherArch(t *testing.T) {
	// On arm64, 270 is not pselect6: the recorded amd64 worker is then
	// "waiting" in an unnamed syscall, never idle by accident.
	r := NewReader(Config{ProcRoot: "testdata/proc", SysRoot: "testdata/sys",
		Listening: fixtureSockets, KernelLog: feed{}, Arch: "arm64"})
	s := r.Read([]App{{PID: 201, Worker: true}})
	want := []WorkerState{{201, StateWaiting, "poll_schedule_timeout.constprop.0", "270"}}
	if !slices.Equal(s.Workers, want) {
		t.Errorf("workers = %+v, want %+v", s.Workers, want)
	}
}

func TestEpollWatches(t *testing.T) {
	b, err := os.ReadFile("testdata/proc/205/fdinfo/9")
	if err != nil {
		t.Fatal(err)
	}
	if !epollWatches(b, []int{5}) || epollWatches(b, []int{6}) || epollWatches(b, nil) {
		t.Error("epollWatches misreads the tfd lines of 205/fdinfo/9 (watching 5 and 7)")
	}
}
