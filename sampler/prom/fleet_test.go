package prom

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler"
)

func startFleet(t *testing.T) (*Fleet, *fakeProm, *clock) {
	t.Helper()
	clk := &clock{now: t0}
	c, fp := newTestClient(t, Options{Step: time.Second, Window: time.Minute, Now: clk.Now})
	f, err := c.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return f, fp, clk
}

func TestStartReadsTheWindowWithOneRangeQueryPerMetric(t *testing.T) {
	f, fp, _ := startFleet(t)
	for name, n := range fp.requests() {
		if n != 1 {
			t.Errorf("query %s asked %d times, want once for all hosts", name, n)
		}
	}
	if got := len(fp.requests()); got != len(f.client.queries) {
		t.Errorf("%d queries asked, want %d", got, len(f.client.queries))
	}
	if got, want := f.Instances(), []string{"web1:9100", "web2:9100"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("instances %v, want %v", got, want)
	}
	web1 := f.Hosts["web1:9100"].Points
	if len(web1) != 3 {
		t.Fatalf("web1 has %d points, want 3", len(web1))
	}
	wantCPU := []float64{10, 20, 30}
	wantMem := []float64{50, 75, 90}
	for i, p := range web1 {
		if want := t0.Add(time.Duration(i-2) * time.Second); !p.Snapshot.Time.Equal(want) {
			t.Errorf("point %d at %v, want %v", i, p.Snapshot.Time, want)
		}
		if d := p.Snapshot.CPU.Percent - wantCPU[i]; d > 1e-9 || d < -1e-9 {
			t.Errorf("point %d cpu %v, want %v", i, p.Snapshot.CPU.Percent, wantCPU[i])
		}
		if d := p.Snapshot.MemPercent() - wantMem[i]; d > 0.01 || d < -0.01 {
			t.Errorf("point %d memory %.2f %%, want %v", i, p.Snapshot.MemPercent(), wantMem[i])
		}
		if !p.Up || p.Have != HaveCPU|HaveMemory {
			t.Errorf("point %d up=%v have=%b, want up and cpu+memory only", i, p.Up, p.Have)
		}
	}
	// web2 has no cpu sample at t0: that point lacks CPU instead of reading 0 %.
	last, _ := f.Hosts["web2:9100"].Last()
	if last.Have&HaveCPU != 0 || last.Have&HaveMemory != 0 || !last.Up {
		t.Errorf("web2 at t0: have=%b up=%v, want up with neither cpu nor memory", last.Have, last.Up)
	}
}

