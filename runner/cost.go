package runner

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml"

	"whet/assets"
	"whet/config"
)

// PriceCatalogue maps a section (a provider name or type: openai,
// anthropic, gemini, groq, …) to model names and their prices, USD per 1M
// tokens.
type PriceCatalogue map[string]map[string]config.Price

// pricesFile is the built-in catalogue under assets/files.
const pricesFile = "prices.yaml"

// LoadPriceCatalogue parses the built-in catalogue (assets/files/prices.yaml).
func LoadPriceCatalogue() (PriceCatalogue, error) {
	data, err := assets.ReadFile(pricesFile)
	if err != nil {
		return nil, fmt.Errorf("price catalogue: %w", err)
	}
	return ParsePriceCatalogue(pricesFile, data)
}

// ParsePriceCatalogue parses a catalogue in the YAML form of prices.yaml:
// section -> model -> {input, output}. Unknown fields and negative prices are
// errors naming the file (and, for prices, the section and model).
func ParsePriceCatalogue(name string, data []byte) (PriceCatalogue, error) {
	var c PriceCatalogue
	if err := yaml.UnmarshalWithOptions(data, &c, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for sec, models := range c {
		for m, p := range models {
			if p.Input < 0 || p.Output < 0 {
				return nil, fmt.Errorf("%s: %s.%s: a price cannot be negative", name, sec, m)
			}
		}
	}
	return c, nil
}

// Lookup returns the price of model in section: by exact name, else by the
// longest listed name that model extends with a date or version suffix
// (gpt-4o-mini-2024-07-18, claude-sonnet-4-5-20250929, gemini-2.0-flash-001,
// claude-3-5-haiku-latest, gemini-2.5-flash-preview-05-20). A different
// model that merely shares a prefix (o3-pro and o3) is not a match.
func (c PriceCatalogue) Lookup(section, model string) (config.Price, bool) {
	return costLookup(c[section], model)
}

// costVariant matches what may follow a listed model name in a dated or
// versioned variant of it.
var costVariant = regexp.MustCompile(`^(-latest|[-@]\d{8}|-\d{4}-\d{2}-\d{2}|-\d{3,4}(-preview)?|-preview(-\d{2}-\d{2,4})?)$`)

// costLookup finds model in prices: exact, else the longest name of which
// model is a dated or versioned variant.
func costLookup(prices map[string]config.Price, model string) (config.Price, bool) {
	if p, ok := prices[model]; ok {
		return p, true
	}
	best, found := "", false
	for name := range prices {
		rest, ok := strings.CutPrefix(model, name)
		if !ok || !costVariant.MatchString(rest) {
			continue
		}
		if len(name) > len(best) {
			best, found = name, true
		}
	}
	if !found {
		return config.Price{}, false
	}
	return prices[best], true
}

// costSection returns the catalogue section of the API at base URL raw,
// by its host or a subdomain of it (a regional endpoint such as
// eu-west-1.api.x.ai), and whether the host is one it knows.
func costSection(raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", false
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	for _, h := range costHosts() {
		if host == h.host || strings.HasSuffix(host, "."+h.host) {
			return h.section, true
		}
	}
	return "", false
}

// costHosts are the API hosts of the catalogue's sections.
func costHosts() []struct{ host, section string } {
	return []struct{ host, section string }{
		{"api.openai.com", "openai"},
		{"api.anthropic.com", "anthropic"},
		{"generativelanguage.googleapis.com", "gemini"},
		{"api.groq.com", "groq"},
		{"api.deepseek.com", "deepseek"},
		{"api.x.ai", "xai"},
		{"api.cerebras.ai", "cerebras"},
		{"api.fireworks.ai", "fireworks"},
		{"api.moonshot.ai", "moonshot"},
		{"api.moonshot.cn", "moonshot"},
	}
}

// Cost is the price of a call in USD: in and out tokens at p's per-million
// rates.
func Cost(p config.Price, in, out int) float64 {
	return (float64(in)*p.Input + float64(out)*p.Output) / 1e6
}

// Billed reports whether calling any of specs may cost money: a target
// priced above 0, or one whose price ts does not know (a hosted model not
// in the catalogue). Ollama, echo and the local servers' models cost
// nothing. A spec that does not resolve counts as billed, as does any with
// a nil ts: nothing says it is free.
func Billed(ts Targets, specs []string) bool {
	if ts == nil {
		return len(specs) > 0
	}
	for _, spec := range specs {
		t, err := ts.Resolve(spec)
		if err != nil {
			return true
		}
		if p, ok := ts.Price(t); !ok || p.Input > 0 || p.Output > 0 {
			return true
		}
	}
	return false
}

// Unpriced lists the specs among specs whose price ts does not know: hosted
// models with no price in the config or the catalogue, whose calls are
// recorded at cost 0 though they are not free. A spec that no longer
// resolves is left out (its recorded cost is all that is known). nil ts:
// none.
func Unpriced(ts Targets, specs []string) []string {
	if ts == nil {
		return nil
	}
	var out []string
	for _, spec := range specs {
		t, err := ts.Resolve(spec)
		if err != nil {
			continue
		}
		if _, ok := ts.Price(t); !ok {
			out = append(out, spec)
		}
	}
	return out
}
