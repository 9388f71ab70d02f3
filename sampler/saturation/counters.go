package saturation

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// readOOMKill reads the oom_kill counter of /proc/vmstat (kernel 4.13+).
func (r *Reader) readOOMKill(path string) (uint64, error) {
	b, err := r.readShared(path)
	if err != nil {
		return 0, err
	}
	return parseOOMKill(b, path)
}

func parseOOMKill(b []byte, path string) (uint64, error) {
	for line := range bytes.Lines(b) {
		rest, ok := bytes.CutPrefix(line, []byte("oom_kill "))
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(string(bytes.TrimSpace(rest)), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: oom_kill: %w", path, err)
		}
		return n, nil
	}
	return 0, fmt.Errorf("%s: no oom_kill line", path)
}

// readIOTicks reads io_ticks (ms with I/O in flight) of every whole disk
// in /proc/diskstats. A whole disk has an entry in sysRoot/block, so
// partitions are not counted twice; loop and ram devices are left out
// (sampler's wholeDisk rule).
func (r *Reader) readIOTicks(path, sysRoot string) (map[string]uint64, error) {
	b, err := r.readShared(path)
	if err != nil {
		return nil, err
	}
	ticks, err := parseDiskstats(b, path)
	if err != nil {
		return nil, err
	}
	for name := range ticks {
		if !wholeDisk(sysRoot, name) {
			delete(ticks, name)
		}
	}
	return ticks, nil
}

// parseDiskstats maps device name to io_ticks, the 10th counter after
// "major minor name".
func parseDiskstats(b []byte, path string) (map[string]uint64, error) {
	ticks := make(map[string]uint64)
	n := 0
	for line := range bytes.Lines(b) {
		n++
		f := strings.Fields(string(line))
		if len(f) == 0 {
			continue
		}
		if len(f) < 14 {
			return nil, fmt.Errorf("%s line %d: %d fields, want at least 14", path, n, len(f))
		}
		v, err := strconv.ParseUint(f[12], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: io_ticks: %w", path, n, err)
		}
		ticks[f[2]] = v
	}
	return ticks, nil
}

func wholeDisk(sysRoot, name string) bool {
	if strings.HasPrefix(name, "loop") || strings.HasPrefix(name, "ram") {
		return false
	}
	_, err := os.Stat(filepath.Join(sysRoot, "block", strings.ReplaceAll(name, "/", "!")))
	return err == nil
}

// diskBusy turns two io_ticks readings dt apart into busy %, sorted by
// device; disks seen only once or whose counter went back are left out.
func diskBusy(prev, cur map[string]uint64, dt time.Duration) []DiskBusy {
	ms := dt.Seconds() * 1000
	if prev == nil || ms <= 0 {
		return nil
	}
	var out []DiskBusy
	for name, c := range cur {
		p, ok := prev[name]
		if !ok || c < p {
			continue
		}
		pct := float64(c-p) / ms * 100
		out = append(out, DiskBusy{Device: clean(name), BusyPct: round1(min(pct, 100))})
	}
	slices.SortFunc(out, func(a, b DiskBusy) int { return strings.Compare(a.Device, b.Device) })
	return out
}

// readFileNr reads /proc/sys/fs/file-nr: allocated, free (always 0 since
// Linux 2.6) and the maximum.
func readFileNr(path string) (used, max uint64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	f := strings.Fields(string(b))
	if len(f) != 3 {
		return 0, 0, fmt.Errorf("%s: %d fields, want 3", path, len(f))
	}
	var v [3]uint64
	for i, s := range f {
		if v[i], err = strconv.ParseUint(s, 10, 64); err != nil {
			return 0, 0, fmt.Errorf("%s: %w", path, err)
		}
	}
	if v[1] > v[0] {
		return 0, 0, fmt.Errorf("%s: %d free of %d allocated", path, v[1], v[0])
	}
	return v[0] - v[1], v[2], nil
}

// parseMaxOpenFiles returns the soft "Max open files" of /proc/PID/limits;
// ok is false for "unlimited" or a missing line.
func parseMaxOpenFiles(b []byte) (soft uint64, ok bool) {
	for line := range bytes.Lines(b) {
		rest, found := bytes.CutPrefix(line, []byte("Max open files"))
		if !found {
			continue
		}
		f := strings.Fields(string(rest))
		if len(f) == 0 {
			return 0, false
		}
		n, err := strconv.ParseUint(f[0], 10, 64)
		return n, err == nil && n > 0
	}
	return 0, false
}

// fdUse puts the system's and each given process's descriptors against
// their limits; unknown is true when some part could not be read.
func (r *Reader) fdUse(procs []procFDs) (_ *FDUse, unknown bool) {
	var u FDUse
	used, max, nrErr := readFileNr(filepath.Join(r.cfg.ProcRoot, "sys", "fs", "file-nr"))
	if nrErr != nil {
		unknown = true
	} else {
		u.SystemUsed, u.SystemMax = used, max
	}
	for _, p := range procs {
		if !p.ok {
			continue
		}
		dir := filepath.Join(r.cfg.ProcRoot, strconv.Itoa(p.app.PID))
		b, err := r.readShared(filepath.Join(dir, "limits"))
		if err != nil {
			unknown = true
			continue
		}
		limit, ok := parseMaxOpenFiles(b)
		if !ok {
			continue // unlimited: no share to report
		}
		pct := float64(p.open) / float64(limit) * 100
		if u.Top != nil && pct <= u.Top.Pct {
			continue
		}
		u.Top = &ProcessFDs{PID: p.app.PID, Name: r.comm(p.app.PID), Open: p.open, Limit: limit, Pct: pct}
	}
	if u.Top != nil {
		u.Top.Pct = round1(u.Top.Pct)
	}
	if nrErr != nil && u.Top == nil {
		return nil, true
	}
	return &u, unknown
}

// comm is a process's name from /proc/PID/comm, control characters
// replaced; "" when it is gone.
func (r *Reader) comm(pid int) string {
	b, err := os.ReadFile(filepath.Join(r.cfg.ProcRoot, strconv.Itoa(pid), "comm"))
	if err != nil {
		return ""
	}
	return clean(strings.TrimSuffix(string(b), "\n"))
}

// readShared reads a whole file into the Reader's buffer, so the big
// /proc files do not allocate every interval. The bytes are valid until
// the next call: parsers copy what they keep.
func (r *Reader) readShared(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if r.buf == nil {
		r.buf = make([]byte, 0, 16<<10)
	}
	b := r.buf[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := f.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
	}
	r.buf = b
	return b, nil
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
