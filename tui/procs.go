package tui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/table"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/headroom-dev/headroom/sampler"
	"github.com/headroom-dev/headroom/sampler/apps"
	"github.com/headroom-dev/headroom/themes"
)

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

// procsInput is the process list's data: the moment's processes and
// what the table says when it has none.
type procsInput struct {
	procs    []sampler.Process
	memTotal uint64
	empty    string // why there are no rows, when there are none
	services []sampler.Service
}

// procsPanel is the process table with its sort, filter and grouping. It
// owns the table and the filter's text input.
type procsPanel struct {
	styles  *themes.Styles
	keys    KeyMap
	w, h    int
	in      procsInput
	table   procTable
	filter  textinput.Model
	editing bool // the filter has the keyboard
	sortBy  sortKey
	reverse bool
	grouped bool // application families as one row each
	svcView bool // one row per control group instead of per process
	colsKey string
	view    string
}

func newProcsPanel(keys KeyMap) procsPanel {
	p := procsPanel{keys: keys}
	p.filter = textinput.New()
	p.filter.Prompt = "/"
	p.filter.Placeholder = "filter processes"
	p.filter.CharLimit = 64
	p.table = newProcTable(table.KeyMap{
		LineUp:       keys.Up,
		LineDown:     keys.Down,
		PageUp:       key.NewBinding(key.WithKeys("pgup")),
		PageDown:     key.NewBinding(key.WithKeys("pgdown")),
		GotoTop:      key.NewBinding(key.WithKeys("home")),
		GotoBottom:   key.NewBinding(key.WithKeys("G")),
		HalfPageUp:   key.NewBinding(key.WithDisabled()),
		HalfPageDown: key.NewBinding(key.WithDisabled()),
	})
	return p
}

// SetStyles applies a theme.
func (p *procsPanel) SetStyles(st *themes.Styles) {
	p.styles = st
	p.table.SetStyles(table.Styles{Header: st.TableHdr.Padding(0, 1, 0, 0), Cell: st.Text.Padding(0, 1, 0, 0), Selected: st.Selected})
}

// SetSize sets the table's width and height (its header row included).
func (p *procsPanel) SetSize(w, h int) { p.w, p.h = w, h }

// Set gives the panel the processes to list.
func (p *procsPanel) Set(in procsInput) { p.in = in }

// Editing reports whether the filter has the keyboard.
func (p *procsPanel) Editing() bool { return p.editing }

// FilterView is the filter's input line, for the footer while editing.
func (p *procsPanel) FilterView() string { return p.filter.View() }

// Update takes a key; handled is false for keys that are not the panel's.
func (p *procsPanel) Update(k tea.KeyMsg) (cmd tea.Cmd, handled bool) {
	if p.editing {
		switch k.Type {
		case tea.KeyEnter:
			p.editing = false
			p.filter.Blur()
		case tea.KeyEsc:
			p.editing = false
			p.filter.Blur()
			p.filter.SetValue("")
		default:
			p.filter, cmd = p.filter.Update(k)
		}
		return cmd, true
	}
	switch {
	case key.Matches(k, p.keys.Filter):
		p.editing = true
		p.filter.Focus()
	case key.Matches(k, p.keys.SortCPU):
		p.setSort(byCPU)
	case key.Matches(k, p.keys.SortMem):
		p.setSort(byMem)
	case key.Matches(k, p.keys.SortPID):
		p.setSort(byPID)
	case key.Matches(k, p.keys.SortName):
		p.setSort(byName)
	case key.Matches(k, p.keys.Reverse):
		p.reverse = !p.reverse
	case key.Matches(k, p.keys.Group):
		p.grouped = !p.grouped
	case key.Matches(k, p.keys.Services):
		p.svcView = !p.svcView
	case key.Matches(k, p.keys.Up, p.keys.Down) || k.Type == tea.KeyPgUp || k.Type == tea.KeyPgDown || k.Type == tea.KeyHome || k.String() == "G":
		p.table, cmd = p.table.Update(k)
	default:
		return nil, false
	}
	return cmd, true
}

// ClearFilter empties the filter (esc outside it).
func (p *procsPanel) ClearFilter() { p.filter.SetValue("") }

// setSort sorts by s in its natural order, pressed once or twice: during an
// incident "sort by CPU" must put the busiest on top whatever was shown
// before, as htop's P does; r reverses.
func (p *procsPanel) setSort(s sortKey) {
	p.sortBy, p.reverse = s, false
}

// View renders the table: cheap enough per frame, since only the rows the
// cursor can reach are built.
func (p *procsPanel) View() string {
	p.view = p.render()
	return p.view
}

