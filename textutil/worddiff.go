package textutil

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aymanbagabas/go-udiff/lcs"
)

// WordOp says what a WordEdit does to the text.
type WordOp int8

const (
	// WordEqual text is in both a and b.
	WordEqual WordOp = iota
	// WordDelete text is in a only.
	WordDelete
	// WordInsert text is in b only.
	WordInsert
)

// WordEdit is one run of a word-level diff.
type WordEdit struct {
	Op   WordOp
	Text string
}

// exactLimit bounds the exact LCS table (in cells, after the common prefix
// and suffix are trimmed); larger inputs use a bounded Myers search that may
// report a longer diff than the shortest one, never a wrong one.
const exactLimit = 1 << 20

// WordDiff compares a and b word by word. A word is a run of letters,
// digits, marks and underscores; a run of white space and every other
// character (punctuation, symbols) are tokens of their own.
//
// It promises: the WordEqual and WordDelete texts, in order, concatenate to
// a; the WordEqual and WordInsert texts concatenate to b; no two adjacent
// edits have the same Op; within a changed region the WordDelete comes
// before the WordInsert; white space between two changed words belongs to
// the change, so that "quick brown" → "slow red" reads as one phrase
// replaced. Identical inputs give one WordEqual (none when both are empty).
// It is pure and works on any text; callers sanitise before drawing.
func WordDiff(a, b string) []WordEdit {
	ta, tb := Words(a), Words(b)
	p := 0
	for p < len(ta) && p < len(tb) && ta[p] == tb[p] {
		p++
	}
	s := 0
	for s < len(ta)-p && s < len(tb)-p && ta[len(ta)-1-s] == tb[len(tb)-1-s] {
		s++
	}
	ma, mb := ta[p:len(ta)-s], tb[p:len(tb)-s]

	// ops holds one op per token: equal tokens once, with both indexes.
	type tokOp struct {
		op   WordOp
		text string
	}
	var ops []tokOp
	for _, t := range ta[:p] {
		ops = append(ops, tokOp{WordEqual, t})
	}
	switch {
	case len(ma) == 0:
		for _, t := range mb {
			ops = append(ops, tokOp{WordInsert, t})
		}
	case len(mb) == 0:
		for _, t := range ma {
			ops = append(ops, tokOp{WordDelete, t})
		}
	case len(ma)*len(mb) <= exactLimit:
		for _, e := range exactDiff(ma, mb) {
			ops = append(ops, tokOp{e.Op, e.Text})
		}
	default:
		i := 0
		for _, d := range lcs.DiffLines(ma, mb) {
			for ; i < d.Start; i++ {
				ops = append(ops, tokOp{WordEqual, ma[i]})
			}
			for k := d.Start; k < d.End; k++ {
				ops = append(ops, tokOp{WordDelete, ma[k]})
			}
			for k := d.ReplStart; k < d.ReplEnd; k++ {
				ops = append(ops, tokOp{WordInsert, mb[k]})
			}
			i = d.End
		}
		for ; i < len(ma); i++ {
			ops = append(ops, tokOp{WordEqual, ma[i]})
		}
	}
	for _, t := range ta[len(ta)-s:] {
		ops = append(ops, tokOp{WordEqual, t})
	}

	// White space alone between two changes joins them.
	for i := 1; i+1 < len(ops); i++ {
		if ops[i].op == WordEqual && isSpace(ops[i].text) && ops[i-1].op != WordEqual && ops[i+1].op != WordEqual {
			ops[i].op = -1 // both deleted and inserted
		}
	}

	// Fold each changed region into one delete and one insert.
	// Runs are built in builders: joining the tokens of a long equal run
	// one string concatenation at a time is quadratic (minutes for an
	// output of a few MB with one change in it).
	var out []WordEdit
	var eq, del, ins strings.Builder
	flushEqual := func() {
		if eq.Len() > 0 {
			out = append(out, WordEdit{WordEqual, eq.String()})
		}
		eq.Reset()
	}
	flush := func() {
		if del.Len() > 0 {
			out = append(out, WordEdit{WordDelete, del.String()})
		}
		if ins.Len() > 0 {
			out = append(out, WordEdit{WordInsert, ins.String()})
		}
		del.Reset()
		ins.Reset()
	}
	for _, o := range ops {
		switch o.op {
		case WordEqual:
			flush()
			eq.WriteString(o.text)
			continue
		case WordDelete:
			del.WriteString(o.text)
		case WordInsert:
			ins.WriteString(o.text)
		default:
			del.WriteString(o.text)
			ins.WriteString(o.text)
		}
		flushEqual()
	}
	flushEqual()
	flush()
	return out
}

// exactDiff is the shortest edit script of a to b by dynamic programming
// over the LCS lengths; deletions come before insertions where both fit.
func exactDiff(a, b []string) []WordEdit {
	// Compare token ids, not strings.
	ids := map[string]int32{}
	id := func(t string) int32 {
		v, ok := ids[t]
		if !ok {
			v = int32(len(ids))
			ids[t] = v
		}
		return v
	}
	ia, ib := make([]int32, len(a)), make([]int32, len(b))
	for i, t := range a {
		ia[i] = id(t)
	}
	for j, t := range b {
		ib[j] = id(t)
	}
	n, m := len(a), len(b)
	w := m + 1
	// l[i*w+j] is the LCS length of a[i:] and b[j:].
	l := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if ia[i] == ib[j] {
				l[i*w+j] = l[(i+1)*w+j+1] + 1
			} else {
				l[i*w+j] = max(l[(i+1)*w+j], l[i*w+j+1])
			}
		}
	}
	var out []WordEdit
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && ia[i] == ib[j]:
			out = append(out, WordEdit{WordEqual, a[i]})
			i++
			j++
		case j == m || i < n && l[(i+1)*w+j] >= l[i*w+j+1]:
			out = append(out, WordEdit{WordDelete, a[i]})
			i++
		default:
			out = append(out, WordEdit{WordInsert, b[j]})
			j++
		}
	}
	return out
}

// Words splits s into the tokens WordDiff compares: runs of word
// characters, runs of white space, and single other characters. The tokens
// concatenate to s.
func Words(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		j := i + size
		switch {
		case isWordRune(r):
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if !isWordRune(r2) {
					break
				}
				j += sz
			}
		case unicode.IsSpace(r):
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsSpace(r2) {
					break
				}
				j += sz
			}
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

func isSpace(s string) bool {
	return strings.TrimSpace(s) == ""
}
