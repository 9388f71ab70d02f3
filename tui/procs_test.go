package tui

import (
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/headroom-dev/headroom/sampler"
)

func TestShortCmd(t *testing.T) {
	cases := map[string]string{
		"/usr/bin/python3 /usr/bin/gunicorn --chdir /app app.wsgi": "python3 gunicorn --chdir /app app.wsgi",
		"/usr/bin/python3.11 -m celery worker":                     "python3.11 -m celery worker",
		"/usr/sbin/nginx -g daemon off;":                           "nginx -g daemon off;",
		"[kworker/0:1]":                                            "[kworker/0:1]",
		"/bin/bash /tmp/x.sh":                                      "bash x.sh",
		"postgres: 15/main: checkpointer":                          "postgres: 15/main: checkpointer",
		"/tmp/headroom":                                            "headroom",
		"bash /dev/fd/3":                                           "bash /dev/fd/3",
	}
	for in, want := range cases {
		if got := shortCmd(in); got != want {
			t.Errorf("shortCmd(%q) = %q, want %q", in, got, want)
		}
	}
}

// Several runes in one message (fast typing, tmux send-keys) are keys one by one.
func TestRunesTogether(t *testing.T) {
	m := model(t, 120, 40, load(t, "cpu-ramp.jsonl")[:100])
	m = update(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/guni")})
	m = keys(m, "enter")
	if n := len(rowPIDs(plain(m))); n != 4 {
		t.Errorf("\"/guni\" in one message: %d rows, want the 4 gunicorn processes", n)
	}
}

func TestGroupKey(t *testing.T) {
	m := model(t, 120, 40, load(t, "cpu-ramp.jsonl")[:200])
	before := len(rowPIDs(plain(m)))
	m = keys(m, "g")
	v := plain(m)
	if !strings.Contains(v, "▸ gunicorn × 3") || !strings.Contains(v, "app groups, then by CPU") {
		t.Fatalf("no gunicorn group row, or a title that does not say the groups come first:\n%s", v)
	}
	if n := strings.Count(v, "python3 gunicorn"); n != 0 {
		t.Errorf("%d gunicorn process rows left while grouped", n)
	}
	if after := len(rowPIDs(v)); after >= before {
		t.Errorf("grouped: %d process rows, not fewer than the %d ungrouped", after, before)
	}
	for _, pid := range rowPIDs(v) {
		if pid == "7306" || pid == "7311" || pid == "7312" {
			t.Errorf("worker %s still has its own row while grouped", pid)
		}
	}
	if !regexp.MustCompile(`7299 root +\d+\.\d +\d+M .*▸ gunicorn × 3`).MatchString(v) {
		t.Errorf("group row not under the master's pid 7299:\n%s", v)
	}
	if v := plain(keys(m, "/", "w", "r", "k", "enter")); strings.Contains(v, "▸ gunicorn") || !strings.Contains(v, "wrk") {
		t.Error("a filter that matches no gunicorn process still shows the group")
	}
	if v := plain(keys(m, "/", "g", "u", "n", "i", "enter")); !strings.Contains(v, "▸ gunicorn") {
		t.Error("a filter matching gunicorn hides the group")
	}
	if v := plain(keys(m, "g")); strings.Contains(v, "▸ gunicorn") {
		t.Error("g again did not ungroup")
	}
}

func TestSortKeys(t *testing.T) {
	snaps := load(t, "cpu-ramp.jsonl")
	m := model(t, 120, 40, snaps[:200])
	last := snaps[199]
	byPIDWant := filterProcs(last.Procs, "")
	sortProcs(byPIDWant, byPID, false)
	got := rowPIDs(plain(keys(m, "p")))
	if len(got) < 5 {
		t.Fatalf("only %d rows", len(got))
	}
	for i := range got {
		if got[i] != itoa(byPIDWant[i].PID) {
			t.Fatalf("sorted by pid: row %d is %s, want %d", i, got[i], byPIDWant[i].PID)
		}
	}
	rev := rowPIDs(plain(keys(m, "p", "r")))
	if rev[0] != itoa(byPIDWant[len(byPIDWant)-1].PID) {
		t.Errorf("p r: first row %s, want the highest pid %d", rev[0], byPIDWant[len(byPIDWant)-1].PID)
	}
	if again := rowPIDs(plain(keys(m, "p", "p"))); again[0] != got[0] {
		t.Errorf("p twice: first row %s, want %s as after one p", again[0], got[0])
	}
	mem := rowPIDs(plain(keys(m, "m")))
	var top sampler.Process
	for _, p := range last.Procs {
		if p.RSS > top.RSS {
			top = p
		}
	}
	if mem[0] != itoa(top.PID) {
		t.Errorf("sorted by memory: first %s, want %d", mem[0], top.PID)
	}
	if v := plain(keys(m, "n")); !strings.Contains(v, "by name") {
		t.Error("name sort not shown in the table header")
	}
}

func TestFilter(t *testing.T) {
	snaps := load(t, "cpu-ramp.jsonl")
	m := model(t, 120, 40, snaps[:200])
	m = keys(m, "/", "g", "u", "n", "i")
	v := plain(m)
	if !strings.Contains(v, "/guni") {
		t.Error("filter input not shown in the footer")
	}
	m = keys(m, "enter")
	v = plain(m)
	rows := rowPIDs(v)
	if len(rows) != 4 {
		t.Errorf("filter gunicorn: %d rows, want 4 (master + 3 workers)\n%s", len(rows), v)
	}
	if !strings.Contains(v, `filter "guni"`) {
		t.Error("active filter not shown")
	}
	m = keys(m, "esc")
	if n := len(rowPIDs(plain(m))); n <= 4 {
		t.Errorf("esc did not clear the filter: %d rows", n)
	}
	// Keys typed into the filter are not commands.
	m = keys(m, "/", "q")
	if v := plain(m); !strings.Contains(v, "/q") {
		t.Error("q in the filter did not go into the filter")
	}
}

// rowPIDs are the PIDs of the process rows, top to bottom.
func rowPIDs(v string) []string {
	var out []string
	started := false
	for _, l := range strings.Split(v, "\n") {
		f := strings.Fields(strings.TrimPrefix(l, "›")) // the selected row's mark without colour
		if len(f) > 0 && f[0] == "PID" && !started {
			started = true
			continue
		}
		if started && len(f) > 0 && regexp.MustCompile(`^\d+$`).MatchString(f[0]) {
			out = append(out, f[0])
		}
	}
	return out
}

// Without colour the selected row is still marked, and it follows ↓.
func TestSelectionVisibleWithoutColour(t *testing.T) {
	m := model(t, 80, 24, load(t, "cpu-ramp.jsonl")[:100]) // the tests run in the Ascii profile
	marked := func(v string) int {
		for i, l := range strings.Split(v, "\n") {
			if strings.HasPrefix(l, "›") {
				return i
			}
		}
		return -1
	}
	first := marked(plain(m))
	if first < 0 {
		t.Fatalf("no row marked:\n%s", plain(m))
	}
	if next := marked(plain(keys(m, "j"))); next != first+1 { // j is ↓
		t.Errorf("after ↓ the mark is on line %d, want %d", next, first+1)
	}
}

// A table given no rows (a short terminal with many evidence lines) draws
// nothing rather than failing; otherwise it is padded or cut to its height.
func TestFitLinesToTheTableHeight(t *testing.T) {
	for _, c := range []struct {
		in   string
		h    int
		want string
	}{
		{"a\nb\nc", 0, ""},
		{"a\nb\nc", -2, ""},
		{"a\nb\nc", 2, "a\nb"},
		{"a", 3, "a\n  \n  "},
		{"a\nb", 2, "a\nb"},
	} {
		if got := fitLines(c.in, 2, c.h); got != c.want {
			t.Errorf("fitLines(%q, 2, %d) = %q, want %q", c.in, c.h, got, c.want)
		}
	}
}

// A group's row stands for the master and its workers: its PSS column is
// their sum (PSS adds up), and the median per worker is said in words.
func TestGroupRowSumsPSS(t *testing.T) {
	snaps := load(t, "cpu-ramp.jsonl")[:200]
	var sum uint64
	for _, p := range snaps[199].Procs {
		if p.PID == 7299 || p.PID == 7306 || p.PID == 7311 || p.PID == 7312 {
			sum += p.PSS
		}
	}
	v := plain(keys(model(t, 200, 60, snaps), "g"))
	row := ""
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, "▸ gunicorn") {
			row = l
		}
	}
	if want := bytesIEC(float64(sum)); sum == 0 || !strings.Contains(row, " "+want+" ") || !strings.Contains(row, "▸ gunicorn × 3, 39M PSS each") {
		t.Errorf("group row %q; want the summed PSS %s and the median per worker", row, want)
	}
}
