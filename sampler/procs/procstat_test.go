package procs

import (
	"os"
	"testing"
)

func TestParseStat(t *testing.T) {
	b, err := os.ReadFile("../testdata/proc/4242/stat")
	if err != nil {
		t.Fatal(err)
	}
	f, err := parseStat(b)
	if err != nil {
		t.Fatal(err)
	}
	// The name holds a space and a ')': everything up to the last ')' is the name.
	if got := string(f.comm); got != "gunicorn: wor) ker" {
		t.Errorf("comm = %q", got)
	}
	if f.state != 'R' || f.ppid != 812 || f.ticks != 200 || f.start != 123456 || f.rss != 12800 {
		t.Errorf("got state %c ppid %d ticks %d start %d rss %d", f.state, f.ppid, f.ticks, f.start, f.rss)
	}
	for _, bad := range []string{"", "12 (x", "12 (x) S 1 2", "12 (x) S abc 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 0 10"} {
		if _, err := parseStat([]byte(bad)); err == nil {
			t.Errorf("parseStat(%q): no error", bad)
		}
	}
}

func TestParseKB(t *testing.T) {
	b, _ := os.ReadFile("../testdata/proc/4242/smaps_rollup")
	if v, ok := parseKB(b, "Pss"); !ok || v != 40960*1024 {
		t.Errorf("Pss = %d, %v; want %d", v, ok, 40960*1024)
	}
	if _, ok := parseKB(b, "Swap"); ok {
		t.Error("found a key that is not there")
	}
}

func TestCmdlineString(t *testing.T) {
	if got := cmdlineString([]byte("a\x00b c\x00\x1b[2J\tx\xff\x00"), "x"); got != "a b c \uFFFD[2J\uFFFDx\uFFFD" {
		t.Errorf("got %q", got)
	}
	if got := cmdlineString([]byte("headroom\x00--postgres\x00postgres://app:S3cr3t@127.0.0.1/db\x00"), "headroom"); got != "headroom --postgres postgres://app:xxxxx@127.0.0.1/db" {
		t.Errorf("a DSN's password is shown: %q", got)
	}
	if got := cmdlineString(nil, "kworker/0:1"); got != "[kworker/0:1]" {
		t.Errorf("kernel thread: got %q", got)
	}
}
