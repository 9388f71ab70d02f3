package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/alecthomas/kong"
)

// manCmd prints the man page, written from the same kong model that --help
// prints, so the two cannot drift apart.
//
// Written here rather than with mango-kong: that companion (one release,
// 2022) passes help text to muesli/roff as a printf format, so a help string
// with "%" comes out as "%!(MISSING)", it puts the one-line description in
// the .TH header where man overprints it, and it runs a command's flags into
// their help text. Plain roff from kong's Node and Flag is a page of code.
type manCmd struct{}

// manFiles is the FILES section: what headroom reads and writes by default.
var manFiles = [][2]string{
	{"$XDG_CONFIG_HOME/headroom/config.toml", "The config file (default ~/.config/headroom/config.toml). " +
		"The package installs an annotated example as /usr/share/doc/headroom/config.example.toml."},
	{"$XDG_STATE_HOME/headroom/last-verdict", "The previous verdict, for --on-change (default ~/.local/state/headroom)."},
}

func (manCmd) Run(kctx *kong.Context, env *runEnv) error {
	return writeMan(env.stdout, kctx.Model)
}

// writeMan writes app as a section 1 man page.
func writeMan(w io.Writer, app *kong.Application) error {
	ver, _, date := buildStamp()
	if len(date) >= 10 {
		date = date[:10] // the commit's day: the same page from every build of one commit
	}
	name := app.Name
	summary, _, _ := strings.Cut(strings.TrimSpace(app.Help), "\n")
	var b strings.Builder
	fmt.Fprintf(&b, ".TH %s 1 %s %s \"User Commands\"\n", strings.ToUpper(name), roffArg(date), roffArg(name+" "+ver))
	fmt.Fprintf(&b, ".SH NAME\n%s \\- %s\n", name, roffText(strings.TrimSuffix(summary, ".")))
	fmt.Fprintf(&b, ".SH SYNOPSIS\n.B %s\n[\\fIflags\\fR] [\\fIcommand\\fR] [\\fIcommand flags\\fR]\n", name)
	b.WriteString(".SH DESCRIPTION\n" + roffText(summary) + "\n")
	b.WriteString(".PP\nWithout a command, " + name + " runs \\fBwatch\\fR, the live dashboard. " +
		"Every flag also has a help line: \\fB" + name + " COMMAND \\-\\-help\\fR.\n")
	if flags := visibleFlags(app.Node.Flags); len(flags) > 0 {
		b.WriteString(".SH OPTIONS\n")
		writeFlags(&b, flags)
	}
	b.WriteString(".SH COMMANDS\n")
	writeCommands(&b, app.Node)
	b.WriteString(".SH EXIT STATUS\n")
	writeExitStatus(&b)
	b.WriteString(".SH FILES\n")
	for _, f := range manFiles {
		fmt.Fprintf(&b, ".TP\n.I %s\n%s\n", roffText(f[0]), roffText(f[1]))
	}
	b.WriteString(".SH SEE ALSO\n.BR htop (1),\n.BR top (1),\n.BR systemctl (1)\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeCommands writes one subsection per visible command, depth first.
func writeCommands(b *strings.Builder, n *kong.Node) {
	for _, c := range n.Children {
		if c.Hidden {
			continue
		}
		fmt.Fprintf(b, ".SS %s\n", roffArg(c.Path()+" "+strings.TrimPrefix(c.Summary(), c.Path())))
		if c.Help != "" {
			b.WriteString(roffText(c.Help) + "\n")
		}
		if c.Detail != "" {
			b.WriteString(".PP\n" + roffText(c.Detail) + "\n")
		}
		for _, p := range c.Positional {
			fmt.Fprintf(b, ".TP\n.I %s\n%s\n", roffText(p.Summary()), roffText(p.Help))
		}
		writeFlags(b, visibleFlags(c.Flags))
		writeCommands(b, c)
	}
}

// writeFlags writes each flag as a tagged paragraph, as kong's help lists it.
func writeFlags(b *strings.Builder, flags []*kong.Flag) {
	for _, f := range flags {
		fmt.Fprintf(b, ".TP\n\\fB%s\\fR\n%s\n", roffText(f.String()), roffText(f.Help))
	}
}

func visibleFlags(flags []*kong.Flag) []*kong.Flag {
	var out []*kong.Flag
	for _, f := range flags {
		if !f.Hidden {
			out = append(out, f)
		}
	}
	return out
}

// exitLine starts an entry of exitHelp: "  3  bad input …".
var exitLine = regexp.MustCompile(`^\s+(\d)\s+(.*)$`)

// writeExitStatus turns exitHelp, which --help prints, into tagged paragraphs.
func writeExitStatus(b *strings.Builder) {
	for _, line := range strings.Split(exitHelp, "\n")[1:] {
		if m := exitLine.FindStringSubmatch(line); m != nil {
			fmt.Fprintf(b, ".TP\n.B %s\n%s", m[1], roffText(m[2]))
		} else {
			b.WriteString(" " + roffText(strings.TrimSpace(line)))
		}
		if !strings.HasSuffix(line, ",") {
			b.WriteString("\n")
		}
	}
}

// roffText escapes s for a roff text line: backslashes, hyphens (so option
// names copy as ASCII), and a leading dot or quote that roff would read as a
// request; line breaks become spaces.
func roffText(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	s = strings.Join(strings.Fields(s), " ")
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// roffArg is s as one quoted argument of a roff request (.TH, .SS).
func roffArg(s string) string {
	return `"` + strings.ReplaceAll(roffText(s), `"`, `\(dq`) + `"`
}
