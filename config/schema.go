package config

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

	"whet/textutil"
	"whet/themes"
)

// This file is the schema: which keys exist where, and what each accepts.

// Keys of the file, in the order a reader meets them in the default file.
func topFields() []string {
	return []string{"author", "protected_tags", "theme", "targets", "aliases", "providers", "judge", "embedder"}
}

func providerFields() []string {
	return []string{"type", "base_url", "api_version", "api_key_env", "api_key_cmd", "headers", "concurrency", "timeout", "keep_alive", "models", "prices"}
}

func priceFields() []string { return []string{"input", "output"} }

const literalKeyMsg = "keys are never stored in the config; use api_key_env or api_key_cmd"

// unknown records a key the schema does not have, refusing anything that
// looks like a place for a literal key.
func (d *decoder) unknown(e entry, field string, known []string) {
	f := join(field, e.key)
	if isKeyField(e.key) {
		d.addAt(e.keyTk, f, literalKeyMsg)
		return
	}
	msg := fmt.Sprintf("unknown field %q", e.key)
	if s := suggest(e.key, known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	} else {
		msg += " (known: " + strings.Join(known, ", ") + ")"
	}
	d.addAt(e.keyTk, f, "%s", msg)
}

// config decodes the top-level mapping into c.
func (d *decoder) config(n ast.Node, c *Config) {
	entries, ok := d.mapping(n, "")
	if !ok {
		return
	}
	byKey := map[string]entry{}
	for _, e := range entries {
		if slices.Contains(topFields(), e.key) {
			byKey[e.key] = e
		} else {
			d.unknown(e, "", topFields())
		}
	}
	if e, ok := byKey["author"]; ok {
		c.Author, _ = d.str(e.value, e.key)
		c.Author = strings.TrimSpace(c.Author)
	}
	if e, ok := byKey["theme"]; ok {
		if theme, ok := d.str(e.value, e.key); ok && strings.TrimSpace(theme) != "" {
			if _, err := themes.Get(theme); err != nil {
				d.addAt(tokenOf(e.value), e.key, "%v", err)
			} else {
				c.Theme = theme
			}
		}
	}
	if e, ok := byKey["protected_tags"]; ok {
		c.ProtectedTags, _ = d.strs(e.value, e.key)
	}
	// Providers first: aliases and targets refer to them.
	if e, ok := byKey["providers"]; ok {
		d.providers(e.value, c)
	}
	if e, ok := byKey["aliases"]; ok {
		d.aliases(e.value, c)
	}
	if e, ok := byKey["targets"]; ok {
		d.targets(e.value, c)
	}
	for _, k := range []string{"judge", "embedder"} {
		e, ok := byKey[k]
		if !ok {
			continue
		}
		s, ok := d.str(e.value, e.key)
		if !ok {
			continue
		}
		if t, ok := d.grader(s, c, tokenOf(e.value), e.key); ok {
			if k == "judge" {
				c.Judge = t
			} else {
				c.Embedder = t
			}
		}
	}
}

// grader decodes the judge or embedder target: provider:model or an alias
// (resolved as a target is, when a check is graded), never an echo target,
// which answers with the prompt it is sent and so cannot grade.
func (d *decoder) grader(s string, c *Config, tk *token.Token, field string) (string, bool) {
	name := strings.ToLower(strings.TrimSpace(s))
	if d.aliasNames[name] {
		return name, true
	}
	prov, _, hasModel := strings.Cut(name, ":")
	if prov == TypeEcho || c.Providers[prov].Type == TypeEcho {
		d.addAt(tk, field, "%q is an echo target, which answers with the prompt it is sent and so cannot grade: name a model (e.g. openai:gpt-4o-mini) or an alias", strings.TrimSpace(s))
		return "", false
	}
	if !hasModel && name != "" {
		d.addAt(tk, field, "want provider:model or an alias, found %q", strings.TrimSpace(s))
		return "", false
	}
	return d.target(s, c, false, tk, field)
}

