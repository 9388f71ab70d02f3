package apps

import (
	"testing"

	"github.com/headroom-dev/headroom/sampler"
)

// The list a snapshot keeps for the process window holds what it needs:
// three processes are not kept in room for fifty.
func TestTopProcsKeepsNoSpareRoom(t *testing.T) {
	procs := []sampler.Process{{PID: 1, CPU: 1}, {PID: 2, CPU: 2}, {PID: 3, CPU: 3}}
	if out := TopProcs(procs, 50); len(out) != 3 || cap(out) > 4 {
		t.Errorf("len %d cap %d; want 3 in at most 4", len(out), cap(out))
	}
	many := make([]sampler.Process, 200)
	for i := range many {
		many[i] = sampler.Process{PID: int32(i + 1), RSS: uint64(i)}
	}
	if out := TopProcs(many, 50); len(out) != 25 || cap(out)-len(out) > 4 {
		t.Errorf("len %d cap %d; want the 25 largest with little spare room", len(out), cap(out))
	}
}
