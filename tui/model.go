// Package tui is headroom's dashboard: bubbletea models only. Snapshots
// arrive as messages from a feed the caller runs; the screen is rendered
// once per change into cached strings, and View returns the cache.
package tui

import (
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/table"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/apps"
	"github.com/headroom-dev/headroom/themes"
)

// Minimum terminal size: everything essential fits in 80x24.
const (
	MinWidth  = 80
	MinHeight = 24
)

// FeedItem is one thing the caller's sampling loop reports: a snapshot, or
// a status line (such as an --on-change failure), or the error that ended it.
type FeedItem struct {
	Snapshot *sampler.Snapshot
	Status   string
	Err      error
	Ended    bool // the source has no more snapshots (a recording's end)
}

// Options configure the dashboard.
type Options struct {
	Feed     <-chan FeedItem
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
}

type feedMsg FeedItem

// sortKey is the process list order.
type sortKey int

const (
	byCPU sortKey = iota
	byMem
	byPID
	byName
)

func (s sortKey) String() string {
	return [...]string{"CPU", "memory", "pid", "name"}[s]
}

// Model is the root dashboard model.
type Model struct {
	opts     Options
	keys     KeyMap
	help     help.Model
	styles   themes.Styles
	themeIdx int

	width, height int

	hist   *sampler.History
	live   sampler.Snapshot // newest snapshot, with every process
	hasAny bool
	advice advisor.Advice

	paused bool
	cursor int // index into hist while paused

	filter    textinput.Model
	filtering bool
	sortBy    sortKey
	reverse   bool
	grouped   bool // application families as one row each

	baselineAt time.Time // b: the moment load-test figures are compared with
	table      table.Model
	showHelp   bool

	status string
	ended  bool

	// Cached renderings; View returns frame.
	frame    string
	top      string // the chart and advisor block
	topStale bool   // top must be redrawn: new sample, size, theme, pause, scrub or baseline
	lay      layout
	colsKey  string // the process table's columns, as last set
}

// New builds the dashboard model.
func New(o Options) Model {
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.Keys.Quit.Keys() == nil {
		o.Keys = DefaultKeyMap()
	}
	m := Model{opts: o, keys: o.Keys, help: help.New(), hist: sampler.NewHistoryFor(o.Interval), status: o.Status}
	for i, n := range themes.Names() {
		if n == o.Theme {
			m.themeIdx = i
		}
	}
	m.filter = textinput.New()
	m.filter.Prompt = "/"
	m.filter.Placeholder = "filter processes"
	m.filter.CharLimit = 64
	m.table = table.New(table.WithFocused(true), table.WithKeyMap(table.KeyMap{
		LineUp:       m.keys.Up,
		LineDown:     m.keys.Down,
		PageUp:       key.NewBinding(key.WithKeys("pgup")),
		PageDown:     key.NewBinding(key.WithKeys("pgdown")),
		GotoTop:      key.NewBinding(key.WithKeys("home")),
		GotoBottom:   key.NewBinding(key.WithKeys("G")),
		HalfPageUp:   key.NewBinding(key.WithDisabled()),
		HalfPageDown: key.NewBinding(key.WithDisabled()),
	}))
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
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.topStale = true
		m.help.Width = msg.Width
		m.render()
		return m, nil
	case feedMsg:
		// While paused the block shows the paused moment: a new sample changes nothing there.
		if msg.Snapshot != nil && !m.paused {
			m.topStale = true
		}
		m.onFeed(FeedItem(msg))
		m.render()
		return m, waitFeed(m.opts.Feed)
	case tea.KeyMsg:
		// Keys typed faster than a read (or sent by tmux send-keys) arrive
		// as one message with several runes: take them one at a time, so
		// "/gun" is the filter key followed by "gun".
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
			var cmds []tea.Cmd
			var next tea.Model = m
			for _, r := range msg.Runes {
				var cmd tea.Cmd
				next, cmd = next.(Model).onKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
				cmds = append(cmds, cmd)
			}
			return next, tea.Batch(cmds...)
		}
		return m.onKey(msg)
	}
	return m, nil
}

func (m *Model) onFeed(it FeedItem) {
	if it.Status != "" {
		m.status = it.Status
	}
	if it.Ended {
		m.ended = true
		m.status = "end of the recording: space pauses, ←/→ scrub, q quits"
	}
	if it.Err != nil {
		m.status = "sampling stopped: " + it.Err.Error()
	}
	if it.Snapshot == nil {
		return
	}
	full := m.hist.Len() == m.hist.Cap()
	m.hist.Add(trimmed(*it.Snapshot))
	if m.paused && full && m.cursor > 0 {
		m.cursor-- // the oldest snapshot fell out: keep pointing at the same moment
	}
	m.live = *it.Snapshot
	m.hasAny = true
	if !m.paused {
		m.advice = advisor.Advise(m.hist.Window(m.opts.Rules.Window), m.opts.Rules)
	}
}