// render is the process table, sorted and filtered.
func (p *procsPanel) render() string {
	procs := p.in.procs
	w := p.w
	// Numbers are right-aligned, as in htop.
	cols := []table.Column{{Title: padLeft("PID", 7), Width: 7}, {Title: "USER", Width: 9}, {Title: padLeft("CPU%", 6), Width: 6}, {Title: padLeft("MEM", 6), Width: 6}}
	if w >= wideWidth {
		cols = append(cols, table.Column{Title: padLeft("MEM%", 5), Width: 5}, table.Column{Title: padLeft("PSS", 6), Width: 6})
	}
	used := 0
	for _, c := range cols {
		used += c.Width + 1
	}
	cmdW := w - used - 1
	title := "COMMAND"
	if f := p.filter.Value(); f != "" {
		title = fmt.Sprintf("COMMAND (filter %q)", f)
	}
	if p.grouped && !p.svcView {
		title += " · app groups, then by " + p.sortBy.String() // the groups are not sorted in
	} else {
		title += " · by " + p.sortBy.String()
	}
	if p.reverse {
		// Not an arrow: "↑" read as ascending for CPU but Z→A for names.
		title += ", reversed"
	}
	cols = append(cols, table.Column{Title: title, Width: cmdW})

	shown := filterProcs(procs, p.filter.Value())
	sortProcs(shown, p.sortBy, p.reverse)
	var groups []table.Row
	if p.grouped {
		groups, shown = groupRows(procs, shown, w >= wideWidth, p.filter.Value())
	}
	// Only the rows the cursor can reach before the next frame are built:
	// formatting every one of a thousand processes each second would cost
	// more than sampling them. The limit follows the cursor, so every
	// process can still be reached.
	limit := min(len(shown), max(p.table.Cursor()+2*p.h, 3*p.h))
	rows := make([]table.Row, 0, limit+len(groups))
	rows = append(rows, groups...)
	for _, proc := range shown[:limit] {
		r := table.Row{padLeft(strconv.Itoa(int(proc.PID)), 7), proc.User, padLeft(strconv.FormatFloat(proc.CPU, 'f', 1, 64), 6), padLeft(bytesIEC(float64(proc.RSS)), 6)}
		if w >= wideWidth {
			pct := 0.0
			if p.in.memTotal > 0 {
				pct = float64(proc.RSS) / float64(p.in.memTotal) * 100
			}
			pss := ""
			if proc.PSS > 0 {
				pss = bytesIEC(float64(proc.PSS))
			}
			r = append(r, padLeft(strconv.FormatFloat(pct, 'f', 1, 64), 5), padLeft(pss, 6))
		}
		r = append(r, shortCmd(proc.Cmd))
		rows = append(rows, r)
	}
	if p.svcView {
		cols, rows = serviceTable(p.in.services, w, p.sortBy, p.reverse, p.filter.Value())
	}
	// Each table setter re-renders the visible rows, so call only the ones
	// whose input changed: this is most of a frame's cost.
	colsKey := fmt.Sprint(cols)
	if colsKey != p.colsKey {
		// Rows first: SetColumns re-renders with the current rows, which
		// may be longer than the new columns expect.
		p.table.SetRows(nil)
		p.table.SetColumns(cols)
		p.colsKey = colsKey
	}
	p.table.SetRows(rows)
	if p.table.Height() != p.h-1 {
		p.table.SetHeight(p.h)
	}
	// Emptying the rows leaves the cursor at -1, which hides a row.
	if c := p.table.Cursor(); len(rows) > 0 && (c < 0 || c >= len(rows)) {
		p.table.SetCursor(max(0, min(c, len(rows)-1)))
	}
	// Without colour (NO_COLOR, a dumb terminal) the selected row has no
	// highlight: mark it with a character instead.
	if c := p.table.Cursor(); lipgloss.ColorProfile() == termenv.Ascii && c >= 0 && c < len(rows) && len(rows[c]) > 0 {
		marked := append(table.Row(nil), rows[c]...)
		marked[0] = "›" + strings.TrimPrefix(marked[0], " ")
		rows[c] = marked
		p.table.SetRows(rows)
	}
	out := p.table.View(w)
	if len(rows) == 0 {
		msg := "no processes"
		switch {
		case p.svcView:
			msg = noServices
		case p.in.empty != "" && procs == nil:
			msg = p.in.empty
		case p.filter.Value() != "":
			msg = "no process matches the filter (esc clears it)"
		}
		lines := strings.Split(out, "\n")
		if len(lines) > 1 {
			lines[1] = p.styles.Dim.Render(fit(" "+msg, w))
		}
		out = strings.Join(lines, "\n")
	}
	return fitLines(out, w, p.h) // the table's lines are w wide already
}

