package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/headroom-dev/headroom/sampler/userfile"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler/text"
)

// notify runs the --on-change command when the verdict differs from the
// one the previous run kept (MONITOR when none was kept). The verdict is
// kept only when asked for, with --on-change or --state, so a manual run
// never changes what a cron job compares with. The errors are warnings.
func (c *onceCmd) notify(ctx context.Context, argv []string, a advisor.Advice) []error {
	if argv == nil && c.State == "" {
		return nil
	}
	path, err := c.statePath()
	if err != nil {
		// No state: the hook would fire on every run. Say so, every run.
		errs := []error{err}
		if argv != nil && a.Verdict != advisor.Monitor {
			errs = append(errs, errors.Join(runOnChange(ctx, argv, a, advisor.Monitor)))
		}
		return compact(errs)
	}
	prev, err := readState(path)
	if err != nil {
		return compact([]error{err})
	}
	var errs []error
	if argv != nil && a.Verdict != prev {
		if err := runOnChange(ctx, argv, a, prev); err != nil {
			// The change was not told: the state stays, so that the next
			// run tells it again rather than never.
			return compact([]error{err, fmt.Errorf("the verdict kept in %s stays %s: the next run runs --on-change again", path, prev)})
		}
	}
	// The default directory is made when missing; a --state file's is not
	// (a typo must not create directories).
	if c.State == "" {
		err = os.MkdirAll(filepath.Dir(path), 0o700)
	}
	if err != nil {
		errs = append(errs, fmt.Errorf("cannot keep the verdict for the next run in %s: %v", path, unwrapPath(err)))
	} else if err := writeState(path, a.Verdict); err != nil {
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

// maxState bounds what is read of a state file: it holds one verdict word.
const maxState = 64

// readState is the verdict kept at path (MONITOR when there is no file
// yet). A file that holds anything else is someone else's: it is refused,
// never read whole (a device, a large file) and never overwritten.
func readState(path string) (advisor.Level, error) {
	shown := text.Printable(path)
	f, err := userfile.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return advisor.Monitor, nil
	}
	if err != nil {
		return advisor.Monitor, fmt.Errorf("cannot read the last verdict from %s: %v", shown, unwrapPath(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return advisor.Monitor, fmt.Errorf("--state %s is not a regular file: give a file of its own", shown)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxState+1))
	if err != nil {
		return advisor.Monitor, fmt.Errorf("cannot read the last verdict from %s: %v", shown, unwrapPath(err))
	}
	v := strings.TrimSpace(string(b))
	if l, ok := levelNamed(v); ok || v == "" {
		return l, nil
	}
	return advisor.Monitor, fmt.Errorf("--state %s holds something other than a verdict: left as it is; give a file of its own", shown)
}

// writeState keeps the verdict at path, written under a temporary name
// beside it and renamed: a full disk leaves the old verdict, not an empty
// file, and a symlink at path is replaced, not written through.
func writeState(path string, l advisor.Level) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, werr := tmp.WriteString(l.String() + "\n")
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}

// levelNamed is the verdict a kept word names.
func levelNamed(s string) (advisor.Level, bool) {
	for _, l := range []advisor.Level{advisor.Monitor, advisor.Optimize, advisor.Scale, advisor.Down} {
		if s == l.String() {
			return l, true
		}
	}
	return advisor.Monitor, false
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
