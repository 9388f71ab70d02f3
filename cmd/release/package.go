package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb" // registers the deb packager
	"github.com/goreleaser/nfpm/v2/files"
)

// packageFile is one file of a tarball or package: where it goes and what it holds.
type packageFile struct {
	tarPath string // inside the tarball's top directory
	debPath string // absolute path once the .deb is installed
	data    []byte
	mode    os.FileMode
}

// layout is the same set of files for the tarball and the .deb. The man page
// is gzipped in the .deb, as Debian's man-db expects.
func layout(bin []byte, d docs) ([]packageFile, error) {
	var man bytes.Buffer
	zw, err := gzip.NewWriterLevel(&man, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	zw.ModTime = time.Unix(0, 0) // the same bytes from the same page
	if _, err := zw.Write(d.man); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return []packageFile{
		{"headroom", "/usr/bin/headroom", bin, 0o755},
		{"headroom.1", "", d.man, 0o644},
		{"", "/usr/share/man/man1/headroom.1.gz", man.Bytes(), 0o644},
		{"completions/headroom.bash", "/usr/share/bash-completion/completions/headroom", d.completion["bash"], 0o644},
		{"completions/_headroom", "/usr/share/zsh/vendor-completions/_headroom", d.completion["zsh"], 0o644},
		{"completions/headroom.fish", "/usr/share/fish/vendor_completions.d/headroom.fish", d.completion["fish"], 0o644},
		{"config.example.toml", "/usr/share/doc/headroom/config.example.toml", d.config, 0o644},
		{"headroom-record.service", "/usr/lib/systemd/system/headroom-record.service", d.unit, 0o644},
		{"README.md", "/usr/share/doc/headroom/README.md", d.readme, 0o644},
	}, nil
}

// modTime is SOURCE_DATE_EPOCH where set (reproducible builds), else now.
func modTime() time.Time {
	if s, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64); err == nil {
		return time.Unix(s, 0).UTC()
	}
	return time.Now().UTC()
}

// writeTarball writes headroom_VERSION_linux_ARCH.tar.gz with one top directory.
func writeTarball(o options, arch, binPath string, d docs) (string, error) {
	bin, err := os.ReadFile(binPath)
	if err != nil {
		return "", err
	}
	pf, err := layout(bin, d)
	if err != nil {
		return "", err
	}
	top := fmt.Sprintf("headroom_%s_linux_%s", o.version, arch)
	path := filepath.Join(o.out, top+".tar.gz")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	mtime := modTime()
	for _, f := range pf {
		if f.tarPath == "" {
			continue
		}
		hdr := &tar.Header{Name: top + "/" + f.tarPath, Mode: int64(f.mode), Size: int64(len(f.data)),
			ModTime: mtime, Typeflag: tar.TypeReg, Uname: "root", Gname: "root", Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return "", err
		}
		if _, err := tw.Write(f.data); err != nil {
			return "", err
		}
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return path, os.WriteFile(path, buf.Bytes(), 0o644)
}

// writeDeb writes headroom_VERSION_ARCH.deb with nfpm. nfpm reads contents
// from disk, so the generated files are staged first.
func writeDeb(o options, arch, binPath string, d docs) (string, error) {
	bin, err := os.ReadFile(binPath)
	if err != nil {
		return "", err
	}
	pf, err := layout(bin, d)
	if err != nil {
		return "", err
	}
	stage := filepath.Join(o.out, "build", "deb_"+arch)
	mtime := modTime()
	var contents files.Contents
	for i, f := range pf {
		if f.debPath == "" {
			continue
		}
		src := filepath.Join(stage, strconv.Itoa(i)+"_"+filepath.Base(f.debPath))
		if err := os.MkdirAll(stage, 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(src, f.data, f.mode); err != nil {
			return "", err
		}
		contents = append(contents, &files.Content{Source: src, Destination: f.debPath,
			FileInfo: &files.ContentFileInfo{Mode: f.mode, MTime: mtime, Owner: "root", Group: "root"}})
	}
	info := nfpm.WithDefaults(&nfpm.Info{
		Name:       "headroom",
		Arch:       arch,
		Platform:   "linux",
		Version:    o.version,
		Section:    "admin",
		Priority:   "optional",
		Maintainer: "headroom developers <headroom@users.noreply.github.com>",
		Description: "live monitor for web-app servers that says whether to optimize or scale\n" +
			"A terminal dashboard like htop for the machines that run web applications\n" +
			"(gunicorn, uwsgi, nginx, Postgres, Redis), with an advisor that judges CPU,\n" +
			"memory, swap and disks over a window and suggests a worker count.",
		Homepage: "https://github.com/headroom-dev/headroom",
		MTime:    mtime,
		Overridables: nfpm.Overridables{
			Contents: contents,
			Suggests: []string{"bash-completion"},
		},
	})
	if err := nfpm.PrepareForPackager(info, "deb"); err != nil {
		return "", fmt.Errorf("deb for %s: %w", arch, err)
	}
	pkger, err := nfpm.Get("deb")
	if err != nil {
		return "", err
	}
	path := filepath.Join(o.out, pkger.ConventionalFileName(info))
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if err := pkger.Package(info, f); err != nil {
		f.Close()
		return "", fmt.Errorf("deb for %s: %w", arch, err)
	}
	return path, f.Close()
}
