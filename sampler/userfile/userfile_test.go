package userfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestOnlyRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{fifo: "is a named pipe, not a file", dir: "is a directory, not a file", "/dev/null": "is a device, not a file"} {
		if f, err := Open(path); err == nil || !IsNotRegular(err) || !strings.HasSuffix(err.Error(), path+": "+want) {
			t.Errorf("Open(%s) = %v, %v; want %q", path, f, err, want)
		}
	}
	// Written to: a pipe with no reader is refused at once, not waited on.
	if _, err := OpenFile(fifo, os.O_WRONLY|os.O_APPEND, 0); !IsNotRegular(err) {
		t.Errorf("OpenFile(fifo, O_WRONLY) = %v", err)
	}
	f, err := Open(plain)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if f, err = OpenFile(filepath.Join(dir, "new"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := Open(filepath.Join(dir, "missing")); !os.IsNotExist(err) || IsNotRegular(err) {
		t.Errorf("a missing file: %v", err)
	}
}
