// Package themes holds headroom's palettes and builds every lipgloss style
// the screen uses from one of them; no other package picks colours.
package themes

import (
	"strconv"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Palette is a theme's colours. Hex colours are degraded by lipgloss to the
// nearest 256 or 16 colours on terminals that have fewer.
type Palette struct {
	Name     string
	Colour   bool // false: no colours at all, attributes only (mono)
	Fg, Dim  string
	Accent   string
	OK, Warn string
	Crit     string
	CPU, Mem string
	Swap     string
	Disk     string
	Net      string
	IO       string
	Border   string
	HeaderFg string
	HeaderBg string
	SelFg    string
	SelBg    string
}

// Builtin lists the built-in palettes; the first is the default.
var Builtin = []Palette{
	{Name: "dark", Colour: true, Fg: "#d0d0d0", Dim: "#7a7a7a", Accent: "#5fafff", OK: "#5fd75f", Warn: "#ffaf00", Crit: "#ff5f5f",
		CPU: "#5fafff", Mem: "#af87ff", Swap: "#ff87af", Disk: "#ffd75f", Net: "#5fd7af", IO: "#d7af87", Border: "#4e4e4e",
		HeaderFg: "#ffffff", HeaderBg: "#303a4a", SelFg: "#ffffff", SelBg: "#3a3a5a"},
	{Name: "light", Colour: true, Fg: "#262626", Dim: "#6c6c6c", Accent: "#005fd7", OK: "#008700", Warn: "#af5f00", Crit: "#d70000",
		CPU: "#005fd7", Mem: "#8700af", Swap: "#d7005f", Disk: "#875f00", Net: "#00875f", IO: "#5f5f00", Border: "#bcbcbc",
		HeaderFg: "#000000", HeaderBg: "#d0d8e8", SelFg: "#000000", SelBg: "#c6d0f0"},
	{Name: "dracula", Colour: true, Fg: "#f8f8f2", Dim: "#6272a4", Accent: "#bd93f9", OK: "#50fa7b", Warn: "#ffb86c", Crit: "#ff5555",
		CPU: "#8be9fd", Mem: "#bd93f9", Swap: "#ff79c6", Disk: "#f1fa8c", Net: "#50fa7b", IO: "#ffb86c", Border: "#44475a",
		HeaderFg: "#f8f8f2", HeaderBg: "#44475a", SelFg: "#f8f8f2", SelBg: "#44475a"},
	{Name: "mono", Colour: false},
}

// Names lists the built-in theme names, in cycling order.
func Names() []string {
	out := make([]string, len(Builtin))
	for i, p := range Builtin {
		out[i] = p.Name
	}
	return out
}

// ByName finds a built-in palette.
func ByName(name string) (Palette, bool) {
	for _, p := range Builtin {
		if p.Name == name {
			return p, true
		}
	}
	return Palette{}, false
}

// Styles are every style the screen draws with, built from one palette.
type Styles struct {
	Palette  Palette
	Text     lipgloss.Style
	Dim      lipgloss.Style
	Title    lipgloss.Style
	Header   lipgloss.Style
	Label    lipgloss.Style
	OK       lipgloss.Style // level MONITOR
	Warn     lipgloss.Style // level OPTIMIZE
	Crit     lipgloss.Style // level SCALE
	Paused   lipgloss.Style
	CPU      lipgloss.Style
	Mem      lipgloss.Style
	Swap     lipgloss.Style
	Disk     lipgloss.Style
	Net      lipgloss.Style
	IO       lipgloss.Style
	TableHdr lipgloss.Style
	Selected lipgloss.Style
	HelpKey  lipgloss.Style
	HelpDesc lipgloss.Style
	Border   lipgloss.Style
}

// New builds the styles of a palette for a terminal's colour profile.
// Levels are never told by colour alone: the screen always writes the
// level's word or symbol too, so a mono palette loses nothing.
//
// Colours are converted to the profile here, once: left as hex, lipgloss
// converts them again on every render, and on a 256-colour terminal that
// nearest-colour search was a tenth of headroom's CPU time.
func New(p Palette, profile termenv.Profile) Styles {
	s := lipgloss.NewStyle()
	if !p.Colour || profile == termenv.Ascii {
		return Styles{Palette: p, Text: s, Dim: s.Faint(true), Title: s.Bold(true), Header: s.Reverse(true),
			Label: s.Bold(true), OK: s, Warn: s.Bold(true), Crit: s.Bold(true).Reverse(true), Paused: s.Reverse(true).Bold(true),
			CPU: s, Mem: s, Swap: s, Disk: s, Net: s, IO: s,
			TableHdr: s.Bold(true).Underline(true), Selected: s.Reverse(true), HelpKey: s.Bold(true), HelpDesc: s.Faint(true), Border: s}
	}
	colour := func(hex string) lipgloss.Color {
		switch c := profile.Color(hex).(type) {
		case termenv.ANSI256Color:
			return lipgloss.Color(strconv.Itoa(int(c)))
		case termenv.ANSIColor:
			return lipgloss.Color(strconv.Itoa(int(c)))
		}
		return lipgloss.Color(hex)
	}
	c := func(hex string) lipgloss.Style { return s.Foreground(colour(hex)) }
	return Styles{
		Palette:  p,
		Text:     c(p.Fg),
		Dim:      c(p.Dim),
		Title:    c(p.Accent).Bold(true),
		Header:   s.Foreground(colour(p.HeaderFg)).Background(colour(p.HeaderBg)),
		Label:    c(p.Fg).Bold(true),
		OK:       c(p.OK),
		Warn:     c(p.Warn).Bold(true),
		Crit:     c(p.Crit).Bold(true),
		Paused:   s.Foreground(colour(p.HeaderBg)).Background(colour(p.Warn)).Bold(true),
		CPU:      c(p.CPU),
		Mem:      c(p.Mem),
		Swap:     c(p.Swap),
		Disk:     c(p.Disk),
		Net:      c(p.Net),
		IO:       c(p.IO),
		TableHdr: c(p.Accent).Bold(true),
		Selected: s.Foreground(colour(p.SelFg)).Background(colour(p.SelBg)),
		HelpKey:  c(p.Accent),
		HelpDesc: c(p.Dim),
		Border:   c(p.Border),
	}
}
