package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/advisor/plan"
	"github.com/headroom-dev/headroom/sampler/prom"
)

// promCompareFlags are compare's periods when it reads Prometheus.
type promCompareFlags struct {
	BeforeRange string `name:"before" placeholder:"RANGE" help:"With --prometheus: the period before the change, START/END (-7d/-6d, 2026-11-20T10:00/2026-11-20T12:00)."`
	AfterRange  string `name:"after" placeholder:"RANGE" help:"With --prometheus: the period after it (same forms; END may be now)."`
	promHistoryFlags
}

// wanted reports whether compare was asked to read Prometheus.
func (f promCompareFlags) wanted() bool {
	return f.promHistoryFlags.used() || f.BeforeRange != "" || f.AfterRange != ""
}

// runProm is `compare --prometheus URL --before RANGE --after RANGE`: both
// periods read with query_range, then the same comparison as for files.
func (c *compareCmd) runProm(env *runEnv, st settings) error {
	rules := st.Rules
	if c.Before != "" || c.After != "" {
		return usageError{errors.New("compare takes two files or --prometheus with --before and --after, not both")}
	}
	if c.BeforeRange == "" || c.AfterRange == "" {
		return usageError{errors.New("compare --prometheus needs --before RANGE and --after RANGE (START/END, like -7d/-6d or 2026-11-20T10:00/2026-11-20T12:00)")}
	}
	o, err := c.promOptions(env, st)
	if err != nil {
		return err
	}
	shown := plainURL(o.URL)
	now := time.Now()
	ctx := context.Background()
	var sides [2]history
	var where [2]string
	for i, side := range []struct{ flag, val string }{{"--before", c.BeforeRange}, {"--after", c.AfterRange}} {
		sp, err := parseSpan(side.flag, side.val, now, false)
		if err != nil {
			return err
		}
		if err := sp.check(side.flag, shown, now); err != nil {
			return err
		}
		if sides[i], where[i], err = readPromHistory(ctx, o, sp, comparePoints, c.Instance, rules); err != nil {
			return err
		}
	}
	cmp, err := compareHistories(sides[0], sides[1], plan.DefaultBootstrap, rules)
	if err != nil {
		return usageError{fmt.Errorf("prometheus %s: %w", shown, err)}
	}
	fmt.Fprintln(env.stderr, "headroom: note:", noLatencyNote)
	if c.JSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(cmp)
	}
	writeComparison(env.stdout, cmp, where[0], where[1])
	return nil
}

// promPlanFlags are plan's period when it reads Prometheus.
type promPlanFlags struct {
	Range string `placeholder:"RANGE" help:"With --prometheus: the period of the trends, a duration ending now (default 30d) or START/END."`
	promHistoryFlags
}

// wanted reports whether plan was asked to read Prometheus.
func (f promPlanFlags) wanted() bool { return f.promHistoryFlags.used() || f.Range != "" }

// fillProm reads plan's period from Prometheus at a step that keeps the
// series near planPoints (an hour for 30 days) and fills the report.
func (c *planCmd) fillProm(env *runEnv, st settings, r *planReport, in planInputs) error {
	if len(c.From)+len(c.Files) > 0 || c.rangeFlags.used() {
		return usageError{errors.New("plan reads files (with --since/--until) or --prometheus with --range, not both")}
	}
	o, err := c.promOptions(env, st)
	if err != nil {
		return err
	}
	rng := c.Range
	if rng == "" {
		rng = "30d"
	}
	now := time.Now()
	sp, err := parseSpan("--range", rng, now, true)
	if err != nil {
		return err
	}
	if err := sp.check("--range", plainURL(o.URL), now); err != nil {
		return err
	}
	h, where, err := readPromHistory(context.Background(), o, sp, planPoints, c.Instance, in.rules)
	if err != nil {
		return err
	}
	r.Source = where
	c.fill(r, h.input, in)
	r.Notes = append(r.Notes, noLatencyNote)
	return nil
}

// planSource names where the plan's data came from, for the page.
func planSource(r planReport) string {
	if r.Source != "" {
		return r.Source
	}
	return strings.Join(r.Files, ", ")
}

// plainURL is the URL as errors may show it: without credentials.
func plainURL(raw string) string {
	return plan.Clean(prom.Redact(raw))
}
