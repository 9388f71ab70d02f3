package tui

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/advisor/pipeline"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/recording"
)

func init() {
	// Pinned so goldens do not depend on the terminal or zone the tests run in.
	lipgloss.SetColorProfile(termenv.Ascii)
	time.Local = time.UTC
}

func load(t testing.TB, name string) []sampler.Snapshot {
	t.Helper()
	rec, err := recording.ReadFile("../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Snapshots
}

// pipelines are the test pipelines behind each model's History.
var pipelines = map[*sampler.History]*pipeline.Pipeline{}

// newModel builds a dashboard over a fresh pipeline, as cmd does.
func newModel(o Options) Model {
	if o.Rules.Metrics == nil {
		o.Rules = advisor.DefaultRules()
	}
	p := pipeline.New(nil, o.Rules, time.Second)
	pipelines[p.History()] = p
	o.History = p.History()
	return New(o)
}

// model builds a dashboard of the given size fed with snaps, without a Program.
func model(t testing.TB, w, h int, snaps []sampler.Snapshot) Model {
	t.Helper()
	m := newModel(Options{Theme: "mono", Host: "lab"})
	m = update(m, tea.WindowSizeMsg{Width: w, Height: h})
	return feed(m, snaps)
}

// judged runs a snapshot through the model's pipeline and returns what the
// dashboard's feed carries.
func judged(m Model, s sampler.Snapshot) FeedItem {
	u := pipelines[m.hist].Push(s)
	return FeedItem{Seq: u.Seq, Snapshot: &u.Snapshot, Advice: &u.Advice}
}

// feed hands each snapshot to the model as the pipeline would.
func feed(m Model, snaps []sampler.Snapshot) Model {
	for _, s := range snaps {
		m = update(m, feedMsg(judged(m, s)))
	}
	return m
}

func update(m Model, msg tea.Msg) Model {
	nm, _ := m.Update(msg)
	return *nm.(*Model)
}

func keys(m Model, ks ...string) Model {
	for _, k := range ks {
		var msg tea.KeyMsg
		switch k {
		case "left":
			msg = tea.KeyMsg{Type: tea.KeyLeft}
		case "right":
			msg = tea.KeyMsg{Type: tea.KeyRight}
		case "esc":
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "end":
			msg = tea.KeyMsg{Type: tea.KeyEnd}
		case "space":
			msg = tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		m = update(m, msg)
	}
	return m
}

func plain(m Model) string { return ansi.Strip(m.View()) }

// checkFrame asserts the frame is exactly w×h cells: nothing overflows or wraps.
func checkFrame(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("frame has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide, over %d: %q", i+1, n, w, ansi.Strip(l))
		}
	}
}

func TestPanelsGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		file string
		n    int
		w, h int
	}{
		{"idle_80x24", "idle.jsonl", 120, 80, 24},
		{"ramp_80x24", "cpu-ramp.jsonl", 240, 80, 24},
		{"ramp_200x60", "cpu-ramp.jsonl", 240, 200, 60},
		{"memory_120x40", "memory-pressure.jsonl", 150, 120, 40},
	} {
		t.Run(c.name, func(t *testing.T) {
			snaps := load(t, c.file)
			m := model(t, c.w, c.h, snaps[:min(c.n, len(snaps))])
			checkFrame(t, m.View(), c.w, c.h)
			golden.RequireEqual(t, []byte(plain(m)))
		})
	}
}

func TestEssentialsAt80x24(t *testing.T) {
	snaps := load(t, "cpu-ramp.jsonl")
	m := model(t, 80, 24, snaps[:240])
	v := plain(m)
	for _, want := range []string{"headroom", "load ", "2 cores", "CPU", "MEM", "SWP", "DSK", "ADVISOR", "PID", "USER", "CPU%", "COMMAND",
		"suggest", "q quit", "gunicorn"} {
		if !strings.Contains(v, want) {
			t.Errorf("80x24 frame lacks %q", want)
		}
	}
	// Findings carry their numbers: now, mean, threshold, share above.
	if !regexp.MustCompile(`cpu +\d+% avg +\d+ ≥\d+ +\d+%`).MatchString(v) {
		t.Errorf("no cpu finding line with numbers:\n%s", v)
	}
}

