package themes

import (
	"strings"
	"testing"

	"charm.land/glamour/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

func TestGetBuiltins(t *testing.T) {
	want := map[string]struct {
		dark    bool
		glamour string
	}{
		Dark:         {true, "dark"},
		Light:        {false, "light"},
		Dracula:      {true, "dracula"},
		HighContrast: {true, "dark"},
	}
	if got := Names(); strings.Join(got, ",") != "dark,dracula,high-contrast,light" {
		t.Fatalf("Names() = %v", got)
	}
	for name, w := range want {
		th, err := Get(name)
		if err != nil {
			t.Fatalf("Get(%q): %v", name, err)
		}
		if th.Name != name || th.Dark != w.dark || th.Glamour != w.glamour {
			t.Errorf("Get(%q) = name %q dark %v glamour %q; want dark %v glamour %q", name, th.Name, th.Dark, th.Glamour, w.dark, w.glamour)
		}
		if th.Palette.Primary == nil || th.Palette.DiffAdd == nil || th.Palette.Variable == nil {
			t.Errorf("%s: palette has unset colours: %+v", name, th.Palette)
		}
		// The glamour style must exist.
		if _, err := glamour.NewTermRenderer(glamour.WithStandardStyle(th.Glamour)); err != nil {
			t.Errorf("%s: glamour style %q: %v", name, th.Glamour, err)
		}
	}
}

func TestGetIsCaseInsensitiveAndRejectsUnknown(t *testing.T) {
	if th, err := Get(" Dracula "); err != nil || th.Name != "dracula" {
		t.Fatalf("Get(Dracula) = %q, %v", th.Name, err)
	}
	_, err := Get("solarized")
	if err == nil || !strings.Contains(err.Error(), "solarized") || !strings.Contains(err.Error(), "high-contrast") {
		t.Fatalf("Get(solarized) error = %v; want it to name the theme and list the choices", err)
	}
}

func TestForBackground(t *testing.T) {
	if ForBackground(true).Name != Dark || ForBackground(false).Name != Light {
		t.Fatal("ForBackground picks the wrong theme")
	}
}

func TestStylesUseThePalette(t *testing.T) {
	th, _ := Get(Dark)
	out := th.Styles.DiffAdd.Render("+x")
	// #4ADE80 = 74,222,128
	if !strings.Contains(out, "38;2;74;222;128") {
		t.Errorf("DiffAdd does not use the palette's add colour: %q", out)
	}
	if ansi.Strip(out) != "+x" {
		t.Errorf("DiffAdd changes the text: %q", out)
	}
	lt, _ := Get(Light)
	if lt.Styles.DiffAdd.Render("+x") == out {
		t.Error("light and dark render diff additions the same")
	}
}

func TestMonochromeHasNoColourButKeepsFocus(t *testing.T) {
	for _, name := range Names() {
		th, _ := Get(name)
		m := Monochrome(th)
		if !m.Mono || m.Glamour != "notty" {
			t.Errorf("%s: Monochrome = mono %v glamour %q", name, m.Mono, m.Glamour)
		}
		for label, st := range map[string]string{
			"Title":       m.Styles.Title.Render("t"),
			"DiffAdd":     m.Styles.DiffAdd.Render("t"),
			"StatusBar":   m.Styles.StatusBar.Render("t"),
			"Variable":    m.Styles.Variable.Render("t"),
			"Tag":         m.Styles.Tag.Render("t"),
			"RowSelected": m.Styles.RowSelected.Render("t"),
		} {
			if strings.Contains(st, "38;") || strings.Contains(st, "48;") || strings.Contains(st, "[3") && strings.Contains(st, "m") && hasColourSGR(st) {
				t.Errorf("%s/%s: monochrome output has a colour: %q", name, label, st)
			}
		}
		// A field's placeholder is set apart from typed text without colour.
		for label, ph := range map[string]lipgloss.Style{"TextInput": m.Styles.TextInput.Focused.Placeholder, "TextArea": m.Styles.TextArea.Focused.Placeholder} {
			if !ph.GetFaint() {
				t.Errorf("%s: %s placeholder reads as typed text in monochrome", name, label)
			}
		}
		sel := m.Styles.RowSelected.Render("row")
		if !strings.Contains(sel, "7") || !strings.Contains(sel, "1") {
			t.Errorf("%s: selected row is neither reverse nor bold in monochrome: %q", name, sel)
		}
	}
}

// hasColourSGR reports whether s holds an SGR colour parameter (30-37,
// 40-47, 90-97, 100-107, 38, 48).
func hasColourSGR(s string) bool {
	for _, seq := range strings.Split(s, "\x1b[") {
		end := strings.IndexByte(seq, 'm')
		if end < 0 {
			continue
		}
		for _, p := range strings.Split(seq[:end], ";") {
			switch {
			case len(p) == 2 && (p[0] == '3' || p[0] == '4' || p[0] == '9') && p[1] >= '0' && p[1] <= '8':
				return true
			case len(p) == 3 && p[0] == '1' && p[1] == '0':
				return true
			}
		}
	}
	return false
}

// TestDiffsNotByColourAlone: in every theme, monochrome or not, added text
// is bold and removed text struck through, so a reader who cannot tell red
// from green still sees what changed.
func TestDiffsNotByColourAlone(t *testing.T) {
	for _, name := range Names() {
		th, _ := Get(name)
		for _, t2 := range []Theme{th, Monochrome(th), FewColours(th)} {
			if !t2.Styles.DiffAdd.GetBold() || !t2.Styles.DiffDel.GetStrikethrough() {
				t.Errorf("%s (mono %v): added bold %v, removed struck through %v", name, t2.Mono,
					t2.Styles.DiffAdd.GetBold(), t2.Styles.DiffDel.GetStrikethrough())
			}
		}
	}
}
