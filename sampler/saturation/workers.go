package saturation

// How a worker's state is told, from its main thread:
//
//   - /proc/PID/stat state R: on the CPU ("cpu"); D: blocked on I/O ("io").
//   - Sleeping (S): /proc/PID/syscall names the syscall it sleeps in.
//     Waiting for a connection ("idle") is select/pselect6 whose nfds
//     covers a listener fd the worker holds (gunicorn sync), epoll_wait
//     on an epoll set that watches a listener (/proc/PID/fdinfo/EPFD
//     "tfd:" lines: gunicorn gthread, uwsgi, nginx, uvicorn), or
//     accept/accept4 on a listener fd. Any other sleep is "waiting":
//     serving a request but off the CPU (time.sleep is clock_nanosleep,
//     a Postgres query is poll(2) in libpq, a Redis reply recvfrom or
//     poll). poll/ppoll are never "idle": no app server above idles in
//     them, and their fd list is in the worker's memory, which we do not
//     read.
//   - /proc/PID/syscall needs ptrace-attach rights (root, or the same user
//     without Yama's ptrace_scope=1); /proc/PID/wchan needs only read
//     rights, so it is the fallback: "poll_schedule_timeout" (select and
//     poll both sleep there), "do_select", "ep_poll", "inet_csk_accept" in
//     a worker that holds a listener read as idle (so here a worker in
//     libpq's poll reads as idle too), other symbols as waiting. Neither
//     readable: "unknown".
//
// Seen on a gunicorn 20.1 sync worker (Debian 12 lab, kernel 6.18, amd64),
// recorded in testdata/workers:
//
//	idle:             S  wchan poll_schedule_timeout.constprop.0  syscall "270 0x8 ..." (pselect6, nfds 8; listener fd 5)
//	/cpu/?ms=2000:    R  wchan 0                                  syscall "running"
//	/slow/?ms=2000:   S  wchan hrtimer_nanosleep                  syscall "230 0x1 ..." (clock_nanosleep)
//
// Threaded and async workers (gthread, uvicorn) serve while their main
// thread waits in epoll: for them "idle" means the event loop waits, not
// that no request is in flight.

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Worker states, as reported in WorkerState.State.
const (
	StateCPU     = "cpu"     // running or runnable (R)
	StateIO      = "io"      // uninterruptible sleep, usually disk I/O (D)
	StateIdle    = "idle"    // sleeping until a connection arrives on its listener
	StateWaiting = "waiting" // sleeping elsewhere: serving, but off the CPU
	StateUnknown = "unknown" // gone, stopped, or not readable
)

// WorkerState is what one app-server worker is doing at the read.
type WorkerState struct {
	PID   int    `json:"pid"`
	State string `json:"state"` // one of the State* constants
	// Wchan is the kernel function it sleeps in, when readable; Syscall
	// the syscall's name (or number) from /proc/PID/syscall.
	Wchan   string `json:"wchan,omitempty"`
	Syscall string `json:"syscall,omitempty"`
}

// waitSyscall is what a sleeping syscall says about a worker.
type waitSyscall struct {
	name string
	kind int // sysSelect, sysEpoll, sysAccept or sysOther
}

const (
	sysOther = iota
	sysSelect
	sysEpoll
	sysAccept
)

// syscallTables name the syscalls a worker sleeps in, per GOARCH (the
// numbers differ; arm64 has no select, poll, accept or epoll_wait).
var syscallTables = map[string]map[int]waitSyscall{
	"amd64": {
		0: {"read", sysOther}, 7: {"poll", sysOther}, 23: {"select", sysSelect},
		43: {"accept", sysAccept}, 45: {"recvfrom", sysOther}, 202: {"futex", sysOther},
		230: {"clock_nanosleep", sysOther}, 232: {"epoll_wait", sysEpoll},
		270: {"pselect6", sysSelect}, 271: {"ppoll", sysOther}, 281: {"epoll_pwait", sysEpoll},
		288: {"accept4", sysAccept}, 441: {"epoll_pwait2", sysEpoll},
	},
	"arm64": {
		22: {"epoll_pwait", sysEpoll}, 63: {"read", sysOther}, 72: {"pselect6", sysSelect},
		73: {"ppoll", sysOther}, 98: {"futex", sysOther}, 115: {"clock_nanosleep", sysOther},
		202: {"accept", sysAccept}, 207: {"recvfrom", sysOther}, 242: {"accept4", sysAccept},
		441: {"epoll_pwait2", sysEpoll},
	},
}

