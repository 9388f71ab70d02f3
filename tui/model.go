// Package tui is headroom's dashboard: bubbletea models only. Judged
// snapshots arrive as messages from the pipeline the caller runs; each panel
// (header, charts, advisor, processes, footer) is a component with a size
// and a typed input that redraws only when they change; the root model lays
// them out and routes keys.
package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/themes"
)

// FeedItem is one thing the pipeline reports: a judged snapshot (its
// sequence number in History, the snapshot with every process, and the
// advice), a status line (such as an --on-change failure), or the end.
type FeedItem struct {
	Seq      uint64
	Snapshot *sampler.Snapshot
	Advice   *advisor.Advice
	Status   string
	Alert    string // a status that stays: something stopped working
	Err      error
	Ended    bool // the source has no more snapshots (a recording's end)
}

// Options configure the dashboard.
type Options struct {
	Feed <-chan FeedItem
	// History is the pipeline's: the dashboard reads it, never adds to it.
	History  *sampler.History
	Rules    advisor.Rules
	Theme    string // a themes.Names() entry
	Interval time.Duration
	Host     string
	// Replay labels the screen as a replay (with its speed) instead of live.
	Replay      bool
	ReplaySpeed float64
	Status      string // shown in the footer at start, e.g. "recording to x.jsonl"
	ProbeURL    string // --probe: a latency chart is shown
	Keys        KeyMap
	GoTo        GoToFunc   // a replay that can jump to a time (G); nil otherwise
	Rewind      RewindFunc // a replay that can refill History before its oldest (←); nil otherwise
	// PauseReplay holds a replay while the screen is paused (true) and
	// lets it play on from there (false); nil for a live dashboard, which
	// goes on sampling.
	PauseReplay func(paused bool)
	// ParseTime reads the go-to prompt (G) of a live dashboard, which goes
	// to a moment of the history it holds; nil: G goes nowhere.
	ParseTime func(when string, onScreen time.Time) (time.Time, error)
}

type feedMsg FeedItem

// Model is the root dashboard model.
type Model struct {
	opts     Options
	keys     KeyMap
	hist     *sampler.History
	styles   *themes.Styles
	styleGen int
	themeIdx int

	width, height int
	lay           layout

	live       sampler.Snapshot // newest snapshot, with every process
	liveSeq    uint64
	liveAdvice advisor.Advice
	hasAny     bool

	paused bool
	cursor uint64         // the sequence number paused at
	rw     rewind         // a refill of History asked for by ←
	advice advisor.Advice // the advice on screen: live, or of the moment paused at

	baselineAt time.Time // b: the moment load-test figures are compared with
	showHelp   bool
	status     string
	// transient: status answers a key (a theme, a go-to, a scrub hint) and
	// goes once it is stale: statusKeep samples after it was said, or on
	// return to live; statuses from the feed (a failing hook, the end of a
	// recording) stay until replaced.
	transient bool
	statusSeq uint64
	alert     string // stays on the footer once set
	since     struct {
		key  sinceKey
		text string
	} // the since-baseline line of the moment shown
	ended bool

	header  headerPanel
	charts  chartsPanel
	side    advisorPanel
	procs   procsPanel
	jump    gotoPrompt
	footer  footerPanel
	frame   string // View returns it
	topView string // the charts and advisor block, joined
}

// New builds the dashboard model.
func New(o Options) Model {
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.Keys.Quit.Keys() == nil {
		o.Keys = DefaultKeyMap()
	}
	if o.History == nil {
		o.History = sampler.NewHistoryFor(o.Interval)
	}
	if o.GoTo == nil && o.ParseTime == nil {
		o.Keys.GoTo.SetEnabled(false) // the help screen does not offer it
	}
	m := Model{opts: o, keys: o.Keys, hist: o.History, status: o.Status}
	for i, n := range themes.Names() {
		if n == o.Theme {
			m.themeIdx = i
		}
	}
	m.charts.hist = o.History
	m.charts.sla = int(o.Rules.SLA.Milliseconds())
	m.procs = newProcsPanel(o.Keys)
	m.footer = newFooterPanel(o.Keys)
	m.jump = newGotoPrompt()
	m.applyTheme()
	return m
}

// Init starts reading the feed.
func (m Model) Init() tea.Cmd {
	return waitFeed(m.opts.Feed)
}

// waitFeed reads one item from the feed: async work enters only as messages.
func waitFeed(ch <-chan FeedItem) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		return feedMsg(<-ch)
	}
}

