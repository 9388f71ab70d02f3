package prom

import (
	"reflect"
	"testing"
)

func TestSnapshotsMarkMissingSeriesAbsent(t *testing.T) {
	h := &Host{Points: []Point{
		{Have: HaveCPU | HaveMemory | HaveSwap | HaveDisks},
		{Have: HaveMemory | HaveLoad},
	}}
	s := h.Snapshots()
	if len(s[0].Absent) != 0 {
		t.Errorf("complete point: absent %v, want none", s[0].Absent)
	}
	if want := []string{"cpu", "swap", "disk"}; !reflect.DeepEqual(s[1].Absent, want) {
		t.Errorf("absent %v, want %v", s[1].Absent, want)
	}
	if !s[1].IsAbsent("cpu") || s[1].IsAbsent("memory") {
		t.Error("IsAbsent disagrees with Absent")
	}
}
