package prom

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

// procMemTotal reads MemTotal in bytes and the cpu count from this host's /proc.
func procMemTotal(t *testing.T) (mem uint64, cpus int) {
	t.Helper()
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		t.Skipf("no /proc/meminfo: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if _, err := fmt.Sscanf(sc.Text(), "MemTotal: %d kB", &mem); err == nil {
			mem *= 1024
			break
		}
	}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "cpu") && !strings.HasPrefix(line, "cpu ") {
			cpus++
		}
	}
	return mem, cpus
}

func TestFleetFromRealPrometheusE2E(t *testing.T) {
	l := startLab(t)
	c, err := New(Options{URL: l.promURL, Step: time.Second, Window: time.Minute, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var f *Fleet
	// Ready when every host has a CPU rate, which takes two scrapes.
	waitFor(t, 45*time.Second, func() error {
		var err error
		if f, err = c.Start(context.Background()); err != nil {
			return err
		}
		for name, inst := range l.hosts {
			h := f.Hosts[inst]
			if h == nil {
				return fmt.Errorf("%s (%s) not scraped yet", name, inst)
			}
			if p, _ := h.Last(); p.Have&HaveCPU == 0 || !p.Up {
				return fmt.Errorf("%s has no cpu rate yet", name)
			}
		}
		return nil
	})
	if len(f.Hosts) != len(l.hosts) {
		t.Errorf("hosts %v, want the %d the lab runs", f.Instances(), len(l.hosts))
	}

	mem90, _ := f.Hosts[l.hosts["mem90"]].Last()
	s := mem90.Snapshot
	if math.Abs(s.MemPercent()-90) > 0.01 || s.Mem.Total != 8<<30 {
		t.Errorf("mem90: memory %.3f %% of %d, want 90 %% of 8 GiB", s.MemPercent(), s.Mem.Total)
	}
	if s.CPU.Cores != 4 || s.Load != [3]float64{3, 2, 1} {
		t.Errorf("mem90: %d cores, load %v; want 4 and [3 2 1]", s.CPU.Cores, s.Load)
	}
	if mem90.Have&HaveSwap == 0 || s.HasSwap() {
		t.Errorf("mem90: swap %+v (have %v), want known and none configured", s.Swap, mem90.Have&HaveSwap != 0)
	}
	// No filesystem, pressure or diskstats collector runs there: absent, not zero.
	if mem90.Have&(HaveDisks|HavePSI|HaveIO|HaveNet|HaveUptime) != 0 || s.PSI != nil || s.IO != nil {
		t.Errorf("mem90: have=%b, want no disks, psi, io, net or uptime", mem90.Have)
	}

	sw, _ := f.Hosts[l.hosts["swap"]].Last()
	if pct, ok := sw.Snapshot.SwapPercent(); !ok || pct != 75 || sw.Snapshot.MemPercent() != 25 {
		t.Errorf("swap host: swap %v %% (configured %v), memory %v %%; want 75 and 25", pct, ok, sw.Snapshot.MemPercent())
	}

	real, _ := f.Hosts[l.hosts["real"]].Last()
	memTotal, cpus := procMemTotal(t)
	rs := real.Snapshot
	if rs.Mem.Total != memTotal || rs.CPU.Cores != cpus {
		t.Errorf("this host: %d bytes, %d cores; /proc says %d and %d", rs.Mem.Total, rs.CPU.Cores, memTotal, cpus)
	}
	if rs.CPU.Percent < 0 || rs.CPU.Percent > 100 || real.Have&(HaveLoad|HaveUptime|HaveNet) != HaveLoad|HaveUptime|HaveNet {
		t.Errorf("this host: cpu %v %%, have=%b", rs.CPU.Percent, real.Have)
	}
	if _, err := os.Stat("/proc/pressure/memory"); err == nil && rs.PSI == nil {
		t.Error("this host has /proc/pressure but no PSI came through")
	}
	for _, d := range rs.Disks {
		if d.Total == 0 || strings.Contains("|"+pseudoFS+"|", "|"+d.FSType+"|") {
			t.Errorf("this host: disk %+v should have been left out", d)
		}
	}

	before := len(f.Hosts[l.hosts["real"]].Points)
	last := f.Updated
	waitFor(t, 10*time.Second, func() error {
		if time.Since(last) < time.Second {
			return fmt.Errorf("waiting for the next scrape")
		}
		return nil
	})
	if err := f.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := f.Hosts[l.hosts["real"]]
	if p, _ := h.Last(); len(h.Points) < before || !p.Snapshot.Time.After(last.Add(-time.Second)) || p.Have&HaveMemory == 0 {
		t.Errorf("refresh: %d points (had %d), newest %v after %v, have=%b", len(h.Points), before, p.Snapshot.Time, last, p.Have)
	}
}

func TestSelectorMatchingNothingE2E(t *testing.T) {
	l := startLab(t)
	c, err := New(Options{URL: l.promURL, Selector: `{job="nosuchjob"}`, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "matches no target") || !strings.Contains(err.Error(), l.promURL) {
		t.Errorf("err = %v, want the URL and that nothing matched", err)
	}
}
