package saturation

import (
	"bufio"
	"errors"
	"os"
	"slices"
	"testing"
)

func TestParseOOMVictimsFromKmsg(t *testing.T) {
	// testdata/kmsg.txt holds /dev/kmsg records of two OOM kills (one in
	// a memory cgroup) among other messages, in the kernel's format.
	f, err := os.Open("testdata/kmsg.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if msg, ok := kmsgMessage(sc.Text()); ok {
			lines = append(lines, msg)
		}
	}
	want := []OOMVictim{{PID: 4242, Name: "gunicorn"}, {PID: 5151, Name: "celery worker"}}
	if got := parseOOMVictims(lines); !slices.Equal(got, want) {
		t.Errorf("victims = %+v, want %+v", got, want)
	}
}

func TestParseOOMVictimsOddNames(t *testing.T) {
	cases := map[string][]OOMVictim{
		"Out of memory: Killed process 77 (a) b) total-vm:10kB, anon-rss:1kB": {{77, "a) b"}},
		"Out of memory: Killed process 78 (esc\x1b[31m) total-vm:10kB":        {{78, "esc\uFFFD[31m"}},
		"oom-kill:constraint=CONSTRAINT_MEMCG,task=we,ird,pid=79,uid=0":       {{79, "we,ird"}},
		"Out of memory: Killed process x (broken) total-vm:1kB":               nil,
		"Out of memory: Killed process 80 no name":                            nil,
		"oom-kill:constraint=CONSTRAINT_NONE,task=nopid":                      nil,
		"oom_reaper: reaped process 4242 (gunicorn), now anon-rss:0kB":        nil,
	}
	for line, want := range cases {
		if got := parseOOMVictims([]string{line}); !slices.Equal(got, want) {
			t.Errorf("%q: %+v, want %+v", line, got, want)
		}
	}
}

func TestKmsgMessage(t *testing.T) {
	msg, ok := kmsgMessage("3,1024,5000000,-,caller=T12;Out of memory: Killed process 1 (x) total-vm:1kB\n SUBSYSTEM=mem\n")
	if !ok || msg != "Out of memory: Killed process 1 (x) total-vm:1kB" {
		t.Errorf("kmsgMessage = %q, %v", msg, ok)
	}
	if _, ok := kmsgMessage("no separator"); ok {
		t.Error("record without ';' accepted")
	}
}

// TestKmsgNeverBlocks opens the machine's /dev/kmsg: either it is
// readable and two reads return at once (the second has nothing new
// unless the kernel just logged), or it is not and the error is kept.
func TestKmsgNeverBlocks(t *testing.T) {
	k := &Kmsg{Path: "/dev/kmsg"}
	t.Cleanup(func() { k.Close() })
	_, err1 := k.NewLines()
	_, err2 := k.NewLines()
	if (err1 == nil) != (err2 == nil) {
		t.Errorf("errors differ between reads: %v, then %v", err1, err2)
	}
	if err1 != nil && !errors.Is(err1, os.ErrPermission) && !errors.Is(err1, os.ErrNotExist) {
		t.Errorf("unexpected error: %v", err1)
	}
}

func TestKmsgMissingDevice(t *testing.T) {
	k := &Kmsg{Path: t.TempDir() + "/kmsg"}
	if _, err := k.NewLines(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("NewLines on a missing device: %v, want not-exist", err)
	}
	if err := k.Close(); err != nil {
		t.Errorf("Close of an unopened Kmsg: %v", err)
	}
}

func FuzzParseOOMVictims(f *testing.F) {
	f.Add("Out of memory: Killed process 4242 (gunicorn) total-vm:812345kB")
	f.Add("oom-kill:constraint=CONSTRAINT_NONE,task=gunicorn,pid=4242,uid=33")
	f.Fuzz(func(t *testing.T, line string) {
		for _, v := range parseOOMVictims([]string{line}) {
			if v.PID <= 0 || clean(v.Name) != v.Name {
				t.Errorf("victim %+v from %q: want a pid and a cleaned name", v, line)
			}
		}
	})
}
