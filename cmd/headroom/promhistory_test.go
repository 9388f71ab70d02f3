package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeHost is one node_exporter host the fake Prometheus answers for: its
// cores, memory, and CPU use (0–1) as a function of time.
type fakeHost struct {
	instance string
	cores    int
	memGiB   float64
	memUsed  float64
	cpu      func(t time.Time) float64
}

// rangeProm answers /api/v1/query_range as Prometheus does (a matrix, one
// point per step from start to end) for the queries plan and compare send,
// computing each point from the hosts; queries it does not model get an
// empty matrix, as from a Prometheus without that series.
type rangeProm struct {
	hosts []fakeHost
	user  string // basic auth wanted, "" for none
	pass  string
	mu    sync.Mutex
	steps []float64 // the step of every request, in seconds
	spans []float64 // its end − start
}

func (p *rangeProm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.user != "" {
		if u, pw, ok := r.BasicAuth(); !ok || u != p.user || pw != p.pass {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
	}
	if r.URL.Path != "/api/v1/query_range" || r.ParseForm() != nil {
		http.Error(w, "want query_range", http.StatusBadRequest)
		return
	}
	num := func(k string) float64 { v, _ := strconv.ParseFloat(r.Form.Get(k), 64); return v }
	start, end, step := num("start"), num("end"), num("step")
	p.mu.Lock()
	p.steps, p.spans = append(p.steps, step), append(p.spans, end-start)
	p.mu.Unlock()
	q := r.Form.Get("query")
	var value func(h fakeHost, t time.Time) float64
	switch {
	case strings.HasPrefix(q, "max by (instance) (up{"):
		value = func(_ fakeHost, _ time.Time) float64 { return 1 }
	case strings.HasPrefix(q, "1 - avg by (instance) (rate(node_cpu_seconds_total"):
		value = func(h fakeHost, t time.Time) float64 { return h.cpu(t) }
	case strings.HasPrefix(q, "count by (instance) (node_cpu_seconds_total"):
		value = func(h fakeHost, _ time.Time) float64 { return float64(h.cores) }
	case strings.Contains(q, "node_memory_MemTotal_bytes"):
		value = func(h fakeHost, _ time.Time) float64 { return h.memGiB * (1 << 30) }
	case strings.Contains(q, "node_memory_MemAvailable_bytes"):
		value = func(h fakeHost, _ time.Time) float64 { return h.memGiB * (1 << 30) * (1 - h.memUsed) }
	}
	type series struct {
		Metric map[string]string `json:"metric"`
		Values [][2]any          `json:"values"`
	}
	result := []series{}
	if value != nil && step > 0 {
		for _, h := range p.hosts {
			s := series{Metric: map[string]string{"instance": h.instance}}
			for ts := start; ts <= end; ts += step {
				t := time.Unix(0, int64(ts*1e9))
				s.Values = append(s.Values, [2]any{ts, strconv.FormatFloat(value(h, t), 'f', -1, 64)})
			}
			result = append(result, s)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": map[string]any{"resultType": "matrix", "result": result}})
}

// The before and after periods are read at a bounded step, the host picked
// by --instance is compared on its own, and a doubled CPU is a real change.
func TestComparePrometheusOneHost(t *testing.T) {
	isolate(t)
	change := time.Now().Add(-time.Hour).Truncate(time.Minute)
	p := &rangeProm{hosts: []fakeHost{
		{instance: "web1:9100", cores: 2, memGiB: 4, memUsed: 0.5, cpu: func(t time.Time) float64 {
			wobble := 0.01 * float64(t.Unix()%3) // a little noise, so the interval is not empty
			if t.Before(change) {
				return 0.20 + wobble
			}
			return 0.40 + wobble
		}},
		{instance: "web2:9100", cores: 6, memGiB: 8, memUsed: 0.25, cpu: func(_ time.Time) float64 { return 0.10 }},
	}}
	srv := httptest.NewServer(p)
	defer srv.Close()
	before := change.Add(-20*time.Minute).UTC().Format(time.RFC3339) + "/" + change.UTC().Format(time.RFC3339)
	after := change.UTC().Format(time.RFC3339) + "/" + change.Add(20*time.Minute).UTC().Format(time.RFC3339)
	code, out, errs := runCLI(t, "compare", "--prometheus", srv.URL, "--before", before, "--after", after, "--instance", "web1:9100", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	conforms(t, schemaFor(t, "compare"), "compare --prometheus --json", []byte(out))
	var cmp comparison
	if err := json.Unmarshal([]byte(out), &cmp); err != nil {
		t.Fatal(err)
	}
	cpu := findChange(t, cmp, "cpu")
	if cpu.ChangePct == nil || math.Abs(*cpu.ChangePct-95.2) > 1 || !cpu.Significant {
		// 21 % → 41 % on average: +95 %.
		t.Errorf("cpu change %+v, want about +95 %%, significant", cpu)
	}
	if mem := findChange(t, cmp, "memory"); mem.Significant || math.Abs(mem.Before.Mean-50) > 0.01 {
		t.Errorf("memory %+v: web1's steady 50 %%, no change", mem)
	}
	if !strings.Contains(errs, "no response times") {
		t.Errorf("stderr does not say why latency is absent: %q", errs)
	}
	for i, step := range p.steps {
		if n := p.spans[i]/step + 1; n > comparePoints+1 || step != 2 {
			// 20 minutes over at most 1000 points: a 2 s step.
			t.Errorf("request %d: step %vs over %vs is %v points, want 2 s steps", i, step, p.spans[i], n)
		}
	}
}

// Without --instance the hosts are one pool: CPU is used cores over all
// cores, so the 6-core host weighs three times the 2-core one.
func TestComparePrometheusPool(t *testing.T) {
	isolate(t)
	p := &rangeProm{hosts: []fakeHost{
		{instance: "a:9100", cores: 2, memGiB: 4, memUsed: 0.5, cpu: func(_ time.Time) float64 { return 0.8 }},
		{instance: "b:9100", cores: 6, memGiB: 12, memUsed: 0.25, cpu: func(_ time.Time) float64 { return 0.2 }},
	}}
	srv := httptest.NewServer(p)
	defer srv.Close()
	code, out, errs := runCLI(t, "compare", "--prometheus", srv.URL, "--before=-2h/-1h", "--after=-1h/now")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// (2 × 80 + 6 × 20) / 8 = 35 % (not the hosts' mean, 50 %); memory
	// (2 + 3) GiB of 16 = 31.25 % (not 37.5 %).
	for _, want := range []string{"2 hosts as one pool", "35.0 / 35.0 / 35.0 %", "31.2 / 31.2 / 31.2 %", "at 4s steps"} {
		if !strings.Contains(out, want) {
			t.Errorf("compare output lacks %q:\n%s", want, out)
		}
	}
}

func findChange(t *testing.T, c comparison, metric string) metricChange {
	t.Helper()
	for _, m := range c.Metrics {
		if m.Metric == metric {
			return m
		}
	}
	t.Fatalf("no %s in %+v", metric, c.Metrics)
	return metricChange{}
}

// plan --range 30d reads hourly points and fits the trend they hold:
// CPU rising 6 points a month from 30 %.
func TestPlanPrometheusTrend(t *testing.T) {
	isolate(t)
	t0 := time.Now().Add(-30 * 24 * time.Hour)
	p := &rangeProm{hosts: []fakeHost{{instance: "db:9100", cores: 4, memGiB: 16, memUsed: 0.4, cpu: func(t time.Time) float64 {
		return 0.30 + 0.06*float64(t.Sub(t0))/float64(30*24*time.Hour) + 0.002*float64(t.Unix()/3600%2)
	}}}}
	srv := httptest.NewServer(p)
	defer srv.Close()
	code, out, errs := runCLI(t, "plan", "--prometheus", srv.URL, "--range", "30d", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r planReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if p.steps[0] != 3600 {
		t.Errorf("step %v s for 30 days, want an hour", p.steps[0])
	}
	if r.Samples != 721 || r.Host != "db:9100" || !strings.Contains(r.Source, "at 1h0m0s steps") {
		t.Errorf("samples %d host %q source %q, want 721 hourly samples of db:9100", r.Samples, r.Host, r.Source)
	}
	var cpu *trendRow
	for i := range r.Trends {
		if r.Trends[i].Metric == "cpu" {
			cpu = &r.Trends[i]
		}
	}
	// 6 points over 30 days is 6.09 a month of 30.44 days.
	if cpu == nil || !cpu.Significant || math.Abs(cpu.SlopePerMonth-6.09) > 0.05 || math.Abs(cpu.Now-36.1) > 0.2 {
		t.Fatalf("cpu trend %+v, want +6.09 points a month, now 36.1 %%", cpu)
	}
	if r.ResponseTime != nil || !strings.Contains(strings.Join(r.Notes, "\n"), "no response times") {
		t.Errorf("response time %+v, notes %q: node_exporter has no latency and the plan must say so", r.ResponseTime, r.Notes)
	}
	if r.Capacity == nil || len(r.Capacity.Requirements) != 2 || r.Capacity.Requirements[0].Have != 4 || r.Capacity.Requirements[1].Have != 16 {
		t.Errorf("capacity %+v, want 4 cores and 16 GiB from node_exporter", r.Capacity)
	}
	// With nothing named, the config file's [prometheus] url is the history.
	cfg := writeConfig(t, "[prometheus]\nurl = \""+srv.URL+"\"\n", 0o600)
	code, out, errs = runCLI(t, "--config", cfg, "plan", "--json")
	if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil || r.Samples != 721 {
		t.Errorf("plan from the config's url: exit %d, %v, %d samples: %s", code, err, r.Samples, errs)
	}
}

// Bad periods and a Prometheus that fails are exit 3, naming the URL
// without its credentials and the reason.
func TestPromHistoryErrors(t *testing.T) {
	dir := isolate(t)
	p := &rangeProm{user: "ops", pass: "s3cret-pw", hosts: []fakeHost{{instance: "a:9100", cores: 1, memGiB: 1, cpu: func(_ time.Time) float64 { return 0.5 }}}}
	srv := httptest.NewServer(p)
	defer srv.Close()
	empty := httptest.NewServer(&rangeProm{})
	defer empty.Close()
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm() // a read body lets the server see the client give up
		<-r.Context().Done()
	}))
	defer hang.Close()
	gone := httptest.NewServer(&rangeProm{})
	gone.Close()
	cfg := filepath.Join(dir, "config.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("[prometheus]\nurl = %q\nusername = \"ops\"\npassword = \"s3cret-pw\"\n", srv.URL)), 0o600)
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"plan", "--config", cfg, "--range=-1h/-2h"}, srv.URL + ": --range -1h/-2h ends at"},
		{[]string{"plan", "--config", cfg, "--range=-1h/" + future}, "in the future"},
		{[]string{"compare", "--config", cfg, "--before=-2h/-1h", "--after=-1h/" + future}, srv.URL + ": --after"},
		{[]string{"plan", "--config", cfg, "--range", "1h", "--instance", "b:9100"}, `--instance "b:9100" is not among the 1 hosts`},
		{[]string{"plan", "--config", cfg, "--range", "7x"}, `--range "7x": want a duration`},
		{[]string{"compare", "--config", cfg, "--before=-2h/-1h"}, "needs --before RANGE and --after RANGE"},
		{[]string{"plan", "--prometheus", empty.URL, "--range", "1h"}, empty.URL + ": selector {job=\"node\"} matches no target"},
		{[]string{"plan", "--prometheus", gone.URL, "--range", "1h"}, gone.URL + ": query_range"},
		{[]string{"plan", "--prometheus", hang.URL, "--range", "1h", "--prometheus-timeout", "100ms"}, "no answer within 100ms"},
		{[]string{"plan", "--range", "1h"}, "needs --prometheus URL"},
		{[]string{"plan", "--prometheus", srv.URL, "--range", "1h", "x.jsonl"}, "not both"},
	}
	for _, c := range cases {
		code, _, errs := runCLI(t, c.args...)
		if code != exitBadInput || !strings.Contains(errs, c.want) || strings.Contains(errs, "s3cret") {
			t.Errorf("%v: exit %d, stderr %q; want exit 3 saying %q, no password", c.args, code, errs, c.want)
		}
	}
	// The same config with the right credentials reads the period.
	if code, out, errs := runCLI(t, "plan", "--config", cfg, "--range", "1h"); code != 0 || !strings.Contains(out, "a:9100") {
		t.Errorf("plan with [prometheus] credentials: exit %d\n%s%s", code, out, errs)
	}
}

