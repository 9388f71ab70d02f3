package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/headroom-dev/headroom/advisor"
	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/themes"
)

// FleetUpdate is one refresh of the fleet from Prometheus: the judgement,
// each host's window (for sparklines and the host's dashboard), or the
// error that refresh ended with (the last good numbers stay on screen).
type FleetUpdate struct {
	Advice  advisor.FleetAdvice
	Windows map[string][]sampler.Snapshot
	// Updated is the time of the newest points.
	Updated time.Time
	Err     error
}

// FleetOptions configure the fleet screen.
type FleetOptions struct {
	// Feed brings each refresh; it is read off the UI goroutine's way, one
	// message at a time, so a slow Prometheus never freezes the screen.
	Feed     <-chan FleetUpdate
	Rules    advisor.Rules
	Theme    string
	Interval time.Duration // the refresh step
	URL      string        // without credentials
	Selector string
	Keys     FleetKeyMap
}

type fleetMsg FleetUpdate

// fleetTick re-draws the age of the numbers once a second.
type fleetTick time.Time

// FleetModel is the fleet screen: one row per host, worst first, and the
// host's own dashboard on enter.
type FleetModel struct {
	opts   FleetOptions
	keys   FleetKeyMap
	styles *themes.Styles

	width, height int

	adv     advisor.FleetAdvice
	windows map[string][]sampler.Snapshot
	updated time.Time
	lastOK  time.Time // when the last refresh worked (wall clock)
	err     error
	now     time.Time
	hasAny  bool

	rows      []int // indices into adv.Hosts that pass the filter
	cursor    int   // index into rows
	offset    int   // first row shown
	selected  string
	filter    string
	filtering bool

	host     *Model // the drill-down dashboard, nil on the fleet
	hostName string
	hostLast time.Time

	frame string
}

// NewFleet builds the fleet screen.
func NewFleet(o FleetOptions) FleetModel {
	if o.Interval <= 0 {
		o.Interval = 15 * time.Second
	}
	if o.Keys.Quit.Keys() == nil {
		o.Keys = DefaultFleetKeyMap()
	}
	p, ok := themes.ByName(o.Theme)
	if !ok {
		p, _ = themes.ByName(themes.Names()[0])
	}
	st := themes.New(p, lipgloss.ColorProfile())
	return FleetModel{opts: o, keys: o.Keys, styles: &st}
}

// Init starts reading the feed and the clock.
func (m FleetModel) Init() tea.Cmd {
	return tea.Batch(waitFleet(m.opts.Feed), tickFleet())
}

func waitFleet(ch <-chan FleetUpdate) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg { return fleetMsg(<-ch) }
}

func tickFleet() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return fleetTick(t) })
}

// Update handles a message and re-renders what it changed.
func (m FleetModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		if m.host != nil {
			m.host = m.forward(msg)
		}
		m.render()
		return m, nil
	case fleetTick:
		m.now = time.Time(msg)
		m.render()
		return m, tickFleet()
	case fleetMsg:
		m.onUpdate(FleetUpdate(msg))
		m.render()
		return m, waitFleet(m.opts.Feed)
	case tea.KeyMsg:
		return keyByKey(m, msg, func(m FleetModel, k tea.KeyMsg) (tea.Model, tea.Cmd) { return m.onKey(k) })
	}
	return m, nil
}

// forward hands a message to the host's dashboard.
func (m *FleetModel) forward(msg tea.Msg) *Model {
	next, _ := m.host.Update(msg)
	return next.(*Model)
}

func (m *FleetModel) onUpdate(u FleetUpdate) {
	now := m.now
	if now.IsZero() {
		now = u.Updated
	}
	if u.Err != nil {
		m.err = u.Err
		return
	}
	m.err, m.hasAny = nil, true
	m.adv, m.windows, m.updated, m.lastOK = u.Advice, u.Windows, u.Updated, now
	m.refilter()
	if m.host != nil {
		m.feedHost()
	}
}

// refilter keeps the hosts that match the filter, and the cursor on the
// host it was on.
func (m *FleetModel) refilter() {
	m.rows = m.rows[:0]
	f := strings.ToLower(m.filter)
	for i, h := range m.adv.Hosts {
		if f == "" || strings.Contains(strings.ToLower(h.Instance+" "+hostVerdict(h)+" "+strings.Join(h.Focus, " ")), f) {
			m.rows = append(m.rows, i)
		}
	}
	m.cursor = 0
	for i, r := range m.rows {
		if m.adv.Hosts[r].Instance == m.selected {
			m.cursor = i
		}
	}
	m.clampCursor()
}

