package recording

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/headroom-dev/headroom/sampler/jsonerr"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/text"
)

// cleanJSONError says what was wrong with a line in the recording's terms.
func cleanJSONError(err error) error { return jsonerr.Explain(err, "snapshotAlias.", "Header.") }

// Bounds past any real machine, far enough that none is ever near them.
const (
	maxCores    = 1 << 16 // cores of one machine
	maxMillis   = 1e9     // a request's latency: 11 days
	maxQuantity = 1e18    // bytes/s, load, seconds of uptime, counts
	maxBytes    = 1 << 60 // memory of one machine: 1 EiB
)

// The times a recording holds: what a person can ask for with --since and
// --until, and spans a time.Duration can count.
var (
	earliest = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	latest   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// TimeInRange reports whether t is a time a recording can hold (1970 to
// 2199): the one bound for recordings, --since/--until and CSV logs.
func TimeInRange(t time.Time) bool { return !t.Before(earliest) && t.Before(latest) }

// validate rejects values no real machine produces, so that the advisor
// never sees NaN, infinities, negative counts or percentages past 100.
// JSON cannot spell NaN or Inf, but a Snapshot may come from elsewhere.
func validate(s sampler.Snapshot) error {
	var err error
	// pct and nonNeg keep the first problem found; later calls do nothing.
	pct := func(name string, v float64) {
		if err == nil && !(v >= 0 && v <= 100.0001) {
			err = fmt.Errorf("%s = %v is not a percentage (0–100)", name, v)
		}
	}
	// upTo bounds a count or a rate: finite is not enough, 1e308 summed
	// or scaled is +Inf, which no JSON can hold and no screen can show.
	upTo := func(name string, v, most float64) {
		if err == nil && !(v >= 0 && v <= most) {
			err = fmt.Errorf("%s = %v: must be a number from 0 to %g", name, v, most)
		}
	}
	nonNeg := func(name string, v float64) { upTo(name, v, maxQuantity) }
	if s.CPU.Cores < 1 || s.CPU.Cores > maxCores {
		// Every machine has a core; 0 would size workers from nothing.
		err = fmt.Errorf("cpu.cores = %d: must be from 1 to %d", s.CPU.Cores, maxCores)
	}
	pct("cpu.percent", s.CPU.Percent)
	for i, v := range s.CPU.PerCore {
		pct(fmt.Sprintf("cpu.per_core[%d]", i), v)
	}
	pct("cpu.iowait", s.CPU.IOWait)
	pct("cpu.steal", s.CPU.Steal)
	for i, v := range s.Load {
		nonNeg(fmt.Sprintf("load[%d]", i), v)
	}
	nonNeg("uptime", s.Uptime)
	nonNeg("nprocs", float64(s.NProcs))
	nonNeg("short", s.Short)
	if p := s.PSI; p != nil {
		for _, x := range []struct {
			name string
			p    *sampler.Pressure
		}{{"psi.cpu", &p.CPU}, {"psi.memory", &p.Memory}, {"psi.io", &p.IO}, {"psi.memory_full", p.MemFull}, {"psi.io_full", p.IOFull}} {
			if x.p != nil {
				pct(x.name+".avg10", x.p.Avg10)
				pct(x.name+".avg60", x.p.Avg60)
				if x.p.HasShare {
					pct(x.name+".share", x.p.Share)
				}
			}
		}
	}
	for _, x := range []struct {
		name string
		r    *sampler.Rates
	}{{"io", s.IO}, {"net", s.Net}} {
		if x.r != nil {
			nonNeg(x.name+".in", x.r.In)
			nonNeg(x.name+".out", x.r.Out)
		}
	}
	if s.Limits != nil {
		upTo("limits.cores", s.Limits.Cores, maxCores)
	}
	for i, p := range s.Probe {
		upTo(fmt.Sprintf("probe[%d].ms", i), p.MS, maxMillis)
		if err == nil && (p.Status < 0 || p.Status > 999) {
			err = fmt.Errorf("probe[%d].status = %d is not an HTTP status", i, p.Status)
		}
	}
	for _, p := range s.Procs {
		if err == nil && (p.PID < 0 || p.PPID < 0) {
			err = fmt.Errorf("process %d: pid and ppid must be 0 or more (ppid %d)", p.PID, p.PPID)
		}
		if err == nil && !(p.CPU >= 0 && p.CPU <= 100*maxCores) {
			err = fmt.Errorf("process %d: cpu %v is not a percentage of its cores", p.PID, p.CPU)
		}
	}
	if err != nil {
		return err
	}
	if !TimeInRange(s.Time) {
		return fmt.Errorf("time %s: a recording's times are from 1970 to 2199", s.Time.UTC().Format(time.RFC3339))
	}
	if s.Mem.Total > maxBytes || s.Swap.Total > maxBytes {
		return fmt.Errorf("mem.total or swap.total past %d bytes (1 EiB): not a real machine", uint64(maxBytes))
	}
	if s.Mem.Available > s.Mem.Total {
		return fmt.Errorf("mem.available (%d) is larger than mem.total (%d)", s.Mem.Available, s.Mem.Total)
	}
	if s.Swap.Used > s.Swap.Total {
		return fmt.Errorf("swap.used (%d) is larger than swap.total (%d)", s.Swap.Used, s.Swap.Total)
	}
	for _, d := range s.Disks {
		if d.Mount == "" {
			return errors.New("a disk without a mount")
		}
		if d.Used > math.MaxUint64-d.Free {
			return fmt.Errorf("disk %q: used + free is past any real size", text.Printable(d.Mount))
		}
		if d.Total > 0 && d.Used > d.Total {
			return fmt.Errorf("disk %q: used (%d) is larger than total (%d)", text.Printable(d.Mount), d.Used, d.Total)
		}
	}
	return nil
}

// mayHoldUnprintable: a JSON line can hold a control character only
// escaped ("\u001b") or as a byte past ASCII (DEL, C1, a bidi override in
// UTF-8); a line with neither is printable as it is, which is nearly every
// line, so most lines skip the walk below.
func mayHoldUnprintable(line []byte) bool {
	if bytes.Contains(line, []byte(`\u`)) {
		return true
	}
	for _, c := range line {
		if c >= 0x7f {
			return true
		}
	}
	return false
}

// cleanAll makes every string in v printable (text.Printable): map keys,
// slice elements and struct fields at any depth. A recording is outside
// data like /proc: a process name, a control group, a disk, a statement or
// an endpoint holding escape sequences would act on the terminal that
// replays it, or on whatever reads once --json, a report or a hook. Every
// field, so that one added later is covered too.
func cleanAll(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			if p := text.Printable(v.String()); p != v.String() {
				v.SetString(p)
			}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			cleanAll(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				cleanAll(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			cleanAll(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		for _, k := range v.MapKeys() {
			val := reflect.New(v.Type().Elem()).Elem()
			val.Set(v.MapIndex(k))
			cleanAll(val)
			nk := k
			if k.Kind() == reflect.String {
				if p := text.Printable(k.String()); p != k.String() {
					v.SetMapIndex(k, reflect.Value{})
					nk = reflect.ValueOf(p).Convert(k.Type())
				}
			}
			v.SetMapIndex(nk, val)
		}
	}
}

// cleanHeader makes a header's strings printable, as clean does for snapshots.
func cleanHeader(h *Header) {
	h.Host, h.ProbeURL = text.Printable(h.Host), text.Printable(h.ProbeURL)
}
