package cgroup

import (
	"bufio"
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// Mount is one mounted cgroup hierarchy: the directory it is mounted on and
// the part of the hierarchy it shows (not "/" inside a cgroup namespace).
type Mount struct {
	Dir  string
	Root string
}

// dir maps a cgroup path from /proc/PID/cgroup to its directory under the
// mount; false when the group lies outside what this mount shows.
func (m Mount) dir(cgPath string) (string, bool) {
	rel := cgPath
	if m.Root != "/" && m.Root != "" {
		if cgPath != m.Root && !strings.HasPrefix(cgPath, m.Root+"/") {
			return "", false
		}
		rel = strings.TrimPrefix(cgPath, m.Root)
	}
	return filepath.Join(m.Dir, filepath.FromSlash(rel)), true
}

// Hierarchies says where each cgroup hierarchy is mounted: the unified (v2)
// one, and the v1 ones by controller ("memory", "cpu", "cpuacct", "pids",
// "name=systemd").
type Hierarchies struct {
	Unified *Mount
	V1      map[string]Mount
}

// v1Controllers are the v1 controllers (and named hierarchy) this package reads.
var v1Controllers = map[string]bool{"memory": true, "cpu": true, "cpuacct": true, "pids": true, "name=systemd": true}

// ParseMountinfo finds the cgroup mounts in the text of /proc/self/mountinfo.
// hostRoot is joined in front of every mount point (for fixtures; "/" live).
func ParseMountinfo(b []byte, hostRoot string) (Hierarchies, error) {
	h := Hierarchies{V1: map[string]Mount{}}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		n++
		// id parent major:minor root mountpoint options [optional...] - fstype source superoptions
		left, right, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		lf, rf := strings.Fields(left), strings.Fields(right)
		if len(lf) < 5 || len(rf) < 1 {
			return h, fmt.Errorf("mountinfo line %d: want at least 5 fields before \" - \", got %d", n, len(lf))
		}
		m := Mount{Dir: filepath.Join(hostRoot, unescapeMount(lf[4])), Root: unescapeMount(lf[3])}
		switch rf[0] {
		case "cgroup2":
			if h.Unified == nil {
				mm := m
				h.Unified = &mm
			}
		case "cgroup":
			if len(rf) < 3 {
				continue
			}
			for _, opt := range strings.Split(rf[2], ",") {
				if _, seen := h.V1[opt]; v1Controllers[opt] && !seen {
					h.V1[opt] = m
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return h, fmt.Errorf("mountinfo: %w", err)
	}
	return h, nil
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space, \011, \012, \134).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Membership is where one process sits: its unified (v2) path, and on
// v1/hybrid hosts its path in each v1 controller's hierarchy.
type Membership struct {
	Unified    string            // "" when there is no "0::" line
	HasUnified bool              // a "0::" line was present
	V1         map[string]string // controller → path
}

// ParseProcCgroup reads the text of /proc/PID/cgroup
// ("hierarchy-id:controllers:path" lines).
func ParseProcCgroup(b []byte) (Membership, error) {
	m := Membership{V1: map[string]string{}}
	for i, line := range strings.Split(string(b), "\n") {
		if line == "" {
			continue
		}
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			return m, fmt.Errorf("cgroup line %d: want \"id:controllers:path\", got %q", i+1, line)
		}
		path := strings.TrimSuffix(parts[2], " (deleted)")
		if !strings.HasPrefix(path, "/") {
			return m, fmt.Errorf("cgroup line %d: path %q does not start with /", i+1, path)
		}
		if parts[0] == "0" && parts[1] == "" {
			m.Unified, m.HasUnified = path, true
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			if v1Controllers[c] {
				m.V1[c] = path
			}
		}
	}
	if !m.HasUnified && len(m.V1) == 0 {
		return m, fmt.Errorf("cgroup: no unified line and no known v1 controller")
	}
	return m, nil
}
