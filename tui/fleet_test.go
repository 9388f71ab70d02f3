package tui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
)

var fleetT0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// fleetUpdate is n made-up hosts over a minute: web000 hot on CPU, every
// tenth nearly out of memory, the rest idle; web001 has no CPU series.
func fleetUpdate(n int) FleetUpdate {
	windows := map[string][]sampler.Snapshot{}
	for i := range n {
		inst := fmt.Sprintf("web%03d:9100", i)
		cpu, mem := 10+float64(i%7), 30.0
		if i == 0 {
			cpu = 88
		}
		if i%10 == 4 {
			mem = 95
		}
		w := make([]sampler.Snapshot, 60)
		for j := range w {
			w[j] = sampler.Snapshot{Time: fleetT0.Add(time.Duration(j) * time.Second),
				CPU:   sampler.CPU{Cores: 2, Percent: cpu + float64(j%5)},
				Mem:   sampler.Memory{Total: 4 << 30, Available: uint64((100 - mem) / 100 * (4 << 30))},
				Disks: []sampler.Disk{{Mount: "/", Total: 100, Used: 40 + uint64(i%25), Free: 60 - uint64(i%25)}}}
			if i == 1 {
				w[j].CPU.Percent, w[j].Absent = 0, []string{advisor.KeyCPU}
			}
		}
		windows[inst] = w
	}
	return FleetUpdate{Windows: windows, Updated: fleetT0.Add(59 * time.Second),
		Advice: advisor.AdviseFleet(windows, nil, advisor.DefaultRules())}
}

func fleetModel(w, h, n int) FleetModel {
	m := NewFleet(FleetOptions{Rules: advisor.DefaultRules(), Theme: "mono", Interval: time.Second, URL: "http://prom:9090", Selector: `{job="node"}`})
	m = fleetUpd(m, tea.WindowSizeMsg{Width: w, Height: h})
	return fleetUpd(m, fleetMsg(fleetUpdate(n)))
}

func fleetUpd(m FleetModel, msg tea.Msg) FleetModel {
	next, _ := m.Update(msg)
	return next.(FleetModel)
}

func fleetKeys(m FleetModel, keys ...string) FleetModel {
	for _, k := range keys {
		var msg tea.KeyMsg
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "esc":
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		case "pgdown":
			msg = tea.KeyMsg{Type: tea.KeyPgDown}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		m = fleetUpd(m, msg)
	}
	return m
}

func fleetPlain(m FleetModel) string { return ansi.Strip(m.View()) }

func TestFleetGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m := fleetModel(size[0], size[1], 40)
			checkFrame(t, m.View(), size[0], size[1])
			golden.RequireEqual(t, []byte(fleetPlain(m)))
		})
	}
}

func TestFleetRowsWorstFirstAndScroll(t *testing.T) {
	m := fleetModel(80, 24, 40)
	lines := strings.Split(fleetPlain(m), "\n")
	if rows := m.visibleRows(); rows < 15 || rows > 20 {
		t.Errorf("%d hosts visible at 80x24, want about 15", rows)
	}
	if !strings.Contains(lines[5], "SCALE") || !strings.Contains(lines[5], "web000:9100") {
		t.Errorf("first row %q, want the hot host at SCALE", lines[5])
	}
	if fl := strings.Join(strings.Fields(lines[1]+" "+lines[2]), " "); !strings.Contains(fl, "imbalance: web000:9100 carry the load — check the balancer") {
		t.Errorf("fleet line %q, want the imbalance", fl)
	}
	m = fleetKeys(m, "pgdown", "pgdown", "pgdown")
	if v := fleetPlain(m); !strings.Contains(v, "of 40") || strings.Contains(strings.Join(strings.Split(v, "\n")[5:], "\n"), "web000:9100") {
		t.Errorf("after paging down the first host should be scrolled away:\n%s", v)
	}
	m = fleetKeys(m, "G")
	if !strings.Contains(fleetPlain(m), "▶") || m.cursor != 39 {
		t.Errorf("end: cursor %d, want the last host selected", m.cursor)
	}
}

