package main

import (
	"fmt"
	"strings"

	"github.com/alecthomas/kong"
)

// printHelp is kong's help, plus, for headroom itself, the dashboard's
// flags: the dashboard is the default command, so `headroom --help` is the
// help a newcomer reads for it.
func printHelp(options kong.HelpOptions, ctx *kong.Context) error {
	if err := kong.DefaultHelpPrinter(options, ctx); err != nil {
		return err
	}
	if ctx.Selected() != nil {
		return nil
	}
	for _, n := range ctx.Model.Children {
		if n.Name != "watch" {
			continue
		}
		w := ctx.Stdout
		fmt.Fprintln(w, "\nDashboard flags (headroom [flags]; the same as headroom watch):")
		for _, f := range n.Flags {
			if f.Hidden || f.Name == "help" {
				continue
			}
			name := "--" + f.Name
			if !f.IsBool() {
				name += "=" + f.FormatPlaceHolder()
			}
			lines := wrapWords(f.Help, 54)
			fmt.Fprintf(w, "  %-22s %s\n", name, lines[0])
			for _, l := range lines[1:] {
				fmt.Fprintf(w, "  %-22s %s\n", "", l)
			}
		}
	}
	return nil
}

// wrapWords breaks text into lines of at most w runes (longer words stand alone).
func wrapWords(text string, w int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len([]rune(line))+1+len([]rune(word)) > w {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}

// helpArgs turns `headroom help [COMMAND]` into `headroom [COMMAND] --help`.
func helpArgs(args []string) []string {
	if len(args) > 0 && args[0] == "help" {
		return append(append([]string{}, args[1:]...), "--help")
	}
	return args
}