func TestLargerTerminalShowsMore(t *testing.T) {
	snaps := load(t, "cpu-ramp.jsonl")
	small, large := plain(model(t, 80, 24, snaps[:100])), plain(model(t, 200, 60, snaps[:100]))
	for _, want := range []string{"NET", "I/O", "cores 0", "load/core", "PSS", "MEM%"} {
		if strings.Contains(small, want) || !strings.Contains(large, want) {
			t.Errorf("%q: in 80x24 %v, in 200x60 %v; want only in the large one", want, strings.Contains(small, want), strings.Contains(large, want))
		}
	}
	if strings.Count(large, "\n") <= strings.Count(small, "\n") {
		t.Error("the large frame has no more rows")
	}
}

// Down to 20x5 the too-small message keeps the size needed and the quit key.
func TestTooSmallWraps(t *testing.T) {
	for _, size := range [][2]int{{40, 10}, {30, 6}, {20, 5}} {
		m := model(t, size[0], size[1], load(t, "idle.jsonl")[:3])
		v := plain(m)
		checkFrame(t, m.View(), size[0], size[1])
		if !strings.Contains(v, "80x24") || !strings.Contains(v, "q") || strings.Contains(v, "…") {
			t.Errorf("%dx%d:\n%s", size[0], size[1], v)
		}
	}
}

func TestTooSmall(t *testing.T) {
	m := model(t, 70, 20, load(t, "idle.jsonl")[:5])
	v := plain(m)
	if !strings.Contains(v, "at least 80x24") || !strings.Contains(v, "70x20") {
		t.Errorf("too-small message: %q", v)
	}
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if v := plain(m); strings.Contains(v, "at least") || !strings.Contains(v, "ADVISOR") {
		t.Error("not restored after growing")
	}
}

func itoa(p int32) string { return strconv.Itoa(int(p)) }

