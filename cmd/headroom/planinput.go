package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler/userfile"

	"github.com/headroom-dev/headroom/advisor/plan"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/recording"
)

// history is one file read for plan or compare: a recording (with its
// snapshots, for the verdict) or a --log CSV (with its verdict column).
type history struct {
	input    plan.Input
	snaps    []sampler.Snapshot // recordings only
	verdicts []string           // CSV only, one per row
	warnings []string
}

// readHistory reads a recording or a --log CSV, telling them apart by the
// first byte: recordings are JSON objects, one a line.
func readHistory(path string) (history, error) {
	if h, ok, err := readStoredHistory(path, recording.Range{}); ok {
		return h, err
	}
	f, err := userfile.Open(path)
	if err != nil {
		return history{}, fmt.Errorf("%s: %v", plan.Clean(path), unwrapPath(err))
	}
	defer f.Close()
	br := bufio.NewReader(f)
	first, err := br.Peek(1)
	for err == nil && (first[0] == ' ' || first[0] == '\n' || first[0] == '\r' || first[0] == '\t') {
		br.ReadByte()
		first, err = br.Peek(1)
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			return history{}, fmt.Errorf("%s: empty file", plan.Clean(path))
		}
		return history{}, fmt.Errorf("%s: %v", plan.Clean(path), err)
	}
	if first[0] == '{' {
		rec, err := recording.Read(br, plan.Clean(path))
		if err != nil {
			return history{}, err
		}
		h := history{snaps: rec.Snapshots, warnings: rec.Warnings}
		host := ""
		var interval time.Duration
		if rec.Header != nil {
			host = rec.Header.Host
			interval = time.Duration(rec.Header.IntervalMS) * time.Millisecond
		}
		h.input = plan.FromSnapshots(path, host, rec.Snapshots)
		h.input.Interval = interval
		return h, nil
	}
	return readLogCSV(&lineBound{r: br, max: maxCSVLine}, path)
}

// maxCSVLine bounds one line of a --log CSV (a row is about 150 bytes), so
// a file with no newline in it (a binary, /dev/zero) is refused rather than
// read whole into memory: encoding/csv has no bound of its own.
const maxCSVLine = 1 << 20

// errLongLine is lineBound's refusal.
var errLongLine = fmt.Errorf("a line longer than %d KiB", maxCSVLine>>10)

// lineBound reads r, failing once a line runs past max bytes.
type lineBound struct {
	r   io.Reader
	max int
	run int // bytes since the last newline
}

func (l *lineBound) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.run = 0
		} else if l.run++; l.run > l.max {
			return i, errLongLine
		}
	}
	return n, err
}

// readLogCSV reads the file `once --log` appends to (header time, cpu,
// memory, swap, disk, load1, verdict; columns found by name). Rows are
// sorted by time, since cron runs may finish out of order. The disk column
// is the fullest mount, so its series is "disk", not "disk:<mount>".
func readLogCSV(r io.Reader, path string) (history, error) {
	name := plan.Clean(path)
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return history{}, fmt.Errorf("%s: not a recording or a --log CSV file: %v", name, csvReason(err))
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, twice := col[h]; twice && h != "" {
			return history{}, fmt.Errorf("%s: column %s is named twice in the first line", name, strconv.Quote(h))
		}
		col[h] = i
	}
	if _, ok := col["time"]; !ok {
		return history{}, fmt.Errorf("%s: not a recording or a --log CSV file (no \"time\" column in the first line)", name)
	}
	metrics := []string{"cpu", "memory", "swap", "disk"}
	type row struct {
		t       time.Time
		vals    map[string]float64
		verdict string
	}
	var rows []row
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return history{}, fmt.Errorf("%s: %v", name, csvReason(err))
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		field := func(k string) string {
			if i, ok := col[k]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		t, err := time.Parse(time.RFC3339Nano, field("time"))
		if err != nil {
			return history{}, fmt.Errorf("%s line %d: time %s is not RFC 3339", name, line, strconv.Quote(field("time")))
		}
		if !recording.TimeInRange(t) {
			return history{}, fmt.Errorf("%s line %d: time %s: use a time from 1970 to 2199", name, line, strconv.Quote(field("time")))
		}
		rw := row{t: t.UTC(), vals: map[string]float64{}, verdict: field("verdict")}
		if v := rw.verdict; v != "" && !knownVerdict(v) {
			return history{}, fmt.Errorf("%s line %d: verdict %s is not MONITOR, OPTIMIZE, SCALE or DOWN", name, line, strconv.Quote(v))
		}
		for _, m := range metrics {
			s := field(m)
			if s == "" {
				continue // swap without swap configured; a column the file lacks
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || v < 0 || v > 100.0001 {
				return history{}, fmt.Errorf("%s line %d: %s %s is not a percentage (0–100)", name, line, m, strconv.Quote(s))
			}
			rw.vals[m] = v
		}
		rows = append(rows, rw)
	}
	if len(rows) == 0 {
		return history{}, fmt.Errorf("%s: no rows after the header", name)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].t.Before(rows[j].t) })
	h := history{input: plan.Input{Name: path}}
	for _, m := range metrics {
		s := plan.Series{Metric: m}
		for _, rw := range rows {
			if v, ok := rw.vals[m]; ok {
				s.Points = append(s.Points, plan.Point{T: rw.t, V: v})
			}
		}
		if len(s.Points) > 0 {
			h.input.Series = append(h.input.Series, s)
		}
	}
	for _, rw := range rows {
		h.input.Times = append(h.input.Times, rw.t)
		h.verdicts = append(h.verdicts, rw.verdict)
	}
	return h, nil
}

// readHistories reads every file and merges them into one series.
func readHistories(paths []string, allowMixedHosts bool, stderr io.Writer, rg recording.Range) (plan.Input, []history, error) {
	var hs []history
	var ins []plan.Input
	for _, p := range paths {
		h, err := readHistoryIn(p, rg)
		if err != nil {
			return plan.Input{}, nil, err
		}
		for _, w := range h.warnings {
			fmt.Fprintln(stderr, "headroom: warning:", plan.Clean(w))
		}
		hs = append(hs, h)
		ins = append(ins, h.input)
	}
	in, err := plan.Merge(ins, allowMixedHosts)
	return in, hs, err
}

// parsePct reads a percentage flag ("30", "30%", "-2.5 %") as a fraction.
func parsePct(flag, s string) (float64, error) {
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, usageError{fmt.Errorf("%s %s is not a percentage (like 30 or 30%%)", flag, strconv.Quote(s))}
	}
	return v / 100, nil
}

// csvReason words encoding/csv's errors for the file's author: the line,
// and a quote that does not close rather than "extraneous or missing \" in
// quoted-field".
func csvReason(err error) string {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	switch {
	case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
		return fmt.Sprintf("line %d: a quote (\") that does not close, at column %d", pe.Line, pe.Column)
	}
	return fmt.Sprintf("line %d: %v", pe.Line, pe.Err)
}

// knownVerdict: a verdict once --log writes.
func knownVerdict(v string) bool {
	for _, l := range []advisor.Level{advisor.Monitor, advisor.Optimize, advisor.Scale, advisor.Down} {
		if v == l.String() {
			return true
		}
	}
	return false
}
