// Package textfile writes headroom's judgement as DIR/headroom.prom for
// node_exporter's textfile collector, so Prometheus, Alertmanager and Grafana
// see the verdict beside the host's own metrics.
//
// It takes plain values (no advisor types), so any judgement can be mapped
// onto Export.
package textfile

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
)

// FileName is the file written in the directory; the collector reads *.prom.
const FileName = "headroom.prom"

// Levels are the verdicts headroom_verdict has a series for, in order; a
// finding's level is its index (MONITOR 0, OPTIMIZE 1, SCALE 2, DOWN 3).
var Levels = []string{"MONITOR", "OPTIMIZE", "SCALE", "DOWN"}

// Finding is one judged metric at this moment.
type Finding struct {
	Metric string  `json:"metric"` // the vocabulary's name: cpu, memory, disk:/var, …
	Level  int     `json:"level"`  // 0 MONITOR, 1 OPTIMIZE, 2 SCALE, 3 DOWN (the app does not answer)
	Value  float64 `json:"value"`  // the value now, in the metric's unit
}

// Workers is the worker suggestion; nil in Export when there is none.
type Workers struct {
	Recommended int    `json:"recommended"`
	Running     int    `json:"running"`
	PSSBytes    uint64 `json:"pss_bytes"` // median PSS of the running workers; 0 when none run
}

// Export is everything written to headroom.prom.
type Export struct {
	Verdict  string    `json:"verdict"` // one of Levels
	Findings []Finding `json:"findings"`
	Workers  *Workers  `json:"workers,omitempty"`
}

// Write replaces DIR/headroom.prom with e in the text exposition format. The
// file is written under a temporary name in DIR and renamed, so the collector
// never reads half a file.
func Write(dir string, e Export) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("textfile directory: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("textfile directory %q is not a directory", dir)
	}
	reg, err := Registry(e)
	if err != nil {
		return err
	}
	// WriteToTextfile creates the temporary file in dir itself, named
	// headroom.prom<random> (not *.prom), makes it 0644 and renames it.
	if err := prometheus.WriteToTextfile(filepath.Join(dir, FileName), reg); err != nil {
		return fmt.Errorf("textfile %s: %w", filepath.Join(dir, FileName), err)
	}
	return nil
}

// Registry holds e's gauges; Write gathers it, and a /metrics handler could too.
func Registry(e Export) (*prometheus.Registry, error) {
	known := false
	for _, l := range Levels {
		known = known || l == e.Verdict
	}
	if !known {
		return nil, fmt.Errorf("textfile: verdict %q: want one of %v", e.Verdict, Levels)
	}
	reg := prometheus.NewRegistry()
	verdict := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "headroom_verdict",
		Help: "headroom's verdict for this host: 1 for the current level, 0 for the others.",
	}, []string{"level"})
	for _, l := range Levels {
		v := 0.0
		if l == e.Verdict {
			v = 1
		}
		verdict.WithLabelValues(l).Set(v)
	}
	level := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "headroom_finding_level",
		Help: "Level of each judged metric: 0 MONITOR, 1 OPTIMIZE, 2 SCALE, 3 DOWN.",
	}, []string{"metric"})
	value := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "headroom_finding_value",
		Help: "Value of each judged metric now, in the metric's unit (percent for cpu, memory, swap, disks).",
	}, []string{"metric"})
	seen := map[string]bool{}
	for _, f := range e.Findings {
		switch {
		case f.Metric == "" || !utf8.ValidString(f.Metric):
			return nil, fmt.Errorf("textfile: finding metric %q: want a non-empty UTF-8 name", f.Metric)
		case seen[f.Metric]:
			return nil, fmt.Errorf("textfile: finding metric %q appears twice", f.Metric)
		case f.Level < 0 || f.Level >= len(Levels):
			return nil, fmt.Errorf("textfile: finding %q: level %d, want 0 to %d", f.Metric, f.Level, len(Levels)-1)
		case math.IsNaN(f.Value) || math.IsInf(f.Value, 0):
			return nil, fmt.Errorf("textfile: finding %q: value %v is not a number", f.Metric, f.Value)
		}
		seen[f.Metric] = true
		level.WithLabelValues(f.Metric).Set(float64(f.Level))
		value.WithLabelValues(f.Metric).Set(f.Value)
	}
	collectors := []prometheus.Collector{verdict, level, value}
	if w := e.Workers; w != nil {
		if w.Recommended < 0 || w.Running < 0 {
			return nil, fmt.Errorf("textfile: workers %d recommended, %d running: want counts ≥ 0", w.Recommended, w.Running)
		}
		collectors = append(collectors,
			gauge("headroom_workers_recommended", "App-server workers headroom suggests for this machine.", float64(w.Recommended)),
			gauge("headroom_workers_running", "App-server workers running now.", float64(w.Running)),
			gauge("headroom_worker_pss_bytes", "Median PSS of the running app-server workers, in bytes.", float64(w.PSSBytes)))
	}
	for _, c := range collectors {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("textfile: %w", err)
		}
	}
	return reg, nil
}

func gauge(name, help string, v float64) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	g.Set(v)
	return g
}
