package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/advisor/plan"
)

// planCommands are the commands that read history instead of the machine.
type planCommands struct {
	Compare compareCmd `cmd:"" help:"Compare two recordings (or two periods in Prometheus): did a change make a real difference, or is it noise?"`
	Plan    planCmd    `cmd:"" help:"Trends, capacity and cost-benefit from recordings, --log CSV files or Prometheus (Markdown, or --json)."`
}

// planCmd is `headroom plan`: trends, the response-time rule, capacity and cost-benefit.
type planCmd struct {
	Files           []string         `arg:"" optional:"" placeholder:"FILE" type:"path" help:"Recordings and --log CSV files (the same as --from)."`
	From            []string         `placeholder:"FILE" type:"path" help:"Recordings and --log CSV files, together one series (repeat, or separate with commas)."`
	JSON            bool             `help:"Print the plan as one JSON object instead of Markdown."`
	Growth          string           `default:"auto" placeholder:"PCT|auto" help:"Growth per month in % (compounded monthly), or auto: each resource's own trend."`
	Horizon         float64          `default:"24" placeholder:"MONTHS" help:"How far ahead to plan, in months; crossings later than this are not reported."`
	Target          string           `default:"70" placeholder:"PCT" help:"Target utilisation in % that the required capacity leaves room for."`
	Instances       int              `default:"1" placeholder:"N" help:"Instances serving the traffic now (for --rps-target)."`
	RPSNow          *float64         `name:"rps-now" placeholder:"RPS" help:"Requests/s served now (with --rps-target: instance count; also CPU-seconds per request)."`
	RPSTarget       *float64         `name:"rps-target" placeholder:"RPS" help:"Requests/s to plan for."`
	CostNow         *float64         `name:"cost-now" placeholder:"COST" help:"Monthly cost of the current machine."`
	CostNext        *float64         `name:"cost-next" placeholder:"COST" help:"Monthly cost of the next bigger one."`
	OptimizeCost    *float64         `name:"optimize-cost" placeholder:"COST" help:"One-off cost of the optimisation work."`
	Gain            string           `placeholder:"PCT" help:"Share of resources the optimisation is expected to save, in %."`
	SLA             positiveDuration `placeholder:"DUR" help:"Latency target for the response-time rule (default 300ms)."`
	AllowMixedHosts bool             `name:"allow-mixed-hosts" help:"Treat files from different hosts as one series."`
	rangeFlags
	promPlanFlags
}

// planReport is what plan prints; --json prints it as is.
type planReport struct {
	Host         string             `json:"host"`
	Files        []string           `json:"files"`
	Source       string             `json:"source,omitempty"` // where Prometheus history came from
	From         *time.Time         `json:"from"`
	To           *time.Time         `json:"to"`
	Samples      int                `json:"samples"`
	Gaps         []plan.Gap         `json:"gaps"`
	Trends       []trendRow         `json:"trends"`
	Notes        []string           `json:"notes"`
	ResponseTime *plan.ResponseTime `json:"response_time"`
	Capacity     *capacityReport    `json:"capacity"`
	CostBenefit  *plan.CostBenefit  `json:"cost_benefit"`
}

// trendRow is one metric's trend. Months are nil where the trend is not
// significant, runs away from the line, or crosses it after the horizon.
type trendRow struct {
	Metric           string    `json:"metric"`
	Unit             string    `json:"unit"`
	Now              float64   `json:"now"`
	SlopePerMonth    float64   `json:"slope_per_month"`
	SlopeCILow       float64   `json:"slope_ci_low"`
	SlopeCIHigh      float64   `json:"slope_ci_high"`
	Significant      bool      `json:"significant"`
	OptimizeAt       *float64  `json:"optimize_at"`
	ScaleAt          *float64  `json:"scale_at"`
	MonthsToOptimize *float64  `json:"months_to_optimize"`
	MonthsToScale    *float64  `json:"months_to_scale"`
	Points           int       `json:"points"`
	values           []float64 // for the sparkline
}

