package main

import (
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/alecthomas/kong"
)

// commit and buildDate may be set with -ldflags "-X main.commit=… -X
// main.buildDate=…" for builds without VCS information (from a source
// archive); where both are given they win over the build info, like version.
var (
	commit         string
	buildDate      string
	commitModified string // "true": built from a checkout with uncommitted changes
)

// defaultVersion is version's value when no -ldflags set it: then the module
// version of `go install …@vX` (from the build info) is the better answer.
const defaultVersion = "0.1.0-dev"

// releaseVersion is a tag like v1.2.0 or v1.2.0-rc.1; a pseudo-version
// (v0.0.0-20261127114005-0123456789ab, what `go build` in a checkout stamps)
// is not one: the commit line says the same thing more readably.
var (
	releaseVersion = regexp.MustCompile(`^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`)
	pseudoVersion  = regexp.MustCompile(`\d{14}-[0-9a-f]{12}$`)
)

// stamp is what a build says about itself.
type stamp struct {
	version, commit, date string
	modified              bool // built from a checkout with uncommitted changes
	goVersion             string
}

// buildStamp resolves version, commit and date from -ldflags and the build info.
func buildStamp() (ver, rev, date string) {
	bi, _ := debug.ReadBuildInfo()
	s := resolveStamp(version, commit, buildDate, bi)
	return s.version, s.commit, s.date
}

// buildVersionFlag is --version. Unlike kong.VersionFlag, which prints a string
// made before parsing, it reads the build info only when asked, so an
// ordinary start does not pay for it.
type buildVersionFlag bool

// BeforeReset prints the version text and ends the program with status 0.
func (buildVersionFlag) BeforeReset(app *kong.Kong) error {
	fmt.Fprintln(app.Stdout, versionText())
	app.Exit(0)
	return nil
}

// versionText is what `headroom --version` prints: the version on the first
// line (so `| head -1` is the version alone), then the commit, its date and
// the toolchain, from the build info the Go linker records.
func versionText() string {
	bi, _ := debug.ReadBuildInfo()
	return resolveStamp(version, commit, buildDate, bi).String()
}

// resolveStamp prefers what -ldflags set, then the build info. bi may be nil.
func resolveStamp(ver, rev, date string, bi *debug.BuildInfo) stamp {
	s := stamp{version: ver, commit: rev, date: date, goVersion: runtime.Version(), modified: commitModified == "true"}
	if bi == nil {
		return s
	}
	mv := bi.Main.Version
	if ver == defaultVersion && releaseVersion.MatchString(mv) && !pseudoVersion.MatchString(mv) {
		s.version = strings.TrimPrefix(mv, "v")
	}
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision":
			if rev == "" {
				s.commit = kv.Value
			}
		case "vcs.time":
			if date == "" {
				s.date = kv.Value
			}
		case "vcs.modified":
			if rev == "" {
				s.modified = kv.Value == "true"
			}
		}
	}
	if bi.GoVersion != "" {
		s.goVersion = bi.GoVersion
	}
	return s
}

// String prints the stamp as --version does, leaving out what is unknown.
func (s stamp) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "headroom %s\n", s.version)
	if rev := s.commit; rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if s.modified {
			rev += " (with uncommitted changes)"
		}
		fmt.Fprintf(&b, "commit %s\n", rev)
	}
	if s.date != "" {
		fmt.Fprintf(&b, "date   %s\n", s.date)
	}
	fmt.Fprintf(&b, "%s %s/%s", s.goVersion, runtime.GOOS, runtime.GOARCH)
	return b.String()
}