// Update handles a message and re-renders what it changed.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.render()
		return m, nil
	case feedMsg:
		m.onFeed(FeedItem(msg))
		m.render()
		return m, waitFeed(m.opts.Feed)
	case tea.KeyMsg:
		return keyByKey(m, msg, func(m *Model, k tea.KeyMsg) (tea.Model, tea.Cmd) { return m.onKey(k) })
	}
	return m, nil
}

// keyByKey hands k to onKey one key at a time: keys typed faster than a
// read (or sent by tmux send-keys) arrive as one message with several
// runes, and "/gun" is the filter key followed by "gun".
func keyByKey[M tea.Model](m M, k tea.KeyMsg, onKey func(M, tea.KeyMsg) (tea.Model, tea.Cmd)) (tea.Model, tea.Cmd) {
	if k.Type != tea.KeyRunes || len(k.Runes) < 2 || k.Paste {
		return onKey(m, k)
	}
	var cmds []tea.Cmd
	var next tea.Model = m
	for _, r := range k.Runes {
		var cmd tea.Cmd
		next, cmd = onKey(next.(M), tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		cmds = append(cmds, cmd)
	}
	return next, tea.Batch(cmds...)
}

func (m *Model) onFeed(it FeedItem) {
	if it.Status != "" {
		m.status, m.transient = it.Status, false
	}
	if it.Alert != "" {
		m.alert = it.Alert
	}
	if it.Ended {
		m.ended = true
		m.status, m.transient = "end of the recording: space pauses, ←/→ scrub, q quits", false
	}
	if it.Err != nil {
		m.status, m.transient = "sampling stopped: "+it.Err.Error(), false
	}
	if it.Snapshot == nil || it.Advice == nil {
		m.rw.want = time.Time{} // a failed refill is said, and scrubbing goes on
		return
	}
	m.live, m.liveSeq, m.liveAdvice, m.hasAny = *it.Snapshot, it.Seq, *it.Advice, true
	if m.transient && !m.paused && m.liveSeq >= m.statusSeq+statusKeep {
		m.status, m.transient = "", false
	}
	if m.settleRewind(it) {
		return
	}
	if !m.paused {
		m.advice = m.liveAdvice
	} else if oldest, _ := m.hist.Span(); m.cursor < oldest {
		m.cursor = oldest // the moment paused at fell out: keep to the oldest held
		m.adviseAt(m.cursor)
	}
}

func (m *Model) onKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	if m.procs.Editing() {
		if k.Type == tea.KeyCtrlC {
			return m, tea.Quit
		}
		cmd, _ := m.procs.Update(k)
		m.render()
		return m, cmd
	}
	if m.jump.active {
		cmd := m.onGotoKey(k)
		m.render()
		return m, cmd
	}
	var cmd tea.Cmd
	switch {
	case key.Matches(k, m.keys.Quit):
		return m, tea.Quit
	case key.Matches(k, m.keys.Help):
		m.showHelp = !m.showHelp
	case key.Matches(k, m.keys.ClearOrEsc):
		if m.showHelp {
			m.showHelp = false
		} else {
			m.procs.ClearFilter()
		}
	case m.showHelp:
		return m, nil // the help screen covers the dashboard: other keys wait
	case key.Matches(k, m.keys.Pause):
		m.togglePause()
	case key.Matches(k, m.keys.Back):
		m.scrub(-1)
	case key.Matches(k, m.keys.Forward):
		m.scrub(+1)
	case key.Matches(k, m.keys.Live):
		if m.paused {
			m.togglePause()
		}
	case key.Matches(k, m.keys.Baseline):
		if s, _ := m.shown(); m.hasAny {
			m.baselineAt = s.Time
			m.say("baseline marked at " + s.Time.Local().Format("15:04:05"))
		}
	case key.Matches(k, m.keys.GoTo) && (m.opts.GoTo != nil || m.opts.ParseTime != nil):
		cmd = m.jump.open()
	case key.Matches(k, m.keys.Theme):
		m.themeIdx = (m.themeIdx + 1) % len(themes.Names())
		m.applyTheme()
		m.say("theme: " + themes.Names()[m.themeIdx])
	default:
		cmd, _ = m.procs.Update(k)
	}
	m.render()
	return m, cmd
}

// statusKeep is how many samples a transient status stays on the footer.
const statusKeep = 5

// say puts a transient status on the footer (see Model.transient).
func (m *Model) say(s string) {
	m.status, m.transient, m.statusSeq = s, true, m.liveSeq
}

