package prom

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
)

func TestSnapshotsMarkMissingSeriesAbsent(t *testing.T) {
	h := &Host{Points: []Point{
		{Have: HaveCPU | HaveMemory | HaveSwap | HaveDisks | HaveIOWait},
		{Have: HaveMemory | HaveLoad},
	}}
	s := h.Snapshots()
	if len(s[0].Absent) != 0 {
		t.Errorf("complete point: absent %v, want none", s[0].Absent)
	}
	if want := []string{"cpu", "swap", "disk", "iowait"}; !reflect.DeepEqual(s[1].Absent, want) {
		t.Errorf("absent %v, want %v", s[1].Absent, want)
	}
	if !s[1].IsAbsent("cpu") || s[1].IsAbsent("memory") {
		t.Error("IsAbsent disagrees with Absent")
	}
}

// Labels are outside text: a mount point's escape sequence never reaches a
// name; and a value no node_exporter series holds (negative, 1e308, NaN)
// is absent, never a finding.
func TestCollectorCleansLabelsAndRefusesImpossibleValues(t *testing.T) {
	c := newCollector()
	m := model.Metric{model.InstanceLabel: "web1:9100", "mountpoint": "/data\x1b]0;pwned\x07", "device": "/dev/\x1b[2Jsda", "fstype": "ext4"}
	c.add(fFSSize, m, 1000, 100)
	c.add(fFSFree, m, 1000, 40)
	c.add(fFSAvail, m, 1000, 30)
	c.add(fPSICPU10, m, 1000, -1)
	c.add(fPSIMem10, m, 1000, 1e308)
	c.add(fPSIIO10, m, 1000, math.NaN())
	pts := c.points()["web1:9100"]
	if len(pts) != 1 {
		t.Fatalf("points %+v", pts)
	}
	s := pts[0].Snapshot
	if len(s.Disks) != 1 || strings.ContainsAny(s.Disks[0].Mount+s.Disks[0].Device, "\x1b\x07") {
		t.Errorf("disks %+v: an escape sequence kept", s.Disks)
	}
	if s.PSI != nil {
		t.Errorf("pressure from impossible values: %+v", *s.PSI)
	}
}
