package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/headroom-dev/headroom/sampler/userfile"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
)

// csvHeader is the --log file's first row: percentages 0–100, times
// RFC 3339 UTC with milliseconds, an empty cell for what was not measured.
var csvHeader = []string{"time", "cpu", "memory", "swap", "disk", "disk_mount", "load1", "verdict",
	"p95_ms", "errors_pct", "workers_running", "workers_recommended", "queue", "psi_memory", "oom", "fds", "provisional",
	"req_per_s", "req_p95_ms", "req_5xx_pct", "db_connections_pct", "redis_hit_pct", "memcached_hit_pct", "db_top_statement_pct"}

// appendCSV appends one judgement to the --log file, with a header if the
// file is new. A file started by an older headroom keeps its own columns:
// each row fills the columns its header names.
func appendCSV(path string, a advisor.Advice, last sampler.Snapshot) error {
	header, err := csvFileHeader(path)
	if err != nil {
		return fmt.Errorf("--log %s: %v", path, unwrapPath(err))
	}
	f, err := userfile.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("--log %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	w := csv.NewWriter(f)
	if header == nil {
		header = csvHeader
		w.Write(header)
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	cells := map[string]string{
		"time": last.Time.UTC().Format(sampler.TimeFormat), "cpu": num(last.CPU.Percent), "memory": num(last.MemPercent()),
		"load1": strconv.FormatFloat(last.Load[0], 'f', 2, 64), "verdict": a.Verdict.String(),
		"workers_running": strconv.Itoa(a.Workers.Running), "workers_recommended": strconv.Itoa(a.Workers.Recommended),
	}
	if p, ok := last.SwapPercent(); ok {
		cells["swap"] = num(p)
	}
	if d, ok := fullest(last.Disks); ok {
		cells["disk"], cells["disk_mount"] = num(d.Percent()), d.Mount
	}
	if p := a.Probe; p != nil {
		cells["p95_ms"], cells["errors_pct"] = num(p.P95), num(p.ErrorPercent())
	}
	for k, v := range saturationCSV(a) {
		cells[k] = v
	}
	appCSVCells(cells, a, num)
	row := make([]string, len(header))
	for i, col := range header {
		row[i] = cells[col]
	}
	w.Write(row)
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("--log %s: %v", path, err)
	}
	return nil
}

// csvFileHeader is the first row of an existing, non-empty log; nil for a
// new or empty one.
func csvFileHeader(path string) ([]string, error) {
	f, err := userfile.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(io.LimitReader(f, 64<<10))
	row, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil || len(row) == 0 || row[0] != "time" {
		return nil, errors.New("not a headroom log (its first row is not a header starting with \"time\"); give a new file")
	}
	return row, nil
}

// fullest is the disk with the highest use.
func fullest(disks []sampler.Disk) (sampler.Disk, bool) {
	var best sampler.Disk
	found := false
	for _, d := range disks {
		if !found || d.Percent() > best.Percent() {
			best, found = d, true
		}
	}
	return best, found
}
