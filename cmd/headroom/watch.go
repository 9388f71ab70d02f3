package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"reflect"
	"strings"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-isatty"
	"github.com/muesli/termenv"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/advisor/pipeline"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/probe"
	"github.com/headroom-dev/headroom/sampler/recording"
	"github.com/headroom-dev/headroom/themes"
	"github.com/headroom-dev/headroom/tui"
	"github.com/headroom-dev/headroom/tui/screen"
)

// watchCmd is the live dashboard, the default command.
type watchCmd struct {
	Theme  string  `placeholder:"NAME" help:"Colour theme: dark, light, dracula or mono (t cycles). NO_COLOR=1 turns colour off."`
	Replay string  `placeholder:"PATH" help:"Play a recording (file, .zst/.gz file or a record --dir directory) instead of watching this machine." type:"path"`
	Speed  float64 `placeholder:"N" default:"1" help:"Replay speed (2 plays twice as fast)."`
	Record string  `placeholder:"FILE|DIR/" help:"Record while watching (JSON Lines, mode 0600; never overwritten). A directory (an existing one, or a name ending in /) gets daily zstd files as record --dir writes."`
	Report string  `placeholder:"FILE" help:"On quit, write a Markdown report of the session (baseline, means, peaks, time over thresholds, probe percentiles, verdict timeline, workers)."`
	rangeFlags
	sharedFlags
	promFlags
}

func (c *watchCmd) Run(env *runEnv) error {
	st, onChange, err := c.settings(env)
	if err != nil {
		return err
	}
	if c.Theme != "" {
		st.Theme = c.Theme
	}
	if _, ok := themes.ByName(st.Theme); !ok {
		return usageError{fmt.Errorf("unknown theme %q; the themes are %s", st.Theme, strings.Join(themes.Names(), ", "))}
	}
	if !(c.Speed >= 0.01 && c.Speed <= 1000) { // NaN fails both; a hundredth of real time is the slowest that moves
		return usageError{fmt.Errorf("--speed %v: use a number from 0.01 to 1000", c.Speed)}
	}
	if c.Replay != "" && c.Record != "" {
		return usageError{errors.New("--record records this machine; it cannot be used with --replay")}
	}
	if err := c.checkReplay(c.Replay); err != nil {
		return err
	}
	if c.Replay == "" && c.rangeFlags.used() {
		return usageError{errors.New("--since and --until select part of a recording; use them with --replay")}
	}
	// The report's file is made now, so a wrong path is said at start, not
	// after an hour of load test.
	var report *os.File
	if c.Report != "" {
		f, err := createReport(c.Report)
		if err != nil {
			return err
		}
		report = f
		defer f.Close()
	}
	if f, ok := env.stdout.(*os.File); !ok || !isatty.IsTerminal(f.Fd()) {
		return usageError{errors.New("the dashboard needs a terminal; for a report on a pipe or in cron use `headroom once` (or `headroom once --json`)")}
	}

	applyNoColor(os.LookupEnv)
	if o, fleet, err := c.fleetOptions(env, st, c.sharedFlags, c.Replay != "" || c.Record != "" || c.Report != ""); err != nil || fleet {
		if err != nil {
			return err
		}
		if c.Replay != "" || c.Record != "" || c.Report != "" {
			return usageError{errors.New("--replay, --record and --report are about this machine; they cannot be used with --prometheus")}
		}
		return runFleetWatch(env, st, o)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var src sampler.Source
	var seeker *recording.Seeker
	host, probeURL := "", probe.Shown(c.Probe)
	if c.Replay != "" {
		stream, err := c.openDashboardReplay(env, st.Rules.Window)
		if err != nil {
			return err
		}
		seeker = stream
		if h := stream.Header(); h != nil {
			host, probeURL = h.Host, probe.Shown(h.ProbeURL)
			if h.IntervalMS > 0 {
				st.Interval = time.Duration(h.IntervalMS) * time.Millisecond
			}
		}
		src = stream
		defer src.Close()
	} else {
		if src, host, err = c.liveSource(ctx, st); err != nil {
			return err
		}
		defer src.Close()
	}

	var rec recordingWriter
	status := ""
	if c.Record != "" {
		rec, err = createRecorder(c.Record, recording.Header{Host: host, IntervalMS: st.Interval.Milliseconds(), Started: time.Now(), ProbeURL: probeURL}, env.stderr)
		if err != nil {
			return usageError{err}
		}
		status = "recording to " + c.Record
	}

	p := pipeline.New(src, st.Rules, st.Interval)
	watch := newVerdictWatch(onChange, io.Discard)
	defer watch.Close() // no hook outlives the dashboard
	watch.report = func(err error) { p.Notify(err.Error()) }
	p.Subscribe(watch.observe)
	c.subscribeTextfile(p, nil)
	recDone := subscribeRecorder(p, rec)
	feed := dashboardFeed(ctx, p.SubscribeQueue(4))
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()

	model := tui.New(tui.Options{Feed: feed, History: p.History(), Rules: st.Rules, Theme: st.Theme, Interval: st.Interval, Host: host,
		Replay: c.Replay != "", ReplaySpeed: c.Speed, Status: status, ProbeURL: probeURL, GoTo: wireGoTo(seeker, p),
		Rewind: wireRewind(seeker, st.Rules.Window), PauseReplay: pauseReplay(seeker), ParseTime: parseGoTo})
	// At most dashboardFPS frames a second, and one only when the screen
	// changed (see tui/screen).
	prog := screen.NewProgram(&model, env.stdout.(*os.File), time.Second/dashboardFPS, tea.WithoutSignalHandler())
	// A dropped SSH session (SIGHUP), ctrl+c from outside and SIGTERM all
	// end the dashboard the way q does: the report is written and the
	// recording closed, whole.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		select {
		case <-sigs:
			prog.Quit()
		case <-ctx.Done():
		}
	}()
	final, runErr := prog.Run()
	cancel()
	pumpErr := <-done
	var reportErr error
	if report != nil {
		if fm, ok := final.(*tui.Model); ok {
			sess := fm.Session()
			if _, err := report.WriteString(advisor.ReportMarkdown(sess)); err != nil {
				reportErr = fmt.Errorf("cannot write the report %s: %v", c.Report, unwrapPath(err))
			} else if err := report.Close(); err != nil {
				reportErr = fmt.Errorf("cannot write the report %s: %v", c.Report, unwrapPath(err))
			} else {
				fmt.Fprintf(env.stderr, "headroom: report of %d samples written to %s\n", len(sess.Snaps), c.Report)
			}
		}
	}
	if rec != nil {
		if err := <-recDone; err != nil && pumpErr == nil {
			pumpErr = err
		}
		fmt.Fprintf(env.stderr, "headroom: recorded %s to %s\n", plural(rec.Count(), "snapshot"), rec.Path())
	}
	if runErr != nil {
		return exitError{code: exitBadInput, err: runErr}
	}
	if reportErr != nil {
		return exitError{code: exitBadInput, err: reportErr}
	}
	if pumpErr != nil {
		return exitError{code: exitBadInput, err: pumpErr}
	}
	return nil
}

