package cli

import (
	"strings"
	"testing"
	"time"
)

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{"90d": 90 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "36h": 36 * time.Hour, "0s": 0} {
		if got, err := parseAge(in); err != nil || got != want {
			t.Errorf("parseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"soon", "-3d", "-1h", "99999999999w", "d"} {
		if got, err := parseAge(in); err == nil {
			t.Errorf("parseAge(%q) = %v, want an error", in, got)
		}
	}
}

// --before takes a day, a local time on it as whet runs shows times (with
// a space or a T), or an RFC 3339 time; anything else names the forms.
func TestParseDate(t *testing.T) {
	local := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.Local)
	}
	for in, want := range map[string]time.Time{
		"2026-11-24":                local(2026, 11, 24, 0, 0, 0),
		"2026-11-24 20:43":          local(2026, 11, 24, 20, 43, 0),
		" 2026-11-24 20:43:30 ":     local(2026, 11, 24, 20, 43, 30),
		"2026-11-24T20:43":          local(2026, 11, 24, 20, 43, 0),
		"2026-11-24T20:43:30":       local(2026, 11, 24, 20, 43, 30),
		"2026-11-24T20:43:30Z":      time.Date(2026, 11, 24, 20, 43, 30, 0, time.UTC),
		"2026-11-24T20:43:30+02:00": time.Date(2026, 11, 24, 18, 43, 30, 0, time.UTC),
	} {
		got, err := parseDate(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseDate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"2020-13-01", "yesterday", "24/11/2026", "2026-11-24 25:00"} {
		if _, err := parseDate(in); err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD HH:MM") {
			t.Errorf("parseDate(%q) = %v, want an error naming the forms", in, err)
		}
	}
}
