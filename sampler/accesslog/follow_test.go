package accesslog

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// appendTo writes s at the end of path, creating it when missing, as a
// log writer opened with O_APPEND does.
func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// poll polls once and returns the lines emitted, copied.
func poll(fl *Follower) ([]string, PollResult) {
	var lines []string
	res := fl.Poll(func(b []byte) { lines = append(lines, string(b)) })
	return lines, res
}

func newFollower(t *testing.T, path string, opt FollowOptions) *Follower {
	t.Helper()
	fl := NewFollower(path, opt)
	t.Cleanup(func() { fl.Close() })
	return fl
}

func expectLines(t *testing.T, fl *Follower, want ...string) PollResult {
	t.Helper()
	got, res := poll(fl)
	if len(got) != 0 || len(want) != 0 {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("lines %q, want %q", got, want)
		}
	}
	if res.Lines != len(got) {
		t.Errorf("result counts %d lines, %d emitted", res.Lines, len(got))
	}
	return res
}

func TestFollowFromEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	appendTo(t, path, "old 1\nold 2\n")
	fl := newFollower(t, path, FollowOptions{})
	expectLines(t, fl)
	appendTo(t, path, "new 1\nnew 2\r\n")
	expectLines(t, fl, "new 1", "new 2")
	if st, _ := fl.State(); st != Following {
		t.Errorf("state %q, want %q", st, Following)
	}
}

func TestFollowStartsMidLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	appendTo(t, path, "old 1\nold 2 half")
	fl := newFollower(t, path, FollowOptions{})
	appendTo(t, path, " rest\nnew\n")
	res := expectLines(t, fl, "new")
	if res.Overlong != 0 {
		t.Errorf("the cut line counted as overlong")
	}
}

func TestFollowKeepsPartialLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	appendTo(t, path, "")
	fl := newFollower(t, path, FollowOptions{})
	appendTo(t, path, "GET /a")
	expectLines(t, fl)
	appendTo(t, path, " 200")
	expectLines(t, fl)
	appendTo(t, path, " 0.001\nnext")
	expectLines(t, fl, "GET /a 200 0.001")
	appendTo(t, path, "\n")
	expectLines(t, fl, "next")
}

func TestFollowRenameAndCreate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	rotated := path + ".1"
	appendTo(t, path, "")
	fl := newFollower(t, path, FollowOptions{})
	appendTo(t, path, "a\n")
	expectLines(t, fl, "a")

	if err := os.Rename(path, rotated); err != nil {
		t.Fatal(err)
	}
	appendTo(t, rotated, "b\n")  // the server writes on until it reopens
	appendTo(t, path, "c\nd-pa") // logrotate's create, and the first lines after reopening
	res := expectLines(t, fl, "b", "c")
	if res.Rotations != 1 {
		t.Errorf("rotations %d, want 1", res.Rotations)
	}

	appendTo(t, rotated, "late\n") // a worker that reopened late
	appendTo(t, path, "rt\n")
	expectLines(t, fl, "late", "d-part")
	if fl.old == nil {
		t.Fatal("the rotated file was closed while still written")
	}
	expectLines(t, fl)
	if fl.old != nil {
		t.Error("the rotated file is still open after a poll without new lines")
	}
	appendTo(t, rotated, "too late\n")
	appendTo(t, path, "e\n")
	expectLines(t, fl, "e")
}

func TestFollowCopyTruncate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	appendTo(t, path, "")
	fl := newFollower(t, path, FollowOptions{})
	appendTo(t, path, "one\ntwo\nhalf")
	expectLines(t, fl, "one", "two")

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".1", data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path, "x\n")
	res := expectLines(t, fl, "x")
	if res.Truncations != 1 || res.Rotations != 0 {
		t.Errorf("truncations %d rotations %d, want 1 and 0", res.Truncations, res.Rotations)
	}
}

func TestFollowCopyTruncateWithoutAppend(t *testing.T) {
	// A writer without O_APPEND goes on at its old offset: the file gets a
	// hole of NULs before the next line.
	path := filepath.Join(t.TempDir(), "access.log")
	appendTo(t, path, "")
	fl := newFollower(t, path, FollowOptions{})
	appendTo(t, path, "one\ntwo\n")
	expectLines(t, fl, "one", "two")
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	expectLines(t, fl)
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("three\n"), 8); err != nil {
		t.Fatal(err)
	}
	f.Close()
	expectLines(t, fl, "three")
}

