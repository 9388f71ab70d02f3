package procs

import (
	"golang.org/x/sys/unix"
)

// The kernel grows a process's table of open files by doubling it, and in a
// process with more than one thread (a Go program always has several) every
// growth waits for an RCU grace period first: 10–15 ms on a small VM. The
// table keeps a file open per process (schedstat; stat too, once), so a
// first read of 1,000 processes grew it from 64 to 4,096 entries in six
// steps and waited about 70 ms in them: most of the first frame's delay,
// with the CPU idle. Asking once for a descriptor at the size the read will need grows
// it in one step.

// reserveFiles makes the file table hold at least n descriptors, in one
// growth, and returns the size it asked for (0 when it did not). It takes
// the lowest free descriptor at or above n-1 (F_DUPFD never replaces an
// open one) and closes it; the table does not shrink again.
func reserveFiles(dirFD, n int) int {
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) == nil && uint64(n) > rl.Cur {
		n = int(rl.Cur)
	}
	if n <= 64 { // the size every process starts with
		return 0
	}
	fd, err := unix.FcntlInt(uintptr(dirFD), unix.F_DUPFD_CLOEXEC, n-1)
	if err != nil {
		return 0
	}
	unix.Close(fd)
	return n
}
