package cgroup

import (
	"path"
	"strings"
)

// Limits are the CPU and memory bounds a process runs under: the lowest
// limit of its group and every ancestor, for sizing app-server workers from
// the master's own cgroup.
type Limits struct {
	// Source names the process's group ("gunicorn.service", a container name),
	// or "host" when neither CPU nor memory is limited.
	Source string `json:"source"`
	Path   string `json:"path,omitempty"` // the process's cgroup path; "" in the root group
	// Cores is the CPU quota in cores (null = unlimited); CoresFrom the group that sets it.
	Cores     *float64 `json:"cores"`
	CoresFrom string   `json:"cores_from,omitempty"`
	// MemoryBytes is memory.max / memory.limit_in_bytes (null = unlimited); MemoryFrom the group that sets it.
	MemoryBytes *uint64 `json:"memory_bytes"`
	MemoryFrom  string  `json:"memory_from,omitempty"`
}

// HostSource is Limits.Source when no cgroup limits the process.
const HostSource = "host"

// ancestors lists a cgroup path and its parents up to the root, nearest first.
func ancestors(p string) []string {
	p = path.Clean("/" + strings.TrimPrefix(p, "/"))
	var out []string
	for {
		out = append(out, p)
		if p == "/" {
			return out
		}
		p = path.Dir(p)
	}
}

// LimitsFor reads the limits of the group pid runs in, walking up the
// hierarchy (a slice's MemoryMax bounds every unit in it). memory.high is not
// a bound here: the kernel throttles at it, it does not kill. cpuset is not read.
func (r *Reader) LimitsFor(pid int) (Limits, error) {
	m, err := r.membership(pid)
	if err != nil {
		return Limits{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	g, key := r.resolve(m)
	l := Limits{Source: HostSource}
	if key == "" {
		return l, nil
	}
	memMount, memPath, memV2 := r.mountFor(m, "memory")
	for _, p := range ancestorsIn(memMount, memPath) {
		dir, _ := memMount.dir(p)
		var v uint64
		var limited, ok bool
		if memV2 {
			v, limited, ok = readLimit(dir, "memory.max")
		} else {
			v, limited, ok = readV1Limit(dir, "memory.limit_in_bytes")
		}
		if ok && limited && (l.MemoryBytes == nil || v < *l.MemoryBytes) {
			vv := v
			l.MemoryBytes, l.MemoryFrom = &vv, Sanitize(p)
		}
	}
	cpuMount, cpuPath, cpuV2 := r.mountFor(m, "cpu")
	for _, p := range ancestorsIn(cpuMount, cpuPath) {
		dir, _ := cpuMount.dir(p)
		if c, limited, ok := readCPUQuota(dir, cpuV2); ok && limited && (l.Cores == nil || c < *l.Cores) {
			cc := c
			l.Cores, l.CoresFrom = &cc, Sanitize(p)
		}
	}
	l.Path = Sanitize(g.path)
	if l.Cores != nil || l.MemoryBytes != nil {
		name, _ := r.names.name(g.path)
		l.Source = Sanitize(name)
	}
	return l, nil
}

// mountFor picks the hierarchy a controller is read from for a process: v1's
// where mounted, else the unified one; a zero Mount (neither) reads nothing.
func (r *Reader) mountFor(m Membership, controller string) (Mount, string, bool) {
	if p, ok := m.V1[controller]; ok {
		if mt, ok := r.h.V1[controller]; ok {
			return mt, p, false
		}
	}
	if m.HasUnified && r.h.Unified != nil {
		return *r.h.Unified, m.Unified, true
	}
	return Mount{}, "", false
}

// ancestorsIn lists the group and its ancestors that the mount shows (inside
// a cgroup namespace the walk stops at the mount's root).
func ancestorsIn(mt Mount, p string) []string {
	if mt.Dir == "" || p == "" {
		return nil
	}
	var out []string
	for _, a := range ancestors(p) {
		if _, ok := mt.dir(a); ok {
			out = append(out, a)
		}
	}
	return out
}