// groupRows turns each application family into one row (master pid, and
// CPU, RSS and PSS summed over the master and its workers: every column a
// total, as the row stands for them all; the median PSS per worker is in
// words) and leaves out its members from rest.
// With a filter, a family shows when its kind or one of its processes matches.
func groupRows(all []sampler.Process, rest []*sampler.Process, wide bool, filter string) ([]table.Row, []*sampler.Process) {
	apps := apps.Apps(all)
	matched := make(map[int32]bool, len(rest))
	for _, p := range rest {
		matched[p.PID] = true
	}
	member := map[int32]bool{}
	users := map[int32]string{}
	pss := map[int32]uint64{}
	for _, p := range all {
		users[p.PID], pss[p.PID] = p.User, p.PSS
	}
	var rows []table.Row
	for _, a := range apps {
		member[a.MasterPID] = true
		show := filter == "" || strings.Contains(a.Kind, strings.ToLower(filter)) || matched[a.MasterPID]
		for _, pid := range a.WorkerPIDs {
			member[pid] = true
			show = show || matched[pid]
		}
		if !show {
			continue
		}
		desc := fmt.Sprintf("▸ %s × %d", a.Kind, a.Workers)
		if a.Kind == "postgres" {
			desc = fmt.Sprintf("▸ postgres: %d active, %d idle, %d idle in transaction", a.States["active"], a.States["idle"], a.States["idle in transaction"])
		}
		if a.PSSMedianMiB > 0 && a.Workers > 1 { // "each" of one says nothing the column does not
			desc += ", " + bytesIEC(a.PSSMedianMiB*(1<<20)) + " PSS each"
		}
		if a.Churn5m > 0 {
			desc += fmt.Sprintf(", %d replaced in 5 min", a.Churn5m)
		}
		r := table.Row{padLeft(strconv.Itoa(int(a.MasterPID)), 7), users[a.MasterPID], padLeft(strconv.FormatFloat(a.CPU, 'f', 1, 64), 6),
			padLeft(bytesIEC(a.RSSMiB*(1<<20)), 6)}
		if wide {
			sum := pss[a.MasterPID]
			for _, pid := range a.WorkerPIDs {
				sum += pss[pid]
			}
			shown := ""
			if sum > 0 {
				shown = bytesIEC(float64(sum))
			}
			r = append(r, "", padLeft(shown, 6))
		}
		rows = append(rows, append(r, desc))
	}
	out := rest[:0:0]
	for _, p := range rest {
		if !member[p.PID] {
			out = append(out, p)
		}
	}
	return rows, out
}

// filterProcs returns pointers into procs, so that sorting moves 8 bytes
// per swap instead of a whole Process.
func filterProcs(procs []sampler.Process, f string) []*sampler.Process {
	out := make([]*sampler.Process, 0, len(procs))
	f = strings.ToLower(f)
	for i := range procs {
		p := &procs[i]
		if f == "" || strings.Contains(strings.ToLower(p.Cmd), f) || strings.Contains(strings.ToLower(p.Name), f) ||
			strings.Contains(strings.ToLower(p.User), f) || fmt.Sprint(p.PID) == f {
			out = append(out, p)
		}
	}
	return out
}

func sortProcs(p []*sampler.Process, by sortKey, reverse bool) {
	// slices.SortStableFunc, not sort.SliceStable: this runs on every frame
	// over every process, and the generic sort is several times cheaper.
	cmp := func(a, b *sampler.Process) int {
		switch by {
		case byMem:
			if a.RSS != b.RSS {
				return cmpDesc(a.RSS, b.RSS)
			}
		case byPID:
		case byName:
			if c := strings.Compare(a.Name, b.Name); c != 0 {
				return c
			}
		default:
			if a.CPU != b.CPU {
				return cmpDesc(a.CPU, b.CPU)
			}
			if a.RSS != b.RSS {
				return cmpDesc(a.RSS, b.RSS)
			}
		}
		return int(a.PID) - int(b.PID)
	}
	if reverse {
		slices.SortStableFunc(p, func(a, b *sampler.Process) int { return cmp(b, a) })
		return
	}
	slices.SortStableFunc(p, cmp)
}

// interpreters are programs whose first argument is the program that matters.
var interpreters = map[string]bool{"python": true, "python3": true, "python2": true, "perl": true, "ruby": true,
	"node": true, "php": true, "bash": true, "sh": true}

// shortCmd drops the directories of the program and, after an interpreter,
// of its script: "/usr/bin/python3 /usr/bin/gunicorn app" reads
// "python3 gunicorn app", so the part that differs fits on an 80-column screen.
func shortCmd(cmd string) string {
	prog, rest, _ := strings.Cut(cmd, " ")
	if strings.HasPrefix(prog, "[") {
		return cmd // a kernel thread
	}
	prog = filepath.Base(prog)
	base := strings.TrimRight(prog, "0123456789.")
	if interpreters[prog] || interpreters[base] {
		script, after, found := strings.Cut(rest, " ")
		if strings.Contains(script, "/") && !strings.HasPrefix(script, "-") && !strings.HasPrefix(script, "/dev/") {
			rest = filepath.Base(script)
			if found {
				rest += " " + after
			}
		}
	}
	if rest == "" {
		return prog
	}
	return prog + " " + rest
}

// padLeft right-aligns s in n cells.
func padLeft(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat(" ", n-len(s)) + s
}

func cmpDesc[T int | uint64 | float64](a, b T) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}
