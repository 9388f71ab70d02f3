// Command headroom is a live terminal monitor for the machines that run web
// applications, with an advisor that says whether to leave the box alone,
// optimize the app, or scale out.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/alecthomas/kong"
	"github.com/headroom-dev/headroom/sampler/text"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// Exit statuses, decided here and nowhere else. 0–2 follow the monitoring-
// plugin convention for `once` (OK, WARNING, CRITICAL).
const (
	exitOK       = 0 // MONITOR, or a command that finished normally
	exitOptimize = 1 // `once`: the verdict is OPTIMIZE
	exitScale    = 2 // `once`: the verdict is SCALE or DOWN
	exitBadInput = 3 // could not judge: bad flags, config, recording, or no terminal
)

const exitHelp = `Exit status:
  0  finished normally (once: verdict MONITOR)
  1  once: verdict OPTIMIZE; load: the SLA broke below the highest rate tried
  2  once: verdict SCALE, or DOWN (the app does not answer)
  3  bad input or could not judge: unknown flag, bad value, bad config file,
     unreadable recording, not a terminal
  once judges this machine now; once --replay judges a recording whole, and
  its status is the worst verdict that held in it.`

// cli is the whole command line. Flags without a default here mean "not
// given", so the config file's value (or the built-in default) applies.
type cli struct {
	Config  string           `help:"Config file (TOML). Default: $XDG_CONFIG_HOME/headroom/config.toml." placeholder:"FILE" type:"path"`
	Version buildVersionFlag `help:"Print the version, commit and build date, and exit."`

	Watch   watchCmd   `cmd:"" default:"withargs" help:"Live dashboard (the default command)."`
	Record  recordCmd  `cmd:"" help:"Record snapshots to a file, without a screen."`
	Once    onceCmd    `cmd:"" help:"Judge the machine once and exit with the verdict as status (for cron and monitoring)."`
	Load    loadCmd    `cmd:"" help:"Run a bounded load test on a URL beside the dashboard and find the rate it breaks at (exit 1 when it breaks below the highest rate tried)."`
	Queries queriesCmd `cmd:"" help:"Rank the statements of SQL query logs (Django, PostgreSQL) by total time and name N+1 loops."`
	planCommands

	Completion completionCmd `cmd:"" help:"Print the shell completion script for bash, zsh or fish."`
	Man        manCmd        `cmd:"" help:"Print the man page (roff)."`
}

// usageError is a mistake on the command line or in the config file: exit 3.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitError carries a specific exit status out of a command.
type exitError struct {
	code int
	err  error // nil: nothing to print
}