// providers decodes the providers mapping into c.Providers.
func (d *decoder) providers(n ast.Node, c *Config) {
	entries, ok := d.mapping(n, "providers")
	if !ok {
		return
	}
	seen := map[string]entry{}
	for _, e := range entries {
		field := join("providers", e.key)
		name := strings.ToLower(e.key)
		if !validName(name) {
			d.addAt(e.keyTk, field, "provider name %q may hold only letters, digits, '.', '_' and '-', and must start with a letter or digit", e.key)
			continue
		}
		if prev, dup := seen[name]; dup {
			d.addAt(e.keyTk, field, "duplicate provider name %q: names ignore case, and %q is at line %d", e.key, prev.key, line(prev.keyTk))
			continue
		}
		seen[name] = e
		p := d.provider(name, e, field)
		if c.Providers == nil {
			c.Providers = map[string]Provider{}
		}
		c.Providers[name] = p
	}
}

// provider decodes and validates one provider entry. On problems it still
// returns the named provider, so references to it do not pile up problems.
func (d *decoder) provider(name string, pe entry, field string) Provider {
	p := Provider{Name: name}
	entries, ok := d.mapping(pe.value, field)
	if !ok {
		return p
	}
	typeOK, urlSet := true, false
	var keepTk, envTk, cmdTk, versionTk *token.Token
	for _, e := range entries {
		f := join(field, e.key)
		tk := tokenOf(e.value)
		switch e.key {
		case "type":
			s, ok := d.str(e.value, f)
			s = strings.ToLower(strings.TrimSpace(s))
			switch {
			case !ok:
				typeOK = false
			case s == "":
			case !slices.Contains(Types(), s):
				d.addAt(tk, f, "unknown provider type %q (want %s)", s, orList(Types()))
				typeOK = false
			default:
				p.Type = s
			}
		case "base_url":
			s, ok := d.str(e.value, f)
			urlSet = !ok || s != ""
			if ok && s != "" {
				if err := checkURL(s); err != nil {
					d.addAt(tk, f, "%v", err)
				} else {
					p.BaseURL = s
				}
			}
		case "api_version":
			if s, ok := d.str(e.value, f); ok {
				p.APIVersion, versionTk = strings.TrimSpace(s), e.keyTk
			}
		case "api_key_env":
			s, ok := d.str(e.value, f)
			if ok && s != "" {
				if !isEnvName(s) {
					// Never repeat the value: it may be the key itself.
					d.addAt(tk, f, "api_key_env names an environment variable (like OPENAI_API_KEY); it does not hold the key")
				} else {
					p.APIKeyEnv, envTk = s, e.keyTk
				}
			}
		case "api_key_cmd":
			if s, ok := d.str(e.value, f); ok && strings.TrimSpace(s) != "" {
				p.APIKeyCmd, cmdTk = s, e.keyTk
			}
		case "headers":
			p.Headers = d.headers(e.value, f)
		case "concurrency":
			if v, ok := d.integer(e.value, f); ok {
				if v < 0 {
					d.addAt(tk, f, "must be 0 (the default) or more, found %d", v)
				} else {
					p.Concurrency = v
				}
			}
		case "timeout":
			if v, ok := d.duration(e.value, f); ok {
				if v < 0 {
					d.addAt(tk, f, "must not be negative, found %s", v)
				} else {
					p.Timeout = v
				}
			}
		case "keep_alive":
			if v, ok := d.duration(e.value, f); ok {
				p.KeepAlive, keepTk = v, e.keyTk
				if _, null := e.value.(*ast.NullNode); v == 0 && !null {
					// To Ollama, 0 means unload after the call: every cell
					// would load the model again. Zero here means unset.
					d.addAt(tokenOf(e.value), f, "keep_alive 0 would unload the model after every call; leave it out for Ollama's default (5m), or give a duration (-1s: forever)")
				}
			}
		case "models":
			p.Models, _ = d.strs(e.value, f)
		case "prices":
			p.Prices = d.prices(e.value, f)
		default:
			d.unknown(e, field, providerFields())
		}
	}

	typ := p.Type
	if typ == "" && isBuiltin(name) {
		typ = name
	}
	if typ == "" && typeOK {
		d.addAt(pe.keyTk, join(field, "type"), "type is required for provider %q (want %s)", name, orList(Types()))
	}
	if typ == TypeOpenAI && name != TypeOpenAI && !urlSet {
		d.addAt(pe.keyTk, join(field, "base_url"), "base_url is required for an OpenAI-compatible provider other than the built-in openai")
	}
	if typ == TypeAzure && !urlSet {
		d.addAt(pe.keyTk, join(field, "base_url"), "base_url is required for an azure provider: the resource's endpoint (https://NAME.openai.azure.com)")
	}
	if typ == TypeAzure && p.APIVersion == "" {
		d.addAt(pe.keyTk, join(field, "api_version"), "api_version is required for an azure provider (e.g. 2024-10-21)")
	}
	if versionTk != nil && typ != "" && typ != TypeAzure {
		d.addAt(versionTk, join(field, "api_version"), "api_version applies only to azure providers, and this one is %s", typ)
	}
	if keepTk != nil && typ != "" && typ != TypeOllama {
		d.addAt(keepTk, join(field, "keep_alive"), "keep_alive applies only to ollama providers, and this one is %s", typ)
	}
	if envTk != nil && cmdTk != nil {
		later, f := cmdTk, "api_key_cmd"
		if line(envTk) > line(cmdTk) {
			later, f = envTk, "api_key_env"
		}
		d.addAt(later, join(field, f), "set api_key_env or api_key_cmd, not both: which one is meant is ambiguous")
	}
	return p
}

