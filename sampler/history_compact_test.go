package sampler

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/headroom-dev/headroom/sampler/saturation"
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

// withoutProcs is what the compact store keeps of s: everything but its
// processes and control groups, its time without the monotonic reading.
func withoutProcs(s Snapshot) Snapshot {
	s.Procs, s.ProcLimits, s.Services = nil, nil, nil
	s.Time = s.Time.Round(0)
	return s
}

// fullSnapshot has every field the compact store keeps set, each second
// different where a live source's would be.
func fullSnapshot(i int, loc *time.Location) Snapshot {
	f, u := float64(i)+0.25, uint64(7*i)
	s := Snapshot{Time: time.Unix(1_800_000_000+int64(i), int64(i)*1_000_003).In(loc),
		CPU:    CPU{Cores: 4, Percent: f, PerCore: []float64{f, 1, 2, f / 3}, IOWait: f / 7, Steal: 0.5},
		Mem:    Memory{Total: 8 << 30, Available: 3<<30 + u},
		Swap:   Swap{Total: 1 << 30, Used: u},
		Disks:  []Disk{{Mount: "/", Device: "/dev/vda1", FSType: "ext4", Total: 100, Used: 40 + u%3, Free: 60 - u%3}},
		Load:   [3]float64{f, 0.5, 0.25},
		Uptime: 1000 + f, PSI: &PSI{CPU: Pressure{Avg10: float64(i % 3)}, MemFull: &Pressure{Avg60: 1}},
		IO: &Rates{In: f, Out: 2 * f}, Net: &Rates{In: 3 * f},
		Limits: &Limits{Cores: 2, Memory: 4 << 30},
		Probe:  []ProbeResult{{MS: f, Status: 200}, {MS: 5000, Err: "timeout"}},
		LoadTest: &LoadStats{URL: "http://127.0.0.1:8000/", Pattern: "ramp", RPS: f, P95: 2 * f,
			Errors: map[string]int{"timeout": i}},
		Saturation: &saturation.Saturation{ListenOverflows: &u, Unknown: []string{"workers"},
			Listeners: []saturation.Listener{{Addr: "127.0.0.1:8000", Queued: uint32(i % 2)}},
			Disks:     []saturation.DiskBusy{{Device: "vda", BusyPct: float64(i % 3)}},
			FDs:       &saturation.FDUse{SystemUsed: 900 + u%2, Top: &saturation.ProcessFDs{PID: 7, Open: i % 5}}},
		AppEvidence: AppEvidence{Traffic: &TrafficSample{Requests: i, Classes: [6]int{0, 0, i}, State: "ok"},
			SQL: &SQLSample{Count: i, State: "ok"}},
		Short: 0.05, NProcs: 300 + i, Absent: []string{"swap"},
		Procs: []Process{{PID: 1, Name: "init"}}, Services: []Service{{Name: "app.service"}},
		ProcLimits: map[int32]GroupLimits{1: {}}}
	if i%4 == 1 { // what a source leaves out at times
		s.IO, s.Net, s.PSI, s.CPU.PerCore, s.Disks, s.Limits = nil, nil, nil, nil, nil, nil
		s.Absent, s.Probe, s.LoadTest, s.Saturation, s.AppEvidence = nil, nil, nil, nil, AppEvidence{}
	}
	if i%4 == 2 { // empty, which is not the same as absent
		s.CPU.PerCore, s.Disks, s.Probe = []float64{}, []Disk{}, []ProbeResult{}
		s.Saturation.Listeners, s.Saturation.Unknown = []saturation.Listener{}, []string{}
	}
	if i%4 == 3 {
		s.Saturation.Listeners, s.Saturation.Unknown = nil, nil
	}
	if i%4 == 3 { // one of a pair
		s.Net, s.PSI.MemFull = nil, nil
	}
	return s
}

// checkKept fails unless the history gives back each of want (as the
// compact store keeps it), in order.
func checkKept(t *testing.T, h *History, want []Snapshot) {
	t.Helper()
	if h.Len() != len(want) {
		t.Fatalf("holds %d snapshots, want %d", h.Len(), len(want))
	}
	for i, w := range want {
		got, w := h.At(i), withoutProcs(w)
		if !got.Time.Equal(w.Time) || got.Time.Location() != w.Time.Location() {
			t.Fatalf("snapshot %d: time %v, want %v", i, got.Time, w.Time)
		}
		got.Time = w.Time
		if !reflect.DeepEqual(got, w) {
			t.Fatalf("snapshot %d read back as\n%+v\nwant\n%+v", i, got, w)
		}
	}
}

