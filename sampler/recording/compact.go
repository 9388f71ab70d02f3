package recording

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

// A directory recording's lines are v1 snapshot lines, written compactly
// where that saves bytes without losing what is shown or judged:
//
//   - The first line of each zstd frame carries "frame":1 right after its
//     time and lists every process in full. A later line of the frame lists
//     a process whose parent, user, command line and start time are those
//     of the frame's first line as {"pid","name","cpu","rss","pss"} only;
//     Decoder puts the rest back from the frame's first line. A process new
//     in the frame, or changed (an exec), is written in full on every line.
//   - A later line leaves out its uptime when it is the frame's first
//     line's plus the seconds since, as it is while the machine runs.
//   - Percentages of CPU (of the machine, a core, a process or a service)
//     are rounded to the tenth the screens show.
//   - Byte counts that change every second below what any screen, report or
//     judgement shows are rounded: disk used/free and available memory to
//     a MiB (a service's memory too), process RSS and PSS to 64 KiB.
//
// A frame is where a seek starts (the index), so every frame stands alone.
// The lines read with any JSON tool (`zstdcat FILE | jq`); the processes
// of later lines then lack the omitted fields.

// frameMark follows a frame's first line's time.
const frameMark = `"frame":1,`

// compactProc is a process of a frame's later line whose other fields are
// those of the frame's first line.
type compactProc struct {
	PID  int32   `json:"pid"`
	Name string  `json:"name"`
	CPU  float64 `json:"cpu"`
	RSS  uint64  `json:"rss"`
	PSS  uint64  `json:"pss,omitempty"`
}

// procFixed is what a compact line leaves out of a process.
type procFixed struct {
	ppid       int32
	name, user string
	cmd        string
	start      uint64
}

func fixedOf(p sampler.Process) procFixed {
	return procFixed{ppid: p.PPID, name: p.Name, user: p.User, cmd: p.Cmd, start: p.Start}
}

// frameProcs is what the writer knows of the frame being written: its
// first line's processes, less those changed since (written in full from
// then on), so that a reader needs the frame's first line only. (Listing
// a process in full once a frame, wherever it first appears, measured
// larger: the lists churn.)
type frameProcs struct {
	first  map[int32]procFixed
	t      time.Time // the frame's first line's time and uptime
	uptime float64
}

// start makes s the frame's first line.
func (f *frameProcs) start(s sampler.Snapshot) {
	f.first = make(map[int32]procFixed, len(s.Procs))
	for _, p := range s.Procs {
		f.first[p.PID] = fixedOf(p)
	}
	f.t, f.uptime = s.Time, s.Uptime
}

// uptimeAt is the uptime a later line of the frame taken at t has, when
// it is the frame's first line's plus the seconds since (as the live
// source reads it); 0 for a frame without uptime.
func uptimeAt(first time.Time, uptime float64, t time.Time) float64 {
	if uptime <= 0 {
		return 0
	}
	return uptime + math.Round(t.Sub(first).Seconds())
}

// compact reports whether p can be written compactly.
func (f *frameProcs) compact(p sampler.Process) bool {
	k, ok := f.first[p.PID]
	if !ok {
		return false
	}
	if k != fixedOf(p) {
		delete(f.first, p.PID) // in full for the rest of the frame
		return false
	}
	return true
}

const (
	mib      = 1 << 20
	kib64    = 1 << 16
	procsKey = `"procs":null`
)

// roundTo rounds x to the nearest multiple of unit (a power of two).
func roundTo(x, unit uint64) uint64 {
	if x > ^uint64(0)-unit {
		return x
	}
	return (x + unit/2) &^ (unit - 1)
}

// tenth rounds a percentage to the tenth shown.
func tenth(x float64) float64 { return math.Round(x*10) / 10 }