func TestPauseAndScrub(t *testing.T) {
	snaps := load(t, "cpu-ramp.jsonl")
	m := model(t, 120, 40, snaps[:200])
	live := plain(m)
	m = keys(m, "space")
	if !strings.Contains(plain(m), "PAUSED") {
		t.Fatal("space did not pause")
	}
	// Sampling goes on underneath; the screen stays on the paused moment
	// (only the header's "how far back" grows).
	body := func(v string) string { return strings.SplitN(v, "\n", 2)[1] }
	paused := plain(m)
	if body(paused) != body(live) {
		t.Error("pausing changed what the screen shows below the header")
	}
	m = update(m, feedMsg(judged(m, snaps[200])))
	if body(plain(m)) != body(paused) {
		t.Error("the paused screen changed when a sample arrived")
	}
	if !strings.Contains(firstLine(plain(m)), "PAUSED -1s") {
		t.Errorf("header: %s", firstLine(plain(m)))
	}
	if m.hist.Len() != 201 {
		t.Errorf("history has %d snapshots; sampling must go on while paused", m.hist.Len())
	}
	m = keys(m, "left", "left", "left")
	v := plain(m)
	if !strings.Contains(v, "PAUSED -4s") {
		t.Errorf("after 3 steps back from a 1-sample-old pause, want -4s:\n%s", firstLine(v))
	}
	want := snaps[196].Time.Format("15:04:05")
	if !strings.Contains(firstLine(v), want) {
		t.Errorf("header shows %q, want the scrubbed-to time %s", firstLine(v), want)
	}
	m = keys(m, "right")
	if !strings.Contains(plain(m), "PAUSED -3s") {
		t.Error("→ did not move forward")
	}
	m = keys(m, "space")
	v = plain(m)
	if strings.Contains(v, "PAUSED") || !strings.Contains(firstLine(v), snaps[200].Time.Format("15:04:05")) {
		t.Errorf("unpause did not return to live: %s", firstLine(v))
	}
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

func TestHelpAndQuit(t *testing.T) {
	m := model(t, 80, 24, load(t, "idle.jsonl")[:10])
	m = keys(m, "?")
	v := plain(m)
	for _, k := range DefaultKeyMap().FullHelp() {
		for _, b := range k {
			if b.Help().Key == "G" {
				continue // offered where it goes somewhere: TestGoToInHelpOnlyWhereItWorks
			}
			if !strings.Contains(v, b.Help().Desc) {
				t.Errorf("help screen lacks %q", b.Help().Desc)
			}
		}
	}
	m = keys(m, "?")
	if strings.Contains(plain(m), "Keys") {
		t.Error("? did not close help")
	}
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	if cmd == nil {
		t.Fatal("q returned no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("q does not quit")
	}
}

func TestThemeCycleAndColour(t *testing.T) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	snaps := load(t, "cpu-ramp.jsonl")
	m := newModel(Options{Theme: "dark", Host: "lab"})
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = feed(m, snaps[:150])
	if !strings.Contains(m.View(), "\x1b[38;2;") {
		t.Fatal("dark theme on a true-colour terminal has no colour")
	}
	seen := map[string]bool{}
	for i := 0; i < 4; i++ {
		m = keys(m, "t")
		seen[m.status] = true
	}
	if len(seen) != 4 {
		t.Errorf("t cycled through %d themes, want 4: %v", len(seen), seen)
	}
	// NO_COLOR selects the Ascii profile: no escape sequences at all.
	lipgloss.SetColorProfile(termenv.Ascii)
	m = keys(m, "t")
	if strings.Contains(m.View(), "\x1b[") {
		t.Error("escape sequences with colour turned off")
	}
}

// Whole program: teatest at a fixed size, samples injected as messages.
func TestProgramGolden(t *testing.T) {
	snaps := load(t, "cpu-ramp.jsonl")
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(itoa(int32(size[0]))+"x"+itoa(int32(size[1])), func(t *testing.T) {
			m := newModel(Options{Theme: "mono", Host: "lab"})
			prog := m // the program's own copy: the test goes on reading m
			tm := teatest.NewTestModel(t, &prog, teatest.WithInitialTermSize(size[0], size[1]))
			for _, s := range snaps[:230] {
				tm.Send(feedMsg(judged(m, s)))
			}
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
				return bytes.Contains(b, []byte(snaps[229].Time.Format("15:04:05")))
			}, teatest.WithDuration(10*time.Second))
			tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
			fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
			checkFrame(t, fm.View(), size[0], size[1])
			golden.RequireEqual(t, []byte(plain(*fm)))
		})
	}
}

// Before the first sample there is no frame of zeros.
func TestNoZerosBeforeFirstSample(t *testing.T) {
	m := model(t, 80, 24, nil)
	v := plain(m)
	if !strings.Contains(v, "sampling…") || strings.Contains(v, "0.0%") || strings.Contains(v, "ADVISOR") {
		t.Errorf("frame before the first sample:\n%s", v)
	}
	checkFrame(t, m.View(), 80, 24)
}

// A long host name and the paused marker never push the clock off an
// 80-column header.
func TestHeaderFits(t *testing.T) {
	snaps := load(t, "cpu-ramp.jsonl")
	m := newModel(Options{Theme: "mono", Host: "web-production-eu-west-1a-7f9c4d", Replay: true, ReplaySpeed: 20})
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = feed(m, snaps[:30])
	for _, v := range []string{plain(m), plain(keys(m, "space", "left"))} {
		h := firstLine(v)
		if !strings.Contains(h, snaps[29].Time.Format("15:04")) || !strings.Contains(h, "load ") || ansi.StringWidth(h) != 80 {
			t.Errorf("header: %q", h)
		}
	}
}

func TestBaselineKey(t *testing.T) {
	snaps := load(t, "cpu-ramp.jsonl")
	m := model(t, 120, 40, snaps[:100])
	m = feed(keys(m, "b"), snaps[100:200])
	v := plain(m)
	want := "since " + snaps[99].Time.Format("15:04:05") + " · cpu +"
	if !strings.Contains(v, want) || !strings.Contains(v, "↑100") {
		t.Errorf("no change-since-baseline line %q:\n%s", want, v)
	}
	sess := m.Session()
	if len(sess.Snaps) != 200 || !sess.Baseline.Equal(snaps[99].Time) {
		t.Errorf("session: %d snaps, baseline %v", len(sess.Snaps), sess.Baseline)
	}
}

