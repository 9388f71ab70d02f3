package live

import (
	"testing"

	"github.com/shirou/gopsutil/v3/disk"
)

// A mount point, device or filesystem type with escape sequences (a FUSE
// mount any user can make) reaches a Snapshot printable.
func TestDiskOfHostileMount(t *testing.T) {
	p := disk.PartitionStat{Mountpoint: "/home/eve/\x1b]0;pwned\x07", Device: "fuse\x1b[5m", Fstype: "fuse.\x9bx"}
	d := diskOf(p, &disk.UsageStat{Total: 100, Used: 40, Free: 60})
	const sub = "\uFFFD"
	if d.Mount != "/home/eve/"+sub+"]0;pwned"+sub || d.Device != "fuse"+sub+"[5m" || d.FSType != "fuse."+sub+"x" {
		t.Errorf("disk names = %q %q %q", d.Mount, d.Device, d.FSType)
	}
	if d.Total != 100 || d.Used != 40 || d.Free != 60 {
		t.Errorf("sizes = %+v", d)
	}
}
