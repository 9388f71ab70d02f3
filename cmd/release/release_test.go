package main

import (
	"archive/tar"
	"compress/gzip"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReleaseDeb builds the amd64 tarball and .deb (arm64 is the same code
// with another GOARCH, and a second cross-build doubles the test's time),
// then reads them back with dpkg-deb and archive/tar. Nothing is fetched
// but Go modules.
func TestReleaseDeb(t *testing.T) {
	if testing.Short() {
		t.Skip("builds headroom twice over: not in -short")
	}
	dpkg, err := exec.LookPath("dpkg-deb")
	if err != nil {
		t.Skip("dpkg-deb not installed (Debian package dpkg): cannot read the .deb back")
	}
	out := t.TempDir()
	t.Setenv("SOURCE_DATE_EPOCH", "1795000000")
	written, err := release(options{version: "1.2.3-rc.1", archs: []string{"amd64"}, out: out})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(out, "headroom_1.2.3-rc.1_linux_amd64.tar.gz"), filepath.Join(out, "headroom_1.2.3~rc.1_amd64.deb")}
	if !slices.Equal(written, want) {
		t.Fatalf("wrote %q, want %q", written, want)
	}
	deb := want[1]

	info := run(t, dpkg, "-I", deb)
	for _, field := range []string{"Package: headroom", "Version: 1.2.3~rc.1", "Architecture: amd64", "Section: admin"} {
		if !strings.Contains(info, "\n "+field+"\n") {
			t.Errorf("dpkg-deb -I lacks %q:\n%s", field, info)
		}
	}
	listing := run(t, dpkg, "-c", deb)
	for _, path := range []string{
		"-rwxr-xr-x root/root ./usr/bin/headroom",
		"-rw-r--r-- root/root ./usr/share/man/man1/headroom.1.gz",
		"-rw-r--r-- root/root ./usr/share/bash-completion/completions/headroom",
		"-rw-r--r-- root/root ./usr/share/zsh/vendor-completions/_headroom",
		"-rw-r--r-- root/root ./usr/share/fish/vendor_completions.d/headroom.fish",
		"-rw-r--r-- root/root ./usr/share/doc/headroom/config.example.toml",
		"-rw-r--r-- root/root ./usr/lib/systemd/system/headroom-record.service",
	} {
		if !listed(listing, path) {
			t.Errorf("dpkg-deb -c lacks %q:\n%s", path, listing)
		}
	}

	// The installed files, as dpkg would lay them out.
	root := t.TempDir()
	run(t, dpkg, "-x", deb, root)
	bin := filepath.Join(root, "usr/bin/headroom")
	assertStaticStripped(t, bin)
	if v := run(t, bin, "--version"); !strings.HasPrefix(v, "headroom 1.2.3-rc.1\n") {
		t.Errorf("packaged --version: %q", v)
	}
	for file, start := range map[string]string{
		"usr/share/bash-completion/completions/headroom":    "# bash completion for headroom",
		"usr/share/zsh/vendor-completions/_headroom":        "#compdef headroom",
		"usr/share/fish/vendor_completions.d/headroom.fish": "# fish completion for headroom",
		"usr/lib/systemd/system/headroom-record.service":    "# headroom-record.service",
		"usr/share/doc/headroom/config.example.toml":        "",
	} {
		b, err := os.ReadFile(filepath.Join(root, file))
		if err != nil || !strings.HasPrefix(string(b), start) || len(b) == 0 {
			t.Errorf("%s: %v, starts %q", file, err, string(b[:min(len(b), 40)]))
		}
	}
	if analyze, err := exec.LookPath("systemd-analyze"); err == nil {
		// verify exits 0 on a bad setting too; what it prints is the verdict.
		unit := filepath.Join(root, "usr/lib/systemd/system/headroom-record.service")
		if out, _ := exec.Command(analyze, "verify", "--man=no", unit).CombinedOutput(); len(out) > 0 {
			t.Errorf("systemd-analyze verify headroom-record.service:\n%s", out)
		}
	}
	man := gunzip(t, filepath.Join(root, "usr/share/man/man1/headroom.1.gz"))
	if !strings.HasPrefix(man, `.TH HEADROOM 1 `) || !strings.Contains(man, `"headroom 1.2.3\-rc.1"`) {
		t.Errorf("man page starts %q", man[:min(len(man), 80)])
	}

	tarFiles := tarListing(t, want[0])
	top := "headroom_1.2.3-rc.1_linux_amd64/"
	for _, name := range []string{"headroom", "headroom.1", "completions/headroom.bash", "completions/_headroom",
		"completions/headroom.fish", "config.example.toml", "headroom-record.service", "README.md"} {
		if _, ok := tarFiles[top+name]; !ok {
			t.Errorf("tarball lacks %s; has %v", top+name, tarFiles)
		}
	}
	if tarFiles[top+"headroom"] != 0o755 {
		t.Errorf("tarball binary mode %o, want 755", tarFiles[top+"headroom"])
	}
}

// listed reports whether dpkg-deb -c shows path with its mode and owner.
func listed(listing, modeOwnerPath string) bool {
	f := strings.Fields(modeOwnerPath)
	for _, line := range strings.Split(listing, "\n") {
		l := strings.Fields(line)
		if len(l) == 6 && l[0] == f[0] && l[1] == f[1] && l[5] == f[2] {
			return true
		}
	}
	return false
}

// assertStaticStripped: no interpreter (no dynamic loader, so no libc
// needed on the server) and no symbol table (-s).
func assertStaticStripped(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s is dynamically linked", path)
		}
	}
	if f.Section(".symtab") != nil {
		t.Errorf("%s is not stripped: it has .symtab", path)
	}
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func gunzip(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tarListing maps each regular file of a .tar.gz to its mode.
func tarListing(t *testing.T, path string) map[string]int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]int64{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = h.Mode
	}
}
