package sampler_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/live"
	"github.com/headroom-dev/headroom/sampler/saturation"
)

// hourSnapshot is sample i of a synthesised hour: this machine's own
// snapshot (disks, per-core, PSI, rates, processes) with 25 services (5 of
// them with a memory and CPU limit), each value freshly allocated as a live
// source and the collectors make them; the disks' names are the same
// strings each second, as the live source keeps them while the mounts are
// unchanged.
func hourSnapshot(base sampler.Snapshot, i int) sampler.Snapshot {
	s := base
	s.Time = base.Time.Add(time.Duration(i) * time.Second)
	s.CPU.PerCore = append([]float64(nil), base.CPU.PerCore...)
	s.Disks = make([]sampler.Disk, len(base.Disks))
	for j, d := range base.Disks {
		s.Disks[j] = d
	}
	if base.PSI != nil {
		p := *base.PSI
		s.PSI = &p
	}
	s.IO, s.Net = &sampler.Rates{In: float64(i)}, &sampler.Rates{Out: float64(i)}
	// The kernel's saturation counters, read afresh each second: the
	// descriptors in use change nearly every second, the rest seldom.
	zero, zero2, zero3 := uint64(0), uint64(0), uint64(0)
	s.Saturation = &saturation.Saturation{ListenOverflows: &zero, ListenDrops: &zero2, OOMKills: &zero3,
		Disks: []saturation.DiskBusy{{Device: "vda", BusyPct: float64(i % 7 / 6)}, {Device: "zram0"}},
		FDs:   &saturation.FDUse{SystemUsed: 2000 + uint64(i%13), SystemMax: 1 << 20}}
	// The process table hands out the same name, user and command strings
	// each second: only the list is new.
	s.Procs = append([]sampler.Process(nil), base.Procs...)
	s.Services = make([]sampler.Service, 25)
	for j := range s.Services {
		f, u := float64(i+j), uint64(i*j)
		f2, f3, f4, f5 := f, f, f, f
		u2, u3, u4, u5, u6, u7 := u, u, u, u, u, u
		s.Services[j] = sampler.Service{Name: fmt.Sprintf("app%02d.service", j), Path: fmt.Sprintf("/system.slice/app%02d.service", j),
			Kind: "systemd", Procs: 3, CPUPct: &f, MemoryBytes: &u, MemoryMax: &u2, CPUMaxCores: &f2, ThrottledPct: &f3,
			OOMKills: &u3, PIDs: &u4, PIDsMax: &u5, SwapBytes: &u6, MemPSI: &f4, CPUPSI: &f5, MemMaxHits: &u7}
		if j >= 5 {
			s.Services[j].MemoryMax, s.Services[j].CPUMaxCores = nil, nil
		}
	}
	return s
}

// heapAfterGC is the live heap in bytes.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkHistoryHour fills a default History (an hour at 1 s) with a
// synthesised hour and reports what it holds: heap_MB in all, and
// compact_B/snapshot for a snapshot in the compact store (the same hour
// with no process window).
func BenchmarkHistoryHour(b *testing.B) {
	src, err := live.New(time.Second)
	if err != nil {
		b.Skip("no /proc:", err)
	}
	base, err := src.Sample()
	src.Close()
	if err != nil {
		b.Fatal(err)
	}
	if len(base.Procs) > sampler.MaxRecordedProcs {
		base.Procs = base.Procs[:sampler.MaxRecordedProcs] // the pipeline keeps the top ones
	}
	fill := func(h *sampler.History) uint64 {
		before := heapAfterGC()
		for i := 0; i < h.Cap(); i++ {
			h.Add(hourSnapshot(base, i))
		}
		held := heapAfterGC() - before
		runtime.KeepAlive(h)
		return held
	}
	var held, compact uint64
	for n := 0; n < b.N; n++ {
		held = fill(sampler.NewHistoryFor(time.Second))
		compact = fill(sampler.NewHistory(int(sampler.DefaultHistorySpan/time.Second), 0))
	}
	b.ReportMetric(float64(held)/(1<<20), "heap_MB")
	b.ReportMetric(float64(held)/3600, "B/snapshot")
	b.ReportMetric(float64(compact)/3600, "compact_B/snapshot")
}