func (m Model) onKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	if m.filtering {
		switch k.Type {
		case tea.KeyEnter:
			m.filtering = false
			m.filter.Blur()
		case tea.KeyEsc:
			m.filtering = false
			m.filter.Blur()
			m.filter.SetValue("")
		case tea.KeyCtrlC:
			return m, tea.Quit
		default:
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(k)
			m.render()
			return m, cmd
		}
		m.render()
		return m, nil
	}
	switch {
	case key.Matches(k, m.keys.Quit):
		return m, tea.Quit
	case key.Matches(k, m.keys.Help):
		m.showHelp = !m.showHelp
	case key.Matches(k, m.keys.ClearOrEsc):
		if m.showHelp {
			m.showHelp = false
		} else {
			m.filter.SetValue("")
		}
	case m.showHelp:
		return m, nil // the help screen covers the dashboard: other keys wait
	case key.Matches(k, m.keys.Filter):
		m.filtering = true
		m.filter.Focus()
	case key.Matches(k, m.keys.SortCPU):
		m.setSort(byCPU)
	case key.Matches(k, m.keys.SortMem):
		m.setSort(byMem)
	case key.Matches(k, m.keys.SortPID):
		m.setSort(byPID)
	case key.Matches(k, m.keys.SortName):
		m.setSort(byName)
	case key.Matches(k, m.keys.Reverse):
		m.reverse = !m.reverse
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
			m.topStale = true
			m.status = "baseline marked at " + s.Time.Local().Format("15:04:05")
		}
	case key.Matches(k, m.keys.Group):
		m.grouped = !m.grouped
	case key.Matches(k, m.keys.Theme):
		m.themeIdx = (m.themeIdx + 1) % len(themes.Names())
		m.applyTheme()
		m.status = "theme: " + themes.Names()[m.themeIdx]
	default:
		var cmd tea.Cmd
		m.table, cmd = m.table.Update(k)
		m.render()
		return m, cmd
	}
	m.render()
	return m, nil
}

func (m *Model) setSort(s sortKey) {
	if m.sortBy == s {
		m.reverse = !m.reverse
		return
	}
	m.sortBy, m.reverse = s, false
}

func (m *Model) togglePause() {
	m.topStale = true
	if m.paused {
		m.paused = false
		m.advice = advisor.Advise(m.hist.Window(m.opts.Rules.Window), m.opts.Rules)
		return
	}
	if m.hist.Len() == 0 {
		return
	}
	m.paused = true
	m.cursor = m.hist.Len() - 1
}

// scrub moves through history; the first step back pauses. Moving past the
// newest snapshot stays paused at it (end returns to live).
func (m *Model) scrub(step int) {
	m.topStale = true
	if m.hist.Len() == 0 {
		return
	}
	if !m.paused {
		if step > 0 {
			return
		}
		m.togglePause()
	}
	m.cursor = max(0, min(m.hist.Len()-1, m.cursor+step))
	m.advice = advisor.Advise(m.hist.WindowAt(m.cursor, m.opts.Rules.Window), m.opts.Rules)
}

func (m *Model) applyTheme() {
	p, _ := themes.ByName(themes.Names()[m.themeIdx])
	m.styles = themes.New(p, lipgloss.ColorProfile())
	m.topStale = true
	m.help.Styles.ShortKey = m.styles.HelpKey
	m.help.Styles.ShortDesc = m.styles.HelpDesc
	m.help.Styles.FullKey = m.styles.HelpKey
	m.help.Styles.FullDesc = m.styles.HelpDesc
	m.help.Styles.ShortSeparator = m.styles.Dim
	m.help.Styles.FullSeparator = m.styles.Dim
	m.table.SetStyles(table.Styles{Header: m.styles.TableHdr.Padding(0, 1, 0, 0), Cell: m.styles.Text.Padding(0, 1, 0, 0), Selected: m.styles.Selected})
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
func (m *Model) shown() (sampler.Snapshot, int) {
	if m.paused && m.cursor < m.hist.Len() {
		return m.hist.At(m.cursor), m.cursor
	}
	return m.live, m.hist.Len() - 1
}

// trimmed is s with the process list History keeps.
func trimmed(s sampler.Snapshot) sampler.Snapshot {
	s.Procs = apps.TopProcs(s.Procs, sampler.MaxRecordedProcs)
	return s
}
