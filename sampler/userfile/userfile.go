// Package userfile opens the files a user names (a recording, a config, a
// log to append to, a targets list): regular files only. A named pipe
// opened the usual way blocks until something writes to it, past every
// signal but SIGKILL, and a device (/dev/zero) never ends; either named by
// mistake must be an error at once, not a hung command.
package userfile

import (
	"fmt"
	"os"
	"syscall"
)

// Open opens path for reading, refusing anything but a regular file.
func Open(path string) (*os.File, error) { return OpenFile(path, os.O_RDONLY, 0) }

// OpenFile is os.OpenFile refusing anything but a regular file (or a new
// one, with O_CREATE). The open itself does not wait: O_NONBLOCK makes a
// pipe with no writer open at once (to be refused), and means nothing for
// a regular file.
func OpenFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, flag|syscall.O_NONBLOCK, perm)
	if err != nil {
		if pe, ok := err.(*os.PathError); ok && pe.Err == syscall.ENXIO {
			return nil, &os.PathError{Op: "open", Path: path, Err: errNotRegular("a named pipe")}
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &os.PathError{Op: "open", Path: path, Err: errNotRegular(kind(fi.Mode()))}
	}
	return f, nil
}

// errNotRegular reads "is a named pipe, not a file".
type errNotRegular string

func (e errNotRegular) Error() string { return "is " + string(e) + ", not a file" }

// IsNotRegular reports whether err is Open's refusal of a file that is not
// a regular one.
func IsNotRegular(err error) bool {
	pe, ok := err.(*os.PathError)
	if !ok {
		return false
	}
	_, ok = pe.Err.(errNotRegular)
	return ok
}

func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return fmt.Sprintf("not a regular file (%v)", m.Type())
}
