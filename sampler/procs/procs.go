package procs

import (
	"bytes"
	"math"
	"os"
	"os/user"
	"strconv"
	"syscall"
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/apps"
	"github.com/headroom-dev/headroom/sampler/text"
)

// Table reads every process from /proc once per sample.
//
// Written by hand rather than with gopsutil's process API: that costs about
// 80–90 ms of CPU per sample with 1000 processes (it re-opens and re-parses
// several files per process and allocates for each), more than htop spends in
// total. Here each file is read into one reused buffer, which measured about
// a tenth of the cost (see BenchmarkLiveSample). A pid reused by a new
// process is told apart by its start time.
//
// Most processes sleep through most samples. For a single-threaded one,
// /proc/<pid>/schedstat (its CPU time in ns) tells whether it ran, and costs
// the kernel far less to produce than stat (2.6 ms against 6.5 ms per 1000
// processes, measured cold at 1 Hz); stat is read only when it ran, and
// every fullEvery samples regardless, to catch memory reclaimed or a parent
// changed while it slept. schedstat, read every sample, is opened once and
// kept open, re-read with pread; stat is opened for each read. An open
// /proc file holds a page-sized kernel buffer from its first read until it
// is closed: keeping stat open too held 8 MB of kernel memory at 1,000
// processes, and allocating it was a third of a first read's CPU.
type Table struct {
	root     string // "/proc", or a fixture tree in tests
	clkTck   float64
	pageSize uint64
	bootTime time.Time
	entries  map[int32]*procEntry
	dir      *os.File
	dirBuf   []byte
	buf      []byte
	pids     []int32
	users    map[uint32]string
	lookupID func(uid string) (*user.User, error) // user.LookupId; a fake in tests
	last     time.Time
	lastPid  int64 // the newest pid at the last listing, from /proc/loadavg
	noKeep   bool  // EMFILE seen: stop keeping files open
	round    int   // samples taken
	reserved int   // file table size asked for (fdtable.go)
}

// fullEvery is how often (in samples) an idle process's stat is re-read anyway.
const fullEvery = 10

type procEntry struct {
	sfd     int    // open /proc/<pid>/schedstat, or -1
	ran     uint64 // schedstat CPU time at the last read
	threads int64
	age     int       // samples since stat was last read
	idle    int       // checks in a row that found it had not run
	checked time.Time // when it was last read: its CPU % is over the time since
	start   uint64
	ticks   uint64
	comm    string // the name as the kernel has it, to notice an exec
	name    string // comm made printable (text.Printable): what is shown
	user    string
	cmd     string
	ppid    int32
	rss     uint64
	pss     uint64
	cpu     float64
	seen    bool
	appSrv  bool // part of an application family (apps.go): its PSS is read
	pssAge  int  // samples since PSS was last read
}

// clockTicks is USER_HZ. It is 100 on every Linux architecture Go supports;
// reading it needs sysconf (cgo), which the sampler avoids.
const clockTicks = 100

// NewTable reads processes under root ("/proc"); bootTime (zero if unknown)
// gives a process born between two samples its CPU % over its own life.
func NewTable(root string, bootTime time.Time) *Table {
	return &Table{
		root:     root,
		clkTck:   clockTicks,
		pageSize: uint64(os.Getpagesize()),
		bootTime: bootTime,
		entries:  make(map[int32]*procEntry),
		dirBuf:   make([]byte, 32*1024),
		buf:      make([]byte, 4096),
		users:    make(map[uint32]string),
		lookupID: user.LookupId,
	}
}

// listPids reads the numeric entries of /proc. It parses the raw directory
// records itself because os.File.Readdirnames allocates a string per entry.
func (t *Table) listPids() ([]int32, error) {
	if t.dir == nil {
		d, err := os.Open(t.root)
		if err != nil {
			return nil, err
		}
		t.dir = d
	} else if _, err := t.dir.Seek(0, 0); err != nil {
		return nil, err
	}
	t.pids = t.pids[:0]
	fd := int(t.dir.Fd())
	for {
		n, err := syscall.ReadDirent(fd, t.dirBuf)
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			break
		}
		b := t.dirBuf[:n]
		for len(b) >= 19 {
			reclen := int(b[16]) | int(b[17])<<8
			if reclen == 0 || reclen > len(b) {
				break
			}
			name := b[19:reclen]
			var pid uint64
			ok := len(name) > 0 && name[0] != 0
			for _, c := range name {
				if c == 0 {
					break
				}
				if c < '0' || c > '9' {
					ok = false
					break
				}
				pid = pid*10 + uint64(c-'0')
			}
			if ok {
				t.pids = append(t.pids, int32(pid))
			}
			b = b[reclen:]
		}
	}
	return t.pids, nil
}