func TestFleetAbsentCPUIsBlank(t *testing.T) {
	m := fleetModel(80, 24, 40)
	m = fleetKeys(m, "/", "web001", "enter")
	var row string
	for _, l := range strings.Split(fleetPlain(m), "\n") {
		if strings.Contains(l, "web001:9100") {
			row = l
		}
	}
	// No CPU series: no bars and "-", never "0%".
	if f := strings.Fields(row); len(f) < 4 || f[3] != "-" {
		t.Errorf("row %q, want a blank CPU sparkline and -", row)
	}
}

func TestFleetFilterOpenAndBack(t *testing.T) {
	m := fleetModel(80, 24, 40)
	m = fleetKeys(m, "/", "web03", "enter")
	if v := fleetPlain(m); !strings.Contains(v, "(10 shown)") || strings.Contains(v, "web029") {
		t.Fatalf("filter web03:\n%s", v)
	}
	m = fleetKeys(m, "down")
	inst := m.selected
	m = fleetKeys(m, "enter")
	v := fleetPlain(m)
	if !strings.Contains(v, " "+inst+" ") || !strings.Contains(v, "ADVISOR") || !strings.Contains(v, "no processes") {
		t.Fatalf("enter should open %s's dashboard:\n%s", inst, v)
	}
	checkFrame(t, m.View(), 80, 24)
	// A refresh reaches the open dashboard.
	u := fleetUpdate(40)
	w := u.Windows[inst]
	next := w[len(w)-1]
	next.Time, next.CPU.Percent = next.Time.Add(time.Second), 77
	u.Windows[inst] = append(w, next)
	m = fleetUpd(m, fleetMsg(u))
	if v := fleetPlain(m); !strings.Contains(v, "77.0%") {
		t.Errorf("the host's dashboard did not take the refresh:\n%s", v)
	}
	m = fleetKeys(m, "esc")
	if v := fleetPlain(m); !strings.Contains(v, "headroom fleet") || !strings.Contains(v, "(10 shown)") {
		t.Errorf("esc should return to the filtered fleet:\n%s", v)
	}
	m = fleetKeys(m, "esc")
	if strings.Contains(fleetPlain(m), "shown)") {
		t.Error("esc on the fleet should clear the filter")
	}
}

func TestFleetErrorKeepsNumbers(t *testing.T) {
	m := fleetModel(80, 24, 40)
	m = fleetUpd(m, fleetMsg(FleetUpdate{Err: errors.New("prometheus http://prom:9090: query cpu: no answer within 5s")}))
	v := fleetPlain(m)
	if !strings.Contains(v, "⚠ prometheus http://prom:9090: query cpu: no answer within 5s") || !strings.Contains(v, "web000:9100") {
		t.Errorf("a failed refresh should be said and keep the last numbers:\n%s", v)
	}
	m = fleetUpd(m, fleetMsg(fleetUpdate(40)))
	m = fleetUpd(m, fleetTick(fleetT0.Add(59*time.Second)))
	// The next tick with no answer for long: slow, said so.
	m.lastOK = fleetT0
	m = fleetUpd(m, fleetTick(fleetT0.Add(30*time.Second)))
	if v := fleetPlain(m); !strings.Contains(v, "Prometheus slow: no answer for 30s") {
		t.Errorf("no answer for 30 s at a 1 s step should read as slow:\n%s", v)
	}
}

// BenchmarkFleetRender200 is one refresh of the fleet screen with 200 hosts.
func BenchmarkFleetRender200(b *testing.B) {
	m := fleetModel(200, 60, 200)
	u := fleetUpdate(200)
	b.ResetTimer()
	for range b.N {
		m = fleetUpd(m, fleetMsg(u))
	}
}
