// Package themes turns a handful of semantic colours (a Palette) into every
// style the TUI uses (Styles), and names the Glamour style that matches each
// theme. Themes are values: nothing here is a mutable package global, so a
// caller picks a theme once and passes it down.
package themes

import (
	"fmt"
	"image/color"
	"sort"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// Palette is a theme's semantic colours. Expand derives every style from it.
// A nil colour means "the terminal's default".
type Palette struct {
	Primary  color.Color // focus, active tab, selection marker, titles
	Accent   color.Color // tags, highlights
	Subtle   color.Color // selected-row background, faint separators
	Muted    color.Color // secondary text: labels, times, hints
	Text     color.Color // body text
	Surface  color.Color // bars and dialogs background
	Border   color.Color // panel borders
	OK       color.Color
	Warn     color.Color
	Error    color.Color
	DiffAdd  color.Color
	DiffDel  color.Color
	Variable color.Color // {{variables}} in prompt text
}

// Theme is a named palette with its derived styles and matching Glamour style.
type Theme struct {
	Name    string
	Dark    bool   // whether the theme is meant for a dark background
	Glamour string // a glamour standard style name: dark, light, dracula, notty, ascii
	Mono    bool   // no colours at all (NO_COLOR); focus is bold/reverse
	Palette Palette
	Styles  Styles
}

// Styles is every style the UI draws with. Expand builds it from a Palette;
// nothing in the UI constructs colours of its own.
type Styles struct {
	Base   lipgloss.Style // body text
	Muted  lipgloss.Style
	Subtle lipgloss.Style
	Bold   lipgloss.Style
	Title  lipgloss.Style // screen titles, prompt names in headers
	Header lipgloss.Style // column headers

	TabActive   lipgloss.Style
	TabInactive lipgloss.Style
	TabBar      lipgloss.Style // the line under the tabs

	StatusBar    lipgloss.Style
	StatusKey    lipgloss.Style
	StatusText   lipgloss.Style
	StatusInfo   lipgloss.Style
	StatusError  lipgloss.Style
	StatusAccent lipgloss.Style

	Row         lipgloss.Style
	RowSelected lipgloss.Style
	RowMarked   lipgloss.Style // a row picked for a diff
	Cursor      lipgloss.Style // the selection marker glyph

	Tag          lipgloss.Style
	TagProtected lipgloss.Style
	Label        lipgloss.Style
	LabelKey     lipgloss.Style
	Variable     lipgloss.Style
	Role         lipgloss.Style // message role headings

	Panel        lipgloss.Style // bordered box
	PanelFocused lipgloss.Style
	PanelTitle   lipgloss.Style

	OK    lipgloss.Style
	Warn  lipgloss.Style
	Error lipgloss.Style

	DiffAdd     lipgloss.Style
	DiffDel     lipgloss.Style
	DiffHunk    lipgloss.Style
	DiffContext lipgloss.Style
	DiffGutter  lipgloss.Style

	Dialog      lipgloss.Style
	DialogTitle lipgloss.Style
	InputLabel  lipgloss.Style
	Key         lipgloss.Style // an inline key hint: "enter"
	KeyDesc     lipgloss.Style // its description

	Help      help.Styles
	TextArea  textarea.Styles
	TextInput textinput.Styles
}

// Built-in theme names.
const (
	Dark         = "dark"
	Light        = "light"
	Dracula      = "dracula"
	HighContrast = "high-contrast"
)

type builtin struct {
	dark    bool
	glamour string
	palette Palette
}

func hex(s string) color.Color { return lipgloss.Color(s) }

// builtins returns fresh copies of the built-in palettes.
func builtins() map[string]builtin {
	return map[string]builtin{
		Dark: {dark: true, glamour: "dark", palette: Palette{
			Primary: hex("#A78BFA"), Accent: hex("#F472B6"), Subtle: hex("#303040"),
			Muted: hex("#8B8B9A"), Text: hex("#E4E4E7"), Surface: hex("#1E1E2A"),
			Border: hex("#4B4B5C"), OK: hex("#34D399"), Warn: hex("#FBBF24"),
			Error: hex("#F87171"), DiffAdd: hex("#4ADE80"), DiffDel: hex("#F87171"),
			Variable: hex("#FCD34D"),
		}},
		Light: {dark: false, glamour: "light", palette: Palette{
			Primary: hex("#6D28D9"), Accent: hex("#BE185D"), Subtle: hex("#E9E5F5"),
			Muted: hex("#6B6B7B"), Text: hex("#1F1F29"), Surface: hex("#F1F0F7"),
			Border: hex("#B8B5C8"), OK: hex("#047857"), Warn: hex("#B45309"),
			Error: hex("#B91C1C"), DiffAdd: hex("#15803D"), DiffDel: hex("#B91C1C"),
			Variable: hex("#9A3412"),
		}},
		Dracula: {dark: true, glamour: "dracula", palette: Palette{
			Primary: hex("#BD93F9"), Accent: hex("#FF79C6"), Subtle: hex("#44475A"),
			Muted: hex("#6272A4"), Text: hex("#F8F8F2"), Surface: hex("#21222C"),
			Border: hex("#6272A4"), OK: hex("#50FA7B"), Warn: hex("#FFB86C"),
			Error: hex("#FF5555"), DiffAdd: hex("#50FA7B"), DiffDel: hex("#FF5555"),
			Variable: hex("#F1FA8C"),
		}},
		HighContrast: {dark: true, glamour: "dark", palette: Palette{
			Primary: hex("#00FFFF"), Accent: hex("#FF00FF"), Subtle: hex("#303030"),
			Muted: hex("#D0D0D0"), Text: hex("#FFFFFF"), Surface: hex("#000000"),
			Border: hex("#FFFFFF"), OK: hex("#00FF00"), Warn: hex("#FFFF00"),
			Error: hex("#FF4040"), DiffAdd: hex("#00FF00"), DiffDel: hex("#FF4040"),
			Variable: hex("#FFFF00"),
		}},
	}
}

// Names lists the built-in themes, sorted.
func Names() []string {
	b := builtins()
	names := make([]string, 0, len(b))
	for n := range b {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Get returns a built-in theme by name (case-insensitive). The error lists
// the names that exist.
func Get(name string) (Theme, error) {
	b, ok := builtins()[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return Theme{}, fmt.Errorf("unknown theme %q: choose one of %s", name, strings.Join(Names(), ", "))
	}
	n := strings.ToLower(strings.TrimSpace(name))
	return Theme{Name: n, Dark: b.dark, Glamour: b.glamour, Palette: b.palette, Styles: Expand(b.palette, b.dark, false)}, nil
}

// ForBackground returns the dark theme for a dark terminal background and the
// light theme otherwise.
func ForBackground(isDark bool) Theme {
	name := Light
	if isDark {
		name = Dark
	}
	t, _ := Get(name) // a built-in name always resolves
	return t
}

// Monochrome returns t without any colour, for NO_COLOR: text keeps the
// terminal's colours, focus and selection are shown with bold and reverse,
// and Glamour renders with its "notty" style.
func Monochrome(t Theme) Theme {
	t.Mono = true
	t.Glamour = "notty"
	t.Palette = Palette{}
	t.Styles = Expand(t.Palette, t.Dark, true)
	return t
}

// FewColours returns t for a terminal of 16 colours. There the selected
// row's background (Palette.Subtle) falls to the terminal's own black or
// white, the colour of its background, and vanishes, so the selection is
// drawn in reverse video, as in Monochrome.
func FewColours(t Theme) Theme {
	if !t.Mono {
		t.Styles.RowSelected = lipgloss.NewStyle().Bold(true).Reverse(true)
	}
	return t
}

// orNone maps a nil colour to "no colour".
func orNone(c color.Color) color.Color {
	if c == nil {
		return lipgloss.NoColor{}
	}
	return c
}

// Expand derives every UI style from a palette. When mono is set, no colour is
// used and emphasis falls back to bold, underline and reverse video.
func Expand(p Palette, dark, mono bool) Styles {
	if mono {
		p = Palette{}
	}
	fg := func(c color.Color) lipgloss.Style { return lipgloss.NewStyle().Foreground(orNone(c)) }
	primary, accent, subtle := orNone(p.Primary), orNone(p.Accent), orNone(p.Subtle)
	muted, text, surface, border := orNone(p.Muted), orNone(p.Text), orNone(p.Surface), orNone(p.Border)

	var s Styles
	s.Base = fg(text)
	s.Muted = fg(muted)
	s.Subtle = fg(border)
	s.Bold = fg(text).Bold(true)
	s.Title = fg(primary).Bold(true)
	s.Header = fg(muted).Bold(true)

	s.TabActive = lipgloss.NewStyle().Foreground(primary).Bold(true).Padding(0, 1).Underline(true)
	s.TabInactive = fg(muted).Padding(0, 1)
	s.TabBar = fg(border)

	s.StatusBar = lipgloss.NewStyle().Foreground(text).Background(surface)
	s.StatusKey = lipgloss.NewStyle().Foreground(primary).Background(surface).Bold(true)
	s.StatusText = lipgloss.NewStyle().Foreground(muted).Background(surface)
	s.StatusInfo = lipgloss.NewStyle().Foreground(orNone(p.OK)).Background(surface)
	s.StatusError = lipgloss.NewStyle().Foreground(orNone(p.Error)).Background(surface).Bold(true)
	s.StatusAccent = lipgloss.NewStyle().Foreground(accent).Background(surface)

	s.Row = fg(text)
	s.RowSelected = lipgloss.NewStyle().Foreground(text).Background(subtle).Bold(true)
	s.RowMarked = fg(accent).Bold(true)
	s.Cursor = fg(primary).Bold(true)

	s.Tag = fg(accent)
	s.TagProtected = fg(accent).Bold(true)
	s.Label = fg(muted)
	s.LabelKey = fg(muted).Faint(!mono)
	s.Variable = fg(orNone(p.Variable)).Bold(true)
	s.Role = fg(primary).Bold(true)

	s.Panel = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(border).Padding(0, 1)
	s.PanelFocused = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(primary).Padding(0, 1)
	s.PanelTitle = fg(primary).Bold(true)

	s.OK = fg(orNone(p.OK))
	s.Warn = fg(orNone(p.Warn))
	s.Error = fg(orNone(p.Error)).Bold(true)

	// Not by colour alone (red and green are the pair most often confused):
	// added text is bold, removed text struck through, in every theme.
	s.DiffAdd = fg(orNone(p.DiffAdd)).Bold(true)
	s.DiffDel = fg(orNone(p.DiffDel)).Strikethrough(true)
	s.DiffHunk = fg(primary).Faint(!mono)
	s.DiffContext = fg(text)
	s.DiffGutter = fg(muted)

	s.Dialog = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(primary).Padding(0, 1)
	s.DialogTitle = fg(primary).Bold(true)
	s.InputLabel = fg(muted)
	s.Key = fg(primary).Bold(true)
	s.KeyDesc = fg(muted)

	s.Help = help.Styles{
		Ellipsis:       fg(border),
		ShortKey:       fg(primary).Bold(true),
		ShortDesc:      fg(muted),
		ShortSeparator: fg(border),
		FullKey:        fg(primary).Bold(true),
		FullDesc:       fg(text),
		FullSeparator:  fg(border),
	}

	ta := textarea.DefaultStyles(dark)
	ta.Focused.Base = lipgloss.NewStyle()
	ta.Focused.Text = fg(text)
	ta.Focused.CursorLine = fg(text)
	ta.Focused.Placeholder = fg(muted).Faint(mono) // without colour, a placeholder must not read as typed text
	ta.Focused.Prompt = fg(primary)
	ta.Focused.LineNumber = fg(muted)
	ta.Focused.CursorLineNumber = fg(primary)
	ta.Focused.EndOfBuffer = fg(border)
	ta.Focused.Selection = lipgloss.NewStyle().Reverse(true)
	ta.Blurred = ta.Focused
	ta.Blurred.Text = fg(muted)
	ta.Blurred.CursorLine = fg(muted)
	ta.Blurred.Prompt = fg(border)
	ta.Blurred.CursorLineNumber = fg(muted)
	ta.Cursor.Color = primary
	ta.Cursor.Blink = false
	s.TextArea = ta

	ti := textinput.DefaultStyles(dark)
	ti.Focused.Text = fg(text)
	ti.Focused.Placeholder = fg(muted).Faint(mono)
	ti.Focused.Prompt = fg(primary)
	ti.Focused.Suggestion = fg(muted)
	ti.Blurred = ti.Focused
	ti.Blurred.Text = fg(muted)
	ti.Blurred.Prompt = fg(border)
	ti.Cursor.Color = primary
	ti.Cursor.Blink = false
	s.TextInput = ti

	if mono {
		s.TabActive = lipgloss.NewStyle().Bold(true).Reverse(true).Padding(0, 1)
		s.RowSelected = lipgloss.NewStyle().Bold(true).Reverse(true)
		s.RowMarked = lipgloss.NewStyle().Bold(true).Underline(true)
		s.StatusBar = lipgloss.NewStyle().Reverse(true)
		s.StatusKey = lipgloss.NewStyle().Reverse(true).Bold(true)
		s.StatusText = lipgloss.NewStyle().Reverse(true)
		s.StatusInfo = lipgloss.NewStyle().Reverse(true)
		s.StatusError = lipgloss.NewStyle().Reverse(true).Bold(true)
		s.StatusAccent = lipgloss.NewStyle().Reverse(true)
		s.PanelFocused = s.PanelFocused.Border(lipgloss.ThickBorder())
		s.Variable = lipgloss.NewStyle().Bold(true).Underline(true)
	}
	return s
}