func (m *Model) togglePause() {
	if m.opts.PauseReplay != nil && m.hasAny {
		m.opts.PauseReplay(!m.paused)
	}
	if m.paused {
		m.paused = false
		m.advice = m.liveAdvice
		if m.transient { // a hint about the moment left ("at 15:04: ←/→ scrub")
			m.status, m.transient = "", false
		}
		return
	}
	if !m.hasAny {
		return
	}
	m.paused, m.cursor = true, m.liveSeq
}

// scrub moves through history; the first step back pauses. Moving past the
// newest snapshot stays paused at it (end returns to live).
func (m *Model) scrub(step int) {
	if !m.hasAny {
		return
	}
	if !m.paused {
		if step > 0 {
			return
		}
		m.togglePause()
	}
	if !m.rw.want.IsZero() {
		return // a refill is on its way: its moment is the next shown
	}
	oldest, newest := m.hist.Span()
	next := int64(m.cursor) + int64(step)
	m.cursor = uint64(max(int64(oldest), min(int64(newest), next)))
	if t, ok := m.wantRewind(m.cursor); ok && step < 0 {
		m.askRewind(t)
		return
	}
	m.adviseAt(m.cursor)
}

// adviseAt judges the window ending at the moment scrubbed to: the one
// place outside the pipeline that calls the advisor.
func (m *Model) adviseAt(seq uint64) {
	m.advice = advisor.Advise(m.hist.WindowAt(seq, m.opts.Rules.Window), m.opts.Rules)
}

func (m *Model) applyTheme() {
	p, _ := themes.ByName(themes.Names()[m.themeIdx])
	st := themes.New(p, lipgloss.ColorProfile())
	m.styles = &st
	m.styleGen++
	m.header.styles, m.charts.styles, m.side.styles = m.styles, m.styles, m.styles
	m.procs.SetStyles(m.styles)
	m.footer.SetStyles(m.styles)
	m.render()
}

// Session is what the dashboard watched, for the --report written on quit.
func (m Model) Session() advisor.Session {
	snaps := make([]sampler.Snapshot, m.hist.Len())
	for i := range snaps {
		snaps[i] = m.hist.At(i)
	}
	return advisor.Session{Host: m.opts.Host, ProbeURL: m.opts.ProbeURL, Snaps: snaps, Baseline: m.baselineAt, Rules: m.opts.Rules}
}

// View returns the frame rendered by the last Update.
func (m Model) View() string { return m.frame }

// shown is the snapshot on screen: the newest, or the one paused at.
func (m *Model) shown() (sampler.Snapshot, uint64) {
	if m.paused {
		if s, ok := m.hist.Get(m.cursor); ok {
			return s, m.cursor
		}
	}
	return m.live, m.liveSeq
}

// render lays the panels out and rebuilds the frame. It runs once per
// sample or key, never per View call; each panel redraws only when its
// input or size changed.
func (m *Model) render() {
	if f, ok := undrawable(m.width, m.height); ok {
		m.frame = f
		return
	}
	s, seq := m.shown()
	evidence := ""
	if m.hasAny {
		evidence = evidenceLines(s, m.advice)
		if d := evidenceDetail(s, m.advice); d != "" && m.width >= wideWidth && m.height >= tallHeight {
			evidence = strings.TrimPrefix(evidence+"\n"+d, "\n") // the panels of large screens
		}
	}
	m.lay = computeLayout(m.width, m.height, m.hasAny && !m.live.HasSwap(), m.opts.ProbeURL != "", strings.Count(evidence, "\n")+min(1, len(evidence)))
	m.lay = withLoad(m.lay, s.LoadTest != nil)
	hin := headerInput{host: m.opts.Host, paused: m.paused, replay: m.opts.Replay, speed: m.opts.ReplaySpeed, styleGen: m.styleGen}
	if m.hasAny {
		hin.snap = &s
		if newest, ok := m.hist.Get(m.liveSeq); ok && m.paused {
			hin.behind = newest.Time.Sub(s.Time)
		}
	}
	m.header.SetSize(m.width, 1)
	m.header.Set(hin)
	m.footer.SetSize(m.width, 1)
	editing := ""
	if m.procs.Editing() {
		editing = m.procs.FilterView()
	} else if m.jump.active {
		editing = m.jump.input.View()
	}
	status := m.status
	if m.alert != "" {
		status = "⚠ " + m.alert
	}
	header, footer := m.header.View(), m.footer.View(editing, status)
	switch {
	case m.showHelp:
		m.frame = header + "\n" + m.footer.HelpView(m.opts.Rules, m.height-2) + "\n" + footer
		return
	case !m.hasAny:
		// Nothing drawn before the first sample: a frame of zeros would
		// read as "idle" to someone glancing at it.
		body := lipgloss.Place(m.width, m.height-2, lipgloss.Center, lipgloss.Center, m.styles.Dim.Render("sampling…"))
		m.frame = header + "\n" + body + "\n" + footer
		return
	}
	// A scrubbed moment is judged again (adviseAt); its sequence number
	// tells the panels apart from the live one.
	adviceSeq := m.liveSeq
	if m.paused {
		adviceSeq = m.cursor
	}
	m.charts.SetSize(m.lay)
	m.charts.Set(chartsInput{seq: seq, evidence: evidence, baseline: m.baselineAt, probe: m.opts.ProbeURL != "", styleGen: m.styleGen}, s, m.advice)
	m.side.SetSize(m.lay.sideW, m.lay.topH)
	m.side.Set(advisorInput{seq: adviceSeq, baseline: m.cachedSinceBaseline(seq), styleGen: m.styleGen}, m.advice)
	if m.charts.stale || m.side.stale || m.topView == "" {
		m.topView = joinTop(m.charts.View(), " ", m.side.View())
	}
	empty := ""
	if m.paused {
		empty = "no process list this far back (kept for the last few minutes)"
	}
	m.procs.SetSize(m.width, m.lay.tableH)
	m.procs.Set(procsInput{procs: s.Procs, memTotal: s.Mem.Total, empty: empty, services: s.Services})
	m.frame = header + "\n" + m.topView + "\n" + m.procs.View() + "\n" + footer
}

