package live

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/cgroup"
	"github.com/headroom-dev/headroom/sampler/procs"
	"github.com/headroom-dev/headroom/sampler/text"
	"github.com/shirou/gopsutil/v3/cpu"
	"github.com/shirou/gopsutil/v3/disk"
	"github.com/shirou/gopsutil/v3/host"
	"github.com/shirou/gopsutil/v3/load"
	"github.com/shirou/gopsutil/v3/mem"
	"github.com/shirou/gopsutil/v3/net"
)

// FirstSampleDelay is how long after start the first live snapshot is taken:
// short enough that the first frame, with real figures, comes within 100 ms
// of launch (htop's is 100–200 ms); long enough for 5 clock ticks per core,
// coarse figures that the snapshot marks as Short until the next sample.
const FirstSampleDelay = 50 * time.Millisecond

// Live samples this machine.
type Live struct {
	clock    sampler.Clock
	interval time.Duration
	procRoot string
	host     string
	procs    *procs.Table
	next     time.Time
	boot     time.Time
	cgroups  *cgroup.Reader // reads headroom's own cgroup limits; nil without cgroups

	lastT     time.Time
	lastTotal cpu.TimesStat
	lastCores []cpu.TimesStat
	lastDisk  map[string]disk.IOCountersStat
	lastNet   []net.IOCountersStat

	mounts     []disk.PartitionStat
	mountsRead time.Time
	psi        *psiTotals // the last PSI totals: each sample's stall share is since them
}

// NewLive starts a live source sampling every interval. It takes the
// baseline at once, so the first snapshot (FirstSampleDelay later) already
// has real CPU figures.
func New(interval time.Duration) (*Live, error) {
	if interval <= 0 {
		return nil, errors.New("interval must be positive")
	}
	l := &Live{clock: sampler.RealClock, interval: interval, procRoot: "/proc"}
	l.host, _ = os.Hostname()
	l.host = text.Printable(l.host) // set by root, but shown in titles and reports all the same
	// Boot time is read once: gopsutil's Uptime would re-read /proc/stat
	// on every sample for it.
	if bt, err := host.BootTime(); err == nil {
		l.boot = time.Unix(int64(bt), 0)
	}
	l.procs = procs.NewTable(l.procRoot, l.boot)
	// A host without cgroups has no limits: not an error.
	l.cgroups, _ = cgroup.NewReader(cgroup.Options{ProcRoot: l.procRoot})
	if err := l.baseline(); err != nil {
		return nil, err
	}
	l.next = l.lastT.Add(FirstSampleDelay)
	return l, nil
}

// Host is the machine's hostname.
func (l *Live) Host() string { return l.host }

// Interval is the sampling interval.
func (l *Live) Interval() time.Duration { return l.interval }

func (l *Live) baseline() error {
	now := l.clock.Now()
	total, err := cpu.Times(false)
	if err != nil || len(total) == 0 {
		return errors.New("cannot read CPU times from /proc/stat")
	}
	l.lastTotal = total[0]
	l.lastCores, _ = cpu.Times(true)
	l.lastDisk, _ = disk.IOCounters()
	l.lastNet, _ = net.IOCounters(true)
	_, l.psi = readPSI(l.procRoot, now, nil)
	if _, err := l.procs.Sample(now); err != nil {
		return err
	}
	l.lastT = now
	return nil
}

// Next waits until the next sample is due, then takes it.
func (l *Live) Next(ctx context.Context) (sampler.Snapshot, error) {
	if d := l.next.Sub(l.clock.Now()); d > 0 {
		select {
		case <-ctx.Done():
			return sampler.Snapshot{}, ctx.Err()
		case <-l.clock.After(d):
		}
	}
	s, err := l.Sample()
	// Keep a steady cadence; after a long stall, restart it from now.
	if l.next = l.next.Add(l.interval); l.next.Before(l.clock.Now()) {
		l.next = l.clock.Now().Add(l.interval)
	}
	return s, err
}

