package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/headroom-dev/headroom/sampler/sqllog"
)

// queriesCmd ranks the statements of SQL query logs by the time they take
// and names N+1 loops: the framework's "identify slow queries" step.
type queriesCmd struct {
	Files []string `arg:"" name:"FILE" help:"Query logs: Django's django.db.backends debug log or PostgreSQL's duration log (gzip'd or not); - is standard input."`
	JSON  bool     `help:"Print the analysis as one JSON object."`
	Top   int      `default:"10" placeholder:"N" help:"Show the N statements that take the most time (0: all)."`
}

// queriesWidth is the width of the text table.
const queriesWidth = 120

// Run reads every file into one analysis and prints it.
func (c *queriesCmd) Run(env *runEnv) error {
	// Nothing here reads the config file, but one named and unreadable is
	// the same error for every command.
	if _, err := loadSettings(env.configPath); err != nil {
		return err
	}
	if c.Top < 0 {
		return usageError{fmt.Errorf("--top %d: must be 0 (all) or more", c.Top)}
	}
	for _, name := range c.Files {
		if name == "" { // as every other file argument: never read as "."
			return usageError{errors.New(`queries: an empty path; name a query log, or - for standard input`)}
		}
	}
	log := sqllog.NewLog()
	for _, name := range c.Files {
		if err := readQueryLog(log, name); err != nil {
			return exitError{code: exitBadInput, err: err}
		}
	}
	r := log.Report(c.Top)
	if r.Count == 0 {
		return exitError{code: exitBadInput, err: fmt.Errorf("no SQL statements in %d lines of %s: expected Django's django.db.backends debug log (with DEBUG on) or PostgreSQL duration lines (log_min_duration_statement)",
			r.Lines, fileList(c.Files))}
	}
	if c.JSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return sqllog.WriteText(env.stdout, r, queriesWidth)
}

// readQueryLog adds one file ("-": standard input) to the analysis.
func readQueryLog(log *sqllog.Log, name string) error {
	rc, err := sqllog.Open(name, os.Stdin)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is named below, made printable
		}
		return fmt.Errorf("query log %s: %w", sqllog.Printable(name, 200), err)
	}
	defer rc.Close()
	if _, err := log.ReadFrom(rc); err != nil {
		return fmt.Errorf("read query log %s: %w", sqllog.Printable(name, 200), err)
	}
	return nil
}

// fileList names the files for a message, made printable.
func fileList(files []string) string {
	if len(files) == 1 {
		return sqllog.Printable(files[0], 200)
	}
	return fmt.Sprintf("%d files", len(files))
}
