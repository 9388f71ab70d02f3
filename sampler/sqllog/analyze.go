package sqllog

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/headroom-dev/headroom/sampler/text"
)

// NPlusOneRun is how many times in a row (or in one request) the same
// statement must run to be called an N+1 loop.
const NPlusOneRun = 10

// Report is the ranked analysis of a query log.
type Report struct {
	Lines      int        `json:"lines"`      // lines read
	Unparsed   int        `json:"unparsed"`   // lines of no known format
	Statements []Stat     `json:"statements"` // ranked by total time, longest first
	NPlusOne   []NPlusOne `json:"n_plus_one"` // likely N+1 loops, by total time
	Summary    string     `json:"summary"`    // one sentence for people
	Count      int        `json:"-"`          // statements seen (Statements may be cut to --top)
	Distinct   int        `json:"-"`          // fingerprints seen
	TotalMS    float64    `json:"-"`          // time of all statements
}

// Stat is one statement fingerprint's share of the query time.
type Stat struct {
	Fingerprint string   `json:"fingerprint"` // literals folded to ?, printable
	Count       int      `json:"count"`
	MeanMS      float64  `json:"mean_ms"` // over the runs that had a duration
	P95MS       float64  `json:"p95_ms"`
	TotalMS     float64  `json:"total_ms"`
	SharePct    float64  `json:"share_pct"`        // of all query time in the log
	Example     string   `json:"example"`          // one run with its literals (secrets hidden: text.RedactPasswords), printable and shortened
	Tables      []string `json:"tables,omitempty"` // tables it names, the FROM table first
}

// NPlusOne is a statement run over and over, one row at a time.
type NPlusOne struct {
	Fingerprint string `json:"fingerprint"`
	Table       string `json:"table"` // the table it reads
	Run         int    `json:"run"`   // typical (median) run length
	Runs        int    `json:"runs"`  // how many runs of NPlusOneRun or more
	Count       int    `json:"count"` // statements in those runs
	Fix         string `json:"fix,omitempty"`
}

// Analyzer groups statements by fingerprint and finds N+1 runs.
type Analyzer struct {
	fp     *fingerprinter
	groups []*group
	byText map[string]int
	count  int

	// Consecutive runs per stream (the request id, else the session).
	last map[string]*run
	// Per-request counts, when the log carries request ids.
	requests     map[string]map[int]int
	requestOrder []string
}

type group struct {
	fp      fingerprint
	example string
	count   int
	ms      []float64 // durations of timed runs
	runs    []int     // finished runs of NPlusOneRun or more
}

type run struct{ group, n int }

// maxOpenRequests bounds the requests whose statements are still counted
// apart; the oldest is closed when more are open.
const maxOpenRequests = 10000

// NewAnalyzer returns an empty analyzer.
func NewAnalyzer() *Analyzer {
	return &Analyzer{fp: newFingerprinter(), byText: map[string]int{}, last: map[string]*run{},
		requests: map[string]map[int]int{}}
}

// Add counts one statement.
func (a *Analyzer) Add(st Statement) {
	fp := a.fp.of(st.SQL)
	gi, ok := a.byText[fp.text]
	if !ok {
		gi = len(a.groups)
		a.byText[fp.text] = gi
		a.groups = append(a.groups, &group{fp: fp, example: Printable(text.RedactPasswords(st.SQL), 200)})
	}
	g := a.groups[gi]
	g.count++
	a.count++
	if st.Timed {
		g.ms = append(g.ms, float64(st.Duration)/float64(time.Millisecond))
	}
	if st.Request != "" {
		a.addToRequest(st.Request, gi)
		return
	}
	r := a.last[st.Session]
	if r != nil && r.group == gi {
		r.n++
		return
	}
	if r != nil {
		a.closeRun(*r)
	}
	a.last[st.Session] = &run{group: gi, n: 1}
}

func (a *Analyzer) addToRequest(req string, gi int) {
	m, ok := a.requests[req]
	if !ok {
		if len(a.requestOrder) >= maxOpenRequests {
			old := a.requestOrder[0]
			a.requestOrder = a.requestOrder[1:]
			for g, n := range a.requests[old] {
				a.closeRun(run{g, n})
			}
			delete(a.requests, old)
		}
		m = map[int]int{}
		a.requests[req] = m
		a.requestOrder = append(a.requestOrder, req)
	}
	m[gi]++
}

func (a *Analyzer) closeRun(r run) {
	if r.n >= NPlusOneRun {
		a.groups[r.group].runs = append(a.groups[r.group].runs, r.n)
	}
}

// Report ranks what was added so far; top > 0 keeps only the first top
// statements (shares stay shares of all time). Lines and Unparsed are the
// caller's to fill in.
func (a *Analyzer) Report(top int) Report {
	// Runs still open count too, without closing them.
	open := map[int][]int{}
	for _, r := range a.last {
		if r.n >= NPlusOneRun {
			open[r.group] = append(open[r.group], r.n)
		}
	}
	for _, m := range a.requests {
		for g, n := range m {
			if n >= NPlusOneRun {
				open[g] = append(open[g], n)
			}
		}
	}
	rep := Report{Count: a.count, Distinct: len(a.groups), Statements: []Stat{}, NPlusOne: []NPlusOne{}}
	type ranked struct {
		st   Stat
		g    *group
		runs []int
	}
	all := make([]ranked, 0, len(a.groups))
	for i, g := range a.groups {
		s := Stat{Fingerprint: Printable(g.fp.text, 500), Count: g.count, Example: g.example, Tables: g.fp.tables}
		for _, ms := range g.ms {
			s.TotalMS += ms
		}
		if len(g.ms) > 0 {
			s.MeanMS = s.TotalMS / float64(len(g.ms))
			s.P95MS = percentile(g.ms, 95)
		}
		rep.TotalMS += s.TotalMS
		all = append(all, ranked{s, g, append(slices.Clone(g.runs), open[i]...)})
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].st.TotalMS != all[j].st.TotalMS {
			return all[i].st.TotalMS > all[j].st.TotalMS
		}
		return all[i].st.Count > all[j].st.Count
	})
	for i := range all {
		s := &all[i].st
		if rep.TotalMS > 0 {
			s.SharePct = round(100*s.TotalMS/rep.TotalMS, 1)
		}
		s.MeanMS, s.P95MS, s.TotalMS = round(s.MeanMS, 3), round(s.P95MS, 3), round(s.TotalMS, 3)
		if runs := all[i].runs; len(runs) > 0 {
			n := NPlusOne{Fingerprint: s.Fingerprint, Run: median(runs), Runs: len(runs), Fix: djangoFix(all[i].g.fp)}
			if len(all[i].g.fp.tables) > 0 {
				n.Table = Printable(all[i].g.fp.tables[0], 100)
			}
			for _, r := range runs {
				n.Count += r
			}
			rep.NPlusOne = append(rep.NPlusOne, n)
		}
		if top <= 0 || i < top {
			rep.Statements = append(rep.Statements, *s)
		}
	}
	full := make([]Stat, len(all))
	for i := range all {
		full[i] = all[i].st
	}
	rep.Summary = summarize(full, rep.NPlusOne, rep.TotalMS)
	return rep
}

// percentile is the nearest-rank p-th percentile of xs (not modified).
func percentile(xs []float64, p float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	k := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(k, len(s)-1))]
}

func median(xs []int) int {
	s := slices.Clone(xs)
	slices.SortFunc(s, cmp.Compare[int])
	return s[len(s)/2]
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
