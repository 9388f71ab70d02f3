package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestResolveStamp(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-11-27T11:38:59Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	cases := []struct {
		name           string
		ver, rev, date string
		bi             *debug.BuildInfo
		want           stamp
	}{
		{"no build info", defaultVersion, "", "", nil,
			stamp{version: defaultVersion}},
		{"go build in a checkout: pseudo-version ignored, vcs stamps used", defaultVersion, "", "",
			&debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261127113859-0123456789ab+dirty"}, Settings: vcs},
			stamp{version: defaultVersion, commit: vcs[0].Value, date: vcs[1].Value, modified: true}},
		{"go install …@v1.2.0: the module version", defaultVersion, "", "",
			&debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}},
			stamp{version: "1.2.0"}},
		{"go install of a release candidate", defaultVersion, "", "",
			&debug.BuildInfo{Main: debug.Module{Version: "v1.2.0-rc.1"}},
			stamp{version: "1.2.0-rc.1"}},
		{"-ldflags win over the build info", "1.3.0", "feedface", "2026-12-01T00:00:00Z",
			&debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}, Settings: vcs},
			stamp{version: "1.3.0", commit: "feedface", date: "2026-12-01T00:00:00Z"}},
		{"go install from a proxy: (devel) is no version", defaultVersion, "", "",
			&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			stamp{version: defaultVersion}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := resolveStamp(c.ver, c.rev, c.date, c.bi)
			got.goVersion = ""
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestVersionText(t *testing.T) {
	s := stamp{version: "1.2.0", commit: "0123456789abcdef", date: "2026-11-27T11:38:59Z", modified: true, goVersion: "go1.26.8"}
	lines := strings.Split(s.String(), "\n")
	want := []string{"headroom 1.2.0", "commit 0123456789ab (with uncommitted changes)", "date   2026-11-27T11:38:59Z"}
	if len(lines) != 4 || strings.Join(lines[:3], "\n") != strings.Join(want, "\n") || !strings.HasPrefix(lines[3], "go1.26.8 linux/") {
		t.Errorf("--version text:\n%s", s)
	}
	if got := (stamp{version: "1.2.0", goVersion: "go1.26.8"}).String(); strings.Contains(got, "commit") || strings.Contains(got, "date") {
		t.Errorf("unknown commit and date must be left out, got\n%s", got)
	}
	// What kong prints is versionText, the same function.
	code, out, _ := runCLI(t, "--version")
	if code != 0 || strings.TrimSpace(out) != versionText() || !strings.HasPrefix(out, "headroom "+version+"\n") {
		t.Errorf("--version: %d %q", code, out)
	}
}

// A run shorter than HEADROOM_PROFILE_FOR still leaves a whole CPU profile
// and a heap profile: they are written at exit.
func TestProfilesWrittenAtExit(t *testing.T) {
	dir := t.TempDir()
	cpu, heap := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "heap.prof")
	cmd := child("--version")
	cmd.Env = append(cmd.Env, "HEADROOM_CPUPROFILE="+cpu, "HEADROOM_MEMPROFILE="+heap)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, p := range []string{cpu, heap} {
		b, err := os.ReadFile(p)
		if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b { // a gzipped profile
			t.Errorf("%s: %d bytes, err %v; want a written profile", filepath.Base(p), len(b), err)
		}
	}
}
