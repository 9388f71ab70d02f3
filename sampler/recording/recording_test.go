package recording

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/text"
)

const goodLine = `{"t":"2026-11-23T13:00:01.000Z","cpu":{"cores":2,"percent":43.2,"per_core":[40.1,46.3],"iowait":1.2,"steal":0},"mem":{"total":25165824000,"available":9800000000},"swap":{"total":0,"used":0},"disks":[{"mount":"/","total":270000000000,"used":130000000000,"free":126000000000}],"load":[1.2,0.98,0.75],"procs":[{"pid":812,"ppid":1,"name":"gunicorn","user":"www-data","cpu":12.5,"rss":52428800,"cmd":"gunicorn app.wsgi -w 3"}]}`

func TestRecordingRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.jsonl")
	r, err := Create(path, Header{Host: "web1", IntervalMS: 1000, Started: time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	s := snapAt(1000, 42.5)
	s.Time = time.Date(2026, 11, 23, 13, 0, 1, 0, time.UTC)
	s.Procs[0].Cmd = "gunicorn --secret=x <&>"
	for i := 0; i < 3; i++ {
		if err := r.Write(s); err != nil {
			t.Fatal(err)
		}
		s.Time = s.Time.Add(time.Second)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", info.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	if !strings.Contains(string(raw), `"t":"2026-11-23T13:00:01.000Z"`) || !strings.HasPrefix(string(raw), `{"headroom":1,"host":"web1","interval_ms":1000,"started":"2026-11-23T13:00:00.000Z"}`) {
		t.Errorf("format:\n%s", raw)
	}
	rec, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Header == nil || rec.Header.Host != "web1" || len(rec.Snapshots) != 3 {
		t.Fatalf("header %+v, %d snapshots", rec.Header, len(rec.Snapshots))
	}
	got := rec.Snapshots[2]
	if got.CPU.Percent != 42.5 || got.Procs[0].Cmd != "gunicorn --secret=x <&>" || !got.Time.Equal(time.Date(2026, 11, 23, 13, 0, 3, 0, time.UTC)) {
		t.Errorf("snapshot = %+v", got)
	}
	if _, err := Create(path, Header{}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("overwrote an existing recording: %v", err)
	}
}

func TestReadRecordingErrors(t *testing.T) {
	cases := []struct {
		name, text, wantErr, wantWarn string
		n                             int
	}{
		{"design example", goodLine + "\n", "", "", 1},
		{"unknown fields ignored", strings.Replace(goodLine, `"load"`, `"future":{"x":[1]},"load"`, 1) + "\n", "", "", 1},
		{"no trailing newline, complete", goodLine, "", "", 1},
		{"truncated last line", goodLine + "\n" + goodLine[:80], "", "line 2: truncated", 1},
		{"corrupt middle line", goodLine + "\n{\"t\":\n" + goodLine + "\n", "x.jsonl line 2:", "", 0},
		{"empty", "", "no snapshots", "", 0},
		{"header only", `{"headroom":1,"host":"a"}` + "\n", "no snapshots", "", 0},
		{"newer format", `{"headroom":2}` + "\n" + goodLine + "\n", "line 1: recording format 2", "", 0},
		{"negative format", `{"headroom":-1}` + "\n" + goodLine + "\n", "line 1: header: format -1: want 1", "", 0},
		{"negative interval", `{"headroom":1,"interval_ms":-5}` + "\n" + goodLine + "\n", "line 1: header: interval_ms -5", "", 0},
		{"interval out of range", `{"headroom":1,"interval_ms":1e300}` + "\n" + goodLine + "\n", `line 1: header: field "interval_ms"`, "", 0},
		{"not json", "hello\n", "line 1: not a JSON object", "", 0},
		{"missing time", `{"cpu":{"percent":1}}` + "\n", "line 1: missing time", "", 0},
		{"bad percent", strings.Replace(goodLine, `"percent":43.2`, `"percent":430`, 1) + "\n", "cpu.percent = 430", "", 0},
		{"wrong type", strings.Replace(goodLine, `"percent":43.2`, `"percent":"high"`, 1) + "\n", `field "cpu.percent"`, "", 0},
		{"time goes back", strings.Replace(goodLine, "13:00:01", "13:00:05", 1) + "\n" + goodLine + "\n", "line 2: time", "", 0},
		{"negative cores", strings.Replace(goodLine, `"cores":2`, `"cores":-4`, 1) + "\n", "x.jsonl line 1: cpu.cores = -4", "", 0},
		{"no cores", strings.Replace(goodLine, `"cores":2`, `"cores":0`, 1) + "\n", "x.jsonl line 1: cpu.cores = 0: must be from 1 to 65536", "", 0},
		{"negative load", strings.Replace(goodLine, `"load":[1.2,`, `"load":[-1.2,`, 1) + "\n", "line 1: load[0] = -1.2", "", 0},
		{"negative per-core", strings.Replace(goodLine, `[40.1,46.3]`, `[40.1,-46.3]`, 1) + "\n", "line 1: cpu.per_core[1] = -46.3", "", 0},
		{"steal past 100", strings.Replace(goodLine, `"steal":0`, `"steal":101`, 1) + "\n", "line 1: cpu.steal = 101", "", 0},
		{"negative rate", strings.Replace(goodLine, `"load"`, `"io":{"in":-1,"out":0},"load"`, 1) + "\n", "line 1: io.in = -1", "", 0},
		{"negative probe ms", strings.Replace(goodLine, `"load"`, `"probe":[{"ms":12},{"ms":-3}],"load"`, 1) + "\n", "line 1: probe[1].ms = -3", "", 0},
		{"pressure past 100", strings.Replace(goodLine, `"load"`, `"psi":{"cpu":{"avg10":1,"avg60":1},"memory":{"avg10":1,"avg60":1},"io":{"avg10":1,"avg60":1},"io_full":{"avg10":300,"avg60":1}},"load"`, 1) + "\n", "line 1: psi.io_full.avg10 = 300", "", 0},
		{"probe ms past any answer", strings.Replace(goodLine, `"load"`, `"probe":[{"ms":1e308}],"load"`, 1) + "\n", "line 1: probe[0].ms = 1e+308: must be a number from 0 to 1e+09", "", 0},
		{"process cpu past its cores", strings.Replace(goodLine, `"cpu":12.5`, `"cpu":1e308`, 1) + "\n", "line 1: process 812: cpu 1e+308", "", 0},
		{"cores past any machine", strings.Replace(goodLine, `"cores":2`, `"cores":1000000000000000`, 1) + "\n", "cpu.cores = 1000000000000000: must be from 1 to 65536", "", 0},
		{"negative process cpu", strings.Replace(goodLine, `"cpu":12.5`, `"cpu":-12.5`, 1) + "\n", "line 1: process 812: cpu -12.5", "", 0},
		{"negative size, no Go type named", strings.Replace(goodLine, `"available":9800000000`, `"available":-5`, 1) + "\n", `line 1: field "mem.available": expected a whole number, 0 or more, got JSON number -5`, "", 0},
		{"number out of range", strings.Replace(goodLine, `"percent":43.2`, `"percent":1e999`, 1) + "\n", `line 1: field "cpu.percent": expected a number, got JSON number 1e999`, "", 0},
		{"header and one cut-off snapshot", `{"headroom":1,"host":"a"}` + "\n" + goodLine[:80], "x.jsonl line 2: truncated last line skipped", "", 0},
		{"only a cut-off snapshot", goodLine[:120], "x.jsonl line 1: truncated last line skipped", "", 0},
		{"complete last line without newline, bad value", goodLine + "\n" + strings.Replace(goodLine, `"percent":43.2`, `"percent":430`, 1), "line 2: cpu.percent = 430", "", 0},
		{"last line not JSON at all", goodLine + "\nhello", "line 2: not a JSON object", "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec, err := Read(strings.NewReader(c.text), "x.jsonl")
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rec.Snapshots) != c.n {
				t.Errorf("%d snapshots, want %d", len(rec.Snapshots), c.n)
			}
			warn := strings.Join(rec.Warnings, "; ")
			if (c.wantWarn == "") != (warn == "") || !strings.Contains(warn, c.wantWarn) {
				t.Errorf("warnings %q, want %q", warn, c.wantWarn)
			}
		})
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "nope.jsonl")); err == nil || !strings.Contains(err.Error(), "nope.jsonl: no such file") {
		t.Errorf("missing file: %v", err)
	}
}

