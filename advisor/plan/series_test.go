package plan

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

func TestFromSnapshots(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	snaps := []sampler.Snapshot{
		{Time: t0, CPU: sampler.CPU{Cores: 2, Percent: 10}, Mem: sampler.Memory{Total: 100, Available: 60},
			Disks: []sampler.Disk{{Mount: "/", Used: 30, Free: 70}},
			Probe: []sampler.ProbeResult{{MS: 120, Status: 200}, {MS: 5000, Err: "timeout"}, {MS: 1, Err: "refused"}}},
		{Time: t0.Add(time.Second), CPU: sampler.CPU{Cores: 4, Percent: 20}, Mem: sampler.Memory{Total: 200, Available: 150},
			Swap: sampler.Swap{Total: 10, Used: 5}, Disks: []sampler.Disk{{Mount: "/", Used: 40, Free: 60}}},
	}
	in := FromSnapshots("r.jsonl", "web1", snaps)
	var got []string
	for _, s := range in.Series {
		got = append(got, s.Metric)
	}
	if strings.Join(got, " ") != "cpu memory disk:/ latency errors swap" {
		t.Errorf("series = %v", got)
	}
	check := func(metric string, want ...float64) {
		s, _ := in.Get(metric)
		v := s.Values()
		if len(v) != len(want) {
			t.Errorf("%s = %v, want %v", metric, v, want)
			return
		}
		for i := range v {
			if math.Abs(v[i]-want[i]) > 1e-9 {
				t.Errorf("%s = %v, want %v", metric, v, want)
			}
		}
	}
	check("cpu", 10, 20)
	check("memory", 40, 25)
	check("swap", 50) // no swap in the first snapshot: absent, not 0
	check("disk:/", 30, 40)
	check("latency", 120, 5000) // the refused request has no latency
	check("errors", 2.0/3*100)  // timeout and refused failed
	if in.Cores != 4 || in.MemTotal != 200 || len(in.Times) != 2 || in.Host != "web1" {
		t.Errorf("input = cores %v, mem %v, %d times, host %q", in.Cores, in.MemTotal, len(in.Times), in.Host)
	}
}

func input(name, host string, start time.Time, n int) Input {
	in := Input{Name: name, Host: host}
	s := Series{Metric: "cpu"}
	for i := 0; i < n; i++ {
		at := start.Add(time.Duration(i) * time.Minute)
		in.Times = append(in.Times, at)
		s.Points = append(s.Points, Point{at, float64(i)})
	}
	in.Series = []Series{s}
	return in
}

func TestMerge(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	a, b := input("a", "web1", t0, 10), input("b", "", t0.Add(time.Hour), 5)
	m, err := Merge([]Input{b, a}, false) // given out of order: sorted by time
	if err != nil {
		t.Fatal(err)
	}
	cpu, _ := m.Get("cpu")
	if len(cpu.Points) != 15 || !cpu.Points[9].T.Before(cpu.Points[10].T) || m.Host != "web1" || m.Name != "a, b" {
		t.Errorf("merged: %d points, host %q, name %q", len(cpu.Points), m.Host, m.Name)
	}
	if _, err := Merge([]Input{a, input("c", "", t0.Add(5*time.Minute), 3)}, false); err == nil || !strings.Contains(err.Error(), "a (2026-11-01 00:00:00 to 2026-11-01 00:09:00) overlaps c") {
		t.Errorf("overlap: err = %v", err)
	}
	other := input("d\x1b[2J", "web2", t0.Add(2*time.Hour), 3)
	_, err = Merge([]Input{a, other}, false)
	if err == nil || !strings.Contains(err.Error(), `"web1" in a, "web2" in d`+"\uFFFD[2J") {
		t.Errorf("mixed hosts: err = %v", err)
	}
	if m, err := Merge([]Input{a, other}, true); err != nil || m.Host != "web1,web2" {
		t.Errorf("allowed mixed hosts: %q, %v", m.Host, err)
	}
	if _, err := Merge([]Input{{Name: "empty"}}, false); err == nil {
		t.Error("no samples: no error")
	}
}
