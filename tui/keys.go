package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

// KeyMap is every key the dashboard answers to. The help screen, the hint
// line and the README's key table are all generated from it.
type KeyMap struct {
	Quit       key.Binding
	Help       key.Binding
	Filter     key.Binding
	ClearOrEsc key.Binding
	SortCPU    key.Binding
	SortMem    key.Binding
	SortPID    key.Binding
	SortName   key.Binding
	Reverse    key.Binding
	Group      key.Binding
	Services   key.Binding
	Baseline   key.Binding
	Pause      key.Binding
	Back       key.Binding
	Forward    key.Binding
	Live       key.Binding
	GoTo       key.Binding
	Theme      key.Binding
	Up         key.Binding
	Down       key.Binding
}

// DefaultKeyMap follows htop where htop has a key for the job.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:       key.NewBinding(key.WithKeys("q", "ctrl+c", "f10"), key.WithHelp("q", "quit")),
		Help:       key.NewBinding(key.WithKeys("?", "f1"), key.WithHelp("?", "help")),
		Filter:     key.NewBinding(key.WithKeys("/", "f4"), key.WithHelp("/", "filter")),
		ClearOrEsc: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter / close help")),
		SortCPU:    key.NewBinding(key.WithKeys("c", "P"), key.WithHelp("c", "sort by CPU")),
		SortMem:    key.NewBinding(key.WithKeys("m", "M"), key.WithHelp("m", "sort by memory")),
		SortPID:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "sort by pid")),
		SortName:   key.NewBinding(key.WithKeys("n", "N"), key.WithHelp("n", "sort by name")),
		Reverse:    key.NewBinding(key.WithKeys("r", "I"), key.WithHelp("r", "reverse sort")),
		Group:      key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "group app workers")),
		Services:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "services view")),
		Baseline:   key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "mark baseline")),
		Pause:      key.NewBinding(key.WithKeys(" ", "z"), key.WithHelp("space", "pause")),
		Back:       key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/→", "scrub history")),
		Forward:    key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→", "later")),
		Live:       key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "back to live")),
		GoTo:       key.NewBinding(key.WithKeys("G"), key.WithHelp("G", "go to time")),
		Theme:      key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "theme")),
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "select process")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓", "down")),
	}
}

// ShortHelp is the one-line hint under the dashboard.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Quit, k.Help, k.Filter, k.SortCPU, k.SortMem, k.Pause, k.Back, k.Theme}
}

// FullHelp is the help screen, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Quit, k.Help, k.Theme, k.Filter, k.ClearOrEsc},
		{k.SortCPU, k.SortMem, k.SortPID, k.SortName, k.Reverse, k.Group},
		{k.Pause, k.Back, k.Live, k.GoTo, k.Up, k.Baseline, k.Services},
	}
}

// KeyTable is the help screen's keys as a Markdown table, for the README.
func (k KeyMap) KeyTable() string {
	var b strings.Builder
	b.WriteString("| key | action |\n|---|---|\n")
	for _, col := range k.FullHelp() {
		for _, kb := range col {
			fmt.Fprintf(&b, "| `%s` | %s |\n", kb.Help().Key, kb.Help().Desc)
		}
	}
	return b.String()
}
