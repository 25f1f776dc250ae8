package promptfoo

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// promptfoo reads YAML with js-yaml (core schema with timestamps), which
// types some plain scalars differently from goccy's YAML 1.1 reading:
// 1e3 is the number 1000 there, 017 is 17, 0b101 and 1_000 are text,
// 2024-01-01 is a date, and a number beyond 2^53 loses its last digits.
// The importer resolves each plain scalar as js-yaml does, so that a var
// is the text promptfoo sends.

var (
	jsNullRe  = regexp.MustCompile(`^(~|null|Null|NULL)?$`)
	jsBoolRe  = regexp.MustCompile(`^(true|True|TRUE|false|False|FALSE)$`)
	jsDecRe   = regexp.MustCompile(`^[-+]?[0-9]+$`)
	jsHexRe   = regexp.MustCompile(`^0x[0-9a-fA-F]+$`)
	jsOctRe   = regexp.MustCompile(`^0o[0-7]+$`)
	jsFloatRe = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)
	jsInfRe   = regexp.MustCompile(`^[-+]?\.(inf|Inf|INF)$`)
	jsNaNRe   = regexp.MustCompile(`^\.(nan|NaN|NAN)$`)
	jsDateRe  = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$|^[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?([Tt]|[ \t]+)[0-9][0-9]?:[0-9]{2}:[0-9]{2}(\.[0-9]*)?([ \t]*(Z|[-+][0-9][0-9]?(:[0-9]{2})?))?$`)
)

// jsKind is what js-yaml makes of a plain scalar.
type jsKind int

const (
	jsText jsKind = iota
	jsNum
	jsOther // null, a boolean: goccy reads them alike
	jsDate
)

// jsScalar resolves a plain scalar's text as js-yaml does; f is its value
// when it is a number.
func jsScalar(raw string) (jsKind, float64) {
	switch {
	case jsNullRe.MatchString(raw), jsBoolRe.MatchString(raw):
		return jsOther, 0
	case jsDecRe.MatchString(raw):
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsInf(f, 0) {
			return jsText, 0
		}
		return jsNum, f
	case jsHexRe.MatchString(raw), jsOctRe.MatchString(raw):
		base := 16
		if raw[1] == 'o' {
			base = 8
		}
		u, err := strconv.ParseUint(raw[2:], base, 64)
		if err != nil {
			return jsText, 0
		}
		return jsNum, float64(u)
	case jsFloatRe.MatchString(raw):
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsInf(f, 0) {
			return jsText, 0
		}
		return jsNum, f
	case jsInfRe.MatchString(raw):
		if raw[0] == '-' {
			return jsNum, math.Inf(-1)
		}
		return jsNum, math.Inf(1)
	case jsNaNRe.MatchString(raw):
		return jsNum, math.NaN()
	case jsDateRe.MatchString(raw):
		return jsDate, 0
	}
	return jsText, 0
}

// plainRaw is the text of a plain (unquoted, not block) scalar node.
func plainRaw(n ast.Node) (string, bool) {
	switch n.(type) {
	case *ast.TagNode, *ast.AnchorNode, *ast.AliasNode:
		return "", false
	}
	if _, ok := n.(ast.ScalarNode); !ok {
		return "", false
	}
	tk := n.GetToken()
	if tk == nil {
		return "", false
	}
	switch tk.Type {
	case token.SingleQuoteType, token.DoubleQuoteType, token.LiteralType, token.FoldedType:
		return "", false
	}
	if _, ok := n.(*ast.LiteralNode); ok {
		return "", false
	}
	return tk.Value, true
}

// jsResolve returns v, read by goccy from d's file, with each plain scalar
// as js-yaml reads it; the paths of dates are recorded in d.dates.
func jsResolve(v any, path string, d *doc) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsResolve(e, path+pathSep+k, d)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = jsResolve(e, path+pathSep+strconv.Itoa(i), d)
		}
		return x
	}
	if s, ok := d.strs[path]; ok {
		return s // !!str 017: the text as written, which goccy reads as 15
	}
	raw, ok := d.plain[path]
	if !ok {
		return v
	}
	kind, f := jsScalar(raw)
	switch kind {
	case jsText:
		if _, isStr := v.(string); !isStr && v != nil {
			return raw // 0b101, 1_000: a number to goccy, text to js-yaml
		}
	case jsNum:
		switch n := v.(type) {
		case int64:
			if float64(n) == f && math.Abs(f) <= 1<<53 {
				return v
			}
		case uint64:
			if float64(n) == f && f <= 1<<53 {
				return v
			}
		case float64:
			if n == f || (math.IsNaN(n) && math.IsNaN(f)) {
				return v
			}
		}
		return f
	case jsDate:
		if _, isStr := v.(string); isStr {
			d.dates[path] = true
		}
	}
	return v
}

// jsString is a scalar as JavaScript's String() gives it, which is how
// Nunjucks prints a var: NaN, Infinity, 1000 for 1e3, "" for null.
func jsString(v any) string {
	switch x := v.(type) {
	case float64:
		switch {
		case math.IsNaN(x):
			return "NaN"
		case math.IsInf(x, 1):
			return "Infinity"
		case math.IsInf(x, -1):
			return "-Infinity"
		case x == 0:
			return "0"
		}
		// encoding/json formats a float64 as ES6's Number.prototype.toString.
		b, _ := json.Marshal(x)
		return string(b)
	case float32:
		return jsString(float64(x))
	}
	return text(v)
}

// varText is a var's value as the text promptfoo renders: a list of
// scalars is joined by commas, as JavaScript prints an array (nested lists
// flattened, null as nothing); a list that holds a mapping is its JSON, as
// whet gives a mapping.
func varText(v any) string {
	if l, ok := v.([]any); ok && !holdsMap(l) {
		parts := make([]string, len(l))
		for i, e := range l {
			if e != nil {
				parts[i] = varText(e)
			}
		}
		return strings.Join(parts, ",")
	}
	if _, ok := v.([]any); ok {
		return text(v)
	}
	return jsString(v)
}

func holdsMap(l []any) bool {
	for _, e := range l {
		switch x := e.(type) {
		case map[string]any, map[any]any:
			return true
		case []any:
			if holdsMap(x) {
				return true
			}
		}
	}
	return false
}

// jsJSON is n's value as JavaScript's JSON.stringify gives what js-yaml
// read: keys in the order the file writes them, numbers as JavaScript
// prints them, NaN and infinities as null, a date as its ISO time in UTC.
func jsJSON(n node) string {
	var b strings.Builder
	writeJSJSON(&b, n)
	return b.String()
}

func writeJSJSON(b *strings.Builder, n node) {
	switch v := n.v.(type) {
	case map[string]any:
		b.WriteByte('{')
		for i, k := range jsKeyOrder(n.keys()) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(jsQuote(k))
			b.WriteByte(':')
			c, _ := n.key(k)
			writeJSJSON(b, c)
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, c := range n.items() {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSJSON(b, c)
		}
		b.WriteByte(']')
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			b.WriteString("null")
			return
		}
		b.WriteString(jsString(v))
	case string:
		if n.d != nil && n.d.dates[n.path] {
			if iso, ok := jsDateISO(v); ok {
				v = iso
			}
		}
		b.WriteString(jsQuote(v))
	default:
		vb, err := json.Marshal(jsonSafe(v))
		if err != nil {
			b.WriteString("null")
			return
		}
		b.Write(vb)
	}
}

// jsQuote is s as JSON.stringify quotes it: unlike Go's encoder it leaves
// <, > and & as they are, and U+2028 and U+2029.
func jsQuote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	out := strings.TrimSuffix(b.String(), "\n")
	return strings.NewReplacer(`\u2028`, "\u2028", `\u2029`, "\u2029").Replace(out)
}

// jsKeyOrder is the order JavaScript keeps an object's keys in: those
// that are array indexes (0, 1, 42: canonical integers below 2^32-1)
// first, ascending, then the others as written.
func jsKeyOrder(keys []string) []string {
	index := func(k string) (uint64, bool) {
		n, err := strconv.ParseUint(k, 10, 32)
		return n, err == nil && n < math.MaxUint32 && strconv.FormatUint(n, 10) == k
	}
	var idx, rest []string
	for _, k := range keys {
		if _, ok := index(k); ok {
			idx = append(idx, k)
		} else {
			rest = append(rest, k)
		}
	}
	if len(idx) == 0 {
		return keys
	}
	slices.SortFunc(idx, func(a, b string) int {
		x, _ := index(a)
		y, _ := index(b)
		return cmp.Compare(x, y)
	})
	return append(idx, rest...)
}

// jsDateISO is a YAML timestamp as JavaScript's Date.toISOString gives the
// date js-yaml makes of it: UTC, milliseconds.
func jsDateISO(raw string) (string, bool) {
	m := jsDateRe.FindStringSubmatch(raw)
	if m == nil {
		return "", false
	}
	var t time.Time
	var err error
	if len(raw) == 10 {
		t, err = time.Parse("2006-01-02", raw)
	} else {
		// 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10 -5
		s := strings.Replace(raw, "t", "T", 1)
		date, rest, _ := strings.Cut(strings.Replace(s, " ", "T", 1), "T")
		rest = strings.TrimLeft(rest, " \t")
		clock, zone := rest, ""
		if i := strings.IndexAny(rest, "Z+-"); i >= 0 {
			clock, zone = strings.TrimSpace(rest[:i]), strings.TrimSpace(rest[i:])
		}
		y, mo, d := 0, 0, 0
		if _, err = fmt.Sscanf(date, "%d-%d-%d", &y, &mo, &d); err != nil {
			return "", false
		}
		hh, mm, ss, frac := 0, 0, 0, ""
		c, f, _ := strings.Cut(clock, ".")
		if _, err = fmt.Sscanf(c, "%d:%d:%d", &hh, &mm, &ss); err != nil {
			return "", false
		}
		frac = (f + "000")[:3]
		ms, _ := strconv.Atoi(frac)
		offset := 0
		if zone != "" && zone != "Z" {
			sign := 1
			if zone[0] == '-' {
				sign = -1
			}
			zh, zm, _ := strings.Cut(zone[1:], ":")
			h, _ := strconv.Atoi(zh)
			mi, _ := strconv.Atoi(zm)
			offset = sign * (h*60 + mi)
		}
		t = time.Date(y, time.Month(mo), d, hh, mm, ss, ms*int(time.Millisecond), time.UTC).Add(-time.Duration(offset) * time.Minute)
	}
	if err != nil {
		return "", false
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z"), true
}
