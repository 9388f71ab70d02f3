package recording

import (
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/headroom-dev/headroom/sampler"
)

const sub = "\uFFFD"

// A recording is outside data: a command line, mount or host holding escape
// sequences must not act on the terminal that replays it.
func TestReadRecordingMakesStringsPrintable(t *testing.T) {
	header := `{"headroom":1,"host":"web\u001b]0;pwned\u0007","probe_url":"http://x/\u001b[2J"}`
	line := strings.NewReplacer(
		`"cmd":"gunicorn app.wsgi -w 3"`, `"cmd":"\u001b]0;pwned\u0007gunicorn \u009b5m"`,
		`"name":"gunicorn"`, `"name":"gun\u001b[5m"`,
		`"user":"www-data"`, `"user":"www\u0000data"`,
		`"mount":"/"`, `"mount":"/mnt/\u001b[5mx","device":"/dev/\u0007sda","fstype":"ext4\u001b"`,
		`"load"`, `"probe":[{"ms":3,"err":"refused\u001b[31m"}],"load"`,
	).Replace(goodLine)
	if line == goodLine {
		t.Fatal("fixture line unchanged")
	}
	rec, err := Read(strings.NewReader(header+"\n"+line+"\n"), "x.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	s := rec.Snapshots[0]
	p, d := s.Procs[0], s.Disks[0]
	checks := []struct{ field, got, want string }{
		{"host", rec.Header.Host, "web" + sub + "]0;pwned" + sub},
		{"probe_url", rec.Header.ProbeURL, "http://x/" + sub + "[2J"},
		{"cmd", p.Cmd, sub + "]0;pwned" + sub + "gunicorn " + sub + "5m"},
		{"name", p.Name, "gun" + sub + "[5m"},
		{"user", p.User, "www" + sub + "data"},
		{"mount", d.Mount, "/mnt/" + sub + "[5mx"},
		{"device", d.Device, "/dev/" + sub + "sda"},
		{"fstype", d.FSType, "ext4" + sub},
		{"probe err", s.Probe[0].Err, "refused" + sub + "[31m"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
}

// Values JSON cannot spell (NaN, ±Inf) can still reach validate from a
// Snapshot built elsewhere; each is refused, naming the field.
func TestValidateRefusesNaNInfAndNegatives(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	good := func() sampler.Snapshot {
		return sampler.Snapshot{Time: time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC), CPU: sampler.CPU{Cores: 2, Percent: 10, PerCore: []float64{5, 15}},
			Mem: sampler.Memory{Total: 10, Available: 5}, Load: [3]float64{1, 1, 1},
			PSI: &sampler.PSI{}, IO: &sampler.Rates{}, Net: &sampler.Rates{}, Limits: &sampler.Limits{Cores: 1},
			Probe: []sampler.ProbeResult{{MS: 5, Status: 200}}, Procs: []sampler.Process{{PID: 1, CPU: 3}}}
	}
	if err := validate(good()); err != nil {
		t.Fatalf("good snapshot refused: %v", err)
	}
	cases := []struct {
		want string
		set  func(*sampler.Snapshot)
	}{
		{"cpu.cores = -4", func(s *sampler.Snapshot) { s.CPU.Cores = -4 }},
		{"time 0001-01-01T00:00:00Z: a recording's times are from 1970 to 2199", func(s *sampler.Snapshot) { s.Time = time.Time{} }},
		{"time 9999-01-01T00:00:00Z", func(s *sampler.Snapshot) { s.Time = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"mem.total or swap.total past", func(s *sampler.Snapshot) { s.Mem.Total, s.Mem.Available = math.MaxUint64, 5 }},
		{`disk "/": used (200) is larger than total (100)`, func(s *sampler.Snapshot) {
			s.Disks = []sampler.Disk{{Mount: "/", Total: 100, Used: 200}}
		}},
		{"cpu.percent = NaN", func(s *sampler.Snapshot) { s.CPU.Percent = nan }},
		{"cpu.per_core[1] = +Inf", func(s *sampler.Snapshot) { s.CPU.PerCore[1] = inf }},
		{"cpu.iowait = NaN", func(s *sampler.Snapshot) { s.CPU.IOWait = nan }},
		{"load[2] = NaN", func(s *sampler.Snapshot) { s.Load[2] = nan }},
		{"load[0] = +Inf", func(s *sampler.Snapshot) { s.Load[0] = inf }},
		{"uptime = -Inf", func(s *sampler.Snapshot) { s.Uptime = -inf }},
		{"nprocs = -1", func(s *sampler.Snapshot) { s.NProcs = -1 }},
		{"psi.memory.avg60 = NaN", func(s *sampler.Snapshot) { s.PSI.Memory.Avg60 = nan }},
		{"io.out = +Inf", func(s *sampler.Snapshot) { s.IO.Out = inf }},
		{"net.in = NaN", func(s *sampler.Snapshot) { s.Net.In = nan }},
		{"limits.cores = -1", func(s *sampler.Snapshot) { s.Limits.Cores = -1 }},
		{"probe[0].ms = NaN", func(s *sampler.Snapshot) { s.Probe[0].MS = nan }},
		{"probe[0].status = 1000", func(s *sampler.Snapshot) { s.Probe[0].Status = 1000 }},
		{"process 1: cpu +Inf", func(s *sampler.Snapshot) { s.Procs[0].CPU = inf }},
		{"process -7: pid", func(s *sampler.Snapshot) { s.Procs[0].PID = -7 }},
		{"used + free", func(s *sampler.Snapshot) {
			s.Disks = []sampler.Disk{{Mount: "/", Used: math.MaxUint64, Free: 1}}
		}},
	}
	for _, c := range cases {
		s := good()
		c.set(&s)
		if err := validate(s); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v", c.want, err)
		}
	}
}

// endless is a file with no end and no newline, like /dev/zero.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	e.n += int64(len(p))
	return len(p), nil
}

func TestReadRecordingLineLimit(t *testing.T) {
	src := &endless{}
	_, err := Read(src, "zero")
	if err == nil || err.Error() != "zero line 1: longer than 16 MiB; not a recording line" {
		t.Fatalf("err = %v", err)
	}
	if src.n > 2*maxLine {
		t.Errorf("read %d bytes for a %d-byte line limit", src.n, maxLine)
	}
	// A huge line after good ones is named by its number.
	_, err = Read(io.MultiReader(strings.NewReader(goodLine+"\n"+goodLine+"\n"), &endless{}), "x.jsonl")
	if err == nil || !strings.HasPrefix(err.Error(), "x.jsonl line 3: longer than") {
		t.Fatalf("err = %v", err)
	}
}

// failing is a reader whose read fails the way a directory's does.
type failing struct{}

func (failing) Read([]byte) (int, error) {
	return 0, &os.PathError{Op: "read", Path: "rec", Err: errors.New("input/output error")}
}

// Paths are said once in an error.
func TestRecordingErrorsNameThePathOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rec")
	os.Mkdir(dir, 0o755)
	_, err := ReadFile(dir)
	if err == nil || !strings.Contains(err.Error(), "is a directory") || strings.Count(err.Error(), dir) != 1 {
		t.Errorf("directory: %v", err)
	}
	_, err = Read(failing{}, "rec")
	if err == nil || err.Error() != "rec line 1: read: input/output error" {
		t.Errorf("read error: %v", err)
	}
	// /dev/full fails every write with ENOSPC, as a full disk does.
	f, ferr := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if ferr != nil {
		t.Skipf("no /dev/full to stand for a full disk: %v", ferr)
	}
	r := &Recorder{f: f, path: "/dev/full"}
	defer f.Close()
	err = r.Write(snapAt(1, 10))
	if err == nil || err.Error() != "write /dev/full: no space left on device" {
		t.Errorf("full disk: %v", err)
	}
}

func TestCutCmdKeepsWholeCharacters(t *testing.T) {
	long := strings.Repeat("a", maxRecordedCmd-1) + "é" + "tail"
	got := cutCmd(long)
	if got != strings.Repeat("a", maxRecordedCmd-1) || !utf8.ValidString(got) {
		t.Errorf("cut to %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
	if short := "gunicorn -w 3"; cutCmd(short) != short {
		t.Error("a short command line was changed")
	}
	if exact := strings.Repeat("b", maxRecordedCmd+10); cutCmd(exact) != exact[:maxRecordedCmd] {
		t.Error("an ASCII command line is not cut at the limit")
	}
}
