package main

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// Only the binary's own read-only mappings are dropped: never a writable
// one (its globals), nor another file's, nor the heap.
func TestReadOnlyMappings(t *testing.T) {
	maps := `00400000-00aea000 r-xp 00000000 fe:01 1234 /usr/bin/headroom
00aea000-01263000 r--p 006ea000 fe:01 1234 /usr/bin/headroom
01263000-01309000 rw-p 00e63000 fe:01 1234 /usr/bin/headroom
01309000-03572000 rw-p 00000000 00:00 0
7fb134294000-7fb1342ba000 r--p 00000000 fe:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6
7fb134295000-7fb134294000 r--p 00000000 fe:01 1234 /usr/bin/headroom
zz-7fb1342ba000 r-xp 00000000 fe:01 1234 /usr/bin/headroom
`
	got := readOnlyMappings(exeMappings(bufio.NewScanner(strings.NewReader(maps)), "/usr/bin/headroom"), [2]uint64{})
	want := [][2]uintptr{{0x400000, 0xaea000}, {0xaea000, 0x1263000}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %x, want %x", got, want)
	}
}

// In a position-independent build the RELRO segment (relocated at start,
// then made read-only) looks like the other read-only mappings; it is
// left alone.
func TestReadOnlyMappingsLeaveRELRO(t *testing.T) {
	maps := `55d0a0000000-55d0a0500000 r--p 00000000 fe:01 1234 /usr/bin/headroom
55d0a0500000-55d0a0e00000 r-xp 00500000 fe:01 1234 /usr/bin/headroom
55d0a0e00000-55d0a1100000 r--p 00e00000 fe:01 1234 /usr/bin/headroom
55d0a1100000-55d0a1200000 rw-p 01100000 fe:01 1234 /usr/bin/headroom
`
	relro := [2]uint64{0xe00000 + 0x1000, 0x1100000} // inside the third mapping
	got := readOnlyMappings(exeMappings(bufio.NewScanner(strings.NewReader(maps)), "/usr/bin/headroom"), relro)
	want := [][2]uintptr{{0x55d0a0000000, 0x55d0a0500000}, {0x55d0a0500000, 0x55d0a0e00000}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %x, want %x", got, want)
	}
}

// The line tables are found by their file offsets in whichever mapping
// holds them, PIE or not, cut inwards to whole pages: a part page belongs
// to the section beside it too.
func TestLineTablesAddress(t *testing.T) {
	maps := `00400000-00aea000 r-xp 00000000 fe:01 1234 /usr/bin/headroom
00aea000-01263000 r--p 006ea000 fe:01 1234 /usr/bin/headroom
01263000-01309000 rw-p 00e63000 fe:01 1234 /usr/bin/headroom
`
	ms := exeMappings(bufio.NewScanner(strings.NewReader(maps)), "/usr/bin/headroom")
	pcln := [2]uint64{0x7006e0, 0xe61000 + 0x5e6} // offsets as readelf gives them
	if got, want := fileRangeAt(ms, pcln, [2]uint64{}, 4096), [2]uintptr{0xb01000, 0x1261000}; got != want {
		t.Errorf("got %x, want %x", got, want)
	}
	// In a writable mapping, or in RELRO, or across two mappings: none.
	for _, r := range [][2]uint64{{0xe63100, 0xe64000}, {0x6e0000, 0x6f0000}} {
		if got := fileRangeAt(ms, r, [2]uint64{}, 4096); got != [2]uintptr{} {
			t.Errorf("%x: got %x, want none", r, got)
		}
	}
	if got := fileRangeAt(ms, pcln, [2]uint64{0x700000, 0x701000}, 4096); got != [2]uintptr{} {
		t.Errorf("in RELRO: got %x, want none", got)
	}
}

// tablesStandIn maps a 4-page temp file read-only and private, as the
// binary's line tables are, and says how many of its pages are resident
// (pagemap's present bit).
func tablesStandIn(t *testing.T) (mem []byte, resident func() int) {
	path := filepath.Join(t.TempDir(), "tables")
	page := os.Getpagesize()
	if err := os.WriteFile(path, make([]byte, 4*page), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mem, err = syscall.Mmap(int(f.Fd()), 0, 4*page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	resident = func() int {
		pm, err := os.Open("/proc/self/pagemap")
		if err != nil {
			t.Skip("no /proc/self/pagemap")
		}
		defer pm.Close()
		b := make([]byte, 8*4)
		base := uintptr(unsafe.Pointer(&mem[0]))
		if _, err := pm.ReadAt(b, int64(base/uintptr(page))*8); err != nil {
			t.Fatal(err)
		}
		n := 0
		for i := 0; i < 4; i++ {
			if b[8*i+7]&0x80 != 0 { // bit 63: present
				n++
			}
		}
		return n
	}
	sum := 0
	for i := 0; i < 4; i++ {
		sum += int(mem[i*page]) // read every page in
	}
	if n := resident(); n != 4 {
		t.Fatalf("%d of 4 pages resident after reading them (sum %d)", n, sum)
	}
	return mem, resident
}

// sink keeps the reads of the stand-in's pages from being optimised away.
var sink byte

// collectUntil runs collections, yielding to the finalizer goroutine after
// each, a bounded number of times or until done says so.
func collectUntil(done func() bool) {
	for i := 0; i < 1000 && !done(); i++ {
		runtime.GC()
		runtime.Gosched()
	}
}

// After each garbage collection the line tables are dropped again.
func TestDropAfterEachGC(t *testing.T) {
	mem, resident := tablesStandIn(t)
	start := uintptr(unsafe.Pointer(&mem[0]))
	t.Cleanup(dropAfterEachGC([2]uintptr{start, start + uintptr(len(mem))}, 0))
	collectUntil(func() bool { return resident() == 0 })
	if n := resident(); n != 0 {
		t.Fatalf("%d pages still resident after the collections", n)
	}
	sink += mem[os.Getpagesize()] // read back in: a later collection drops it again
	if resident() == 0 {          // the kernel maps its neighbours with it: 1 to 4
		t.Fatal("no page resident after reading one back")
	}
	collectUntil(func() bool { return resident() == 0 })
	if n := resident(); n != 0 {
		t.Errorf("%d pages resident after a second round: the finalizer did not re-arm", n)
	}
}

// Within the gap after a drop, collections leave the tables alone: a burst
// of them must not fault the tables in and out for each.
func TestDropAfterEachGCKeepsItsGap(t *testing.T) {
	mem, resident := tablesStandIn(t)
	start := uintptr(unsafe.Pointer(&mem[0]))
	t.Cleanup(dropAfterEachGC([2]uintptr{start, start + uintptr(len(mem))}, time.Hour))
	collectUntil(func() bool { return resident() == 0 })
	if n := resident(); n != 0 {
		t.Fatalf("%d pages still resident: the first collection drops them whatever the gap", n)
	}
	sink += mem[0]
	n := 0
	collectUntil(func() bool { n++; return n > 200 })
	if resident() == 0 {
		t.Errorf("the page read back was dropped again within the gap")
	}
}
