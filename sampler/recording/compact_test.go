package recording

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/headroom-dev/headroom/sampler"
)

// compactInput is 12 minutes at 1 Hz (three frames) of the lab's
// recording, with a process that execs mid-frame (same pid and start, new
// name and command) and one that appears mid-frame.
func compactInput(t *testing.T, start time.Time) []sampler.Snapshot {
	at := synth(t, start)
	var in []sampler.Snapshot
	for i := 0; i < 720; i++ {
		s := at(i)
		s.Uptime = 5000 + float64(i)
		s.Procs = append([]sampler.Process(nil), s.Procs...)
		for j := range s.Procs {
			if s.Procs[j].PID == execPID && i >= 100 {
				s.Procs[j].Name, s.Procs[j].Cmd = "python3", "python3 -m exec'd"
			}
		}
		if i >= 200 && i < 260 {
			s.Procs = append(s.Procs, sampler.Process{PID: 99999, PPID: 1, Name: "cc1", User: "dev", Cmd: "cc1 -O2 x.c", Start: 123, CPU: 99})
		}
		in = append(in, s)
	}
	return in
}

// execPID is the lab's gunicorn master, in every snapshot of cpu-ramp.
const execPID = 7299

// writeDir records snaps into dir, the clock following their times.
func writeDir(t *testing.T, dir string, snaps []sampler.Snapshot) {
	clock := sampler.NewFakeClock(snaps[0].Time)
	r, err := CreateDir(DirOptions{Dir: dir, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snaps {
		clock.Advance(s.Time.Sub(clock.Now()))
		if err := r.Write(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}

func byPID(procs []sampler.Process) map[int32]sampler.Process {
	m := map[int32]sampler.Process{}
	for _, p := range procs {
		m[p.PID] = p
	}
	return m
}

// sameFixed asserts every process of want comes back with its fixed
// fields, and the uptime with it.
func sameFixed(t *testing.T, got, want sampler.Snapshot) {
	t.Helper()
	if got.Uptime != want.Uptime {
		t.Fatalf("%v: uptime %v, want %v", got.Time, got.Uptime, want.Uptime)
	}
	if len(got.Procs) < len(want.Procs)/2 {
		t.Fatalf("%v: %d processes read back of %d", got.Time, len(got.Procs), len(want.Procs))
	}
	w := byPID(want.Procs) // the recorder keeps the top ones (apps.TopProcs)
	for _, p := range got.Procs {
		w, ok := w[p.PID]
		if !ok {
			t.Fatalf("%v: process %d was not written", got.Time, p.PID)
		}
		if fixedOf(p) != fixedOf(w) {
			t.Fatalf("%v: process %d read back as %+v, want %+v", got.Time, w.PID, fixedOf(p), fixedOf(w))
		}
	}
}

func TestCompactLinesReadBackWhole(t *testing.T) {
	start := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	in := compactInput(t, start)
	dir := t.TempDir()
	writeDir(t, dir, in)
	st, err := Open(dir, Range{})
	if err != nil {
		t.Fatal(err)
	}
	out := drain(t, st)
	st.Close()
	if len(out) != len(in) {
		t.Fatalf("read %d snapshots, wrote %d", len(out), len(in))
	}
	for i := range in {
		sameFixed(t, out[i], in[i])
	}
	// A jump lands mid-frame: the lines before it are skipped unparsed,
	// but the frame's first line still gives back what later lines leave out.
	for _, at := range []int{250, 301 + 150, 700} {
		st, err := Open(dir, Range{Since: in[at].Time})
		if err != nil {
			t.Fatal(err)
		}
		out := drain(t, st)
		st.Close()
		if len(out) != len(in)-at {
			t.Fatalf("from %d: read %d", at, len(out))
		}
		sameFixed(t, out[0], in[at])
	}
}

func TestCompactLinesAreSmallAndReadable(t *testing.T) {
	start := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	in := compactInput(t, start)
	dir := t.TempDir()
	writeDir(t, dir, in)
	f, err := os.Open(filepath.Join(dir, "headroom-20261123T030000Z.jsonl.zst"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := zstd.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	var lines [][]byte
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	lines = lines[1:] // the header
	if len(lines) != len(in) {
		t.Fatalf("%d lines, want %d", len(lines), len(in))
	}
	stable := map[int32]bool{7306: true, 7311: true, 7312: true, 1036: true, 7283: true}
	frames, compact := 0, 0
	for i, l := range lines {
		var v map[string]any // any JSON tool reads every line
		if err := json.Unmarshal(l, &v); err != nil {
			t.Fatalf("line %d: %v", i+2, err)
		}
		if isFrameStart(l) {
			frames++
			if c := bytes.Count(l, []byte(`"cmd":`)); c != len(in[i].Procs) {
				t.Errorf("line %d starts a frame with %d commands, want all %d", i+2, c, len(in[i].Procs))
			}
			continue
		}
		if _, ok := v["uptime"]; ok {
			t.Errorf("line %d repeats the uptime counted from the frame's start", i+2)
		}
		for _, p := range v["procs"].([]any) {
			p := p.(map[string]any)
			_, full := p["cmd"]
			pid := int32(p["pid"].(float64))
			// Frames begin at lines 0, 301 and 602. The exec'd process is
			// in full from its exec to the end of that frame, then compact
			// again; the one new mid-frame is in full on each of its lines.
			wantFull := pid == 99999 || (pid == execPID && i >= 100 && i <= 300)
			if stable[pid] && !full {
				compact++
			}
			if pid != 99999 && pid != execPID {
				continue
			}
			if full != wantFull {
				t.Fatalf("line %d: process %d in full = %v, want %v: %s", i+2, pid, full, wantFull, l)
			}
			if p["name"] == "" || p["name"] == nil {
				t.Fatalf("line %d: a process without its name: %v", i+2, p)
			}
		}
	}
	// The lab's other processes are in every line: compact but in the
	// frames' first lines.
	if want := len(stable) * (len(in) - 3); compact != want {
		t.Errorf("%d of the steady processes written compactly, want %d", compact, want)
	}
	if frames != 3 {
		t.Errorf("%d frames in 12 minutes, want 3", frames)
	}
	if !strings.Contains(string(lines[0]), `"frame":1,`) {
		t.Errorf("first line does not mark its frame: %.80s", lines[0])
	}
}

// TestCompactLineWithoutItsFrame reads a later line alone (its frame's
// first line lost): its processes keep what the line says, no more.
func TestCompactLineWithoutItsFrame(t *testing.T) {
	line := `{"t":"2026-11-23T03:00:01.000Z","cpu":{"cores":2,"percent":1},"mem":{"total":100,"available":50},"swap":{"total":0,"used":0},"disks":[],"load":[0,0,0],"procs":[{"pid":7,"name":"gunicorn","cpu":3,"rss":65536}]}`
	rec, err := Read(strings.NewReader(line+"\n"), "x")
	if err != nil {
		t.Fatal(err)
	}
	if p := rec.Snapshots[0].Procs[0]; p.Name != "gunicorn" || p.Cmd != "" || p.RSS != 65536 {
		t.Errorf("read %+v", p)
	}
}