// sinceKey is what the since-baseline line depends on: the moment shown,
// the mark, and the oldest snapshot held.
type sinceKey struct {
	end, oldest uint64
	at          time.Time
}

// cachedSinceBaseline is sinceBaseline, worked out once per moment: it
// walks the history since the mark, which a key press must not repeat.
func (m *Model) cachedSinceBaseline(end uint64) string {
	oldest, _ := m.hist.Span()
	key := sinceKey{end: end, oldest: oldest, at: m.baselineAt}
	if key != m.since.key || m.since.text == "" && !m.baselineAt.IsZero() {
		m.since.key, m.since.text = key, m.sinceBaseline(end)
	}
	return m.since.text
}

// sinceBaseline is the change since the baseline and the peak since:
// "since 16:20:01 cpu +47 ↑100% mem +0 ↑3%"; "" without a baseline.
func (m *Model) sinceBaseline(end uint64) string {
	if m.baselineAt.IsZero() {
		return ""
	}
	if _, ok := baseSeq(m.hist, m.baselineAt, end); !ok {
		return "baseline is older than the history kept"
	}
	// " · " between figures: a line too wide drops whole ones (fitParts).
	s := "since " + m.baselineAt.Local().Format("15:04:05") + " · cpu " + deltaPeak(m.hist, m.baselineAt, end, sampler.CPUMetric, "%") +
		" · mem " + deltaPeak(m.hist, m.baselineAt, end, sampler.MemMetric, "%")
	if m.opts.ProbeURL != "" {
		s += " · lat " + deltaPeak(m.hist, m.baselineAt, end, latencyMetric, "ms")
	}
	s += appBaseline(m.hist, m.baselineAt, end)
	return s
}

// undrawable reports whether no screen can be drawn at w×h, with the frame
// to show instead: "" while the size is not known yet, the enlarge message
// when it is too small.
func undrawable(w, h int) (instead string, yes bool) {
	if w == 0 || h == 0 {
		return "", true
	}
	if w < MinWidth || h < MinHeight {
		return tooSmall(w, h), true
	}
	return "", false
}

// tooSmall says so, and names the size needed and the quit key, wrapped to
// whatever room there is: a shorter wording when the long one does not fit.
func tooSmall(w, h int) string {
	for _, msg := range []string{
		fmt.Sprintf("headroom needs a terminal of at least %dx%d; this one is %dx%d. Enlarge it, or press q to quit.", MinWidth, MinHeight, w, h),
		fmt.Sprintf("needs %dx%d, have %dx%d; q quits", MinWidth, MinHeight, w, h),
		fmt.Sprintf("%dx%d needed; q quits", MinWidth, MinHeight),
	} {
		if lines := wrap(msg, w, h); len(lines) <= h && !strings.HasSuffix(lines[len(lines)-1], "…") {
			return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, strings.Join(lines, "\n"))
		}
	}
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, fit("q quits", w))
}
