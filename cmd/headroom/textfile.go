package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/advisor/pipeline"
	"github.com/headroom-dev/headroom/sampler/text"
	"github.com/headroom-dev/headroom/sampler/textfile"
)

// textfileFlags export the verdict for node_exporter's textfile collector.
type textfileFlags struct {
	Textfile string `placeholder:"DIR" help:"Write DIR/headroom.prom (verdict, findings, workers) for node_exporter's --collector.textfile.directory, atomically, each interval." type:"path"`
}

// check refuses a directory that is missing or not writable at start,
// rather than failing on every interval afterwards.
func (f textfileFlags) check() error {
	if f.Textfile == "" {
		return nil
	}
	info, err := os.Stat(f.Textfile)
	if err != nil {
		return usageError{fmt.Errorf("--textfile %s: %v; give the directory node_exporter's --collector.textfile.directory reads", f.Textfile, unwrapPath(err))}
	}
	if !info.IsDir() {
		return usageError{fmt.Errorf("--textfile %s is not a directory; give the directory node_exporter's --collector.textfile.directory reads", f.Textfile)}
	}
	probe, err := os.CreateTemp(f.Textfile, ".headroom-check-*")
	if err != nil {
		return usageError{fmt.Errorf("--textfile %s is not writable: %v", f.Textfile, unwrapPath(err))}
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// exportOf maps the advice onto headroom.prom's series.
func exportOf(a advisor.Advice) textfile.Export {
	e := textfile.Export{Verdict: a.Verdict.String(), Findings: make([]textfile.Finding, 0, len(a.Findings))}
	for _, f := range a.Findings {
		e.Findings = append(e.Findings, textfile.Finding{Metric: f.Metric, Level: int(f.Level), Value: f.Now})
	}
	if w := a.Workers; w.Recommended > 0 {
		e.Workers = &textfile.Workers{Recommended: w.Recommended, Running: w.Running}
		if w.Running > 0 && w.PerWorkerSource == "measured" {
			e.Workers.PSSBytes = uint64(w.PerWorkerMiB) << 20
		}
	}
	return e
}

// subscribeTextfile writes headroom.prom after every judged snapshot, on its
// own goroutine so a slow disk never holds sampling back. The first failure
// is said once, and so is the recovery (on screen, and on warn for a
// recorder, which has no screen; nil for a dashboard); writing goes on, so
// the file recovers when the disk does.
func (f textfileFlags) subscribeTextfile(p *pipeline.Pipeline, warn io.Writer) <-chan struct{} {
	done := make(chan struct{})
	if f.Textfile == "" {
		close(done)
		return done
	}
	q := p.SubscribeQueue(1)
	go func() {
		defer close(done)
		var failed error
		for ev := range q.C {
			if ev.Update == nil {
				continue
			}
			err := textfile.Write(f.Textfile, exportOf(ev.Update.Advice))
			msg := ""
			if err != nil && failed == nil {
				msg = "--textfile: " + err.Error()
			}
			if err == nil && failed != nil {
				msg = "--textfile: writing again"
			}
			if msg != "" {
				p.Notify(msg)
				if warn != nil {
					fmt.Fprintln(warn, "headroom: "+text.Printable(msg))
				}
			}
			failed = err
		}
	}()
	return done
}

// writeTextfileOnce is once's export: the advice it exits with.
func (f textfileFlags) writeTextfileOnce(a advisor.Advice) error {
	if f.Textfile == "" {
		return nil
	}
	if err := textfile.Write(f.Textfile, exportOf(a)); err != nil {
		return errors.New("--textfile: " + err.Error())
	}
	return nil
}