// capacityReport is the guide's capacity arithmetic at the horizon.
type capacityReport struct {
	HorizonMonths        float64          `json:"horizon_months"`
	TargetPct            float64          `json:"target_pct"`
	Requirements         []requirementRow `json:"requirements"`
	InstancesNow         int              `json:"instances_now"`
	Instances            *int             `json:"instances"`
	RPSNow               *float64         `json:"rps_now"`
	RPSTarget            *float64         `json:"rps_target"`
	CPUSecondsPerRequest *float64         `json:"cpu_s_per_request"`
}

// requirementRow is one resource's requirement and the growth it assumed.
type requirementRow struct {
	plan.Requirement
	GrowthPctPerMonth float64 `json:"growth_pct_per_month"`
	GrowthPctPerYear  float64 `json:"growth_pct_per_year"`
	GrowthSource      string  `json:"growth_source"`
}

// planInputs are the checked numbers of the command line.
type planInputs struct {
	growth     float64 // per month, fraction
	autoGrowth bool
	target     float64 // fraction
	gain       float64
	costs      bool
	slaMS      float64
	rules      advisor.Rules // the config file's: its lines, its SLA
}

// check parses and checks the command line's numbers: any bad one is a usage error.
func (c *planCmd) check(rules advisor.Rules) (planInputs, error) {
	in := planInputs{rules: rules}
	var err error
	if strings.EqualFold(strings.TrimSpace(c.Growth), "auto") {
		in.autoGrowth = true
	} else if in.growth, err = parsePct("--growth", c.Growth); err != nil {
		return in, err
	} else if in.growth <= -1 {
		return in, usageError{fmt.Errorf("--growth %s: a month cannot lose 100 %% or more", c.Growth)}
	}
	if in.target, err = parsePct("--target", c.Target); err != nil {
		return in, err
	}
	// A machine sized to run at under 1 % is no plan: the required capacity
	// overflows (1e-300 % emptied the capacity table).
	if in.target < 0.01 || in.target > 1 {
		return in, usageError{fmt.Errorf("--target %s must be a utilisation from 1 to 100 %%", c.Target)}
	}
	if math.IsNaN(c.Horizon) || c.Horizon <= 0 || c.Horizon > 1200 {
		return in, usageError{fmt.Errorf("--horizon %v must be a number of months above 0 (at most 1200)", c.Horizon)}
	}
	if !in.autoGrowth && plan.Growth(in.growth, c.Horizon) > 1e9 {
		return in, usageError{fmt.Errorf("--growth %s over --horizon %v months multiplies the load by more than 10^9; check the numbers", c.Growth, c.Horizon)}
	}
	if c.Instances < 1 {
		return in, usageError{fmt.Errorf("--instances %d must be at least 1", c.Instances)}
	}
	if (c.RPSNow == nil) != (c.RPSTarget == nil) {
		return in, usageError{errors.New("--rps-now and --rps-target go together")}
	}
	if c.RPSNow != nil {
		if _, err := plan.Instances(c.Instances, *c.RPSNow, *c.RPSTarget); err != nil {
			return in, usageError{err}
		}
	}
	var missing []string
	given := 0
	for _, f := range []struct {
		name string
		set  bool
	}{{"--cost-now", c.CostNow != nil}, {"--cost-next", c.CostNext != nil}, {"--optimize-cost", c.OptimizeCost != nil}, {"--gain", c.Gain != ""}} {
		if f.set {
			given++
		} else {
			missing = append(missing, f.name)
		}
	}
	if given > 0 && len(missing) > 0 {
		return in, usageError{fmt.Errorf("the cost-benefit needs %s too", strings.Join(missing, ", "))}
	}
	if in.costs = given > 0; in.costs {
		if in.gain, err = parsePct("--gain", c.Gain); err != nil {
			return in, err
		}
		if _, err := plan.Costs(*c.CostNow, *c.CostNext, *c.OptimizeCost, in.gain); err != nil {
			return in, usageError{err}
		}
	}
	sla := rules.SLA
	if c.SLA > 0 {
		sla = time.Duration(c.SLA)
	}
	in.slaMS = float64(sla) / float64(time.Millisecond)
	return in, nil
}

