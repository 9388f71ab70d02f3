package live

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/headroom-dev/headroom/sampler"
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

// cgroupV2Path finds this process's cgroup v2 path in /proc/self/cgroup
// (the "0::" line).
func cgroupV2Path(b []byte) (string, bool) {
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "0::"); ok {
			return rest, true
		}
	}
	return "", false
}

// cgroupV2Mount finds where the cgroup2 filesystem is mounted, from
// /proc/self/mountinfo (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid systems).
func cgroupV2Mount(b []byte) (string, bool) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		// id parent major:minor root mountpoint options ... - fstype source options
		left, right, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		rf := strings.Fields(right)
		lf := strings.Fields(left)
		if len(rf) > 0 && rf[0] == "cgroup2" && len(lf) >= 5 {
			return lf[4], true
		}
	}
	return "", false
}

// parseCPUMax reads cgroup v2 cpu.max ("max 100000" or "150000 100000") as cores.
func parseCPUMax(b []byte) (float64, bool) {
	f := strings.Fields(string(b))
	if len(f) != 2 || f[0] == "max" {
		return 0, false
	}
	quota, err1 := strconv.ParseFloat(f[0], 64)
	period, err2 := strconv.ParseFloat(f[1], 64)
	if err1 != nil || err2 != nil || period <= 0 || quota <= 0 {
		return 0, false
	}
	return quota / period, true
}

// parseMemoryMax reads cgroup v2 memory.max ("max" or bytes).
func parseMemoryMax(b []byte) (uint64, bool) {
	s := strings.TrimSpace(string(b))
	if s == "max" || s == "" {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 64)
	return v, err == nil && v > 0
}

// cgroupDir finds this process's cgroup v2 directory and the mount it is
// under; ok is false on a host without cgroup v2. It does not change while
// headroom runs, so it is looked up once.
func cgroupDir(procRoot string) (dir, mount string, ok bool) {
	self, err := os.ReadFile(filepath.Join(procRoot, "self", "cgroup"))
	if err != nil {
		return "", "", false
	}
	path, ok := cgroupV2Path(self)
	if !ok {
		return "", "", false
	}
	mi, err := os.ReadFile(filepath.Join(procRoot, "self", "mountinfo"))
	if err != nil {
		return "", "", false
	}
	mount, ok = cgroupV2Mount(mi)
	if !ok {
		return "", "", false
	}
	return filepath.Join(mount, path), mount, true
}

// limitsUnder reads memory.max and cpu.max from this process's cgroup
// directory up to the mount (the tightest wins), and keeps those below the
// host's.
func limitsUnder(start, mount string, hostCores int, hostMem uint64) *sampler.Limits {
	cores, mem := math.Inf(1), uint64(math.MaxUint64)
	for dir := start; ; dir = filepath.Dir(dir) {
		if b, err := os.ReadFile(filepath.Join(dir, "cpu.max")); err == nil {
			if c, ok := parseCPUMax(b); ok && c < cores {
				cores = c
			}
		}
		if b, err := os.ReadFile(filepath.Join(dir, "memory.max")); err == nil {
			if m, ok := parseMemoryMax(b); ok && m < mem {
				mem = m
			}
		}
		if dir == mount || len(dir) <= len(mount) {
			break
		}
	}
	var l sampler.Limits
	if cores < float64(hostCores) {
		l.Cores = cores
	}
	if mem < hostMem {
		l.Memory = mem
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
