package prom

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"
)

// fleetAnswers synthesises one instant answer per query for n hosts, each
// with two filesystems; "TS" stands for the evaluation time.
func fleetAnswers(c *Client, n int) map[string][]byte {
	out := map[string][]byte{}
	for _, q := range c.queries {
		var b bytes.Buffer
		b.WriteString(`{"status":"success","data":{"resultType":"vector","result":[`)
		for i := range n {
			inst := fmt.Sprintf("web%03d.example.net:9100", i)
			v := fmt.Sprintf("%d.%d", i%7+1, i%10)
			switch q.field {
			case fFSSize, fFSFree, fFSAvail:
				for j, m := range []string{"/", "/var/lib/postgresql"} {
					if j > 0 {
						b.WriteByte(',')
					}
					fmt.Fprintf(&b, `{"metric":{"instance":%q,"mountpoint":%q,"device":"/dev/vda%d","fstype":"ext4"},"value":[TS,"%d"]}`, inst, m, j+1, (j+1)*(i+1)*1e9)
				}
			default:
				fmt.Fprintf(&b, `{"metric":{"instance":%q},"value":[TS,%q]}`, inst, v)
			}
			if i < n-1 {
				b.WriteByte(',')
			}
		}
		b.WriteString(`]}}`)
		out[q.expr] = b.Bytes()
	}
	return out
}

// cpuTime is the process' user + system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRefresh200Hosts is one fleet refresh of 200 hosts: every query,
// its JSON and the conversion, with a one-minute window kept at 1 s steps.
// cpu-ns/op counts the whole process, so it includes the test server's share.
func BenchmarkRefresh200Hosts(b *testing.B) {
	clk := &clock{now: t0}
	probe, _ := New(Options{URL: "http://placeholder"})
	answers := fleetAnswers(probe, 200)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(bytes.ReplaceAll(answers[r.Form.Get("query")], []byte("TS"), []byte(r.Form.Get("time"))))
	}))
	defer srv.Close()
	c, err := New(Options{URL: srv.URL, Step: time.Second, Window: time.Minute, Now: clk.Now})
	if err != nil {
		b.Fatal(err)
	}
	f := &Fleet{Hosts: map[string]*Host{}, client: c}
	// Fill the window first so the benchmark measures the steady state.
	for range 60 {
		clk.now = clk.now.Add(time.Second)
		if err := f.Refresh(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	if len(f.Hosts) != 200 {
		b.Fatalf("%d hosts, want 200", len(f.Hosts))
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	for range b.N {
		clk.now = clk.now.Add(time.Second)
		if err := f.Refresh(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}
