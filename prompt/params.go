package prompt

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ParamKeys are the well-known parameters; anything else goes to Extra.
var ParamKeys = []string{"temperature", "top_p", "max_tokens", "seed", "stop"}

// ProviderKinds are the provider types an Extra key may be scoped to, as
// in "ollama.num_ctx": only providers of that type receive it (For).
var ProviderKinds = []string{"ollama", "openai", "anthropic", "gemini", "echo"}

// scopeOf splits an Extra key scoped to a provider type ("ollama.num_ctx")
// into the type and the key; ok is false for an unscoped key.
func scopeOf(key string) (kind, name string, ok bool) {
	kind, name, ok = strings.Cut(key, ".")
	if !ok || name == "" {
		return "", "", false
	}
	for _, k := range ProviderKinds {
		if kind == k {
			return kind, name, true
		}
	}
	return "", "", false
}

// For is what a provider of type kind is sent: Extra keys scoped to another
// type ("ollama.num_ctx" for a Gemini target) are left out, and keys scoped
// to kind lose their scope, replacing an unscoped param of that name (a
// well-known one, such as "anthropic.max_tokens", sets that param). So one
// prompt can carry each provider's own options and still run on all of
// them. p is not changed.
func (p Params) For(kind string) Params {
	scoped := false
	for k := range p.Extra {
		if _, _, ok := scopeOf(k); ok {
			scoped = true
			break
		}
	}
	if !scoped {
		return p
	}
	orig := p.Extra
	p.Extra = make(map[string]any, len(orig))
	for k, v := range orig {
		if _, _, ok := scopeOf(k); !ok {
			p.Extra[k] = v
		}
	}
	for _, k := range SortedKeys(orig) {
		sk, name, ok := scopeOf(k)
		if !ok || sk != kind {
			continue
		}
		if !slices.Contains(ParamKeys, name) {
			p.Extra[name] = orig[k]
			continue
		}
		// Checked when it was set; one that no longer reads as its
		// param (a hand-edited file) is left out rather than sent raw.
		b, err := json.Marshal(orig[k])
		text := string(b)
		if s, ok := orig[k].(string); ok {
			text = s
		}
		if err == nil {
			next := p
			next.Unset(name)
			if next.Set(name, text) == nil {
				p = next
			}
		}
	}
	if len(p.Extra) == 0 {
		p.Extra = nil
	}
	return p
}

// Set sets one parameter from its text form, as given by --param k=v or a
// form field. Known keys are type-checked; "stop" takes one stop sequence per
// call (repeat it for several) or a JSON array; other keys go to Extra, parsed
// as JSON when they parse (numbers, booleans) and kept as strings otherwise.
// An empty value unsets the parameter.
func (p *Params) Set(key, value string) error {
	key = strings.TrimSpace(key)
	if key == "" {
		return fmt.Errorf("param needs a name: key=value")
	}
	if value == "" {
		p.Unset(key)
		return nil
	}
	switch key {
	case "temperature", "top_p":
		f, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return fmt.Errorf("param %s: %q is not a number", key, value)
		}
		if f < 0 || (key == "top_p" && f > 1) || f > 2 {
			limit := "0..2"
			if key == "top_p" {
				limit = "0..1"
			}
			return fmt.Errorf("param %s: %v is out of range %s", key, f, limit)
		}
		if key == "temperature" {
			p.Temperature = &f
		} else {
			p.TopP = &f
		}
	case "max_tokens":
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 {
			return fmt.Errorf("param max_tokens: %q is not a positive integer", value)
		}
		p.MaxTokens = &n
	case "seed":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return fmt.Errorf("param seed: %q is not an integer", value)
		}
		p.Seed = &n
	case "stop":
		if strings.HasPrefix(value, "[") {
			var list []string
			if err := json.Unmarshal([]byte(value), &list); err != nil {
				return fmt.Errorf("param stop: %q is not a JSON array of strings", value)
			}
			p.Stop = append(p.Stop, list...)
		} else {
			p.Stop = append(p.Stop, value)
		}
	default:
		if err := ValidateLabelKey(key); err != nil {
			return fmt.Errorf("param %q: a name starts with a letter and holds letters, digits, '_', '.' or '-'", key)
		}
		var v any
		if err := json.Unmarshal([]byte(value), &v); err != nil {
			v = value
		}
		if _, name, ok := scopeOf(key); ok && slices.Contains(ParamKeys, name) {
			// A well-known param for one kind of provider ("anthropic.max_tokens")
			// is checked as the param is, and reaches that provider as it (For).
			var typed Params
			if name == "stop" {
				typed.Stop = stopList(p.Extra[key])
			}
			if err := typed.Set(name, value); err != nil {
				return fmt.Errorf("param %s: %s", key, strings.TrimPrefix(err.Error(), "param "+name+": "))
			}
			v = typed.value(name)
		}
		if p.Extra == nil {
			p.Extra = map[string]any{}
		}
		p.Extra[key] = v
	}
	return nil
}

