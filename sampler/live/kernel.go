package live

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/cgroup"
)

// parsePressure reads one /proc/pressure/* file: the "some" line, and the
// "full" line when present, with their total= counters (µs stalled since
// boot; 0 where the kernel gives none).
func parsePressure(b []byte) (some sampler.Pressure, full *sampler.Pressure, totals [2]uint64, err error) {
	found := false
	for _, line := range bytes.Split(b, []byte("\n")) {
		fields := strings.Fields(string(line))
		if len(fields) == 0 {
			continue
		}
		var p sampler.Pressure
		var total uint64
		for _, f := range fields[1:] {
			k, v, ok := strings.Cut(f, "=")
			if !ok {
				continue
			}
			if k == "total" {
				t, perr := strconv.ParseUint(v, 10, 64)
				if perr != nil {
					return some, nil, totals, fmt.Errorf("bad pressure value %q", f)
				}
				total = t
				continue
			}
			x, perr := strconv.ParseFloat(v, 64)
			if perr != nil {
				return some, nil, totals, fmt.Errorf("bad pressure value %q", f)
			}
			switch k {
			case "avg10":
				p.Avg10 = x
			case "avg60":
				p.Avg60 = x
			}
		}
		switch fields[0] {
		case "some":
			some, found, totals[0] = p, true, total
		case "full":
			pp := p
			full, totals[1] = &pp, total
		}
	}
	if !found {
		return some, nil, totals, fmt.Errorf(`no "some" line`)
	}
	return some, full, totals, nil
}

// psiTotals are the total= counters of a PSI reading, in the order cpu,
// memory, memory full, io, io full, and when they were read.
type psiTotals struct {
	at time.Time
	v  [5]uint64
}

// readPSI reads /proc/pressure/{cpu,memory,io}; nil where the kernel has no
// PSI. With prev (the last reading's totals), each line also gets its
// share of the time since then (Pressure.Share).
func readPSI(procRoot string, now time.Time, prev *psiTotals) (*sampler.PSI, *psiTotals) {
	var psi sampler.PSI
	next := &psiTotals{at: now}
	// some and full index the totals; full < 0: the line is not kept.
	read := func(name string, some, full int) (sampler.Pressure, *sampler.Pressure, bool) {
		b, err := os.ReadFile(filepath.Join(procRoot, "pressure", name))
		if err != nil {
			return sampler.Pressure{}, nil, false
		}
		s, f, t, err := parsePressure(b)
		if err != nil {
			return sampler.Pressure{}, nil, false
		}
		next.v[some] = t[0]
		s = withShare(s, prev, some, t[0], now)
		if full < 0 {
			return s, nil, true
		}
		next.v[full] = t[1]
		if f != nil {
			ff := withShare(*f, prev, full, t[1], now)
			f = &ff
		}
		return s, f, true
	}
	var ok bool
	if psi.CPU, _, ok = read("cpu", 0, -1); !ok {
		return nil, nil
	}
	psi.Memory, psi.MemFull, _ = read("memory", 1, 2)
	psi.IO, psi.IOFull, _ = read("io", 3, 4)
	return &psi, next
}

// withShare sets p's share of the time since prev: the stall time between
// the two totals over the time between the two reads, to 0.1 % (finer
// would only make every second's reading differ). None without a previous
// total, or when the counter went back (a kernel without total=, a wrap).
func withShare(p sampler.Pressure, prev *psiTotals, i int, total uint64, now time.Time) sampler.Pressure {
	if prev == nil || total == 0 || total < prev.v[i] {
		return p
	}
	dt := now.Sub(prev.at).Microseconds()
	if dt <= 0 {
		return p
	}
	share := math.Round(float64(total-prev.v[i])/float64(dt)*1000) / 10
	p.Share, p.HasShare = min(share, 100), true
	return p
}

// ownLimits reads the CPU and memory limits of pid's cgroup and its
// ancestors (v1 or v2: the cgroup package reads both) and keeps those below
// the host's; nil when there are none or no cgroups can be read. Live passes
// its own pid: headroom's cgroup bounds the machine totals it sees.
func ownLimits(r *cgroup.Reader, pid, hostCores int, hostMem uint64) *sampler.Limits {
	if r == nil {
		return nil
	}
	cl, err := r.LimitsFor(pid)
	if err != nil {
		return nil
	}
	var l sampler.Limits
	if cl.Cores != nil && *cl.Cores > 0 && *cl.Cores < float64(hostCores) {
		l.Cores = *cl.Cores
	}
	if cl.MemoryBytes != nil && *cl.MemoryBytes > 0 && *cl.MemoryBytes < hostMem {
		l.Memory = *cl.MemoryBytes
	}
	if l == (sampler.Limits{}) {
		return nil
	}
	return &l
}

// pseudoFS are filesystems that hold no user data; df -x would leave them out.
var pseudoFS = map[string]bool{
	"tmpfs": true, "devtmpfs": true, "proc": true, "sysfs": true, "squashfs": true,
	"cgroup": true, "cgroup2": true, "devpts": true, "mqueue": true, "debugfs": true,
	"tracefs": true, "securityfs": true, "pstore": true, "bpf": true, "autofs": true,
	"fusectl": true, "configfs": true, "hugetlbfs": true, "nsfs": true, "ramfs": true,
	"binfmt_misc": true, "rpc_pipefs": true, "efivarfs": true, "overlay": false,
	"fuse.lxcfs": true, "fuse.gvfsd-fuse": true, "fuse.portal": true, "nfsd": true,
	"selinuxfs": true, "iso9660": true, "udf": true,
}

// realMount reports whether a mount holds user data worth a disk line. An
// overlay counts only as the root of a container; snaps are squashfs.
func realMount(fstype, mount string) bool {
	if pseudoFS[fstype] {
		return false
	}
	if fstype == "overlay" && mount != "/" {
		return false
	}
	for _, p := range []string{"/proc", "/sys", "/dev", "/run", "/snap", "/var/lib/docker", "/var/snap"} {
		if mount == p || strings.HasPrefix(mount, p+"/") {
			return false
		}
	}
	return true
}