// headers decodes extra HTTP headers, refusing the ones that carry keys.
func (d *decoder) headers(n ast.Node, field string) map[string]string {
	entries, ok := d.mapping(n, field)
	if !ok || len(entries) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, e := range entries {
		f := join(field, e.key)
		switch strings.ToLower(strings.TrimSpace(e.key)) {
		case "":
			d.addAt(e.keyTk, f, "empty header name")
			continue
		case "authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key":
			d.addAt(e.keyTk, f, literalKeyMsg)
			continue
		}
		if s, ok := d.str(e.value, f); ok {
			out[e.key] = s
		}
	}
	return out
}

// prices decodes model -> {input, output}.
func (d *decoder) prices(n ast.Node, field string) map[string]Price {
	entries, ok := d.mapping(n, field)
	if !ok || len(entries) == 0 {
		return nil
	}
	out := map[string]Price{}
	for _, me := range entries {
		mf := join(field, me.key)
		fields, ok := d.mapping(me.value, mf)
		if !ok {
			continue
		}
		var pr Price
		for _, e := range fields {
			f := join(mf, e.key)
			var dst *float64
			switch e.key {
			case "input":
				dst = &pr.Input
			case "output":
				dst = &pr.Output
			default:
				d.unknown(e, mf, priceFields())
				continue
			}
			v, ok := d.number(e.value, f)
			if !ok {
				continue
			}
			if v < 0 {
				d.addAt(tokenOf(e.value), f, "price must not be negative, found %g", v)
				continue
			}
			*dst = v
		}
		out[me.key] = pr
	}
	return out
}

// aliases decodes name -> target into c.Aliases; providers are known.
func (d *decoder) aliases(n ast.Node, c *Config) {
	entries, ok := d.mapping(n, "aliases")
	if !ok {
		return
	}
	seen := map[string]entry{}
	for _, e := range entries {
		field := join("aliases", e.key)
		name := strings.ToLower(e.key)
		switch {
		case !validName(name):
			d.addAt(e.keyTk, field, "alias name %q may hold only letters, digits, '.', '_' and '-', and must start with a letter or digit", e.key)
			continue
		case c.hasProvider(name):
			d.addAt(e.keyTk, field, "alias %q has the name of a provider; pick another name", e.key)
			continue
		}
		if prev, dup := seen[name]; dup {
			d.addAt(e.keyTk, field, "duplicate alias %q: names ignore case, and %q is at line %d", e.key, prev.key, line(prev.keyTk))
			continue
		}
		seen[name] = e
		if d.aliasNames == nil {
			d.aliasNames = map[string]bool{}
		}
		d.aliasNames[name] = true
		s, ok := d.str(e.value, field)
		if !ok {
			continue
		}
		if t, ok := d.target(s, c, false, tokenOf(e.value), field); ok {
			if c.Aliases == nil {
				c.Aliases = map[string]string{}
			}
			c.Aliases[name] = t
		}
	}
}

