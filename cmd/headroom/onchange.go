package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/advisor/pipeline"
	"github.com/headroom-dev/headroom/sampler"
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
	p := shellwords.NewParser()
	argv, err := p.Parse(s)
	if err != nil || len(argv) == 0 {
		return nil, usageError{fmt.Errorf("--on-change %q: cannot split into a command and arguments", s)}
	}
	// The parser stops at ; | & > <: shell syntax, which no shell would
	// run here. Refuse it rather than run half of the line.
	if p.Position >= 0 {
		return nil, usageError{fmt.Errorf("--on-change %q: shell syntax (%q) is not interpreted, since no shell runs; put the commands in a script, or give sh -c '…'", s, strings.TrimSpace(s[p.Position:]))}
	}
	return argv, nil
}

// hookRunner runs --on-change commands with a time limit on a clock, so
// a hung notifier never holds headroom up and tests need not wait for it.
type hookRunner struct {
	clock   sampler.Clock
	timeout time.Duration
}

var defaultHooks = hookRunner{clock: sampler.RealClock, timeout: onChangeTimeout}

// run runs argv with the advice in HEADROOM_* variables and as JSON on
// stdin. Its failure is returned for reporting; it never stops headroom.
func (h hookRunner) run(parent context.Context, argv []string, a advisor.Advice, previous advisor.Level) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	timedOut := make(chan struct{})
	go func() {
		select {
		case <-h.clock.After(h.timeout):
			close(timedOut)
			cancel()
		case <-ctx.Done():
		}
	}()
	body, _ := json.Marshal(a)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = bytes.NewReader(body)
	// Output goes to the null device: no pipe a child left behind by the
	// hook could hold open. WaitDelay bounds the wait for stdin's copy.
	cmd.Stdout, cmd.Stderr = nil, nil
	cmd.WaitDelay = time.Second
	// The hook gets a process group of its own, and a timeout stops all of
	// it: a script's children must not outlive it holding anything open.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.Env = append(hookEnviron(), adviceEnv(a, previous)...)
	if err := cmd.Run(); err != nil {
		select {
		case <-timedOut:
			return fmt.Errorf("--on-change %s: still running after %v, stopped", argv[0], h.timeout)
		default:
		}
		if parent.Err() != nil {
			return fmt.Errorf("--on-change %s: stopped: headroom was interrupted", argv[0])
		}
		return fmt.Errorf("--on-change %s: %s", argv[0], hookFailure(err))
	}
	return nil
}

// hookFailure says why a hook did not run or failed, in words: exec's own
// say "fork/exec /x/hook: no such file or directory".
func hookFailure(err error) string {
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.Error() // "exit status 2", "signal: killed"
	case errors.Is(err, exec.ErrNotFound):
		return "no such program on the PATH"
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EISDIR):
		return "not an executable file (check its permissions)"
	}
	return err.Error()
}

// runOnChange runs argv with the default limits; ctx ending (SIGTERM to
// once, a cron job's timeout) stops it at once rather than after them.
func runOnChange(ctx context.Context, argv []string, a advisor.Advice, previous advisor.Level) error {
	return defaultHooks.run(ctx, argv, a, previous)
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
	env = append(env, appEnv(a)...)
	used := map[string]bool{}
	for _, f := range a.Findings {
		name := envName(f.Metric, used)
		env = append(env, fmt.Sprintf("HEADROOM_%s=%.1f", name, f.Now))
		if _, inst := advisor.SplitMetric(f.Metric); inst != "" {
			// The instance as it is (a mount path, a device), beside its value.
			env = append(env, "HEADROOM_"+name+"_NAME="+inst)
		}
	}
	env = append(env, saturationEnv(a)...)
	return env
}

// verdictWatch follows the verdict of the pipeline's stream and runs the
// --on-change command when it changes (starting from MONITOR, so a machine
// already in trouble at start is reported). It is a pipeline subscriber.
type verdictWatch struct {
	argv   []string
	last   advisor.Level
	report func(error)
	// run and spawn are the hook and how it is started (in the background:
	// sampling never waits for it); tests replace both.
	run   func(ctx context.Context, argv []string, a advisor.Advice, previous advisor.Level) error
	spawn func(func())

	ctx     context.Context // cancelled by Close: running hooks are stopped
	cancel  context.CancelFunc
	running sync.WaitGroup
}

// newVerdictWatch watches for argv (the parsed --on-change command); nil watches nothing.
func newVerdictWatch(argv []string, stderr io.Writer) *verdictWatch {
	ctx, cancel := context.WithCancel(context.Background())
	return &verdictWatch{argv: argv, report: func(err error) { fmt.Fprintln(stderr, "headroom:", err) },
		run: defaultHooks.run, spawn: func(f func()) { go f() }, ctx: ctx, cancel: cancel}
}

// hookGrace is how long headroom, when it ends, lets a running hook finish
// before stopping it with everything it started: long enough to send a
// notification, short enough not to hold a quit.
const hookGrace = 5 * time.Second

// Close waits for running hooks up to hookGrace, then stops the rest: no
// hook outlives headroom.
func (w *verdictWatch) Close() {
	done := make(chan struct{})
	go func() { w.running.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(hookGrace):
		w.cancel()
		<-done
	}
	w.cancel()
}

// observe takes one pipeline event and fires the command if the verdict changed.
func (w *verdictWatch) observe(ev pipeline.Event) {
	if w.argv == nil || ev.Update == nil {
		return
	}
	a := ev.Update.Advice
	if a.Verdict == w.last {
		return
	}
	prev := w.last
	w.last = a.Verdict
	w.running.Add(1)
	w.spawn(func() {
		defer w.running.Done()
		if err := w.run(w.ctx, w.argv, a, prev); err != nil {
			w.report(err)
		}
	})
}

// envName is a metric's variable name after HEADROOM_: letters, digits and
// underscores only, whatever the mount path ("disk:/" → DISK_ROOT,
// "disk:/var/lib" → DISK_VAR_LIB); a name already used gets _2, _3, ….
func envName(metric string, used map[string]bool) string {
	key, inst := advisor.SplitMetric(metric)
	switch {
	case inst == "/":
		inst = "root"
	case inst != "":
		inst = strings.Trim(inst, "/")
	}
	clean := func(s string) string {
		return strings.Trim(strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z':
				return r - 'a' + 'A'
			case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
				return r
			}
			return '_'
		}, s), "_")
	}
	name := clean(key)
	if inst != "" {
		name += "_" + clean(inst)
	}
	base := name
	for i := 2; used[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	used[name] = true
	return name
}