// applyNoColor turns colour off when NO_COLOR is set to anything
// (https://no-color.org); lipgloss does not look at it by itself.
func applyNoColor(lookup func(string) (string, bool)) {
	if _, ok := lookup("NO_COLOR"); ok {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
}

// dashboardFeed turns the pipeline's events into the dashboard's feed.
// The feed is never closed: a status may still arrive after the source has ended.
func dashboardFeed(ctx context.Context, q pipeline.Queue) <-chan tui.FeedItem {
	feed := make(chan tui.FeedItem)
	go func() {
		for {
			var ev pipeline.Event
			select {
			case e, ok := <-q.C:
				if !ok {
					return
				}
				ev = e
			case <-ctx.Done():
				return
			}
			it := tui.FeedItem{Status: ev.Status, Alert: ev.Alert, Err: ev.Err, Ended: ev.Ended}
			if u := ev.Update; u != nil {
				it.Seq, it.Snapshot, it.Advice = u.Seq, &u.Snapshot, &u.Advice
			}
			select {
			case feed <- it:
			case <-ctx.Done():
				return
			}
		}
	}()
	return feed
}

// snapshotWriter is where a recording goes (a *recording.Recorder).
type snapshotWriter interface {
	Write(sampler.Snapshot) error
	Close() error
}

// subscribeRecorder writes every snapshot of the stream to rec on its own
// goroutine, so a slow or full disk never holds sampling or the screen
// back. A write error stops the recording (said on screen, lasting) and
// nothing else. The returned channel gives the result once the stream ends.
func subscribeRecorder(p *pipeline.Pipeline, rec snapshotWriter) <-chan error {
	done := make(chan error, 1)
	if rec == nil || reflect.ValueOf(rec).IsNil() {
		done <- nil
		return done
	}
	q := p.SubscribeQueue(256)
	go func() {
		var werr error
		for ev := range q.C {
			if ev.Update != nil && werr == nil {
				if werr = rec.Write(ev.Update.Snapshot); werr != nil {
					p.Alert("recording stopped: " + werr.Error())
				}
			}
		}
		cerr := rec.Close()
		if n := q.Dropped(); n > 0 && werr == nil {
			werr = fmt.Errorf("%d snapshots were not recorded: the disk did not keep up", n)
		}
		done <- errors.Join(werr, cerr)
	}()
	return done
}

// createReport makes a --report file at start, so a wrong path is said
// before an hour of watching or load, not after: always a new file (O_EXCL:
// never an existing one, nor one a dangling symlink points at).
func createReport(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, usageError{fmt.Errorf("--report %s already exists; choose a new file name", path)}
		}
		return nil, usageError{fmt.Errorf("--report %s: %v", path, unwrapPath(err))}
	}
	return f, nil
}