// SetClock makes the source wait on c (tests use a sampler.FakeClock); the
// first snapshot is due FirstSampleDelay after c's now.
func (l *Live) SetClock(c sampler.Clock) {
	l.clock = c
	l.next = c.Now().Add(FirstSampleDelay)
}

// Sample reads the machine now; rates and CPU figures cover the time since
// the previous sample.
func (l *Live) Sample() (sampler.Snapshot, error) {
	now := l.clock.Now()
	dt := now.Sub(l.lastT).Seconds()
	s := sampler.Snapshot{Time: now.UTC()}

	total, err := cpu.Times(false)
	if err != nil || len(total) == 0 {
		return s, errors.New("cannot read CPU times from /proc/stat")
	}
	cores, _ := cpu.Times(true)
	s.CPU = cpuUse(l.lastTotal, total[0])
	s.CPU.Cores = len(cores)
	s.CPU.PerCore = make([]float64, len(cores))
	for i := range cores {
		if i < len(l.lastCores) {
			s.CPU.PerCore[i] = cpuUse(l.lastCores[i], cores[i]).Percent
		}
	}
	l.lastTotal, l.lastCores = total[0], cores

	vm, err := mem.VirtualMemory()
	if err != nil {
		return s, errors.New("cannot read /proc/meminfo")
	}
	s.Mem = sampler.Memory{Total: vm.Total, Available: vm.Available}
	if vm.SwapTotal > 0 {
		s.Swap = sampler.Swap{Total: vm.SwapTotal, Used: vm.SwapTotal - vm.SwapFree}
	}

	s.Disks = l.disks(now)
	if io, err := disk.IOCounters(); err == nil {
		s.IO = diskRates(l.lastDisk, io, dt)
		l.lastDisk = io
	}
	if nc, err := net.IOCounters(true); err == nil {
		s.Net = netRates(l.lastNet, nc, dt)
		l.lastNet = nc
	}
	if a, err := load.Avg(); err == nil {
		s.Load = [3]float64{a.Load1, a.Load5, a.Load15}
	}
	if !l.boot.IsZero() {
		s.Uptime = math.Round(now.Sub(l.boot).Seconds())
	}
	s.PSI, l.psi = readPSI(l.procRoot, now, l.psi)
	s.Limits = ownLimits(l.cgroups, os.Getpid(), s.CPU.Cores, s.Mem.Total)

	procs, err := l.procs.Sample(now)
	if err != nil {
		return s, err
	}
	s.Procs = procs
	s.NProcs = len(procs)
	if dt > 0 && dt < 0.8*l.interval.Seconds() {
		s.Short = round2(dt)
	}
	l.lastT = now
	return s, nil
}

// cpuUse is psutil's definition: busy = total − idle − iowait, with total
// leaving out guest and guest_nice (the kernel already counts them in user
// and nice).
func cpuUse(a, b cpu.TimesStat) sampler.CPU {
	sum := func(t cpu.TimesStat) float64 {
		return t.User + t.Nice + t.System + t.Idle + t.Iowait + t.Irq + t.Softirq + t.Steal
	}
	dt := sum(b) - sum(a)
	if dt <= 0 {
		return sampler.CPU{}
	}
	pct := func(x float64) float64 { return round2(clampPct(x / dt * 100)) }
	busy := (sum(b) - b.Idle - b.Iowait) - (sum(a) - a.Idle - a.Iowait)
	return sampler.CPU{Percent: pct(busy), IOWait: pct(b.Iowait - a.Iowait), Steal: pct(b.Steal - a.Steal)}
}

// round2 keeps two decimals: more is noise, and it keeps recordings small.
func round2(x float64) float64 { return math.Round(x*100) / 100 }

func clampPct(x float64) float64 {
	switch {
	case x < 0 || x != x:
		return 0
	case x > 100:
		return 100
	}
	return x
}