// On a tall screen each chart's label shows the change since the baseline.
func TestBaselineInChartLabels(t *testing.T) {
	snaps := load(t, "cpu-ramp.jsonl")
	m := model(t, 160, 60, snaps[:30])
	m = feed(keys(m, "b"), snaps[30:200])
	v := plain(m)
	if !regexp.MustCompile(`(?m)^\+\d+ ↑100 `).MatchString(v) {
		t.Errorf("no \"+N ↑100\" under the CPU label:\n%s", v)
	}
}

func TestAppsInAdvisorPanel(t *testing.T) {
	v := plain(model(t, 200, 60, load(t, "cpu-ramp.jsonl")[:200]))
	if !regexp.MustCompile(`APPS[\s\S]*gunicorn +7299 +3w cpu`).MatchString(v) {
		t.Errorf("no apps in the advisor panel at 200x60:\n%s", v)
	}
	if v := plain(model(t, 80, 24, load(t, "cpu-ramp.jsonl")[:200])); strings.Contains(v, "APPS") {
		t.Error("apps squeezed into the 80x24 advisor panel")
	}
}

// On a replay, pausing holds the recording (it does not play on unseen)
// and returning to live lets it play on: every way in and out says so.
func TestPauseHoldsAReplay(t *testing.T) {
	snaps := load(t, "cpu-ramp.jsonl")
	var calls []bool
	m := newModel(Options{Theme: "mono", Replay: true, PauseReplay: func(p bool) { calls = append(calls, p) }})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m = keys(m, "space") // nothing shown yet: nothing to pause
	m = feed(m, snaps[:30])
	m = keys(m, "space", "space", "left", "left", "end")
	if want := []bool{true, false, true, false}; fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("PauseReplay calls %v; want %v", calls, want)
	}
}

// The reversed order is said in words, the same for every sort key.
func TestReversedSortSaysSo(t *testing.T) {
	m := model(t, 120, 40, load(t, "cpu-ramp.jsonl")[:20])
	if v := plain(keys(m, "r")); !strings.Contains(v, "by CPU, reversed") {
		t.Errorf("r: no 'reversed' in the title:\n%s", v)
	}
	if v := plain(keys(m, "n", "r")); !strings.Contains(v, "by name, reversed") {
		t.Errorf("n r: no 'reversed' in the title:\n%s", v)
	}
	// A sort key pressed again (or after r) sorts in its own order again.
	for _, k := range [][]string{{"c"}, {"c", "c"}, {"r", "c"}} {
		if v := plain(keys(m, k...)); strings.Contains(v, "reversed") || !strings.Contains(v, "by CPU") {
			t.Errorf("%v: the title says reversed, or not by CPU:\n%s", k, v)
		}
	}
}

// The change since the baseline names its units: % for CPU and memory.
func TestSinceBaselineHasUnits(t *testing.T) {
	snaps := load(t, "cpu-ramp.jsonl")
	m := model(t, 200, 60, snaps[:10])
	m = feed(keys(m, "b"), snaps[10:60])
	if v := plain(m); !regexp.MustCompile(`since \d\d:\d\d:\d\d · cpu [+-]\d+ ↑\d+% · mem [+-]\d+ ↑\d+%`).MatchString(v) {
		t.Errorf("no units in the since line:\n%s", v)
	}
}

// Paused at the newest moment, the header says PAUSED alone: "live" read
// wrong on a replay, and is not what a pause is.
func TestPausedAtTheNewestSaysNoAge(t *testing.T) {
	m := model(t, 120, 40, load(t, "cpu-ramp.jsonl")[:20])
	if h := firstLine(plain(keys(m, "space"))); !strings.Contains(h, "⏸ PAUSED") || strings.Contains(h, "live") {
		t.Errorf("header %q", h)
	}
}
