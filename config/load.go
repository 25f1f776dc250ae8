package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"whet/prompt"
)

// Problem is one thing wrong with a config file, at a position in it.
type Problem struct {
	File string
	// Line and Col are 1-based; 0 when the problem has no position.
	Line, Col int
	// Field is the dotted path of the offending value, e.g.
	// "providers.groq.base_url" or "targets[2]"; empty for syntax errors.
	Field string
	Msg   string
}

// String renders the problem as "file:line:col: field: msg", leaving out
// the parts that are empty.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", p.Line, p.Col)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// ProblemsError is the error of [Load] and [Parse] when a file has
// problems; it carries every one, in file order.
type ProblemsError struct {
	Problems []Problem
}

// Error lists the problems, one per line.
func (e *ProblemsError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "config has %d problems:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Default returns the configuration in force when there is no file: the
// built-in providers, author $USER, protected tag "production".
func Default(getenv func(string) string) Config {
	var c Config
	applyDefaults(&c, getenv, false)
	return c
}

// Load reads the config file at path, expands ${VAR} through getenv,
// applies defaults and validates it. A missing file is not an error: it
// yields [Default] with an empty Path. A file with problems yields a
// *[ProblemsError] listing all of them; a file that cannot be read, an error
// naming it.
func Load(path string, getenv func(string) string) (Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Default(getenv), nil
	}
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(path, data, getenv)
	if err != nil {
		return Config{}, err
	}
	c.Path = path
	return c, nil
}

// Parse decodes data as a config file called name (used in problem
// positions and as Config.Path), exactly as [Load] does after reading it.
func Parse(name string, data []byte, getenv func(string) string) (Config, error) {
	c, problems := decode(name, data, getenv)
	if len(problems) > 0 {
		return Config{}, &ProblemsError{Problems: problems}
	}
	c.Path = name
	return c, nil
}

// Check reports every problem in the config file at path, in file order.
// A missing file has none. The error is for a file that cannot be read.
func Check(path string, getenv func(string) string) ([]Problem, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	_, problems := decode(path, data, getenv)
	return problems, nil
}

// decode parses, decodes and validates data, returning the config and all
// problems sorted by position.
func decode(name string, data []byte, getenv func(string) string) (Config, []Problem) {
	d := &decoder{file: name, getenv: getenv}
	var c Config
	var fe *prompt.FileError
	if errors.As(prompt.CheckText(name, data), &fe) {
		d.problems = append(d.problems, Problem{File: name, Line: fe.Line, Col: fe.Col, Msg: fe.Msg})
		return c, d.problems
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // as a Windows editor saves UTF-8
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		d.syntax(err)
		return c, d.problems
	}
	var body []ast.Node
	for _, doc := range f.Docs {
		if doc.Body != nil {
			body = append(body, doc.Body)
		}
	}
	switch len(body) {
	case 0:
	case 1:
		d.collectAnchors(body[0])
		d.config(body[0], &c)
	default:
		d.addAt(body[1].GetToken(), "", "want one YAML document, found %d", len(body))
	}
	presetTags := c.ProtectedTags != nil
	applyDefaults(&c, getenv, presetTags)
	slices.SortStableFunc(d.problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	return c, d.problems
}

// LoginName is the user's login name from the environment: $USER, else
// $LOGNAME (set alone by some login shells), else Windows' %USERNAME%; ""
// when none is set. It signs changes when the config names no author.
func LoginName(getenv func(string) string) string {
	return cmp.Or(getenv("USER"), getenv("LOGNAME"), getenv("USERNAME"))
}

// applyDefaults fills what the file left unset. tagsSet says the file set
// protected_tags (possibly to []), which then stands.
func applyDefaults(c *Config, getenv func(string) string, tagsSet bool) {
	if c.Author == "" {
		c.Author = LoginName(getenv)
	}
	if !tagsSet {
		c.ProtectedTags = []string{"production"}
	}
}

// syntax turns a parser error into a problem at its token.
func (d *decoder) syntax(err error) {
	var ye yaml.Error
	if errors.As(err, &ye) {
		p := Problem{File: d.file, Msg: "syntax error: " + prompt.YAMLMessage(ye.GetMessage())}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			p.Line, p.Col = tk.Position.Line, tk.Position.Column
		}
		d.problems = append(d.problems, p)
		return
	}
	d.problems = append(d.problems, Problem{File: d.file, Msg: "syntax error: " + err.Error()})
}