// workerState reads one worker's state; p carries its socket fds from
// the same read.
func (r *Reader) workerState(p procFDs, listeners []Listener) WorkerState {
	w := WorkerState{PID: p.app.PID, State: StateUnknown}
	dir := filepath.Join(r.cfg.ProcRoot, strconv.Itoa(p.app.PID))
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return w
	}
	// The state follows the last ')' (the name may hold one).
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 || i+2 >= len(stat) {
		return w
	}
	switch stat[i+2] {
	case 'R':
		w.State = StateCPU
		return w
	case 'D':
		w.State = StateIO
	case 'S':
	default:
		return w
	}
	if b, err := os.ReadFile(filepath.Join(dir, "wchan")); err == nil && len(b) > 0 && string(b) != "0" {
		w.Wchan = clean(string(b))
	}
	lfds := listenerFDs(p, listeners)
	sc, args, scOK := r.readSyscall(dir)
	if scOK {
		w.Syscall = sc.name
	}
	if w.State == StateIO {
		return w
	}
	switch {
	case scOK:
		w.State = StateWaiting
		if r.idleIn(sc, args, lfds, dir) {
			w.State = StateIdle
		}
	case w.Wchan != "":
		w.State = StateWaiting
		if len(lfds) > 0 && idleWchan(w.Wchan) {
			w.State = StateIdle
		}
	}
	return w
}

// readSyscall parses /proc/PID/syscall: "NR arg0..arg5 sp pc" while in a
// syscall, "running", or "-1 sp pc" when blocked outside one.
func (r *Reader) readSyscall(dir string) (waitSyscall, []uint64, bool) {
	b, err := os.ReadFile(filepath.Join(dir, "syscall"))
	if err != nil {
		return waitSyscall{}, nil, false
	}
	f := strings.Fields(string(b))
	if len(f) < 7 {
		return waitSyscall{}, nil, false
	}
	nr, err := strconv.Atoi(f[0])
	if err != nil || nr < 0 {
		return waitSyscall{}, nil, false
	}
	args := make([]uint64, 6)
	for i := range args {
		args[i], err = strconv.ParseUint(strings.TrimPrefix(f[i+1], "0x"), 16, 64)
		if err != nil {
			return waitSyscall{}, nil, false
		}
	}
	sc, ok := syscallTables[r.cfg.Arch][nr]
	if !ok {
		sc = waitSyscall{name: strconv.Itoa(nr), kind: sysOther}
	}
	return sc, args, true
}

// idleIn tells whether a worker sleeping in sc(args) waits for a
// connection on one of its listener fds lfds.
func (r *Reader) idleIn(sc waitSyscall, args []uint64, lfds []int, dir string) bool {
	if len(lfds) == 0 {
		return false
	}
	switch sc.kind {
	case sysSelect: // nfds is one more than the highest fd watched
		return uint64(lfds[0]) < args[0]
	case sysAccept:
		for _, fd := range lfds {
			if uint64(fd) == args[0] {
				return true
			}
		}
	case sysEpoll:
		b, err := os.ReadFile(filepath.Join(dir, "fdinfo", strconv.FormatUint(args[0], 10)))
		if err != nil {
			return true // cannot see the set: a worker holding a listener, in epoll
		}
		return epollWatches(b, lfds)
	}
	return false
}

// epollWatches tells whether an epoll fd's fdinfo has a "tfd:" line for
// one of fds.
func epollWatches(fdinfo []byte, fds []int) bool {
	for line := range bytes.Lines(fdinfo) {
		rest, ok := bytes.CutPrefix(line, []byte("tfd:"))
		if !ok {
			continue
		}
		f := strings.Fields(string(rest))
		if len(f) == 0 {
			continue
		}
		tfd, err := strconv.Atoi(f[0])
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if fd == tfd {
				return true
			}
		}
	}
	return false
}

// idleWchan is the fallback when /proc/PID/syscall is unreadable: the
// kernel functions select, epoll and accept sleep in.
func idleWchan(w string) bool {
	for _, s := range []string{"poll_schedule_timeout", "do_select", "core_sys_select", "ep_poll", "inet_csk_accept", "inet_csk_wait_for_connect"} {
		if strings.HasPrefix(w, s) {
			return true
		}
	}
	return false
}