// encodeFrameLine writes one snapshot line of a directory recording;
// first is true for the frame's first line.
func (r *DirRecorder) encodeFrameLine(s sampler.Snapshot, first bool) error {
	s.Mem.Available = min(roundTo(s.Mem.Available, mib), s.Mem.Total)
	if len(s.Disks) > 0 {
		s.Disks = append([]sampler.Disk(nil), s.Disks...)
		for i := range s.Disks {
			s.Disks[i].Used, s.Disks[i].Free = roundTo(s.Disks[i].Used, mib), roundTo(s.Disks[i].Free, mib)
		}
	}
	if len(s.Services) > 0 {
		s.Services = slices.Clone(s.Services)
		for i := range s.Services {
			v := &s.Services[i]
			if v.MemoryBytes != nil {
				m := roundTo(*v.MemoryBytes, mib)
				v.MemoryBytes = &m
			}
			if v.CPUPct != nil {
				c := tenth(*v.CPUPct)
				v.CPUPct = &c
			}
		}
	}
	for i := range s.Procs { // s.Procs is the caller's copy
		p := &s.Procs[i]
		p.RSS, p.PSS, p.CPU = roundTo(p.RSS, kib64), roundTo(p.PSS, kib64), tenth(p.CPU)
	}
	s.CPU.Percent, s.CPU.IOWait, s.CPU.Steal = tenth(s.CPU.Percent), tenth(s.CPU.IOWait), tenth(s.CPU.Steal)
	if len(s.CPU.PerCore) > 0 {
		s.CPU.PerCore = slices.Clone(s.CPU.PerCore)
		for i := range s.CPU.PerCore {
			s.CPU.PerCore[i] = tenth(s.CPU.PerCore[i])
		}
	}
	if first {
		r.frame.start(s)
	} else if s.Uptime > 0 && s.Uptime == uptimeAt(r.frame.t, r.frame.uptime, s.Time) {
		s.Uptime = 0 // the reader counts it on from the frame's first line
	}
	procs := make([]any, len(s.Procs))
	for i, p := range s.Procs {
		if !first && r.frame.compact(p) {
			procs[i] = compactProc{PID: p.PID, Name: p.Name, CPU: p.CPU, RSS: p.RSS, PSS: p.PSS}
		} else {
			procs[i] = p
		}
	}
	s.Procs = nil
	r.line.Reset()
	enc := json.NewEncoder(&r.line)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("encode snapshot: %w", err)
	}
	var list bytes.Buffer
	lenc := json.NewEncoder(&list)
	lenc.SetEscapeHTML(false)
	if err := lenc.Encode(procs); err != nil {
		return fmt.Errorf("encode snapshot: %w", err)
	}
	line := r.line.Bytes()
	// Procs is the last field but Absent, whose strings cannot hold a bare quote.
	at := bytes.LastIndex(line, []byte(procsKey))
	if at < 0 {
		return fmt.Errorf("encode snapshot: no process list")
	}
	out := make([]byte, 0, len(line)+list.Len()+len(frameMark))
	if first {
		end := len(timePrefix) + bytes.IndexByte(line[len(timePrefix):], '"') + 2 // past `",`
		out = append(append(append(out, line[:end]...), frameMark...), line[end:at]...)
	} else {
		out = append(out, line[:at]...)
	}
	out = append(append(out, `"procs":`...), bytes.TrimSuffix(list.Bytes(), []byte("\n"))...)
	out = append(out, line[at+len(procsKey):]...)
	if _, err := r.enc.Write(out); err != nil {
		return fmt.Errorf("write %s: %w", r.cur.path, unwrapPath(err))
	}
	return nil
}

// frameRead is what a Decoder keeps of the frame being read: the fixed
// fields of each process last listed in full, and the first line's time
// and uptime, to put back what a later line left out.
type frameRead struct {
	procs  map[int32]procFixed // nil until a frame's first line is read
	t      time.Time
	uptime float64
}

// expand puts back what a later line of a frame left out, and learns from
// the processes listed in full. A process without a known pid is left as
// it is; so is all of a file written without frames (a plain .jsonl).
func (d *Decoder) expand(s *sampler.Snapshot, frameStart bool) {
	f := &d.frame
	if frameStart {
		*f = frameRead{procs: make(map[int32]procFixed, len(s.Procs)), t: s.Time, uptime: s.Uptime}
	}
	if f.procs == nil {
		return
	}
	if s.Uptime == 0 {
		s.Uptime = uptimeAt(f.t, f.uptime, s.Time)
	}
	for i := range s.Procs {
		p := &s.Procs[i]
		if p.PPID == 0 && p.User == "" && p.Cmd == "" && p.Start == 0 {
			if k, ok := f.procs[p.PID]; ok && k.name == p.Name {
				p.PPID, p.User, p.Cmd, p.Start = k.ppid, k.user, k.cmd, k.start
			}
			continue
		}
		f.procs[p.PID] = fixedOf(*p)
	}
}

// isFrameStart reports whether a line is a frame's first (see frameMark).
func isFrameStart(line []byte) bool {
	head := line[:min(len(line), len(timePrefix)+48)]
	return bytes.HasPrefix(head, timePrefix) && bytes.Contains(head, []byte(`",`+frameMark))
}
