package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pathWithHeadroom puts a `headroom` on PATH that runs this test binary as
// the real command (see TestMain), as an installed binary would be found.
func pathWithHeadroom(t *testing.T) (dir string, env []string) {
	t.Helper()
	dir = t.TempDir()
	script := "#!/bin/sh\nHEADROOM_RUN_MAIN=1 exec '" + os.Args[0] + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "headroom"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
}

// TestCompletionInFish loads `headroom completion fish` into a real fish and
// asks it what Tab would offer.
func TestCompletionInFish(t *testing.T) {
	fish, err := exec.LookPath("fish")
	if err != nil {
		t.Skip("fish not installed (Debian package fish)")
	}
	_, env := pathWithHeadroom(t)
	cmd := exec.Command(fish, "--no-config", "-c",
		`headroom completion fish | source; complete -C "headroom rec"; echo ---; complete -C "headroom once --js"`)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("fish: %v\n%s", err, out)
	}
	if got := strings.Fields(string(out)); strings.Join(got, " ") != "record --- --json" {
		t.Errorf("fish completions: %q, want record, then --json", got)
	}
}

// TestCompletionInZsh installs `headroom completion zsh` as _headroom in
// $fpath, as the .deb does, and presses Tab once in an interactive zsh: the
// first Tab (the one that loads the file) must already complete.
func TestCompletionInZsh(t *testing.T) {
	zsh, err := exec.LookPath("zsh")
	if err != nil {
		t.Skip("zsh not installed (Debian package zsh)")
	}
	dir, env := pathWithHeadroom(t)
	code, script, _ := runCLI(t, "completion", "zsh")
	if code != exitOK {
		t.Fatal("completion zsh failed")
	}
	fn := filepath.Join(dir, "fn")
	if err := os.MkdirAll(fn, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fn, "_headroom"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	// zpty drives an interactive zsh as a terminal would; the sleeps give
	// it time to draw (bounded: a few seconds in all).
	driver := `zmodload zsh/zpty
zpty z 'TERM=dumb zsh -f -i'
zpty -w z 'fpath=(` + fn + ` $fpath); autoload -U compinit; compinit -u -d ` + dir + `/zcompdump; PS1="> "'
sleep 1
zpty -n -w z $'headroom rec\t'
sleep 2
all=""
while zpty -r -t z chunk; do all+=$chunk; done
zpty -d z
print -r -- "$all"`
	cmd := exec.Command(zsh, "-f", "-c", driver)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("zsh: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "headroom record ") {
		t.Errorf("zsh: the first Tab after `headroom rec` did not complete to record:\n%q", out)
	}
}
