// Package saturation reads the saturation signals the Linux kernel already
// counts: listen queues of app-server sockets, listen overflows and drops,
// OOM kills with their victims, per-disk busy time, file-descriptor use and
// what each app-server worker is doing. A Reader keeps the previous counters,
// so every read after the first reports per-interval deltas.
//
// Nothing is an error: what cannot be read (no permission, no such file, an
// older kernel) is left out and named in Saturation.Unknown, never reported
// as zero.
package saturation

import (
	"errors"
	"path/filepath"
	"runtime"
	"slices"
	"time"
)

// Saturation is one read of the kernel's saturation signals. It is recorded
// as the optional `saturation` field of a snapshot line; absent fields were
// not measured (see Unknown), they are not zero.
type Saturation struct {
	// Listeners are the listening sockets (TCP and unix-domain) held by the
	// given app processes.
	Listeners []Listener `json:"listeners,omitempty"`
	// ListenOverflows is TcpExt ListenOverflows over the last interval
	// (accept queue full); nil on the first read or when unreadable.
	ListenOverflows *uint64 `json:"listen_overflows,omitempty"`
	// ListenDrops is TcpExt ListenDrops over the last interval (every SYN
	// or connection a listener dropped, overflows included).
	ListenDrops *uint64 `json:"listen_drops,omitempty"`
	// OOMKills is /proc/vmstat oom_kill over the last interval.
	OOMKills *uint64 `json:"oom_kills,omitempty"`
	// OOMVictims are the processes the kernel log says were killed in the
	// interval, where the log is readable.
	OOMVictims []OOMVictim `json:"oom_victims,omitempty"`
	// Disks is the busy time of each whole disk over the last interval.
	Disks []DiskBusy `json:"disks,omitempty"`
	// FDs is the file-descriptor use of the system and of the given processes.
	FDs *FDUse `json:"fds,omitempty"`
	// Workers is what each given worker process is doing right now.
	Workers []WorkerState `json:"workers,omitempty"`
	// Unknown names the fields above that could not be read (or only in
	// part) this time, so their absence is not read as "none".
	Unknown []string `json:"unknown,omitempty"`
}

// Listener is one listening socket and its accept queue.
type Listener struct {
	// Addr is the local address: "127.0.0.1:8000", "[::]:80", or
	// "unix:/run/gunicorn.sock" (control characters replaced).
	Addr   string `json:"addr"`
	Inode  uint32 `json:"inode"`  // socket inode, as in /proc/PID/fd "socket:[INODE]"
	PID    int    `json:"pid"`    // lowest given pid holding the socket (a master, usually)
	Family string `json:"family"` // app family of that pid, as the caller named it
	// Queued is the number of established connections waiting to be
	// accepted (ss -lnt Recv-Q); Backlog is the queue's limit (Send-Q).
	Queued  uint32 `json:"queued"`
	Backlog uint32 `json:"backlog"`
}

// OOMVictim is a process the kernel's OOM killer killed.
type OOMVictim struct {
	PID  int    `json:"pid"`
	Name string `json:"name"` // control characters replaced
}

// DiskBusy is the share of an interval a whole disk had I/O in flight.
type DiskBusy struct {
	Device  string  `json:"device"`
	BusyPct float64 `json:"busy_pct"` // Δio_ticks / Δt × 100, at most 100
}

// FDUse compares open file descriptors to their limits.
type FDUse struct {
	// SystemUsed and SystemMax are /proc/sys/fs/file-nr's allocated
	// handles and fs.file-max; absent when unreadable.
	SystemUsed uint64 `json:"system_used,omitempty"`
	SystemMax  uint64 `json:"system_max,omitempty"`
	// Top is the given process using the largest share of its own
	// "Max open files" soft limit; nil when none could be read.
	Top *ProcessFDs `json:"top,omitempty"`
}

// ProcessFDs is one process's open descriptors against its soft limit.
type ProcessFDs struct {
	PID   int     `json:"pid"`
	Name  string  `json:"name"` // comm, control characters replaced
	Open  int     `json:"open"`
	Limit uint64  `json:"limit"`
	Pct   float64 `json:"pct"`
}

// App is a process the caller wants watched: an app-server master or
// worker (gunicorn, nginx, postgres...) found by the process reader.
type App struct {
	PID    int
	Family string // e.g. "gunicorn"; reported with its listeners
	Worker bool   // report its worker state
}

// Config sets where a Reader reads from; the zero value reads the live
// machine. The hooks exist so tests can feed recorded data.
type Config struct {
	ProcRoot string           // default "/proc"
	SysRoot  string           // default "/sys"
	Now      func() time.Time // default time.Now; deltas are divided by its steps
	// Listening returns the listening sockets; default: a sock_diag
	// netlink dump (as QueryListening).
	Listening func() ([]Socket, error)
	// KernelLog yields new kernel log lines without blocking; default:
	// /dev/kmsg, opened on the first read.
	KernelLog KernelLog
	// Arch picks the syscall numbers read from /proc/PID/syscall;
	// default runtime.GOARCH.
	Arch string
}