// Run checks the numbers, reads the files as one series, and prints the plan.
func (c *planCmd) Run(env *runEnv) error {
	st, err := loadSettings(env.configPath)
	if err != nil {
		return err
	}
	in, err := c.check(st.Rules)
	if err != nil {
		return err
	}
	files := append(append([]string(nil), c.From...), c.Files...)
	// With nothing named, the [prometheus] url of the config file is the
	// history, as --help says.
	fromConfig := len(files) == 0 && !in.costs && !c.wanted() && st.Fleet != nil && st.Fleet.URL != ""
	if len(files) == 0 && !in.costs && !c.wanted() && !fromConfig {
		return usageError{errors.New("plan needs history (--from FILE, recordings or --log CSV files) or the cost-benefit flags")}
	}
	r := planReport{Files: []string{}, Gaps: []plan.Gap{}, Trends: []trendRow{}, Notes: []string{}}
	if in.costs {
		cb, _ := plan.Costs(*c.CostNow, *c.CostNext, *c.OptimizeCost, in.gain) // checked above
		r.CostBenefit = &cb
	}
	if c.wanted() || fromConfig {
		if err := c.fillProm(env, st, &r, in); err != nil {
			return err
		}
	} else if len(files) > 0 {
		rg, err := c.recordingRange(time.Now())
		if err != nil {
			return err
		}
		merged, _, err := readHistories(files, c.AllowMixedHosts, env.stderr, rg)
		if err != nil {
			return usageError{err}
		}
		for _, f := range files {
			r.Files = append(r.Files, plan.Clean(f))
		}
		c.fill(&r, merged, in)
	}
	if c.JSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	writePlanMarkdown(env.stdout, r)
	return nil
}

// fill puts the trends, the response-time rule and the capacity of the
// merged history into r.
func (c *planCmd) fill(r *planReport, h plan.Input, in planInputs) {
	r.Host = plan.Clean(h.Host)
	from, to := h.Start(), h.End()
	r.From, r.To, r.Samples = &from, &to, len(h.Times)
	if g := plan.Gaps(h.Times, h.Interval); g != nil {
		r.Gaps = g
	}
	trends := map[string]plan.Trend{}
	for _, s := range h.Series {
		t, err := plan.Fit(s, plan.DefaultNeed)
		if err != nil {
			r.Notes = append(r.Notes, plan.Clean(err.Error()))
			continue
		}
		trends[s.Metric] = t
		opt, scale := linesOf(in.rules, s.Metric, in.slaMS)
		row := trendRow{Metric: plan.Clean(s.Metric), Unit: unitOf(s.Metric), Now: round2(t.Now), SlopePerMonth: round2(t.Slope),
			SlopeCILow: round2(t.SlopeLow), SlopeCIHigh: round2(t.SlopeHigh), Significant: t.Significant(),
			OptimizeAt: opt, ScaleAt: scale, Points: t.N, values: s.Values()}
		if opt != nil {
			row.MonthsToOptimize = round1p(t.MonthsTo(*opt, c.Horizon))
		}
		if scale != nil {
			row.MonthsToScale = round1p(t.MonthsTo(*scale, c.Horizon))
		}
		r.Trends = append(r.Trends, row)
	}
	if lat, ok := h.Get("latency"); ok {
		if rt, err := plan.ResponseTimeRule(lat, in.slaMS); err != nil {
			r.Notes = append(r.Notes, err.Error())
		} else {
			r.ResponseTime = &rt
		}
	}
	r.Capacity = c.capacity(h, trends, in, &r.Notes)
}