func TestRefreshAppendsOneInstantPointPerHost(t *testing.T) {
	f, fp, clk := startFleet(t)
	clk.now = t0.Add(time.Minute)
	if err := f.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	for name, n := range fp.requests() {
		if n != 2 {
			t.Errorf("query %s asked %d times after start and one refresh, want 2", name, n)
		}
	}
	if len(f.Hosts) != 3 {
		t.Fatalf("hosts %v, want web1, web2 and db", f.Instances())
	}
	// The window is one minute: the range points (t0−2s … t0) fall out, except t0 itself.
	h := f.Hosts["web1:9100"]
	if len(h.Points) != 2 {
		t.Fatalf("web1 has %d points, want t0 and the refresh", len(h.Points))
	}
	p, _ := h.Last()
	want := sampler.Snapshot{
		Time:   t0.Add(time.Minute),
		CPU:    sampler.CPU{Cores: 2, Percent: 43, IOWait: 1.2},
		Mem:    sampler.Memory{Total: 17179869184, Available: 4294967296},
		Swap:   sampler.Swap{},
		Load:   [3]float64{1.5, 1.2, 0.9},
		Uptime: 86400,
		Disks: []sampler.Disk{
			{Mount: "/", Device: "/dev/sda1", FSType: "ext4", Total: 100e9, Used: 60e9, Free: 35e9},
			{Mount: "/var", Device: "/dev/sdb", FSType: "xfs", Total: 50e9, Used: 45e9, Free: 5e9},
		},
		IO:  &sampler.Rates{In: 1e6, Out: 2e6},
		Net: &sampler.Rates{In: 3e5, Out: 4e5},
		PSI: &sampler.PSI{
			CPU:     sampler.Pressure{Avg10: 2.5, Avg60: 1.5},
			Memory:  sampler.Pressure{Avg10: 0.5, Avg60: 0.25},
			IO:      sampler.Pressure{Avg10: 3, Avg60: 2},
			MemFull: &sampler.Pressure{Avg10: 0.125, Avg60: 0.0625},
			IOFull:  &sampler.Pressure{Avg10: 1, Avg60: 0.5},
		},
	}
	p.Snapshot.CPU.Percent = round(p.Snapshot.CPU.Percent)
	p.Snapshot.CPU.IOWait = round(p.Snapshot.CPU.IOWait)
	if !reflect.DeepEqual(p.Snapshot, want) {
		t.Errorf("web1 now:\n got %+v\nwant %+v", p.Snapshot, want)
	}
	all := HaveCPU | HaveIOWait | HaveSteal | HaveCores | HaveMemory | HaveSwap | HaveDisks | HaveLoad | HaveUptime | HavePSI | HaveIO | HaveNet
	if p.Have != all || !p.Up {
		t.Errorf("web1 have=%b up=%v, want every part and up", p.Have, p.Up)
	}
	if got := p.Snapshot.Disks[1].Percent(); got != 90 {
		t.Errorf("/var at %v %%, want 90 (df: used / (used + avail))", got)
	}
}

func TestMissingSeriesAreAbsentNotZero(t *testing.T) {
	f, _, clk := startFleet(t)
	clk.now = t0.Add(time.Minute)
	if err := f.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	p, _ := f.Hosts["web2:9100"].Last()
	if p.Have&(HaveMemory|HaveDisks|HavePSI|HaveIO|HaveUptime) != 0 {
		t.Errorf("web2 have=%b: memory, disks, psi, io and uptime have no series", p.Have)
	}
	// net_in is NaN (a rate over too few scrapes): the pair is absent, not 0 in.
	if p.Snapshot.Net != nil || p.Have&HaveNet != 0 {
		t.Errorf("web2 net %+v, want absent when receive is NaN", p.Snapshot.Net)
	}
	if p.Snapshot.Swap != (sampler.Swap{Total: 2147483648, Used: 536870912}) {
		t.Errorf("web2 swap %+v, want 2 GiB with 0.5 GiB used", p.Snapshot.Swap)
	}
	if got, ok := p.LoadPerCore(); !ok || got != 2 {
		t.Errorf("web2 load per core %v (%v), want 8/4", got, ok)
	}
	db, _ := f.Hosts["db:9100"].Last()
	if db.Up || db.Have != 0 {
		t.Errorf("db up=%v have=%b, want down with nothing measured", db.Up, db.Have)
	}
	if _, ok := db.LoadPerCore(); ok {
		t.Error("db has a load per core without load or cores")
	}
}

func TestRefreshDropsHostsGoneForAWindow(t *testing.T) {
	f, _, clk := startFleet(t)
	f.Hosts["old:9100"] = &Host{Instance: "old:9100", Points: []Point{{Snapshot: sampler.Snapshot{Time: t0.Add(-time.Hour)}}}}
	clk.now = t0.Add(time.Minute)
	if err := f.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Hosts["old:9100"]; ok {
		t.Error("a host without points in the window stays in the fleet")
	}
	if !f.Updated.Equal(clk.now) {
		t.Errorf("updated %v, want %v", f.Updated, clk.now)
	}
	if got := len(f.Snapshots()["web1:9100"]); got != 2 {
		t.Errorf("Snapshots()[web1] has %d, want 2", got)
	}
}

func round(v float64) float64 { return float64(int64(v*1e6+0.5)) / 1e6 }
