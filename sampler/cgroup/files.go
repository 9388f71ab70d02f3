package cgroup

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/headroom-dev/headroom/sampler/text"
)

// v1Unlimited is the smallest v1 limit treated as "no limit": the kernel
// reports an unset limit as PAGE_COUNTER_MAX pages (9223372036854771712 on
// 4 KiB pages), and no real machine has 2^62 bytes.
const v1Unlimited = uint64(1) << 62

// readString reads a small cgroup file, trimmed; false when it is missing or unreadable.
func readString(dir, name string) (string, bool) {
	if dir == "" {
		return "", false
	}
	b, err := readSmall(filepath.Join(dir, name))
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(b), true
}

// bufPool holds read buffers: cgroup files are a few hundred bytes, and one
// read(2) into a reused buffer costs less than os.ReadFile's stat and growth.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 8192); return &b }}

// readSmall reads a small file in one read where it fits, else whole.
func readSmall(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	n, err := io.ReadFull(f, buf)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return string(buf[:n]), nil
	case err != nil:
		return "", err
	}
	rest, err := io.ReadAll(f)
	if err != nil {
		return "", err
	}
	return string(buf[:n]) + string(rest), nil
}

// readUint reads a file holding one unsigned number.
func readUint(dir, name string) (uint64, bool) {
	s, ok := readString(dir, name)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 64)
	return v, err == nil
}

// readLimit reads a v2 limit file ("max" or a number): limited reports whether
// there is a limit; ok whether the file was there and well formed.
func readLimit(dir, name string) (v uint64, limited, ok bool) {
	s, ok := readString(dir, name)
	if !ok {
		return 0, false, false
	}
	if s == "max" {
		return 0, false, true
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false, false
	}
	return v, true, true
}

// readV1Limit reads a v1 byte limit; a value at or above v1Unlimited is no limit.
func readV1Limit(dir, name string) (v uint64, limited, ok bool) {
	v, ok = readUint(dir, name)
	if !ok {
		return 0, false, false
	}
	return v, v < v1Unlimited, true
}

// readKeyed reads a flat keyed file ("key value" per line: cpu.stat,
// memory.events, memory.oom_control) into a map.
func readKeyed(dir, name string) (map[string]uint64, bool) {
	s, ok := readString(dir, name)
	if !ok {
		return nil, false
	}
	m := map[string]uint64{}
	for _, line := range strings.Split(s, "\n") {
		k, v, found := strings.Cut(line, " ")
		if !found {
			continue
		}
		if n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64); err == nil {
			m[k] = n
		}
	}
	return m, true
}

// ParseCPUMax reads v2 cpu.max ("max 100000" or "150000 100000") as cores;
// limited is false for "max".
func ParseCPUMax(s string) (cores float64, limited bool, err error) {
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 2 {
		return 0, false, fmt.Errorf("cpu.max: want \"quota period\", got %q", s)
	}
	if f[0] == "max" {
		return 0, false, nil
	}
	period := 100000.0
	if len(f) == 2 {
		if period, err = strconv.ParseFloat(f[1], 64); err != nil || period <= 0 {
			return 0, false, fmt.Errorf("cpu.max: bad period %q", f[1])
		}
	}
	quota, err := strconv.ParseFloat(f[0], 64)
	if err != nil || quota <= 0 {
		return 0, false, fmt.Errorf("cpu.max: bad quota %q", f[0])
	}
	return quota / period, true, nil
}

// readCPUQuota reads the CPU quota of one group as cores: v2 cpu.max, or v1
// cpu.cfs_quota_us / cpu.cfs_period_us (quota -1 = no limit).
func readCPUQuota(dir string, v2 bool) (cores float64, limited, ok bool) {
	if v2 {
		s, ok := readString(dir, "cpu.max")
		if !ok {
			return 0, false, false
		}
		c, lim, err := ParseCPUMax(s)
		return c, lim, err == nil
	}
	qs, ok1 := readString(dir, "cpu.cfs_quota_us")
	period, ok2 := readUint(dir, "cpu.cfs_period_us")
	if !ok1 || !ok2 {
		return 0, false, false
	}
	quota, err := strconv.ParseInt(qs, 10, 64)
	if err != nil {
		return 0, false, false
	}
	if quota < 0 || period == 0 {
		return 0, false, true
	}
	return float64(quota) / float64(period), true, true
}

// ParsePressureAvg10 returns the avg10 of the "some" line of a PSI file.
func ParsePressureAvg10(s string) (float64, error) {
	for _, line := range strings.Split(s, "\n") {
		rest, ok := strings.CutPrefix(line, "some ")
		if !ok {
			continue
		}
		for _, f := range strings.Fields(rest) {
			if v, ok := strings.CutPrefix(f, "avg10="); ok {
				x, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return 0, fmt.Errorf("pressure: bad avg10 %q", v)
				}
				return x, nil
			}
		}
	}
	return 0, fmt.Errorf("pressure: no \"some ... avg10=\" in %q", s)
}

// readPressure reads one PSI file's some avg10; nil when absent.
func readPressure(dir, name string) *float64 {
	s, ok := readString(dir, name)
	if !ok {
		return nil
	}
	v, err := ParsePressureAvg10(s)
	if err != nil {
		return nil
	}
	return &v
}

// Sanitize makes text from outside (paths, container names) printable on
// a terminal: text.Printable.
func Sanitize(s string) string { return text.Printable(s) }
