package procs

import (
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Any local user can name a process, and fill its arguments, with escape
// sequences (prctl(PR_SET_NAME), exec). None of them may reach a Process
// raw: the dashboard and every report print these fields.
func TestProcTableHostileNames(t *testing.T) {
	root := copyTree(t, "testdata/hostile")
	tbl := NewTable(root, time.Time{})
	defer tbl.Close()
	tbl.lookupID = func(uid string) (*user.User, error) {
		return &user.User{Uid: uid, Username: "\x1b]2;root\x07evil"}, nil
	}
	const sub = "\uFFFD"
	procs, err := tbl.Sample(time.Unix(1000, 0))
	if err != nil {
		t.Fatal(err)
	}
	p, ok := find(procs, 6666)
	if !ok {
		t.Fatalf("hostile process not read: %+v", procs)
	}
	if want := sub + "]0;pwned" + sub; p.Name != want {
		t.Errorf("name = %q, want %q", p.Name, want)
	}
	if want := sub + "[5mminer --title " + sub + "]0;pwned" + sub + " " + sub + "1m " + sub + " café"; p.Cmd != want {
		t.Errorf("cmd = %q, want %q", p.Cmd, want)
	}
	if want := sub + "]2;root" + sub + "evil"; p.User != want {
		t.Errorf("user = %q, want %q", p.User, want)
	}
	k, _ := find(procs, 6667)
	if want := "[" + sub + "[2Jkthr]"; k.Cmd != want || k.Name != sub+"[2Jkthr" {
		t.Errorf("kernel thread = %q / %q, want cmd %q", k.Name, k.Cmd, want)
	}
	for _, p := range procs {
		for _, s := range []string{p.Name, p.Cmd, p.User} {
			if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || (r >= 0x7f && r <= 0x9f) }) || !utf8.ValidString(s) {
				t.Errorf("pid %d: raw control character in %q", p.PID, s)
			}
		}
	}

	// The next sample compares the kernel's name, not the cleaned one: a
	// hostile name is not taken for an exec (which re-reads the command line).
	os.WriteFile(filepath.Join(root, "6666/cmdline"), []byte("changed\x00"), 0o644)
	procs, _ = tbl.Sample(time.Unix(1001, 0))
	if p, _ := find(procs, 6666); !strings.HasSuffix(p.Cmd, " café") {
		t.Errorf("command line re-read although the process did not exec: %q", p.Cmd)
	}
}
