package sampler

import (
	"testing"
	"time"
	"unsafe"
)

// A snapshot leaving the process window keeps its system metrics, loses
// its processes and control groups, and shares repeated values with the
// snapshot before it.
func TestHistoryThinsOldSnapshots(t *testing.T) {
	h := NewHistory(10, 2)
	limit, limit2 := uint64(512<<20), uint64(512<<20)
	used := uint64(100 << 20)
	mk := func(i int, max *uint64) Snapshot {
		return Snapshot{Time: time.Unix(int64(i), 0), CPU: CPU{Percent: float64(i), PerCore: []float64{1, 2}},
			PSI:      &PSI{CPU: Pressure{Avg10: 1}},
			Disks:    []Disk{{Mount: string([]byte("/srv")), Device: string([]byte("/dev/vdb")), Used: uint64(i)}},
			Procs:    []Process{{PID: 1}},
			Services: []Service{{Name: "app.service", Path: "/system.slice/app.service", MemoryMax: max, MemoryBytes: &used, Kind: "systemd"}, {Name: "cron.service"}}}
	}
	h.Add(mk(1, &limit))
	h.Add(mk(2, &limit2))
	h.Add(mk(3, &limit))
	h.Add(mk(4, &limit))
	old, recent := h.At(1), h.At(3)
	if old.Procs != nil || old.Services != nil {
		t.Errorf("thinned snapshot: procs %v, services %+v", old.Procs, old.Services)
	}
	if old.CPU.Percent != 2 || old.Disks[0].Used != 2 || old.Disks[0].Mount != "/srv" {
		t.Errorf("thinned snapshot lost metrics: %+v", old)
	}
	if &old.CPU.PerCore[0] != &h.At(0).CPU.PerCore[0] || old.PSI != h.At(0).PSI {
		t.Error("unchanged per-core figures or pressure are not shared with the second before")
	}
	if len(recent.Procs) != 1 || len(recent.Services) != 2 || recent.Services[0].Kind != "systemd" {
		t.Errorf("a snapshot in the process window was thinned: %+v", recent)
	}
}

// Thinning never writes into a snapshot's slices: a reader's copy (At,
// WindowAt, on another goroutine) shares them.
func TestThinLeavesSharedElementsAlone(t *testing.T) {
	h := NewHistory(10, 1)
	mk := func(i int) Snapshot {
		return Snapshot{Time: time.Unix(int64(i), 0),
			Disks: []Disk{{Mount: string([]byte("/srv")), Device: string([]byte("/dev/vdb")), Used: uint64(i)}}}
	}
	h.Add(mk(1))
	h.Add(mk(2))
	held := h.At(1) // not yet thinned: the newest
	mount := unsafe.StringData(held.Disks[0].Mount)
	h.Add(mk(3)) // thins snapshot 2, whose disks differ from snapshot 1's only by Used
	if unsafe.StringData(held.Disks[0].Mount) != mount {
		t.Error("thinning rewrote an element of a disk list a reader holds")
	}
}
