package main

import (
	"bufio"
	"debug/elf"
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

// trimRanges are the mappings trimStartup drops, found at its first run:
// the binary's mappings do not change.
var trimRanges [][2]uintptr

func trimStartup() {
	debug.FreeOSMemory()
	if trimRanges == nil {
		trimRanges = findTrimRanges()
	}
	for _, r := range trimRanges {
		// MADV_DONTNEED on a private, never-written file mapping only
		// unmaps its pages: the next read faults them back in from the
		// page cache, unchanged.
		syscall.Syscall(syscall.SYS_MADVISE, r[0], r[1]-r[0], syscall.MADV_DONTNEED)
	}
}

// findTrimRanges lists the binary's read-only mappings, less its RELRO
// segment: in a position-independent build the loader writes relocations
// there and then makes it read-only, so it looks like the rest but holds
// written pages that dropping would lose (the build crashed 3 s in).
func findTrimRanges() [][2]uintptr {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return [][2]uintptr{}
	}
	var relro [2]uint64
	if f, err := elf.Open(exe); err == nil {
		for _, p := range f.Progs {
			if p.Type == elf.PT_GNU_RELRO {
				relro = [2]uint64{p.Off, p.Off + p.Memsz}
			}
		}
		f.Close()
	}
	m, err := os.Open("/proc/self/maps")
	if err != nil {
		return [][2]uintptr{}
	}
	defer m.Close()
	return readOnlyMappings(bufio.NewScanner(m), exe, relro)
}

// readOnlyMappings are the [start, end) of exe's mappings in a
// /proc/self/maps listing that cannot be written, leaving out any that
// overlaps relro (a range of file offsets; zero for none).
func readOnlyMappings(sc *bufio.Scanner, exe string, relro [2]uint64) [][2]uintptr {
	out := [][2]uintptr{}
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
		off, err3 := strconv.ParseUint(f[2], 16, 64)
		if err1 != nil || err2 != nil || err3 != nil || b <= a {
			continue
		}
		if relro[1] > relro[0] && off < relro[1] && off+(b-a) > relro[0] {
			continue
		}
		out = append(out, [2]uintptr{uintptr(a), uintptr(b)})
	}
	return out
}
