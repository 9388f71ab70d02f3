package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/advisor/pipeline"
	"github.com/headroom-dev/headroom/sampler/prom"
	"github.com/headroom-dev/headroom/sampler/text"
)

// promFlags pick a fleet to judge instead of this machine. Credentials are
// never flags (ps shows every process' arguments): they live in the
// config file's [prometheus] table.
type promFlags struct {
	Prometheus string `placeholder:"URL" help:"Judge a fleet: every node_exporter host this Prometheus scrapes (or [prometheus] url in config.toml; credentials only there)."`
	Match      string `placeholder:"SELECTOR" help:"With --prometheus: the series that are hosts (default {job=\"node\"})."`
}

// defaultFleetStep is Prometheus' own default scrape interval: a step
// shorter than the scrapes would only repeat points.
const defaultFleetStep = 15 * time.Second

// fleetOptions merges the flags over the [prometheus] table; ok is false
// when no Prometheus is named anywhere (judge this machine then), or only
// the config file names one and the command line is about this machine
// (local: a --replay, a --record; or --probe, --textfile, --on-change):
// the config's fleet is a default, not a reason to refuse those.
func (f promFlags) fleetOptions(env *runEnv, st settings, sf sharedFlags, local bool) (prom.Options, bool, error) {
	if f.Prometheus == "" && f.Match == "" && (local || sf.Probe != "" || sf.Textfile != "" || sf.OnChange != "") {
		return prom.Options{}, false, nil
	}
	var o prom.Options
	if st.Fleet != nil {
		o = *st.Fleet
		for _, w := range secretModeWarning(env.configPath, o) {
			fmt.Fprintln(env.stderr, "headroom: warning:", w)
		}
	}
	if f.Prometheus != "" {
		if u, err := url.Parse(f.Prometheus); err == nil && u.User != nil {
			return o, false, usageError{fmt.Errorf("--prometheus %s carries credentials, which ps would show; put username and password (or bearer_token) in config.toml's [prometheus] table", prom.Redact(f.Prometheus))}
		}
		o.URL = f.Prometheus
	}
	if f.Match != "" {
		o.Selector = f.Match
	}
	if o.URL == "" {
		if f.Match != "" {
			return o, false, usageError{errors.New("--match picks hosts in Prometheus; give --prometheus URL (or [prometheus] url in config.toml) too")}
		}
		return o, false, nil
	}
	o.Window = st.Rules.Window
	o.Step = defaultFleetStep
	if sf.Interval != 0 {
		o.Step = time.Duration(sf.Interval)
	}
	o.Timeout = 5 * time.Second
	if sf.ProbeTimeout != 0 {
		o.Timeout = time.Duration(sf.ProbeTimeout)
	}
	switch {
	case sf.Probe != "":
		return o, false, usageError{errors.New("--probe measures this machine's app; it cannot be used with --prometheus")}
	case sf.Textfile != "":
		return o, false, usageError{errors.New("--textfile exports this machine's verdict for its node_exporter; it cannot be used with --prometheus")}
	case sf.OnChange != "":
		return o, false, usageError{errors.New("--on-change follows this machine's verdict; it cannot be used with --prometheus")}
	}
	return o, true, nil
}

// fleetReport is what `once --prometheus --json` prints.
type fleetReport struct {
	advisor.FleetAdvice
	Source   string `json:"source"`
	Selector string `json:"selector"`
}

// runFleetOnce reads the window from Prometheus, judges it and exits with
// the fleet's verdict; Prometheus failing is exit 3, naming the URL.
func runFleetOnce(ctx context.Context, env *runEnv, st settings, o prom.Options, jsonOut bool) error {
	c, err := prom.New(o)
	if err != nil {
		return usageError{err}
	}
	u := pipeline.NewFleet(c, st.Rules).Step(ctx)
	if u.Err != nil {
		return exitError{code: exitBadInput, err: u.Err}
	}
	sel := o.Selector
	if sel == "" {
		sel = prom.DefaultSelector
	}
	rep := fleetReport{FleetAdvice: u.Advice, Source: "prometheus:" + c.URL(), Selector: sel}
	if jsonOut {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return exitError{code: exitBadInput, err: err}
		}
	} else {
		writeFleetText(env.stdout, rep)
	}
	if rep.Fleet.Hosts == rep.Fleet.Down && rep.Verdict < advisor.Down {
		// Every host scraped, none with numbers: no verdict to exit with.
		return exitError{code: exitBadInput, err: errors.New("no host has numbers to judge (its series are missing or NaN)")}
	}
	return verdictStatus(rep.Verdict)
}

// writeFleetText prints the fleet for a person: its verdict, then one line
// per host, worst first.
func writeFleetText(w io.Writer, r fleetReport) {
	fmt.Fprintf(w, "%s — %s\n", r.Verdict, r.Summary)
	fmt.Fprintf(w, "%s %s · %d hosts, %d at SCALE, %d at OPTIMIZE, %d down\n\n", r.Source, text.Printable(r.Selector),
		r.Fleet.Hosts, r.Fleet.AtScale, r.Fleet.AtOptimize, r.Fleet.Down)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "instance\tverdict\tcpu\tmemory\tdisk\tworkers\tfocus")
	for _, h := range r.Hosts {
		verdict := h.Verdict.String()
		if !h.Up {
			verdict = "DOWN"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", text.Printable(h.Instance), verdict, findingNow(h.Advice, advisor.KeyCPU),
			findingNow(h.Advice, advisor.KeyMemory), fullestDisk(h.Advice), h.Workers.Recommended, orDash(strings.Join(h.Focus, ",")))
	}
	tw.Flush()
}

// findingNow is a finding's latest value, "-" when absent.
func findingNow(a advisor.Advice, metric string) string {
	if f, ok := a.Finding(metric); ok {
		return fmt.Sprintf("%.0f%%", f.Now)
	}
	return "-"
}

// fullestDisk is the mount with the highest use now, "-" without disks.
func fullestDisk(a advisor.Advice) string {
	best, pct := "", -1.0
	for _, f := range a.Findings {
		if key, mount := advisor.SplitMetric(f.Metric); key == advisor.KeyDisk && f.Now > pct {
			best, pct = mount, f.Now
		}
	}
	if best == "" {
		return "-"
	}
	return fmt.Sprintf("%s %.0f%%", text.Printable(best), pct)
}

// secretModeWarning says, like ssh does of a key, that a config file
// holding a Prometheus password or token can be read by other users.
func secretModeWarning(path string, o prom.Options) []string {
	if o.Password == "" && o.BearerToken == "" && !hasPassword(o.URL) {
		return nil
	}
	if msg := configModeWarning(path); msg != "" {
		return []string{msg}
	}
	return nil
}
