package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/headroom-dev/headroom/sampler"
)

// synthetic writes a recording of n one-second snapshots built by f to a
// temp file: windows whose verdict is known by construction.
func synthetic(t *testing.T, name string, n int, f func(i int, s *sampler.Snapshot)) string {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(`{"headroom":1,"host":"synthetic","interval_ms":1000,"started":"2026-11-23T13:00:00.000Z"}` + "\n")
	t0 := time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC)
	const gib = 1 << 30
	for i := range n {
		s := sampler.Snapshot{Time: t0.Add(time.Duration(i) * time.Second),
			CPU:   sampler.CPU{Cores: 2, Percent: 10},
			Mem:   sampler.Memory{Total: 24 * gib, Available: 20 * gib},
			Disks: []sampler.Disk{{Mount: "/", Total: 100 * gib, Used: 40 * gib, Free: 60 * gib}},
			Load:  [3]float64{0.5, 0.4, 0.3}}
		f(i, &s)
		line, err := s.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), name+".jsonl")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func memAt(pct float64) sampler.Memory {
	const total = 24 << 30
	return sampler.Memory{Total: total, Available: uint64(total * (1 - pct/100))}
}

// TestOnceJSONPinned pins what `once --json` prints for each testdata
// recording and for synthetic windows of each kind the advisor tells
// apart, so a change of structure cannot change an answer unnoticed.
// go test ./cmd/headroom -run OnceJSONPinned -update rewrites the goldens.
func TestOnceJSONPinned(t *testing.T) {
	isolate(t)
	gunicorn := func(s *sampler.Snapshot) {
		s.Procs = []sampler.Process{
			{PID: 100, PPID: 1, Name: "gunicorn", User: "www", CPU: 1, RSS: 50 << 20, PSS: 30 << 20, Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi -w 2"},
			{PID: 101, PPID: 100, Name: "gunicorn", User: "www", CPU: 40, RSS: 60 << 20, PSS: 40 << 20, Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi -w 2"},
			{PID: 102, PPID: 100, Name: "gunicorn", User: "www", CPU: 45, RSS: 62 << 20, PSS: 42 << 20, Cmd: "/usr/bin/python3 /usr/bin/gunicorn app.wsgi -w 2"},
		}
	}
	cases := []struct {
		name string
		path string
		args []string
	}{
		{"idle", "../../testdata/idle.jsonl", nil},
		{"cpu-ramp", "../../testdata/cpu-ramp.jsonl", nil},
		{"cpu-ramp-at-280-2m", head(t, "cpu-ramp.jsonl", 280), []string{"--window", "2m"}},
		{"memory-pressure", "../../testdata/memory-pressure.jsonl", nil},
		{"memory-pressure-at-200-2m", head(t, "memory-pressure.jsonl", 200), []string{"--window", "2m"}},
		{"cpu-bound", synthetic(t, "cpu-bound", 120, func(i int, s *sampler.Snapshot) { s.CPU.Percent = 95 }), nil},
		{"memory-bound", synthetic(t, "memory-bound", 120, func(i int, s *sampler.Snapshot) { s.Mem = memAt(93) }), nil},
		{"both", synthetic(t, "both", 120, func(i int, s *sampler.Snapshot) { s.CPU.Percent = 90; s.Mem = memAt(92) }), nil},
		{"disk-full", synthetic(t, "disk-full", 120, func(i int, s *sampler.Snapshot) {
			s.Disks[0].Used, s.Disks[0].Free = 95<<30, 5<<30
		}), nil},
		{"swap", synthetic(t, "swap", 120, func(i int, s *sampler.Snapshot) {
			s.Swap = sampler.Swap{Total: 4 << 30, Used: 3 << 30}
			s.Mem = memAt(80)
		}), nil},
		{"spike", synthetic(t, "spike", 300, func(i int, s *sampler.Snapshot) {
			if i >= 280 {
				s.CPU.Percent = 99
			}
		}), nil},
		{"droplet-gunicorn", synthetic(t, "droplet", 60, func(i int, s *sampler.Snapshot) {
			s.CPU.Cores = 1
			s.Mem = sampler.Memory{Total: 512 << 20, Available: 200 << 20}
			gunicorn(s)
		}), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"once", "--json", "--replay", c.path}, c.args...)
			_, out, stderr := runCLI(t, args...)
			if out == "" {
				t.Fatalf("no output; stderr: %s", stderr)
			}
			// The source names the file by its absolute path: keep only its base name.
			dir, _ := filepath.Abs(filepath.Dir(c.path))
			out = strings.ReplaceAll(out, dir+"/", "")
			golden.RequireEqual(t, []byte(out))
		})
	}
}