// targets decodes the default target list; aliases and providers are known.
func (d *decoder) targets(n ast.Node, c *Config) {
	items, ok := d.list(n, "targets")
	if !ok {
		return
	}
	for i, item := range items {
		field := fmt.Sprintf("targets[%d]", i)
		s, ok := d.str(item, field)
		if !ok {
			continue
		}
		if t, ok := d.target(s, c, true, tokenOf(item), field); ok {
			c.Targets = append(c.Targets, t)
		}
	}
}

// target checks one target and returns it with the provider part in lower
// case. Aliases must be provider:model or echo; a target in the list may
// also be an alias name or a bare provider name.
func (d *decoder) target(s string, c *Config, inList bool, tk *token.Token, field string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		d.addAt(tk, field, "empty target")
		return "", false
	}
	prov, model, hasModel := strings.Cut(s, ":")
	prov = strings.ToLower(prov)
	known := c.hasProvider(prov)
	if !hasModel {
		switch {
		case prov == TypeEcho:
			return prov, true
		case inList && (known || d.aliasNames[prov]):
			return prov, true
		case inList:
			d.addAt(tk, field, "%q is not provider:model, an alias or a provider", s)
		default:
			d.addAt(tk, field, "want provider:model (or echo), found %q", s)
		}
		return "", false
	}
	if !known {
		names := Config{Providers: c.Providers}.ProviderNames()
		d.addAt(tk, field, "unknown provider %q in %q (known: %s)", prov, s, strings.Join(names, ", "))
		return "", false
	}
	if strings.TrimSpace(model) == "" {
		d.addAt(tk, field, "%q names no model after the colon", s)
		return "", false
	}
	return prov + ":" + model, true
}

// hasProvider reports whether name (lower case) is built in or configured.
func (c *Config) hasProvider(name string) bool {
	_, ok := c.Providers[name]
	return ok || isBuiltin(name)
}

// checkURL accepts an absolute http(s) URL with a host and no credentials.
// Its messages never repeat the URL, which might carry a secret.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("not a valid URL: %v", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("want an http:// or https:// URL")
	case u.Host == "":
		return errors.New("the URL has no host")
	case u.User != nil:
		return errors.New("the URL must not carry credentials: " + literalKeyMsg)
	}
	return nil
}

// validName reports whether s (lower case) can name a provider or alias:
// it must not hold ':' (the target separator) or spaces.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
		case (r == '.' || r == '_' || r == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

// isKeyField reports whether a key name is a place someone would put a
// literal API key (api_key, apiKey, api-key, token, secret, ...).
func isKeyField(k string) bool {
	k = strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(k))
	switch k {
	case "apikey", "key", "token", "apitoken", "secret", "secretkey", "accesstoken", "password", "bearer":
		return true
	}
	return false
}

// suggest returns the known name closest to k when it is a likely typo.
func suggest(k string, known []string) string {
	best, bestDist := "", 3
	for _, c := range known {
		if dist := textutil.EditDistance(strings.ToLower(k), c); dist < bestDist {
			best, bestDist = c, dist
		}
	}
	return best
}

// orList renders ["a","b","c"] as "a, b or c".
func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// join builds a dotted field path.
func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// line is tk's line, 0 when unknown.
func line(tk *token.Token) int {
	if tk == nil || tk.Position == nil {
		return 0
	}
	return tk.Position.Line
}