func (e exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func main() {
	os.Exit(runThenStopProfiles(os.Args[1:], os.Stdout, os.Stderr))
}

// runThenStopProfiles is run, then the developer profiles written whole
// (profile.go) before the process exits.
func runThenStopProfiles(args []string, stdout, stderr io.Writer) int {
	code := run(args, stdout, stderr)
	stopProfiles()
	return code
}

// run parses args, runs the command, and returns the exit status.
func run(args []string, stdout, stderr io.Writer) (code int) {
	var c cli
	exited := false
	parser, err := kong.New(&c,
		kong.Name("headroom"),
		kong.Description("A live monitor for web-app servers that says whether to optimize or scale.\n\n"+exitHelp),
		kong.Vars{"version": version},
		kong.UsageOnError(),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { exited = true; panic(exitError{code: code}) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Help(printHelp),
	)
	if err != nil {
		fmt.Fprintln(stderr, "headroom: internal error:", err)
		return exitBadInput
	}
	defer func() {
		// kong's --help and --version end the program through Exit; turn
		// that back into a status here so run stays testable.
		if r := recover(); r != nil {
			if e, ok := r.(exitError); ok && exited {
				code = e.code
				return
			}
			panic(r)
		}
	}()
	completeFromShell(parser)
	if err := emptyPaths(parser, args); err != nil {
		fmt.Fprintf(stderr, "headroom: %s (see headroom --help)\n", printableLines(err.Error()))
		return exitBadInput
	}
	kctx, err := parser.Parse(helpArgs(args))
	if err != nil {
		fmt.Fprintf(stderr, "headroom: %s (see headroom --help)\n", printableLines(parseMessage(err.Error())))
		return exitBadInput
	}
	env := &runEnv{stdout: stdout, stderr: stderr, configPath: c.Config}
	err = kctx.Run(env)
	return exitStatus(err, stderr)
}

// emptyPaths refuses an empty value for a flag that names a file or a
// directory (--state "", --config=, --from a,,b): kong reads "" as the
// current directory, so a variable left unset in a script would make
// headroom write where it was started. "." still names it.
func emptyPaths(parser *kong.Kong, args []string) error {
	paths := map[string]bool{}
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		for _, f := range n.Flags {
			if f.Tag.Type == "path" || strings.Contains("FILE DIR PATH FILE|DIR/", f.PlaceHolder) && f.PlaceHolder != "" {
				paths["--"+f.Name] = true
				if f.Short != 0 {
					paths["-"+string(f.Short)] = true
				}
			}
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(parser.Model.Node)
	for i, a := range args {
		if a == "--" {
			break
		}
		name, val, eq := strings.Cut(a, "=")
		if !paths[name] {
			continue
		}
		if !eq {
			if i+1 >= len(args) {
				continue // kong says the value is missing
			}
			val = args[i+1]
		}
		for _, v := range strings.Split(val, ",") {
			if strings.TrimSpace(v) == "" {
				return fmt.Errorf("%s %q: an empty path; name a file (. for the current directory)", name, val)
			}
		}
	}
	return nil
}

// exitStatus prints err (one line) and maps it to the exit status.
func exitStatus(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "headroom:", printableLines(ee.err.Error()))
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "headroom:", printableLines(err.Error()))
	return exitBadInput
}

// printableLines is an error message made safe for the terminal: an
// argument, a file name or a line of a file it quotes may hold escape
// sequences (text.Printable), and an error joined from several keeps its
// lines.
func printableLines(msg string) string {
	lines := strings.Split(strings.TrimRight(msg, "\n"), "\n")
	for i, l := range lines {
		// A 100 kB flag value quoted back is no help: its start says enough.
		if len(l) > maxErrorLine {
			l = strings.ToValidUTF8(l[:maxErrorLine], "") + "…"
		}
		lines[i] = text.Printable(l)
	}
	return strings.Join(lines, "\n")
}

// maxErrorLine bounds one line of an error message, in bytes.
const maxErrorLine = 1000

// runEnv is what every command gets: where to write, and the config file named on the command line.
type runEnv struct {
	stdout, stderr io.Writer
	configPath     string
}

// kongMissing is kong's wording for a flag given last, without its value:
// `expected file value but got "EOL" (<EOL>)`.
var kongBadInt = regexp.MustCompile(`expected a valid \d+ bit (?:u?int) but got ("[^"]*")`)

var kongMissing = regexp.MustCompile(`expected (?:an? )?([\w ]+?) (?:value )?but got "EOL" \(<EOL>\)`)

// parseMessage rewords the command-line parser's errors where they speak
// its own language.
func parseMessage(msg string) string {
	// `expected a valid 64 bit int but got "1e9"`
	msg = kongBadInt.ReplaceAllString(msg, "$1 is not a whole number")
	return kongMissing.ReplaceAllStringFunc(msg, func(m string) string {
		what := map[string]string{"file": "a file name", "path": "a path", "duration": "a duration, like 30s", "int": "a whole number",
			"float": "a number"}[kongMissing.FindStringSubmatch(m)[1]]
		if what == "" {
			return "needs a value after it"
		}
		return "needs a value after it (" + what + ")"
	})
}
