package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
)

func u64(v uint64) *uint64   { return &v }
func f64(v float64) *float64 { return &v }

// labServices: a unit at 98 % of MemoryMax=512M with 3 OOM kills and its
// CPU quota throttled, and an unlimited container.
func labServices() []sampler.Service {
	return []sampler.Service{
		{Name: "gunicorn.service", Path: "/system.slice/gunicorn.service", Procs: 4, CPUPct: f64(99.5),
			MemoryBytes: u64(502 << 20), MemoryMax: u64(512 << 20), CPUMaxCores: f64(1), ThrottledPct: f64(41),
			OOMKills: u64(3), PIDs: u64(9), SwapBytes: u64(0), MemPSI: f64(12.5)},
		{Name: "web", Path: "/system.slice/docker-3f2a.scope", Procs: 1, CPUPct: f64(2),
			MemoryBytes: u64(80 << 20), OOMKills: u64(0), PIDs: u64(3)},
	}
}

// TestServicesView: the services key turns the process table into one row
// per group and back, at 80x24 and 200x60.
func TestServicesView(t *testing.T) {
	snaps := load(t, "cpu-ramp.jsonl")
	m := model(t, 80, 24, snaps[:240])
	s, _ := m.shown()
	for _, size := range []struct {
		name string
		w, h int
	}{{"small", MinWidth, MinHeight}, {"large", 200, 60}} {
		t.Run(size.name, func(t *testing.T) {
			lay := computeLayout(size.w, size.h, !s.HasSwap(), false, 1)
			p := newProcsPanel(DefaultKeyMap())
			p.SetStyles(m.styles)
			p.SetSize(size.w, lay.tableH)
			p.Set(procsInput{procs: s.Procs, memTotal: s.Mem.Total, services: labServices()})
			if _, ok := p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'s'}}); !ok {
				t.Fatal("s is not the panel's key")
			}
			view := p.View()
			checkFrame(t, view, size.w, lay.tableH)
			plain := ansi.Strip(view)
			for _, want := range []string{"SERVICE", "gunicorn.service (4 procs)", "502M/512M 98%", "80M/-", "41"} {
				if !strings.Contains(plain, want) {
					t.Errorf("services view lacks %q:\n%s", want, plain)
				}
			}
			// Sorted by CPU: the unit first.
			if strings.Index(plain, "gunicorn.service") > strings.Index(plain, "web") {
				t.Errorf("not sorted by CPU:\n%s", plain)
			}
			golden.RequireEqual(t, []byte(plain))
			p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'s'}})
			if back := ansi.Strip(p.View()); strings.Contains(back, "SERVICE") || !strings.Contains(back, "COMMAND") {
				t.Errorf("s again does not return to the processes:\n%s", back)
			}
			// Without groups the view says why.
			p.Set(procsInput{procs: s.Procs})
			p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'s'}})
			if v := ansi.Strip(p.View()); !strings.Contains(v, "no control groups") {
				t.Errorf("empty services view:\n%s", v)
			}
		})
	}
}

func TestServicesLine(t *testing.T) {
	line := servicesLine(sampler.Snapshot{Services: labServices()}, advisor.Advice{})
	want := "svc gunicorn.service mem 98% of 512M 3 OOM, cpu 100% of 1 thr 41%"
	if line != want {
		t.Errorf("line = %q\nwant    %q (groups without a limit left out)", line, want)
	}
	if l := servicesLine(sampler.Snapshot{Services: labServices()[1:]}, advisor.Advice{}); l != "" {
		t.Errorf("a line without any limit: %q", l)
	}
}

// Large screens get the services panel: one row per limited group,
// closest to its limit first; 80x24 keeps to the one line.
func TestServicesPanelOnLargeScreens(t *testing.T) {
	u := func(v uint64) *uint64 { return &v }
	f := func(v float64) *float64 { return &v }
	s := load(t, "idle.jsonl")[0]
	s.Services = []sampler.Service{
		{Name: "db.service", MemoryBytes: u(400 << 20), MemoryMax: u(1 << 30)},
		{Name: "web.service", MemoryBytes: u(500 << 20), MemoryMax: u(512 << 20), CPUMaxCores: f(1), CPUPct: f(80), OOMKills: u(3)},
		{Name: "free.service", MemoryBytes: u(10 << 20)},
	}
	d := servicesDetail(s, advisor.Advice{})
	if len(d) != 3 || !strings.HasPrefix(strings.TrimSpace(d[1]), "web.service  mem 98% of 512M  cpu 80% of 1") || !strings.Contains(d[1], "oom 3") ||
		!strings.HasPrefix(strings.TrimSpace(d[2]), "db.service") {
		t.Errorf("panel rows %q", d)
	}
	large := plain(update(feed(model(t, 200, 60, nil), []sampler.Snapshot{s}), tea.WindowSizeMsg{Width: 200, Height: 60}))
	small := plain(update(feed(model(t, 80, 24, nil), []sampler.Snapshot{s}), tea.WindowSizeMsg{Width: 80, Height: 24}))
	if !strings.Contains(large, "SERVICES (limits") || strings.Contains(small, "SERVICES (limits") || !strings.Contains(small, "svc web.service") {
		t.Errorf("panel at 200x60 %v, at 80x24 %v; line at 80x24 %v", strings.Contains(large, "SERVICES"), strings.Contains(small, "SERVICES"), strings.Contains(small, "svc web.service"))
	}
}

// A host where no group has its own CPU accounting (cgroup v1 with only
// memory per group) says why the CPU% column is all "-".
func TestServicesWithoutCPUSayWhy(t *testing.T) {
	svcs := labServices()
	if _, rows := serviceTable(svcs, 120, byCPU, false, ""); len(rows) == 0 {
		t.Fatal("no rows")
	}
	cols, _ := serviceTable(svcs, 120, byCPU, false, "")
	if strings.Contains(cols[len(cols)-1].Title, "CPU accounting") {
		t.Errorf("groups with CPU: %q", cols[len(cols)-1].Title)
	}
	for i := range svcs {
		svcs[i].CPUPct = nil
	}
	cols, _ = serviceTable(svcs, 120, byCPU, true, "")
	if title := cols[len(cols)-1].Title; !strings.Contains(title, "no group here has its own CPU accounting") || !strings.Contains(title, ", reversed") {
		t.Errorf("title %q", title)
	}
}
