package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/headroom-dev/headroom/advisor"
)

// notify runs the --on-change command when the verdict differs from the
// one the previous run kept (MONITOR when none was kept). The verdict is
// kept only when asked for, with --on-change or --state, so a manual run
// never changes what a cron job compares with. The errors are warnings.
func (c *onceCmd) notify(argv []string, a advisor.Advice) []error {
	if argv == nil && c.State == "" {
		return nil
	}
	path, err := c.statePath()
	if err != nil {
		// No state: the hook would fire on every run. Say so, every run.
		errs := []error{err}
		if argv != nil && a.Verdict != advisor.Monitor {
			errs = append(errs, errors.Join(runOnChange(argv, a, advisor.Monitor)))
		}
		return compact(errs)
	}
	prev := advisor.Monitor
	if b, err := os.ReadFile(path); err == nil {
		prev = parseLevel(strings.TrimSpace(string(b)))
	} else if !errors.Is(err, os.ErrNotExist) {
		return compact([]error{fmt.Errorf("cannot read the last verdict from %s: %v", path, unwrapPath(err))})
	}
	var errs []error
	if argv != nil && a.Verdict != prev {
		errs = append(errs, runOnChange(argv, a, prev))
	}
	// The default directory is made when missing; a --state file's is not
	// (a typo must not create directories).
	if c.State == "" {
		err = os.MkdirAll(filepath.Dir(path), 0o700)
	}
	if err != nil {
		errs = append(errs, fmt.Errorf("cannot keep the verdict for the next run in %s: %v", path, unwrapPath(err)))
	} else if err := os.WriteFile(path, []byte(a.Verdict.String()+"\n"), 0o600); err != nil {
		errs = append(errs, fmt.Errorf("cannot keep the verdict for the next run in %s: %v (--on-change will fire again)", path, unwrapPath(err)))
	}
	return compact(errs)
}

// statePath is --state, or $XDG_STATE_HOME/headroom/last-verdict
// (~/.local/state/headroom/last-verdict when unset).
func (c *onceCmd) statePath() (string, error) {
	if c.State != "" {
		return c.State, nil
	}
	if p := xdgPath("XDG_STATE_HOME", filepath.Join(".local", "state"), "last-verdict"); p != "" {
		return p, nil
	}
	return "", errors.New("no place to keep the last verdict (neither $XDG_STATE_HOME nor $HOME is set): --on-change fires on every verdict that is not MONITOR; give --state FILE")
}

// parseLevel reads a kept verdict; anything else reads as MONITOR.
func parseLevel(s string) advisor.Level {
	for _, l := range []advisor.Level{advisor.Optimize, advisor.Scale, advisor.Down} {
		if s == l.String() {
			return l
		}
	}
	return advisor.Monitor
}

// compact drops the nil errors.
func compact(errs []error) []error {
	out := errs[:0]
	for _, e := range errs {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}