// The recordings in testdata/ are real lab sessions; all of them must read cleanly.
func TestTestdataRecordingsRead(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/*.jsonl")
	if len(files) < 3 {
		t.Fatalf("want at least 3 recordings in testdata/, found %d", len(files))
	}
	for _, f := range files {
		rec, err := ReadFile(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(rec.Snapshots) < 60 || len(rec.Warnings) > 0 {
			t.Errorf("%s: %d snapshots, warnings %v", f, len(rec.Snapshots), rec.Warnings)
		}
	}
}

func FuzzReadRecording(f *testing.F) {
	f.Add([]byte(goodLine + "\n"))
	f.Add([]byte(`{"headroom":1}` + "\n" + goodLine + "\n" + goodLine[:50]))
	f.Add([]byte("{}\n\n{\"t\":\"x\"}"))
	f.Add([]byte(`{"headroom":1,"host":"\u001b]0;x\u0007"}` + "\n" + strings.Replace(goodLine, `"cmd":"`, `"cmd":"\u009b5m\u001b`, 1) + "\n"))
	files, _ := filepath.Glob("../../testdata/*.jsonl")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			if len(b) > 4096 {
				b = b[:4096]
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := Read(bytes.NewReader(data), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if h := rec.Header; h != nil && (!text.IsPrintable(h.Host) || !text.IsPrintable(h.ProbeURL)) {
			t.Fatalf("header not printable: %+v", h)
		}
		for _, s := range rec.Snapshots {
			if s.Time.IsZero() {
				t.Fatal("snapshot without a time")
			}
			if err := validate(s); err != nil {
				t.Fatalf("accepted a snapshot validate refuses: %v", err)
			}
			for _, p := range s.Procs {
				if !text.IsPrintable(p.Name) || !text.IsPrintable(p.User) || !text.IsPrintable(p.Cmd) {
					t.Fatalf("process strings not printable: %+v", p)
				}
			}
			for _, d := range s.Disks {
				if !text.IsPrintable(d.Mount) || !text.IsPrintable(d.Device) || !text.IsPrintable(d.FSType) {
					t.Fatalf("disk strings not printable: %+v", d)
				}
			}
			if p := s.MemPercent(); p < 0 || p > 100 {
				t.Fatalf("mem %% %v", p)
			}
		}
	})
}

func snapAt(sec int, cpu float64) sampler.Snapshot {
	return sampler.Snapshot{Time: time.Unix(int64(sec), 0).UTC(), CPU: sampler.CPU{Cores: 2, Percent: cpu},
		Mem: sampler.Memory{Total: 1000, Available: 400}, Procs: []sampler.Process{{PID: 1, CPU: cpu}}}
}

// Every string a recording line holds is made printable, however deep:
// control groups, limits, saturation's disks, the database's states (a
// map key), a cache's reason with a C1 code or a bidi override.
func TestReadCleansEveryString(t *testing.T) {
	esc := `\u001b]0;PWN\u0007\u001b[31m`
	line := strings.Replace(goodLine, `"load"`, `"services":[{"name":"svc`+esc+`","path":"/`+esc+`","kind":"systemd","procs":1}],`+
		`"proc_limits":{"812":{"source":"src`+esc+`"}},`+
		`"saturation":{"disks":[{"device":"vda`+esc+`","busy_pct":1}]},`+
		`"postgres":{"state":"ok","by_state":{"idle`+esc+`":2}},`+
		`"cache":[{"kind":"redis","addr":"a","state":"unavailable","reason":"r`+"\u009b31m\u202e"+`"}],"load"`, 1)
	rec, err := Read(strings.NewReader(line+"\n"), "x.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(rec.Snapshots[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`\u001b`, `\u0007`, "\u009b", "\u202e"} {
		if strings.Contains(string(b), bad) {
			t.Errorf("%q kept:\n%s", bad, b)
		}
	}
	if !strings.Contains(string(b), `"idle\ufffd]0;PWN\ufffd\ufffd[31m"`) && !strings.Contains(string(b), "idle\ufffd]0;PWN") {
		t.Errorf("the map key was not cleaned in place:\n%s", b)
	}
}
