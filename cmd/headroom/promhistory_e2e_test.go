package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/headroom-dev/headroom/sampler/labtest"
)

// plan and compare against a real Prometheus scraping a real node_exporter
// every second on loopback: a couple of minutes is too little for a trend,
// and the plan says how much it has and needs; two 20-second periods
// compare, in the documented JSON.
func TestPlanComparePrometheusE2E(t *testing.T) {
	lab := labtest.New(t)
	isolate(t)
	p := lab.Prometheus(false)
	base := strings.TrimRight(p.URL, "/")
	// compare's before period starts 40 s back: wait until Prometheus holds
	// 30 s of node_exporter's scrapes, so both periods have data.
	eventually(t, 60*time.Second, func() error {
		n, err := promScalar(base, `count_over_time(up{job="node"}[1m])`)
		if err == nil && n < 30 {
			err = fmt.Errorf("%v scrapes so far", n)
		}
		return err
	})

	code, out, errs := runCLI(t, "plan", "--prometheus", p.URL, "--range", "2m", "--json")
	if code != 0 {
		t.Fatalf("plan: exit %d: %s", code, errs)
	}
	var r planReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(r.Notes, "\n")
	tooLittle := regexp.MustCompile(`cpu: too little data for a trend: (\d+) points over [\d.]+ (seconds|minutes?); a trend needs at least 10 points over 7\.0 days`)
	m := tooLittle.FindStringSubmatch(notes)
	if m == nil || len(r.Trends) != 0 || !strings.Contains(notes, "no response times") {
		t.Fatalf("plan over 2 minutes: trends %+v, notes:\n%s\nwant too little data for a trend, with the numbers, and no latency", r.Trends, notes)
	}
	if pts, _ := strconv.Atoi(m[1]); pts < 30 || pts > 121 || r.Samples != pts {
		// 1 s steps over what Prometheus holds of the 2 minutes.
		t.Errorf("plan read %s cpu points of %d samples; want 30 to 121 one-second points", m[1], r.Samples)
	}
	if r.Capacity == nil || len(r.Capacity.Requirements) != 2 || r.Capacity.Requirements[0].Have <= 0 {
		t.Errorf("capacity %+v: cores and memory come from node_exporter", r.Capacity)
	}
	code, out, errs = runCLI(t, "plan", "--prometheus", p.URL, "--range", "2m")
	if code != 0 || !strings.Contains(out, "No metric has enough data for a trend") || !strings.Contains(out, "at 1s steps") {
		t.Errorf("plan page: exit %d\n%s%s", code, out, errs)
	}

	code, out, errs = runCLI(t, "compare", "--prometheus", p.URL, "--before=-40s/-20s", "--after=-20s/now", "--json")
	if code != 0 {
		t.Fatalf("compare: exit %d: %s", code, errs)
	}
	conforms(t, schemaFor(t, "compare"), "compare --prometheus --json", []byte(out))
	var cmp comparison
	if err := json.Unmarshal([]byte(out), &cmp); err != nil {
		t.Fatal(err)
	}
	have := map[string]metricChange{}
	for _, mc := range cmp.Metrics {
		have[mc.Metric] = mc
	}
	for _, k := range []string{"cpu", "memory"} {
		mc, ok := have[k]
		if !ok || mc.Before.Mean <= 0 || mc.Before.Mean > 100 || mc.ChangePct == nil {
			t.Errorf("compare: %s is %+v; want a real share before and after", k, mc)
		}
	}
	code, out, errs = runCLI(t, "compare", "--prometheus", p.URL, "--before=-40s/-20s", "--after=-20s/now")
	if code != 0 || !strings.Contains(out, "before: prometheus "+base) || !strings.Contains(out, "moving-block bootstrap") {
		t.Errorf("compare text: exit %d\n%s%s", code, out, errs)
	}
}

// promScalar asks Prometheus for one number.
func promScalar(base, expr string) (float64, error) {
	resp, err := http.Get(base + "/api/v1/query?query=" + url.QueryEscape(expr))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return 0, err
	}
	if len(body.Data.Result) == 0 {
		return 0, fmt.Errorf("no answer to %s yet", expr)
	}
	s, _ := body.Data.Result[0].Value[1].(string)
	return strconv.ParseFloat(s, 64)
}
