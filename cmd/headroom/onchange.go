package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/apps"
	"github.com/mattn/go-shellwords"
)

// onChangeTimeout bounds an --on-change command, so a hung notifier never
// holds headroom up.
const onChangeTimeout = 30 * time.Second

// parseOnChange splits an --on-change value into a program and its
// arguments (shell-style quoting allowed, no shell run): the advice reaches
// the command through its environment and stdin, never pasted into a
// command line.
func parseOnChange(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	argv, err := shellwords.Parse(s)
	if err != nil || len(argv) == 0 {
		return nil, usageError{fmt.Errorf("--on-change %q: cannot split into a command and arguments", s)}
	}
	return argv, nil
}

// runOnChange runs argv with the advice in HEADROOM_* variables and as JSON
// on stdin. Its failure is returned for reporting; it never stops headroom.
func runOnChange(argv []string, a advisor.Advice, previous advisor.Level) error {
	ctx, cancel := context.WithTimeout(context.Background(), onChangeTimeout)
	defer cancel()
	body, _ := json.Marshal(a)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = bytes.NewReader(body)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	cmd.Env = append(os.Environ(), adviceEnv(a, previous)...)
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("--on-change %s: still running after %v, stopped", argv[0], onChangeTimeout)
		}
		return fmt.Errorf("--on-change %s: %v", argv[0], err)
	}
	return nil
}

// adviceEnv is the advice as environment variables for --on-change.
func adviceEnv(a advisor.Advice, previous advisor.Level) []string {
	host, _ := os.Hostname()
	env := []string{
		"HEADROOM_VERDICT=" + a.Verdict.String(),
		"HEADROOM_PREVIOUS=" + previous.String(),
		"HEADROOM_FOCUS=" + strings.Join(a.Focus, ","),
		"HEADROOM_SUMMARY=" + a.Summary,
		"HEADROOM_TIME=" + a.Time.UTC().Format(sampler.TimeFormat),
		"HEADROOM_HOST=" + host,
		fmt.Sprintf("HEADROOM_WORKERS=%d", a.Workers.Recommended),
	}
	for _, f := range a.Findings {
		name := strings.ToUpper(strings.NewReplacer(":", "_", "/", "_", "-", "_", ".", "_").Replace(f.Metric))
		env = append(env, fmt.Sprintf("HEADROOM_%s=%.1f", name, f.Now))
	}
	return env
}

// verdictWatch follows the verdict of a live or recorded stream and runs
// the --on-change command when it changes (starting from MONITOR, so a
// machine already in trouble at start is reported).
type verdictWatch struct {
	rules   advisor.Rules
	history *sampler.History
	argv    []string
	last    advisor.Level
	report  func(error)
}

// argv is the parsed --on-change command; nil watches nothing.
func newVerdictWatch(rules advisor.Rules, interval time.Duration, argv []string, stderr io.Writer) *verdictWatch {
	w := &verdictWatch{rules: rules, argv: argv, report: func(err error) { fmt.Fprintln(stderr, "headroom:", err) }}
	if argv != nil {
		w.history = sampler.NewHistoryFor(interval) // an hour of snapshots: only when there is a command to run
	}
	return w
}

// observe adds a snapshot and fires the command if the verdict changed.
// The command runs in the background: sampling never waits for it.
func (w *verdictWatch) observe(s sampler.Snapshot) {
	if w.argv == nil {
		return
	}
	s.Procs = apps.TopProcs(s.Procs, sampler.MaxRecordedProcs)
	w.history.Add(s)
	a := advisor.Advise(w.history.Window(w.rules.Window), w.rules)
	if a.Verdict == w.last {
		return
	}
	prev := w.last
	w.last = a.Verdict
	go func() {
		if err := runOnChange(w.argv, a, prev); err != nil {
			w.report(err)
		}
	}()
}
