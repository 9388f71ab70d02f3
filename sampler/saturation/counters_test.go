package saturation

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseNetstat(t *testing.T) {
	b, err := os.ReadFile("testdata/t1/net/netstat")
	if err != nil {
		t.Fatal(err)
	}
	o, d, err := parseNetstat(b, "netstat")
	// testdata/proc/net/netstat was recorded with both at 0; t1 adds 3 and 5.
	if err != nil || o != 3 || d != 5 {
		t.Errorf("parseNetstat = %d, %d, %v; want 3, 5", o, d, err)
	}
	bad := map[string]string{
		"no TcpExt":        "Ip: Forwarding\nIp: 1\n",
		"names only":       "TcpExt: ListenOverflows ListenDrops\n",
		"count mismatch":   "TcpExt: ListenOverflows ListenDrops\nTcpExt: 1\n",
		"not a number":     "TcpExt: ListenOverflows ListenDrops\nTcpExt: 1 x\n",
		"fields not there": "TcpExt: SyncookiesSent\nTcpExt: 1\n",
	}
	for name, in := range bad {
		if _, _, err := parseNetstat([]byte(in), "netstat"); err == nil || !strings.Contains(err.Error(), "netstat") {
			t.Errorf("%s: err = %v, want one naming the file", name, err)
		}
	}
}

func TestParseOOMKill(t *testing.T) {
	b, err := os.ReadFile("testdata/t1/vmstat")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := parseOOMKill(b, "vmstat"); err != nil || n != 1 {
		t.Errorf("parseOOMKill = %d, %v; want 1", n, err)
	}
	for _, in := range []string{"nr_free_pages 1\n", "oom_kill x\n", "oom_killer 3\n"} {
		if _, err := parseOOMKill([]byte(in), "vmstat"); err == nil {
			t.Errorf("parseOOMKill(%q) gave no error", in)
		}
	}
}

func TestParseDiskstats(t *testing.T) {
	b, err := os.ReadFile("testdata/proc/diskstats")
	if err != nil {
		t.Fatal(err)
	}
	ticks, err := parseDiskstats(b, "diskstats")
	if err != nil {
		t.Fatal(err)
	}
	// io_ticks is the 13th column: vda's line ends "... 0 4436 14103 ..." as recorded.
	if ticks["vda"] == 0 || ticks["vda1"] != 4400 {
		t.Errorf("io_ticks vda %d vda1 %d, want recorded value and 4400", ticks["vda"], ticks["vda1"])
	}
	if _, err := parseDiskstats([]byte("8 0 sda 1 2 3\n"), "diskstats"); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("short line: err = %v, want one naming line 1", err)
	}
	if _, err := parseDiskstats([]byte("8 0 sda 1 2 3 4 5 6 7 8 9 x 11 12\n"), "diskstats"); err == nil {
		t.Error("bad io_ticks gave no error")
	}
}

func TestDiskBusyUnderAMillisecond(t *testing.T) {
	// Two reads 0.4 ms apart: no tick passed, the disk is idle (not absent).
	got := diskBusy(map[string]uint64{"sda": 7}, map[string]uint64{"sda": 7}, 400*time.Microsecond)
	if len(got) != 1 || got[0] != (DiskBusy{"sda", 0}) {
		t.Errorf("diskBusy = %+v, want sda 0 %%", got)
	}
}

func TestDiskBusyLeavesOutNewDisks(t *testing.T) {
	got := diskBusy(map[string]uint64{"sda": 100}, map[string]uint64{"sda": 600, "sdb": 5}, 2*time.Second)
	if len(got) != 1 || got[0] != (DiskBusy{"sda", 25}) {
		t.Errorf("diskBusy = %+v, want sda 25 %% only", got)
	}
}

func TestReadFileNr(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]struct {
		in        string
		used, max uint64
		ok        bool
	}{
		"modern":     {"1458\t0\t2466190\n", 1458, 2466190, true},
		"with free":  {"2000 500 100000\n", 1500, 100000, true},
		"two fields": {"1 2\n", 0, 0, false},
		"negative":   {"-1 0 5\n", 0, 0, false},
		"free > all": {"5 6 7\n", 0, 0, false},
	}
	for name, c := range cases {
		p := filepath.Join(dir, "file-nr")
		if err := os.WriteFile(p, []byte(c.in), 0o644); err != nil {
			t.Fatal(err)
		}
		used, max, err := readFileNr(p)
		if (err == nil) != c.ok || used != c.used || max != c.max {
			t.Errorf("%s: %d, %d, %v; want %d, %d, ok %v", name, used, max, err, c.used, c.max, c.ok)
		}
	}
}

func TestParseMaxOpenFiles(t *testing.T) {
	for _, c := range []struct {
		file string
		want uint64
		ok   bool
	}{
		{"testdata/proc/201/limits", 20000, true},
		{"testdata/proc/401/limits", 64, true},
		{"testdata/proc/402/limits", 0, false},
	} {
		b, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		if n, ok := parseMaxOpenFiles(b); n != c.want || ok != c.ok {
			t.Errorf("%s: %d, %v; want %d, %v", c.file, n, ok, c.want, c.ok)
		}
	}
	if _, ok := parseMaxOpenFiles([]byte("Max processes 10 10 processes\n")); ok {
		t.Error("limits without the open files line read as a limit")
	}
}

func TestCleanReplacesControlCharacters(t *testing.T) {
	for in, want := range map[string]string{
		"gunicorn":           "gunicorn",
		"evil\x1b[2Jname":    "evil\uFFFD[2Jname",
		"tab\there":          "tab\uFFFDhere",
		"bad\xffutf8":        "bad\uFFFDutf8",
		"c1 \u009b csi":      "c1 \uFFFD csi",
		"ünïcode is fine 名前": "ünïcode is fine 名前",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseNetstat(f *testing.F) {
	f.Add([]byte("TcpExt: ListenOverflows ListenDrops\nTcpExt: 3 5\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		// Bad input is an error, never a panic, and never a made-up value.
		if _, _, err := parseNetstat(b, "netstat"); err == nil && !bytes.Contains(b, []byte("ListenDrops")) {
			t.Errorf("netstat without ListenDrops parsed: %q", b)
		}
		if ticks, err := parseDiskstats(b, "diskstats"); err == nil {
			for name := range ticks {
				if name == "" || !bytes.Contains(b, []byte(name)) {
					t.Errorf("device %q not in the input", name)
				}
			}
		}
		if _, err := parseOOMKill(b, "vmstat"); err == nil && !bytes.Contains(b, []byte("oom_kill ")) {
			t.Errorf("vmstat without oom_kill parsed: %q", b)
		}
		if n, ok := parseMaxOpenFiles(b); ok && n == 0 {
			t.Errorf("a zero limit read as a limit: %q", b)
		}
	})
}
