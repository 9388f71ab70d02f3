package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

// A CPU profile of a real run, for the README's Performance section:
// HEADROOM_CPUPROFILE=FILE profiles the first HEADROOM_PROFILE_FOR (default
// 60s) of any command; HEADROOM_MEMPROFILE=FILE writes a heap profile then (or at exit, if sooner). A benchmark cannot show what a terminal, a real
// /proc and the scheduler cost together; this can, with no flag to document
// in --help for a tool only developers need.
// stopProfiles writes the profiles now; main calls it before it exits, so
// a run shorter than HEADROOM_PROFILE_FOR still leaves whole files.
var stopProfiles = func() {}

func init() {
	d, err := time.ParseDuration(os.Getenv("HEADROOM_PROFILE_FOR"))
	if err != nil || d <= 0 {
		d = time.Minute
	}
	var once sync.Once
	heap := os.Getenv("HEADROOM_MEMPROFILE")
	if heap == "" {
		// Go samples an allocation per 512 kB for a heap profile nobody
		// asked for, walking its stack through the line tables that
		// trim.go drops after each GC.
		runtime.MemProfileRate = 0
	}
	path := os.Getenv("HEADROOM_CPUPROFILE")
	var cpu *os.File
	if path != "" {
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				cpu = f
			} else {
				f.Close()
			}
		}
	}
	if heap == "" && cpu == nil {
		return
	}
	stopProfiles = func() {
		once.Do(func() {
			if cpu != nil {
				pprof.StopCPUProfile()
				cpu.Close()
			}
			if heap != "" {
				if f, err := os.Create(heap); err == nil {
					pprof.Lookup("heap").WriteTo(f, 0)
					f.Close()
				}
			}
		})
	}
	time.AfterFunc(d, stopProfiles)
}
