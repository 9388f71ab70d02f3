package sqllog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func appendTo(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

func category(n int) string {
	return `(0.002) SELECT "lab_category"."id" FROM "lab_category" WHERE "lab_category"."id" = ` + strings.Repeat("1", n) + "; args=()\n"
}

func poll(t *testing.T, fl *Follower) Report {
	t.Helper()
	r, err := fl.Poll(0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestFollowerIntervals(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sql.log")
	appendTo(t, path, category(1)+category(2)) // before following: not counted
	fl, err := NewFollower(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	if r := poll(t, fl); r.Count != 0 || r.Lines != 0 {
		t.Fatalf("old lines counted: %+v", r)
	}

	// A line written in two pieces is read once it is whole.
	appendTo(t, path, category(3)+"(0.010) SELECT 2")
	if r := poll(t, fl); r.Count != 1 || r.Lines != 1 {
		t.Errorf("first interval: %d statements, %d lines", r.Count, r.Lines)
	}
	appendTo(t, path, "; args=()\nnot sql\n")
	r := poll(t, fl)
	if r.Count != 1 || r.Lines != 2 || r.Unparsed != 1 || r.Statements[0].TotalMS != 10 {
		t.Errorf("second interval: %+v", r)
	}

	// Each interval is its own: an N+1 shows in the interval it ran in.
	appendTo(t, path, strings.Repeat(category(1), NPlusOneRun)+"(0.001) SELECT 3; args=()\n")
	if r := poll(t, fl); len(r.NPlusOne) != 1 || r.NPlusOne[0].Run != NPlusOneRun || r.Count != NPlusOneRun+1 {
		t.Errorf("N+1 interval: %+v", r)
	}
	if r := poll(t, fl); r.Count != 0 || len(r.NPlusOne) != 0 {
		t.Errorf("quiet interval: %+v", r)
	}
}

func TestFollowerTruncationAndRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sql.log")
	appendTo(t, path, category(1)+category(2)+category(3))
	fl, err := NewFollower(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()

	// Truncated in place (copytruncate): read from the new start.
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path, category(4))
	if r := poll(t, fl); r.Count != 1 || !strings.HasSuffix(r.Statements[0].Example, "= 1111") {
		t.Errorf("after truncation: %+v", r)
	}

	// Rotated (rename, new file): the old file's last lines, then the new file from its start.
	appendTo(t, path, category(5))
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path, category(6)+category(7))
	if r := poll(t, fl); r.Count != 3 || r.Lines != 3 {
		t.Errorf("after rotation: %d statements, %d lines", r.Count, r.Lines)
	}
	appendTo(t, path, category(8))
	if r := poll(t, fl); r.Count != 1 {
		t.Errorf("new file not followed: %+v", r)
	}

	// Gone for a moment (between rename and create): an empty interval, no error.
	os.Rename(path, path+".2")
	if r := poll(t, fl); r.Count != 0 {
		t.Errorf("while gone: %+v", r)
	}
}

func TestFollowerErrors(t *testing.T) {
	if _, err := NewFollower(filepath.Join(t.TempDir(), "missing.log")); err == nil {
		t.Error("missing file: no error")
	}
	if _, err := NewFollower(t.TempDir()); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: %v", err)
	}
}
