package main

import (
	"bufio"
	"strings"
	"testing"
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
	got := readOnlyMappings(bufio.NewScanner(strings.NewReader(maps)), "/usr/bin/headroom", [2]uint64{})
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
	got := readOnlyMappings(bufio.NewScanner(strings.NewReader(maps)), "/usr/bin/headroom", relro)
	want := [][2]uintptr{{0x55d0a0000000, 0x55d0a0500000}, {0x55d0a0500000, 0x55d0a0e00000}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %x, want %x", got, want)
	}
}