// The period syntax: START/END of now, -DUR (with Prometheus' d and w) and
// times; a bare duration only where it may end now.
func TestParseSpan(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in         string
		dur        bool
		start, end time.Time
	}{
		{"-7d/-6d", false, now.AddDate(0, 0, -7), now.AddDate(0, 0, -6)},
		{"-1w/now", false, now.AddDate(0, 0, -7), now},
		{"2026-11-20T10:00:00Z/2026-11-20T12:00:00Z", false, time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)},
		{"30d", true, now.AddDate(0, 0, -30), now},
		{"-40s/-20s", true, now.Add(-40 * time.Second), now.Add(-20 * time.Second)},
	}
	for _, c := range cases {
		sp, err := parseSpan("--x", c.in, now, c.dur)
		if err != nil || !sp.Start.Equal(c.start) || !sp.End.Equal(c.end) {
			t.Errorf("%q: %v–%v, %v; want %v–%v", c.in, sp.Start, sp.End, err, c.start, c.end)
		}
	}
	for _, bad := range []string{"30d", "-7d", "-7d/yesterday", "/now"} {
		if _, err := parseSpan("--before", bad, now, false); err == nil {
			t.Errorf("%q accepted as a --before period", bad)
		}
	}
}

// The step keeps every series within its bound of points, in whole seconds.
func TestStepFor(t *testing.T) {
	cases := []struct {
		span   time.Duration
		points int
		want   time.Duration
	}{
		{30 * 24 * time.Hour, planPoints, time.Hour},
		{2 * time.Minute, planPoints, time.Second},
		{24 * time.Hour, comparePoints, 87 * time.Second},
		{365 * 24 * time.Hour, planPoints, 12*time.Hour + 10*time.Minute},
	}
	for _, c := range cases {
		if got := stepFor(c.span, c.points); got != c.want || c.span/got > time.Duration(c.points) {
			t.Errorf("stepFor(%v, %d) = %v, want %v", c.span, c.points, got, c.want)
		}
	}
}
