package main

import (
	"bufio"
	"debug/elf"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
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
		var lines [2]uintptr
		trimRanges, lines = findTrimRanges()
		if lines[1] > lines[0] {
			dropAfterEachGC(lines, time.Second)
		}
	}
	for _, r := range trimRanges {
		dontNeed(r)
	}
}

// dontNeed drops r's pages. MADV_DONTNEED on a private, never-written file
// mapping only unmaps them: the next read faults them back in from the
// page cache, unchanged.
func dontNeed(r [2]uintptr) {
	syscall.Syscall(syscall.SYS_MADVISE, r[0], r[1]-r[0], syscall.MADV_DONTNEED)
}

// dropAfterEachGC drops r, the binary's line tables (.gopclntab), again
// after every garbage collection. The collector reads them for each frame
// of every goroutine's stack (frame sizes, pointer maps), and the kernel
// maps 64 kB around each page read: an idle dashboard held 3–4 MB of them
// between one minute's trim and the next, and nothing else reads them (a
// panic's traceback would, and faults them in). A finalizer on an
// unreachable sentinel runs after each cycle and arms the next. At most
// once a gap: a burst of collections (reading a month of recordings) would
// otherwise fault the tables back in for every one.
// The returned stop ends it (tests: their stand-in mapping goes away).
func dropAfterEachGC(r [2]uintptr, gap time.Duration) (stop func()) {
	type sentinel struct{ _ *byte } // a pointer: never in the tiny allocator, whose finalizers may not run
	var last time.Time
	var stopped atomic.Bool
	var arm func()
	arm = func() {
		runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
			if stopped.Load() {
				return
			}
			if now := time.Now(); last.IsZero() || now.Sub(last) >= gap {
				dontNeed(r)
				last = now
			}
			arm()
		})
	}
	arm()
	return func() { stopped.Store(true) }
}

// findTrimRanges lists the binary's read-only mappings, less its RELRO
// segment: in a position-independent build the loader writes relocations
// there and then makes it read-only, so it looks like the rest but holds
// written pages that dropping would lose (the build crashed 3 s in). lines
// is where .gopclntab is mapped, page-aligned inwards (zero if unknown).
func findTrimRanges() (ranges [][2]uintptr, lines [2]uintptr) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return [][2]uintptr{}, lines
	}
	var relro, pcln [2]uint64
	if f, err := elf.Open(exe); err == nil {
		for _, p := range f.Progs {
			if p.Type == elf.PT_GNU_RELRO {
				relro = [2]uint64{p.Off, p.Off + p.Memsz}
			}
		}
		if sec := f.Section(".gopclntab"); sec != nil && sec.Type != elf.SHT_NOBITS {
			pcln = [2]uint64{sec.Offset, sec.Offset + sec.Size}
		}
		f.Close()
	}
	m, err := os.Open("/proc/self/maps")
	if err != nil {
		return [][2]uintptr{}, lines
	}
	defer m.Close()
	ms := exeMappings(bufio.NewScanner(m), exe)
	ranges = readOnlyMappings(ms, relro)
	lines = fileRangeAt(ms, pcln, relro, os.Getpagesize())
	return ranges, lines
}

// mapping is one of the binary's lines in /proc/self/maps.
type mapping struct {
	start, end, off uint64
	writable        bool
}

// exeMappings reads exe's mappings from a /proc/self/maps listing.
func exeMappings(sc *bufio.Scanner, exe string) []mapping {
	var out []mapping
	for sc.Scan() {
		// 00400000-00c95000 r-xp 00000000 fe:01 1234 /usr/bin/headroom
		f := strings.Fields(sc.Text())
		if len(f) < 6 || f[5] != exe {
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
		out = append(out, mapping{start: a, end: b, off: off, writable: strings.Contains(f[1], "w")})
	}
	return out
}

// readOnlyMappings are the [start, end) of the mappings that cannot be
// written, leaving out any that overlaps relro (a range of file offsets;
// zero for none).
func readOnlyMappings(ms []mapping, relro [2]uint64) [][2]uintptr {
	out := [][2]uintptr{}
	for _, m := range ms {
		if m.writable || overlaps(m, relro) {
			continue
		}
		out = append(out, [2]uintptr{uintptr(m.start), uintptr(m.end)})
	}
	return out
}

func overlaps(m mapping, r [2]uint64) bool {
	return r[1] > r[0] && m.off < r[1] && m.off+(m.end-m.start) > r[0]
}

// fileRangeAt is where the file range r (offsets) is mapped, cut inwards
// to whole pages, when one read-only mapping outside relro holds all of
// it; zero otherwise.
func fileRangeAt(ms []mapping, r, relro [2]uint64, page int) [2]uintptr {
	if r[1] <= r[0] {
		return [2]uintptr{}
	}
	for _, m := range ms {
		if m.writable || overlaps(m, relro) || r[0] < m.off || r[1] > m.off+(m.end-m.start) {
			continue
		}
		p := uint64(page)
		a := (m.start + r[0] - m.off + p - 1) / p * p
		b := (m.start + r[1] - m.off) / p * p
		if b > a {
			return [2]uintptr{uintptr(a), uintptr(b)}
		}
	}
	return [2]uintptr{}
}
