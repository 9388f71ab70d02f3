package main

import (
	"os"
	"runtime/pprof"
	"time"
)

// A CPU profile of a real run, for the README's Performance section:
// HEADROOM_CPUPROFILE=FILE profiles the first HEADROOM_PROFILE_FOR (default
// 60s) of any command; HEADROOM_MEMPROFILE=FILE writes a heap profile then. A benchmark cannot show what a terminal, a real
// /proc and the scheduler cost together; this can, with no flag to document
// in --help for a tool only developers need.
func init() {
	d, err := time.ParseDuration(os.Getenv("HEADROOM_PROFILE_FOR"))
	if err != nil || d <= 0 {
		d = time.Minute
	}
	if path := os.Getenv("HEADROOM_MEMPROFILE"); path != "" {
		time.AfterFunc(d, func() {
			if f, err := os.Create(path); err == nil {
				pprof.Lookup("heap").WriteTo(f, 0)
				f.Close()
			}
		})
	}
	path := os.Getenv("HEADROOM_CPUPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		return
	}
	if pprof.StartCPUProfile(f) != nil {
		f.Close()
		return
	}
	time.AfterFunc(d, func() {
		pprof.StopCPUProfile()
		f.Close()
	})
}