func TestFollowMissingThenCreated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logs", "access.log")
	fl := newFollower(t, path, FollowOptions{})
	if st, reason := fl.State(); st != Missing || reason != "" {
		t.Errorf("state %q %q, want %q", st, reason, Missing)
	}
	expectLines(t, fl)
	if err := os.Mkdir(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path, "first\nsecond\n")
	res := expectLines(t, fl, "first", "second") // a new file is read from its start
	if st, _ := fl.State(); st != Following || res.Rotations != 1 {
		t.Errorf("state %q rotations %d, want %q and 1", st, res.Rotations, Following)
	}
}

func TestFollowFileRemoved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	appendTo(t, path, "")
	fl := newFollower(t, path, FollowOptions{})
	appendTo(t, path, "a\n")
	expectLines(t, fl, "a")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	expectLines(t, fl)
	if st, _ := fl.State(); st != Missing {
		t.Errorf("state %q after removal, want %q", st, Missing)
	}
	expectLines(t, fl)
	if fl.old != nil || fl.cur != nil {
		t.Error("the removed file is still open")
	}
	appendTo(t, path, "b\n")
	expectLines(t, fl, "b")
}

func TestFollowBoundsLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	appendTo(t, path, "")
	fl := newFollower(t, path, FollowOptions{MaxLine: 10})
	appendTo(t, path, "short\n"+strings.Repeat("x", 25)+"\nok\n")
	res := expectLines(t, fl, "short", "ok")
	if res.Overlong != 1 {
		t.Errorf("overlong %d, want 1", res.Overlong)
	}
	// An overlong line arriving over several polls is counted once and
	// never held whole.
	appendTo(t, path, "yyyyyyyy")
	expectLines(t, fl)
	appendTo(t, path, "yyyyyyyy")
	res = expectLines(t, fl)
	appendTo(t, path, strings.Repeat("y", 1000))
	res2 := expectLines(t, fl)
	if res.Overlong+res2.Overlong != 1 || cap(fl.cur.partial) > 64 {
		t.Errorf("overlong %d, partial capacity %d", res.Overlong+res2.Overlong, cap(fl.cur.partial))
	}
	appendTo(t, path, "y\nafter\n")
	res = expectLines(t, fl, "after")
	if res.Overlong != 0 {
		t.Errorf("the end of the overlong line counted again")
	}
}

func TestFollowBoundsReadPerPoll(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	appendTo(t, path, "")
	fl := newFollower(t, path, FollowOptions{MaxRead: 8})
	appendTo(t, path, "line 1\nline 2\nline 3\n") // 21 bytes
	got, res := poll(fl)
	if res.Bytes != 8 || res.Lag != 13 || !reflect.DeepEqual(got, []string{"line 1"}) {
		t.Errorf("first poll: %d bytes, lag %d, lines %q", res.Bytes, res.Lag, got)
	}
	expectLines(t, fl, "line 2")
	expectLines(t, fl, "line 3")
	expectLines(t, fl)
}

func TestFollowSkipsHugeBacklog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	appendTo(t, path, "")
	fl := newFollower(t, path, FollowOptions{MaxBacklog: 16})
	appendTo(t, path, "aaaaaaaaaa\nbbbbbbbbbb\ncc")
	res := expectLines(t, fl)
	if res.SkippedBytes != 24 {
		t.Errorf("skipped %d bytes, want 24", res.SkippedBytes)
	}
	appendTo(t, path, "c\nd\n")
	expectLines(t, fl, "d")
}

func TestFollowNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fl := newFollower(t, dir, FollowOptions{})
	expectLines(t, fl)
	if st, reason := fl.State(); st != Unreadable || reason != "not a regular file" {
		t.Errorf("state %q %q, want %q and a reason", st, reason, Unreadable)
	}
}

func TestFollowUnreadableAtStartThenReadable(t *testing.T) {
	// A path that exists but cannot be read at the start is followed from
	// its end once it can be: its lines so far are history, not traffic.
	// (Tests run as root, so a directory stands in for a file without
	// permission.)
	path := filepath.Join(t.TempDir(), "access.log")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	fl := newFollower(t, path, FollowOptions{})
	if st, _ := fl.State(); st != Unreadable {
		t.Fatalf("state %q, want %q", st, Unreadable)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path, "history\n")
	expectLines(t, fl)
	appendTo(t, path, "new\n")
	expectLines(t, fl, "new")
}