// value is the value of well-known param name, as JSON would hold it.
func (p Params) value(name string) any {
	switch name {
	case "temperature":
		return *p.Temperature
	case "top_p":
		return *p.TopP
	case "max_tokens":
		return *p.MaxTokens
	case "seed":
		return *p.Seed
	}
	return p.Stop
}

// stopList reads stop sequences kept in Extra: a list, or nothing.
func stopList(v any) []string {
	switch v := v.(type) {
	case []string:
		return slices.Clone(v)
	case []any:
		out := make([]string, 0, len(v))
		for _, s := range v {
			if s, ok := s.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// Unset removes a parameter.
func (p *Params) Unset(key string) {
	switch key {
	case "temperature":
		p.Temperature = nil
	case "top_p":
		p.TopP = nil
	case "max_tokens":
		p.MaxTokens = nil
	case "seed":
		p.Seed = nil
	case "stop":
		p.Stop = nil
	default:
		delete(p.Extra, key)
		if len(p.Extra) == 0 {
			p.Extra = nil
		}
	}
}

// ParseParam parses "key=value" into p.
func (p *Params) ParseParam(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("malformed param %q: expected key=value (e.g. temperature=0.2)", s)
	}
	return p.Set(k, v)
}

// Lines renders the params as sorted "key: value" lines for diffs and
// display. Values are JSON-encoded.
func (p Params) Lines() []string {
	var out []string
	add := func(k string, v any) {
		b, _ := json.Marshal(v)
		out = append(out, k+": "+string(b))
	}
	if p.Temperature != nil {
		add("temperature", *p.Temperature)
	}
	if p.TopP != nil {
		add("top_p", *p.TopP)
	}
	if p.MaxTokens != nil {
		add("max_tokens", *p.MaxTokens)
	}
	if p.Seed != nil {
		add("seed", *p.Seed)
	}
	if len(p.Stop) > 0 {
		add("stop", p.Stop)
	}
	for _, k := range SortedKeys(p.Extra) {
		add(k, p.Extra[k])
	}
	return out
}

// Clone returns a deep copy.
func (p Params) Clone() Params {
	c := p
	if p.Temperature != nil {
		v := *p.Temperature
		c.Temperature = &v
	}
	if p.TopP != nil {
		v := *p.TopP
		c.TopP = &v
	}
	if p.MaxTokens != nil {
		v := *p.MaxTokens
		c.MaxTokens = &v
	}
	if p.Seed != nil {
		v := *p.Seed
		c.Seed = &v
	}
	if p.Stop != nil {
		c.Stop = append([]string(nil), p.Stop...)
	}
	if p.Extra != nil {
		c.Extra = make(map[string]any, len(p.Extra))
		for k, v := range p.Extra {
			c.Extra[k] = v
		}
	}
	return c
}