// pidsToRead lists /proc only when a process may have been born since the
// last listing: the kernel's newest pid (the last field of /proc/loadavg,
// per pid namespace) has changed. Otherwise the known processes are all
// there is; those that exited fail their read and are dropped. Listing /proc
// measured 4 ms per sample with 1000 processes in a pid namespace, the
// largest single cost of a sample.
func (t *Table) pidsToRead() ([]int32, error) {
	last := int64(-1)
	if n, err := t.readFile("loadavg"); err == nil {
		last = lastPid(t.buf[:n])
	}
	if last < 0 || last != t.lastPid || len(t.entries) == 0 {
		t.lastPid = last
		return t.listPids()
	}
	t.pids = t.pids[:0]
	for pid := range t.entries {
		t.pids = append(t.pids, pid)
	}
	return t.pids, nil
}

// lastPid parses the newest pid from /proc/loadavg ("0.10 0.16 0.09 1/76 13343"); -1 if absent.
func lastPid(b []byte) int64 {
	b = bytes.TrimRight(b, "\n ")
	i := bytes.LastIndexByte(b, ' ')
	if i < 0 {
		return -1
	}
	v, ok := atou(b[i+1:])
	if !ok {
		return -1
	}
	return int64(v)
}

// readFile reads <root>/<name> into t.buf.
func (t *Table) readFile(name string) (int, error) {
	fd, err := syscall.Open(t.root+"/"+name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer syscall.Close(fd)
	total := 0
	for total < len(t.buf) {
		n, err := syscall.Read(fd, t.buf[total:])
		if n <= 0 || err != nil {
			break
		}
		total += n
	}
	return total, nil
}

// Sample reads all processes and returns them; CPU % is over the time since
// the previous call (0 for every process on the first call).
func (t *Table) Sample(now time.Time) ([]sampler.Process, error) {
	pids, err := t.pidsToRead()
	if err != nil {
		return nil, err
	}
	first := t.last.IsZero()
	t.last = now
	// Room for a kept file per process and one being read, with some to
	// spare, before they are opened (fdtable.go).
	if need := len(pids) + 64; !t.noKeep && need > t.reserved && t.dir != nil {
		if got := reserveFiles(int(t.dir.Fd()), need+need/4); got > 0 {
			t.reserved = got
		}
	}
	t.round++
	for _, e := range t.entries {
		e.seen = false
	}
	count := 0
	for _, pid := range pids {
		e := t.entries[pid]
		if e != nil && t.skip(pid, e) {
			e.seen = true
			count++
			continue
		}
		if e != nil {
			if !t.refresh(pid, e, now.Sub(e.checked).Seconds()) {
				t.drop(pid, e)
				e = nil
			}
		}
		if e == nil {
			e = t.add(pid, now, first)
			if e == nil {
				continue // exited between listing and reading: not an error
			}
		}
		e.seen = true
		count++
	}
	out := make([]sampler.Process, 0, count)
	for pid, e := range t.entries {
		if !e.seen {
			t.drop(pid, e)
			continue
		}
		out = append(out, sampler.Process{PID: pid, PPID: e.ppid, Name: e.name, User: e.user,
			CPU: e.cpu, RSS: e.rss, PSS: e.pss, Cmd: e.cmd, Start: e.start})
	}
	return out, nil
}

func (t *Table) drop(pid int32, e *procEntry) {
	if e.sfd >= 0 {
		syscall.Close(e.sfd)
	}
	delete(t.entries, pid)
}

// refresh re-reads a known process; false means it is gone or its pid now
// belongs to another process.
func (t *Table) refresh(pid int32, e *procEntry, dt float64) bool {
	var n int
	var err error
	if e.sfd >= 0 && e.threads == 1 {
		n, err = syscall.Pread(e.sfd, t.buf, 0)
		if err != nil || n == 0 {
			return false // exited: the fd belongs to the old task
		}
		ran, ok := parseSchedstat(t.buf[:n])
		e.checked = t.last
		if ok && ran == e.ran && e.age < fullEvery {
			e.cpu = 0
			e.age++
			e.idle++
			t.refreshPSS(pid, e)
			return true
		}
		e.ran = ran
	}
	e.age, e.idle, e.checked = 0, 0, t.last
	n, err = t.readOnce(pid, "stat")
	if err != nil || n == 0 {
		return false
	}
	f, perr := parseStat(t.buf[:n])
	if perr != nil || f.start != e.start {
		return false
	}
	if dt > 0 && f.ticks >= e.ticks {
		e.cpu = math.Round(float64(f.ticks-e.ticks)/t.clkTck/dt*1000) / 10
	} else {
		e.cpu = 0
	}
	e.ticks = f.ticks
	e.threads = f.threads
	e.ppid = f.ppid
	e.rss = f.rss * t.pageSize
	if string(f.comm) != e.comm { // exec'd: name and command line changed
		e.setName(f.comm)
		e.cmd = t.cmdlineOf(pid, e.name, f.kthread)
		e.appSrv = apps.FamilyOf(e.name, e.cmd) != ""
		e.pssAge = 0
	}
	t.refreshPSS(pid, e)
	return true
}

// setName keeps the kernel's comm and its printable form; for a clean name
// (nearly all) both are the same string.
func (e *procEntry) setName(comm []byte) {
	e.comm = string(comm)
	e.name = text.Printable(e.comm)
}

func (t *Table) add(pid int32, now time.Time, first bool) *procEntry {
	// Opened for one read and its owner (fstat), then closed: see Table.
	fd, err := syscall.Open(t.root+"/"+strconv.Itoa(int(pid))+"/stat", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		if err == syscall.EMFILE || err == syscall.ENFILE {
			t.noKeep = true
		}
		return nil
	}
	var st syscall.Stat_t
	n, err := syscall.Pread(fd, t.buf, 0)
	ferr := syscall.Fstat(fd, &st)
	syscall.Close(fd)
	if err != nil || n == 0 || ferr != nil {
		return nil
	}
	f, err := parseStat(t.buf[:n])
	if err != nil {
		return nil
	}
	e := &procEntry{sfd: -1, start: f.start, ticks: f.ticks, ppid: f.ppid, threads: f.threads, checked: now,
		rss: f.rss * t.pageSize, user: t.userName(st.Uid)}
	e.setName(f.comm)
	if !t.noKeep {
		e.sfd = t.openSchedstat(pid, e)
	}
	// A process born since the last sample: its CPU time so far over its age.
	if !first && !t.bootTime.IsZero() {
		age := now.Sub(t.bootTime).Seconds() - float64(f.start)/t.clkTck
		if age > 0.05 {
			e.cpu = math.Round(float64(f.ticks)/t.clkTck/age*1000) / 10
		}
	}
	e.cmd = t.cmdlineOf(pid, e.name, f.kthread)
	e.appSrv = apps.FamilyOf(e.name, e.cmd) != ""
	t.refreshPSS(pid, e)
	t.entries[pid] = e
	return e
}

// openSchedstat opens /proc/<pid>/schedstat and reads it once; -1 where
// the kernel has none.
func (t *Table) openSchedstat(pid int32, e *procEntry) int {
	sfd, err := syscall.Open(t.root+"/"+strconv.Itoa(int(pid))+"/schedstat", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		if err == syscall.EMFILE || err == syscall.ENFILE {
			t.noKeep = true
		}
		return -1
	}
	n, err := syscall.Pread(sfd, t.buf, 0)
	ran, ok := parseSchedstat(t.buf[:max(n, 0)])
	if err != nil || !ok {
		syscall.Close(sfd)
		return -1
	}
	e.ran = ran
	return sfd
}

// readOnce reads /proc/<pid>/<file> into t.buf with open/read/close.
func (t *Table) readOnce(pid int32, file string) (int, error) {
	return t.readFile(strconv.Itoa(int(pid)) + "/" + file)
}

// cmdlineOf is cmdline, without reading the file of a kernel thread: it
// is always empty, and a server has a hundred or more of them to open,
// read and close at a first sample.
func (t *Table) cmdlineOf(pid int32, name string, kthread bool) string {
	if kthread {
		return cmdlineString(nil, name)
	}
	return t.cmdline(pid, name)
}

// cmdline is the printable command line of pid ("[name]" for a kernel thread).
func (t *Table) cmdline(pid int32, name string) string {
	n, err := t.readOnce(pid, "cmdline")
	if err != nil {
		n = 0
	}
	return cmdlineString(t.buf[:n], name)
}

// pss is the process's proportional set size from smaps_rollup, 0 when it
// cannot be read (another user's process, or gone).
func (t *Table) pss(pid int32) uint64 {
	n, err := t.readOnce(pid, "smaps_rollup")
	if err != nil {
		return 0
	}
	v, _ := parseKB(t.buf[:n], "Pss")
	return v
}

// userName is the printable login name of uid (its number when it has none),
// cached: /etc/passwd is read once per user, not per process.
func (t *Table) userName(uid uint32) string {
	if name, ok := t.users[uid]; ok {
		return name
	}
	name := strconv.FormatUint(uint64(uid), 10)
	if u, err := t.lookupID(name); err == nil {
		name = text.Printable(u.Username)
	}
	t.users[uid] = name
	return name
}

// Close closes the files the table keeps open.
func (t *Table) Close() {
	for pid, e := range t.entries {
		t.drop(pid, e)
	}
	if t.dir != nil {
		t.dir.Close()
	}
}
