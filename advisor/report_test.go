package advisor

import (
	"strings"
	"testing"
	"time"
)

func TestReportOfTheCPURamp(t *testing.T) {
	r := DefaultRules()
	r.Window = 2 * time.Minute
	snaps, _ := replay(t, "cpu-ramp.jsonl", r)
	md := ReportMarkdown(Session{Host: "lab", Snaps: snaps, Rules: r, Baseline: snaps[20].Time})
	for _, want := range []string{
		"# headroom report: lab",
		"(4m59s, 300 samples)",
		"Baseline: marked at " + snaps[20].Time.UTC().Format("15:04:05"),
		"| cpu |", "| memory |", "| disk / |", "No swap is configured.",
		"## Verdict timeline", "| MONITOR | — |", "| SCALE | cpu |",
		"→ suggest 5 gunicorn workers", "- gunicorn    master",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	// The heavy phase kept CPU at 100 % for about two minutes.
	var cpuRow string
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "| cpu |") {
			cpuRow = l
		}
	}
	if !strings.Contains(cpuRow, "| 100.0% |") || !strings.Contains(cpuRow, "2m") {
		t.Errorf("cpu row: %s", cpuRow)
	}
	// The timeline climbs MONITOR → OPTIMIZE → SCALE as the heavy phase
	// fills the 2-minute window (the recording ends 19 s after it).
	tl := Timeline(Session{Snaps: snaps, Rules: r})
	if len(tl) != 3 || tl[0].Verdict != Monitor || tl[1].Verdict != Optimize || tl[2].Verdict != Scale {
		t.Errorf("timeline %+v", tl)
	}
	for i := 1; i < len(tl); i++ {
		if !tl[i].Time.After(tl[i-1].Time) || tl[i].Verdict == tl[i-1].Verdict {
			t.Errorf("timeline step %d: %+v after %+v", i, tl[i], tl[i-1])
		}
	}
}

// A baseline marked after the load began: the timeline starts with the
// verdict then, judged on the whole window as the screen judged it (not on
// the samples since the mark alone), takes each later change at the moment
// the whole session's timeline has it, and ends on the final verdict.
func TestTimelineFromABaseline(t *testing.T) {
	r := DefaultRules()
	r.Window = 2 * time.Minute
	snaps, _ := replay(t, "cpu-ramp.jsonl", r)
	full := Timeline(Session{Snaps: snaps, Rules: r})
	// Marked 8 s before OPTIMIZE: judged on the samples since the mark
	// alone, OPTIMIZE and SCALE would come minutes later.
	mark := full[1].Time.Add(-8 * time.Second)
	tl := Timeline(Session{Snaps: snaps, Rules: r, Baseline: mark})
	if len(tl) != len(full) || tl[0].Verdict != Monitor || !tl[0].Time.Equal(mark) {
		t.Fatalf("from %v: %+v\nwhole session: %+v", mark, tl, full)
	}
	for i := 1; i < len(full); i++ {
		if !tl[i].Time.Equal(full[i].Time) || tl[i].Verdict != full[i].Verdict {
			t.Errorf("change %d: %v at %v; the whole session has %v at %v", i, tl[i].Verdict, tl[i].Time, full[i].Verdict, full[i].Time)
		}
	}
	final := Advise(windowEnding(snaps, r.Window), r)
	if tl[len(tl)-1].Verdict != final.Verdict {
		t.Errorf("timeline ends %v, the report's final verdict is %v", tl[len(tl)-1].Verdict, final.Verdict)
	}
	md := ReportMarkdown(Session{Host: "lab", Snaps: snaps, Rules: r, Baseline: mark})
	if !strings.Contains(md, "| "+mark.UTC().Format("15:04:05")+" | MONITOR |") || !strings.Contains(md, "| "+full[2].Time.UTC().Format("15:04:05")+" | SCALE |") {
		t.Errorf("report timeline does not start at the mark, or misses SCALE at %v:\n%s", full[2].Time, md)
	}
}

func TestReportWithProbe(t *testing.T) {
	snaps := withProbe(series(120, flat(10, 20, -1, 40)), func(i int) float64 { return float64(i%50 + 1) }, never)
	md := ReportMarkdown(Session{Snaps: snaps, Rules: DefaultRules(), ProbeURL: "http://127.0.0.1:8000/health/"})
	if !strings.Contains(md, "http://127.0.0.1:8000/health/, one request per interval: 120 requests, 0 errors") || !strings.Contains(md, "| 20 ms | 47 ms | 50 ms | 300 ms |") {
		t.Errorf("probe section:\n%s", md)
	}
	if md := ReportMarkdown(Session{}); !strings.Contains(md, "No samples") {
		t.Error(md)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 30 * time.Second: "30s", 5 * time.Minute: "5m", 299 * time.Second: "4m59s",
		time.Hour: "1h", 62 * time.Minute: "1h2m", 3601 * time.Second: "1h0m1s", 1500 * time.Millisecond: "2s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
