package main

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// trimAfter is how long after launch the start-up's memory is given back:
// past the first frames, before a dashboard or a recorder settles down;
// then again every trimEvery, for pages that a help screen, a replayed
// hour or a burst of processes touched once (what a frame uses maps back
// in at once: about 100 minor faults a minute, under a millisecond).
const (
	trimAfter = 3 * time.Second
	trimEvery = time.Minute
)

// Start-up (flag parsing, the package inits of every reader and driver,
// the first frame's layout) touches about 10 MB of the binary's own pages
// that a running dashboard never reads again, and leaves a heap that has
// since emptied. Resident, they count in headroom's RSS for as long as it
// runs, on the machine it is there to watch. So once it is past start-up,
// headroom drops its mappings of the binary's read-only pages (they stay
// in the page cache; what a frame still uses maps back in on use) and
// returns the freed heap to the kernel. Writable mappings are left alone:
// dropping those would lose the program's state.
func init() {
	if os.Getenv("HEADROOM_NO_TRIM") != "" { // for measuring what it saves
		return
	}
	var t *time.Timer
	t = time.AfterFunc(trimAfter, func() {
		trimStartup()
		t.Reset(trimEvery)
	})
}

func trimStartup() {
	debug.FreeOSMemory()
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	for _, r := range readOnlyMappings(bufio.NewScanner(f), exe) {
		// MADV_DONTNEED on a private, never-written file mapping only
		// unmaps its pages: the next read faults them back in from the
		// page cache, unchanged.
		syscall.Syscall(syscall.SYS_MADVISE, r[0], r[1]-r[0], syscall.MADV_DONTNEED)
	}
}

// readOnlyMappings are the [start, end) of exe's mappings in a
// /proc/self/maps listing that cannot be written.
func readOnlyMappings(sc *bufio.Scanner, exe string) [][2]uintptr {
	var out [][2]uintptr
	for sc.Scan() {
		// 00400000-00c95000 r-xp 00000000 fe:01 1234 /usr/bin/headroom
		f := strings.Fields(sc.Text())
		if len(f) < 6 || f[5] != exe || strings.Contains(f[1], "w") {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		a, err1 := strconv.ParseUint(lo, 16, 64)
		b, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || b <= a {
			continue
		}
		out = append(out, [2]uintptr{uintptr(a), uintptr(b)})
	}
	return out
}
