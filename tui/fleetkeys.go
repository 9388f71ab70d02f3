package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

// FleetKeyMap is every key the fleet screen answers to; its hint line and
// the README's fleet key table come from it.
type FleetKeyMap struct {
	Quit     key.Binding
	Filter   key.Binding
	Esc      key.Binding
	Open     key.Binding
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
}

// DefaultFleetKeyMap keeps the dashboard's keys where they do the same job.
func DefaultFleetKeyMap() FleetKeyMap {
	return FleetKeyMap{
		Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c", "f10"), key.WithHelp("q", "quit")),
		Filter:   key.NewBinding(key.WithKeys("/", "f4"), key.WithHelp("/", "filter hosts")),
		Esc:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter / back to the fleet")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the host's dashboard")),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "select host")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup/pgdn", "page")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home/end", "first / last host")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end", "last host")),
	}
}

// hint is the fleet screen's bottom line.
func (k FleetKeyMap) hint() string {
	var parts []string
	for _, b := range []key.Binding{k.Up, k.Open, k.Filter, k.PageUp, k.Quit} {
		parts = append(parts, b.Help().Key+" "+b.Help().Desc)
	}
	return strings.Join(parts, " · ")
}

// KeyTable is the fleet keys as a Markdown table, for the README.
func (k FleetKeyMap) KeyTable() string {
	var b strings.Builder
	b.WriteString("| key | action |\n|---|---|\n")
	for _, kb := range []key.Binding{k.Up, k.PageUp, k.Top, k.Open, k.Esc, k.Filter, k.Quit} {
		fmt.Fprintf(&b, "| `%s` | %s |\n", kb.Help().Key, kb.Help().Desc)
	}
	return b.String()
}