// disks statfs's each real mount. The mount table is re-read every 10 s,
// not every sample: it rarely changes and parsing it is most of the cost.
func (l *Live) disks(now time.Time) []sampler.Disk {
	if l.mounts == nil || now.Sub(l.mountsRead) > 10*time.Second {
		parts, err := disk.Partitions(false)
		if err == nil {
			// An unchanged mount keeps the strings it had: every sample's
			// disks then share their names, which an hour of history keeps.
			old := make(map[string]disk.PartitionStat, len(l.mounts))
			for _, p := range l.mounts {
				old[p.Mountpoint] = p
			}
			l.mounts = l.mounts[:0]
			seen := map[string]bool{}
			for _, p := range parts {
				// A device mounted twice (bind mounts) is one disk: keep the first.
				if !realMount(p.Fstype, p.Mountpoint) || seen[p.Device] {
					continue
				}
				seen[p.Device] = true
				if o, ok := old[p.Mountpoint]; ok && o.Device == p.Device && o.Fstype == p.Fstype {
					p = o
				}
				l.mounts = append(l.mounts, p)
			}
			l.mountsRead = now
		}
	}
	out := make([]sampler.Disk, 0, len(l.mounts))
	for _, p := range l.mounts {
		u, err := disk.Usage(p.Mountpoint)
		if err != nil || u.Total == 0 {
			continue // unmounted since, or not ours to read
		}
		out = append(out, diskOf(p, u))
	}
	return out
}

// diskOf is one mount's Disk. Its names are made printable: any user who can
// mount (FUSE, a user namespace) chooses them, and they are printed on screen
// and in reports. Usage is looked up with the real mount point before this.
func diskOf(p disk.PartitionStat, u *disk.UsageStat) sampler.Disk {
	return sampler.Disk{Mount: text.Printable(p.Mountpoint), Device: text.Printable(p.Device),
		FSType: text.Printable(p.Fstype), Total: u.Total, Used: u.Used, Free: u.Free}
}

// wholeDisk reports whether a block device is a whole disk (it has an entry
// in /sys/block), so partitions are not counted twice; loop and ram devices
// are left out.
func wholeDisk(name string) bool {
	if strings.HasPrefix(name, "loop") || strings.HasPrefix(name, "ram") {
		return false
	}
	_, err := os.Stat(filepath.Join("/sys/block", strings.ReplaceAll(name, "/", "!")))
	return err == nil
}

func diskRates(prev, cur map[string]disk.IOCountersStat, dt float64) *sampler.Rates {
	if dt <= 0 || prev == nil {
		return nil
	}
	var r sampler.Rates
	for name, c := range cur {
		p, ok := prev[name]
		if !ok || !wholeDisk(name) {
			continue
		}
		r.In += perSecond(p.ReadBytes, c.ReadBytes, dt)
		r.Out += perSecond(p.WriteBytes, c.WriteBytes, dt)
	}
	r.In, r.Out = math.Round(r.In), math.Round(r.Out)
	return &r
}

func netRates(prev, cur []net.IOCountersStat, dt float64) *sampler.Rates {
	if dt <= 0 || prev == nil {
		return nil
	}
	old := make(map[string]net.IOCountersStat, len(prev))
	for _, p := range prev {
		old[p.Name] = p
	}
	var r sampler.Rates
	for _, c := range cur {
		p, ok := old[c.Name]
		if !ok || c.Name == "lo" {
			continue
		}
		r.In += perSecond(p.BytesRecv, c.BytesRecv, dt)
		r.Out += perSecond(p.BytesSent, c.BytesSent, dt)
	}
	r.In, r.Out = math.Round(r.In), math.Round(r.Out)
	return &r
}

// perSecond is a counter's growth over dt seconds; 0 when it went back (a
// reset or a wrap), rather than a huge figure.
func perSecond(prev, cur uint64, dt float64) float64 {
	if cur < prev {
		return 0
	}
	return float64(cur-prev) / dt
}

// Close releases the files the live source keeps open.
func (l *Live) Close() error {
	l.procs.Close()
	return nil
}
