// Command release builds what a user copies to a server: for each Linux
// architecture a static, stripped headroom, a tarball and a .deb holding the
// binary, its man page, shell completions, the example config and a systemd
// unit for `headroom record`.
//
//	go run ./cmd/release -version 1.2.0            # dist/, amd64 and arm64
//	go run ./cmd/release -version 1.2.0 -arch amd64 -out /tmp/dist
//
// The .deb is made with nfpm used as a library, so nothing but Go modules is
// needed: no goreleaser, dpkg or fakeroot on the build machine.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// options says what to build and where.
type options struct {
	version string   // package version, as in 1.2.0 or 1.2.0-rc.1
	archs   []string // GOARCH values
	out     string   // output directory
	root    string   // module root (the directory holding go.mod)
}

func main() {
	var o options
	var archs string
	flag.StringVar(&o.version, "version", "0.1.0-dev", "version to stamp into the binary and the packages")
	flag.StringVar(&archs, "arch", "amd64,arm64", "comma-separated GOARCH values to build")
	flag.StringVar(&o.out, "out", "dist", "output directory")
	flag.StringVar(&o.root, "root", "", "module root (default: found with go env GOMOD)")
	flag.Parse()
	o.archs = strings.Split(archs, ",")
	artifacts, err := release(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
	for _, a := range artifacts {
		fmt.Println(a)
	}
}

// release builds every architecture and returns the paths it wrote.
func release(o options) ([]string, error) {
	if o.root == "" {
		gomod, err := goOutput("", "env", "GOMOD")
		if err != nil || gomod == "" || gomod == os.DevNull {
			return nil, fmt.Errorf("not inside the headroom module (go env GOMOD: %q, %v)", gomod, err)
		}
		o.root = filepath.Dir(gomod)
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return nil, err
	}
	build := filepath.Join(o.out, "build")
	ldflags := "-s -w -X main.version=" + o.version + stampFlags(o.root)
	bins := map[string]string{}
	for _, arch := range o.archs {
		bin := filepath.Join(build, "linux_"+arch, "headroom")
		if err := goBuild(o.root, arch, ldflags, bin); err != nil {
			return nil, err
		}
		bins[arch] = bin
	}
	// The man page and completions come from the binary itself, so they
	// match its kong model; a binary for this machine runs to print them.
	host, ok := bins[runtime.GOARCH]
	if !ok {
		host = filepath.Join(build, "host", "headroom")
		if err := goBuild(o.root, runtime.GOARCH, ldflags, host); err != nil {
			return nil, err
		}
	}
	docs, err := generateDocs(host, o.root)
	if err != nil {
		return nil, err
	}
	var written []string
	for _, arch := range o.archs {
		tgz, err := writeTarball(o, arch, bins[arch], docs)
		if err != nil {
			return nil, err
		}
		deb, err := writeDeb(o, arch, bins[arch], docs)
		if err != nil {
			return nil, err
		}
		written = append(written, tgz, deb)
	}
	return written, nil
}

// goBuild builds cmd/headroom static (no cgo) and stripped (-s -w) for linux/arch.
func goBuild(root, arch, ldflags, out string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", out, "./cmd/headroom")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build for linux/%s: %v: %s", arch, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// stampFlags names the commit and its date for --version, from git where
// the source is a checkout (the go command stamps the same from VCS only
// when -buildvcs allows it, which build machines often turn off).
func stampFlags(root string) string {
	out, err := exec.Command("git", "-C", root, "log", "-1", "--format=%H %cI").Output()
	if err != nil {
		return ""
	}
	rev, date, ok := strings.Cut(strings.TrimSpace(string(out)), " ")
	if !ok {
		return ""
	}
	if dirty, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(dirty) > 0 {
		return " -X main.commit=" + rev + " -X main.buildDate=" + date + " -X main.commitModified=true"
	}
	return " -X main.commit=" + rev + " -X main.buildDate=" + date
}

func goOutput(dir string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

// docs are the files generated from the binary or taken from the source tree.
type docs struct {
	man        []byte            // roff
	completion map[string][]byte // by shell
	config     []byte            // config.example.toml
	unit       []byte            // headroom-record.service
	readme     []byte
}

func generateDocs(bin, root string) (docs, error) {
	d := docs{completion: map[string][]byte{}}
	run := func(args ...string) ([]byte, error) {
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return nil, fmt.Errorf("headroom %s: %v: %s", strings.Join(args, " "), err, ee.Stderr)
			}
			return nil, fmt.Errorf("headroom %s: %w", strings.Join(args, " "), err)
		}
		return out, nil
	}
	var err error
	if d.man, err = run("man"); err != nil {
		return d, err
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		if d.completion[sh], err = run("completion", sh); err != nil {
			return d, err
		}
	}
	for path, dst := range map[string]*[]byte{
		"cmd/headroom/config.example.toml":    &d.config,
		"cmd/release/headroom-record.service": &d.unit,
		"README.md":                           &d.readme,
	} {
		if *dst, err = os.ReadFile(filepath.Join(root, path)); err != nil {
			return d, err
		}
	}
	return d, nil
}
