package live

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/cgroup"
)

// parsePressure reads one /proc/pressure/* file: the "some" line, and the
// "full" line when present.
func parsePressure(b []byte) (some sampler.Pressure, full *sampler.Pressure, err error) {
	found := false
	for _, line := range bytes.Split(b, []byte("\n")) {
		fields := strings.Fields(string(line))
		if len(fields) == 0 {
			continue
		}
		var p sampler.Pressure
		for _, f := range fields[1:] {
			k, v, ok := strings.Cut(f, "=")
			if !ok {
				continue
			}
			x, perr := strconv.ParseFloat(v, 64)
			if perr != nil {
				return some, nil, fmt.Errorf("bad pressure value %q", f)
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
			some, found = p, true
		case "full":
			pp := p
			full = &pp
		}
	}
	if !found {
		return some, nil, fmt.Errorf(`no "some" line`)
	}
	return some, full, nil
}

// readPSI reads /proc/pressure/{cpu,memory,io}; nil where the kernel has no PSI.
func readPSI(procRoot string) *sampler.PSI {
	var psi sampler.PSI
	read := func(name string) (sampler.Pressure, *sampler.Pressure, bool) {
		b, err := os.ReadFile(filepath.Join(procRoot, "pressure", name))
		if err != nil {
			return sampler.Pressure{}, nil, false
		}
		some, full, err := parsePressure(b)
		return some, full, err == nil
	}
	var ok bool
	if psi.CPU, _, ok = read("cpu"); !ok {
		return nil
	}
	psi.Memory, psi.MemFull, _ = read("memory")
	psi.IO, psi.IOFull, _ = read("io")
	return &psi
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