// Reader reads Saturation once per interval, keeping the counters of the
// previous read. It is not safe for concurrent use.
type Reader struct {
	cfg    Config
	prev   counters
	primed bool
	buf    []byte // see readShared
}

// counters are the monotonic kernel counters deltas are taken from.
type counters struct {
	at               time.Time
	overflows, drops uint64
	netstatOK        bool
	oomKill          uint64
	vmstatOK         bool
	ioTicks          map[string]uint64
}

// NewReader returns a Reader for cfg, with defaults filled in. The first
// Read only primes the deltas.
func NewReader(cfg Config) *Reader {
	if cfg.ProcRoot == "" {
		cfg.ProcRoot = "/proc"
	}
	if cfg.SysRoot == "" {
		cfg.SysRoot = "/sys"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Listening == nil {
		cfg.Listening = new(listenQuery).query
	}
	if cfg.KernelLog == nil {
		cfg.KernelLog = &Kmsg{Path: "/dev/kmsg"}
	}
	if cfg.Arch == "" {
		cfg.Arch = runtime.GOARCH
	}
	return &Reader{cfg: cfg}
}

// Close releases the kernel log, if the Reader opened it.
func (r *Reader) Close() error {
	if c, ok := r.cfg.KernelLog.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}

// Read takes one reading for the given app processes; those that have
// exited are left out. Deltas (overflows,
// drops, OOM kills, disk busy) are absent on the first read and after a
// counter went backwards.
func (r *Reader) Read(apps []App) Saturation {
	var s Saturation
	unknown := func(what string) {
		if !slices.Contains(s.Unknown, what) {
			s.Unknown = append(s.Unknown, what)
		}
	}
	now := r.cfg.Now()
	cur := counters{at: now}
	dt := now.Sub(r.prev.at)
	first := !r.primed || dt <= 0

	// Processes: one pass over /proc/PID/fd serves listeners and fds.
	apps = slices.Clone(apps)
	slices.SortFunc(apps, func(a, b App) int { return a.PID - b.PID })
	procs := make([]procFDs, 0, len(apps))
	for _, a := range apps {
		p, err := r.scanFDs(a.PID)
		if errors.Is(err, errGone) {
			continue // exited since the caller saw it: nothing to report
		}
		if err != nil {
			unknown("fds")
			unknown("listeners")
		}
		p.app = a
		procs = append(procs, p)
	}

	socks, err := r.cfg.Listening()
	if err != nil {
		unknown("listeners")
	} else {
		s.Listeners = matchListeners(socks, procs)
	}

	var netstatErr error
	cur.overflows, cur.drops, netstatErr = r.readNetstat(filepath.Join(r.cfg.ProcRoot, "net", "netstat"))
	cur.netstatOK = netstatErr == nil
	if !cur.netstatOK {
		unknown("listen_overflows")
		unknown("listen_drops")
	} else if !first && r.prev.netstatOK {
		s.ListenOverflows = delta(r.prev.overflows, cur.overflows)
		s.ListenDrops = delta(r.prev.drops, cur.drops)
	}

	var vmErr error
	cur.oomKill, vmErr = r.readOOMKill(filepath.Join(r.cfg.ProcRoot, "vmstat"))
	cur.vmstatOK = vmErr == nil
	if !cur.vmstatOK {
		unknown("oom_kills")
	} else if !first && r.prev.vmstatOK {
		s.OOMKills = delta(r.prev.oomKill, cur.oomKill)
	}
	victims, logErr := r.oomVictims()
	if logErr != nil {
		unknown("oom_victims")
	} else if !first {
		s.OOMVictims = victims
	}

	cur.ioTicks, err = r.readIOTicks(filepath.Join(r.cfg.ProcRoot, "diskstats"), r.cfg.SysRoot)
	if err != nil {
		unknown("disks")
	} else if !first {
		s.Disks = diskBusy(r.prev.ioTicks, cur.ioTicks, dt)
	}

	var fdUnknown bool
	s.FDs, fdUnknown = r.fdUse(procs)
	if fdUnknown {
		unknown("fds")
	}

	for _, p := range procs {
		if p.app.Worker {
			w := r.workerState(p, s.Listeners)
			if w.State == StateUnknown {
				unknown("workers")
			}
			s.Workers = append(s.Workers, w)
		}
	}

	r.prev, r.primed = cur, true
	return s
}

// delta is cur − prev, or nil when the counter went backwards (a reset or
// a wrap), which is unknown rather than zero.
func delta(prev, cur uint64) *uint64 {
	if cur < prev {
		return nil
	}
	d := cur - prev
	return &d
}