func (m *FleetModel) clampCursor() {
	m.cursor = max(0, min(m.cursor, len(m.rows)-1))
	if len(m.rows) > 0 {
		m.selected = m.adv.Hosts[m.rows[m.cursor]].Instance
	}
	visible := m.visibleRows()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if visible > 0 && m.cursor >= m.offset+visible {
		m.offset = m.cursor - visible + 1
	}
	m.offset = max(0, min(m.offset, len(m.rows)-visible))
}

func (m FleetModel) onKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	if m.host != nil {
		return m.onHostKey(k)
	}
	if m.filtering {
		switch k.Type {
		case tea.KeyCtrlC:
			return m, tea.Quit
		case tea.KeyEnter:
			m.filtering = false
		case tea.KeyEsc:
			m.filtering, m.filter = false, ""
		case tea.KeyBackspace:
			if r := []rune(m.filter); len(r) > 0 {
				m.filter = string(r[:len(r)-1])
			}
		case tea.KeyRunes, tea.KeySpace:
			m.filter += string(k.Runes)
		}
		m.refilter()
		m.render()
		return m, nil
	}
	page := max(1, m.visibleRows()-1)
	switch {
	case key.Matches(k, m.keys.Quit):
		return m, tea.Quit
	case key.Matches(k, m.keys.Filter):
		m.filtering = true
	case key.Matches(k, m.keys.Esc):
		m.filter = ""
		m.refilter()
	case key.Matches(k, m.keys.Up):
		m.cursor--
	case key.Matches(k, m.keys.Down):
		m.cursor++
	case key.Matches(k, m.keys.PageUp):
		m.cursor -= page
	case key.Matches(k, m.keys.PageDown):
		m.cursor += page
	case key.Matches(k, m.keys.Top):
		m.cursor = 0
	case key.Matches(k, m.keys.Bottom):
		m.cursor = len(m.rows) - 1
	case key.Matches(k, m.keys.Open):
		if len(m.rows) > 0 {
			m.openHost(m.adv.Hosts[m.rows[m.cursor]].Instance)
		}
	}
	m.clampCursor()
	m.render()
	return m, nil
}

// onHostKey: esc returns to the fleet unless the dashboard has help or a
// filter open; every other key is the dashboard's own.
func (m FleetModel) onHostKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	if key.Matches(k, m.keys.Esc) && !m.host.showHelp && !m.host.procs.Editing() {
		m.host, m.hostName = nil, ""
		m.render()
		return m, nil
	}
	next, cmd := m.host.Update(k)
	m.host = next.(*Model)
	m.render()
	return m, cmd
}

// openHost builds the host's dashboard from its window: the same panels as
// a live one, fed from Prometheus, without processes (node_exporter has none).
func (m *FleetModel) openHost(inst string) {
	hm := New(Options{Rules: m.opts.Rules, Theme: m.opts.Theme, Interval: m.opts.Interval, Host: inst,
		History: sampler.NewHistoryFor(m.opts.Interval),
		Status:  "from Prometheus " + m.opts.URL + " · no processes there · esc: back to the fleet"})
	m.host, m.hostName, m.hostLast = &hm, inst, time.Time{}
	m.host = m.forward(tea.WindowSizeMsg{Width: m.width, Height: m.height})
	m.feedHost()
}

// feedHost adds the host's new points to its dashboard's History and hands
// it the newest with the advice the fleet judged.
func (m *FleetModel) feedHost() {
	w := m.windows[m.hostName]
	var adv *advisor.Advice
	for i := range m.adv.Hosts {
		if m.adv.Hosts[i].Instance == m.hostName {
			a := m.adv.Hosts[i].Advice
			adv = &a
		}
	}
	if len(w) == 0 || adv == nil {
		m.host.status = "no numbers from Prometheus for this host now"
		return
	}
	var seq uint64
	added := false
	for _, s := range w {
		if s.Time.After(m.hostLast) {
			seq, added = m.host.hist.Add(s), true
			m.hostLast = s.Time
		}
	}
	if !added {
		return
	}
	last := w[len(w)-1]
	m.host = m.forward(feedMsg(FeedItem{Seq: seq, Snapshot: &last, Advice: adv}))
}

// View returns the frame rendered by the last Update.
func (m FleetModel) View() string {
	if m.host != nil {
		return m.host.View()
	}
	return m.frame
}