// A snapshot read back from the compact store is the one added, less its
// processes and control groups: every value, nil and empty told apart,
// in its time zone, across blocks, as the oldest fall out.
func TestCompactStoreReadsBackWhatWasAdded(t *testing.T) {
	tz := time.FixedZone("UTC+5:30", 5*3600+1800)
	var all []Snapshot
	for i := 0; i < 3*blockLen+5; i++ {
		loc := time.UTC
		if i/50%2 == 1 {
			loc = tz // a zone change starts a new block early
		}
		all = append(all, fullSnapshot(i, loc))
	}
	h := NewHistory(2*blockLen+7, 0)
	for i, s := range all {
		h.Add(s)
		checkKept(t, h, all[max(0, i+1-h.Cap()):i+1])
	}
	// The recordings' own snapshots, as they are replayed.
	for _, name := range []string{"incident.jsonl", "memory-pressure.jsonl"} {
		snaps := readRecording(t, filepath.Join("..", "testdata", name))
		h := NewHistory(len(snaps), 10)
		for _, s := range snaps {
			h.Add(s)
		}
		old := snaps[:len(snaps)-10]
		for i, s := range old {
			if got := h.At(i); !reflect.DeepEqual(got, withoutProcs(s)) {
				t.Fatalf("%s: snapshot %d read back as\n%+v\nwant\n%+v", name, i, got, withoutProcs(s))
			}
		}
		if got := h.At(len(snaps) - 1); !reflect.DeepEqual(got, snaps[len(snaps)-1]) {
			t.Errorf("%s: the newest snapshot is not held whole", name)
		}
	}
}

// readRecording reads a recording's snapshots (the header line skipped).
func readRecording(t *testing.T, path string) []Snapshot {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []Snapshot
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n"))[1:] {
		var s Snapshot
		if err := json.Unmarshal(line, &s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// What repeats from one second to the next is held once, and a point
// holds no pointers, so the hour costs a point and what changed.
func TestCompactStoreKeepsRepeatsOnce(t *testing.T) {
	if sz := unsafe.Sizeof(point{}); sz > 160 {
		t.Errorf("a point is %d bytes", sz)
	}
	if reflect.TypeOf(point{}).NumField() == 0 || hasPointers(reflect.TypeOf(point{})) {
		t.Error("a point holds pointers: the collector would scan the hour")
	}
	var st hourStore
	for i := 0; i < blockLen; i++ {
		s := fullSnapshot(0, time.UTC) // the same figures every second, freshly allocated
		s.Time = s.Time.Add(time.Duration(i) * time.Second)
		s.CPU.Percent = float64(i)
		st.push(&s)
	}
	b := st.blocks[0]
	if len(st.blocks) != 1 || len(b.extras) != 1 || len(b.disks) != 1 || len(b.psis) != 1 || len(b.cores) != 4 || len(b.sats) != 1 {
		t.Errorf("a minute of repeats holds %d blocks, %d extras, %d disk lists, %d pressures, %d per-core figures, %d saturations",
			len(st.blocks), len(b.extras), len(b.disks), len(b.psis), len(b.cores), len(b.sats))
	}
	// Saturation changed in one counter: the rest is the last one's.
	s := fullSnapshot(0, time.UTC)
	s.Time = s.Time.Add(blockLen * time.Second)
	s.Saturation.FDs.SystemUsed++
	var st2 hourStore
	first := fullSnapshot(0, time.UTC)
	st2.push(&first)
	st2.push(&s)
	a, c := st2.snapshot(0).Saturation, st2.snapshot(1).Saturation
	if c.FDs.SystemUsed != a.FDs.SystemUsed+1 || c.FDs.Top != a.FDs.Top || &c.Disks[0] != &a.Disks[0] || &c.Listeners[0] != &a.Listeners[0] || c.ListenOverflows != a.ListenOverflows {
		t.Error("a saturation reading that changed in one count does not share the rest with the one before")
	}
	if got := st.snapshot(blockLen - 1); got.CPU.Percent != blockLen-1 || got.Time.Sub(st.time(0)) != (blockLen-1)*time.Second {
		t.Errorf("the last point reads back as %v at %v", got.CPU.Percent, got.Time)
	}
}

// hasPointers reports whether a value of t holds a pointer.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.String, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// Readers on other goroutines may hold and read snapshots rebuilt from the
// compact store while the pipeline adds (run with -race: nothing a reader
// holds is written, and a reader's copy stays what it was).
func TestCompactStoreReadWhileAdding(t *testing.T) {
	h := NewHistory(3*blockLen, 2)
	h.Add(fullSnapshot(0, time.UTC))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 1; i < 6*blockLen; i++ {
			h.Add(fullSnapshot(i, time.UTC))
		}
	}()
	for {
		select {
		case <-done:
			return
		default:
		}
		if h.Len() < 3 {
			continue
		}
		s := h.At(0)
		sec := s.Time.Unix() - 1_800_000_000
		want := withoutProcs(fullSnapshot(int(sec), time.UTC))
		want.Time = s.Time
		if !reflect.DeepEqual(s, want) {
			t.Fatalf("second %d read back as %+v", sec, s)
		}
		_ = h.Series(h.newest(), 3*blockLen, CPUMetric)
	}
}
