package cgroup

import (
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
)

// A first read (and any read that meets many new processes at once) would
// open /proc/PID/cgroup for every process. The kernel builds that file under
// a global lock, one path per hierarchy: on a hybrid host (ten hierarchies)
// it measured 9–10 ms per 1,000 processes, about a sixth of `once --for 5s`
// at +1000. The groups' own cgroup.procs files say the same thing the other
// way round, one file per group: a host's few dozen or hundred groups cost
// far less than its processes. So such a read lists the groups instead,
// where it can give exactly what the per-process files would.

// listAt is how many processes without a cached membership make a read list
// the groups instead of reading their files one by one.
const listAt = 256

// listing is where each listed process sits, by hierarchy: the cgroup path
// of the group whose cgroup.procs names it.
type listing struct {
	unified bool             // the memberships have a unified path
	v1      []string         // the v1 controllers read ("memory", "name=systemd", …)
	paths   []map[int]string // per hierarchy (unified first when used): pid → path; "" = named twice
	memo    map[string]resolved
}

// listGroups reads every group's cgroup.procs in the hierarchies a process's
// membership has (shape: one process's, read from its file). It gives up
// (nil) where the listing could not reproduce the files: a hierarchy the
// resolution uses that is not mounted, or a threaded group (whose
// cgroup.procs cannot be read, its processes belonging to the group above).
func (r *Reader) listGroups(shape Membership) *listing {
	l := &listing{unified: shape.HasUnified, memo: map[string]resolved{}}
	var mounts []Mount
	if shape.HasUnified {
		if r.h.Unified == nil {
			return nil // resolve names the group by its unified path even so
		}
		mounts = append(mounts, *r.h.Unified)
	}
	for c := range shape.V1 {
		mt, ok := r.h.V1[c]
		if !ok {
			if c == "name=systemd" { // resolve names groups by it mounted or not
				return nil
			}
			continue // resolve reads only mounted v1 controllers
		}
		l.v1 = append(l.v1, c)
		mounts = append(mounts, mt)
	}
	byDir := map[string]map[int]string{} // controllers mounted together are listed once
	for _, mt := range mounts {
		if m, ok := byDir[mt.Dir]; ok {
			l.paths = append(l.paths, m)
			continue
		}
		m, ok := r.listMount(mt)
		if !ok {
			return nil
		}
		byDir[mt.Dir] = m
		l.paths = append(l.paths, m)
	}
	return l
}

// listMount maps every pid in mt's groups to its group's cgroup path.
func (r *Reader) listMount(mt Mount) (map[int]string, bool) {
	out := map[int]string{}
	ok := true
	err := filepath.WalkDir(mt.Dir, func(dir string, d fs.DirEntry, err error) error {
		if err != nil {
			if dir == mt.Dir {
				return err
			}
			return nil // a group removed during the walk
		}
		if !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(mt.Dir, dir)
		path := mt.Root
		if rel != "." {
			path = strings.TrimSuffix(mt.Root, "/") + "/" + filepath.ToSlash(rel)
		}
		b, rerr := r.readWhole(filepath.Join(dir, "cgroup.procs"))
		if rerr != nil {
			if rerr == syscall.ENOENT {
				return nil // a group removed during the walk
			}
			ok = false // threaded (EOPNOTSUPP), or unreadable: per-process files instead
			return filepath.SkipAll
		}
		forEachPID(b, func(pid int) {
			if _, dup := out[pid]; dup {
				out[pid] = "" // threads in two groups: its own file says which
				return
			}
			out[pid] = path
		})
		return nil
	})
	return out, ok && err == nil
}

// forEachPID calls fn for each decimal number on its own line in b.
func forEachPID(b []byte, fn func(int)) {
	v, digits := 0, false
	for _, c := range b {
		if c >= '0' && c <= '9' {
			v, digits = v*10+int(c-'0'), true
			continue
		}
		if digits && v > 0 {
			fn(v)
		}
		v, digits = 0, false
	}
	if digits && v > 0 {
		fn(v)
	}
}

// group is pid's resolved group from the listing; false when the listing
// does not have it in every hierarchy (born after the walk, a zombie, or
// listed twice), and its own file must be read.
func (l *listing) group(r *Reader, pid int) (group, string, bool) {
	if l == nil {
		return group{}, "", false
	}
	var key strings.Builder
	for _, m := range l.paths {
		p, ok := m[pid]
		if !ok || p == "" {
			return group{}, "", false
		}
		key.WriteString(p)
		key.WriteByte(0)
	}
	k := key.String()
	if v, ok := l.memo[k]; ok {
		return v.g, v.key, true
	}
	m := Membership{V1: make(map[string]string, len(l.v1))}
	i := 0
	if l.unified {
		m.Unified, m.HasUnified = l.paths[0][pid], true
		i = 1
	}
	for _, c := range l.v1 {
		m.V1[c] = l.paths[i][pid]
		i++
	}
	g, gk := r.resolve(m)
	l.memo[k] = resolved{g: g, key: gk}
	return g, gk, true
}