// capacity applies the guide's arithmetic to CPU (cores) and memory (GiB):
// in use now is the trend's value now where it is significant, else the
// mean of the last week.
func (c *planCmd) capacity(h plan.Input, trends map[string]plan.Trend, in planInputs, notes *[]string) *capacityReport {
	cr := &capacityReport{HorizonMonths: c.Horizon, TargetPct: in.target * 100, Requirements: []requirementRow{},
		InstancesNow: c.Instances, RPSNow: c.RPSNow, RPSTarget: c.RPSTarget}
	const gib = 1 << 30
	resources := []struct {
		metric, resource, unit string
		size                   float64
	}{{"cpu", "cpu", "cores", h.Cores}, {"memory", "memory", "GiB", float64(h.MemTotal) / gib}}
	for _, res := range resources {
		s, ok := h.Get(res.metric)
		if !ok {
			continue
		}
		if res.size <= 0 {
			*notes = append(*notes, fmt.Sprintf("%s: the files do not say the machine's size (the --log CSV does not record it); add a recording to get %s", res.resource, res.unit))
			continue
		}
		t, fitted := trends[res.metric]
		pct := lastWeekMean(s)
		if fitted && t.Significant() {
			pct = t.Now
		}
		g, source := in.growth, "--growth"
		if in.autoGrowth {
			var ok bool
			switch g, ok = plan.GrowthFromTrend(t, c.Horizon); {
			case ok:
				source = "auto: the " + res.metric + " trend"
			case !fitted:
				g, source = 0, "auto: too little data for a "+res.metric+" trend, so none"
			default:
				g, source = 0, "auto: no significant "+res.metric+" trend, so none"
			}
		}
		req, err := plan.Require(res.resource, res.unit, pct/100*res.size, res.size, g, c.Horizon, in.target)
		if err != nil {
			*notes = append(*notes, err.Error())
			continue
		}
		req.Current, req.Projected, req.Have = round2(req.Current), round2(req.Projected), round2(req.Have)
		cr.Requirements = append(cr.Requirements, requirementRow{Requirement: req, GrowthPctPerMonth: round2(g * 100),
			GrowthPctPerYear: round2(plan.YearlyRate(g) * 100), GrowthSource: source})
		if res.metric == "cpu" && c.RPSNow != nil {
			v := pct / 100 * res.size / *c.RPSNow
			cr.CPUSecondsPerRequest = &v
		}
	}
	if c.RPSNow != nil {
		n, _ := plan.Instances(c.Instances, *c.RPSNow, *c.RPSTarget) // checked in check
		cr.Instances = &n
	}
	return cr
}

// lastWeekMean is the mean of the series' last week (or all of it, if shorter).
func lastWeekMean(s plan.Series) float64 {
	if len(s.Points) == 0 {
		return 0
	}
	cut := s.Points[len(s.Points)-1].T.Add(-plan.Week)
	var v []float64
	for _, p := range s.Points {
		if p.T.After(cut) {
			v = append(v, p.V)
		}
	}
	return plan.Mean(v)
}

// linesOf is a metric's optimize and scale lines from the advisor's rules
// r; nil where the advisor has none (latency and errors have one line,
// the SLA and the error rate, which the advisor judges as OPTIMIZE).
func linesOf(r advisor.Rules, metric string, slaMS float64) (opt, scale *float64) {
	key, _ := advisor.SplitMetric(metric)
	switch key {
	case advisor.KeyLatency:
		return &slaMS, nil
	case advisor.KeyErrors:
		return &r.ErrorRate, nil
	}
	if _, ok := r.Metrics.Lookup(key); !ok {
		return nil, nil
	}
	th := r.Threshold(key)
	return &th.Optimize, &th.Scale
}

func round1p(v *float64) *float64 {
	if v == nil {
		return nil
	}
	r := math.Round(*v*10) / 10
	return &r
}
