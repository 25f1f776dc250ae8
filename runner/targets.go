package runner

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"whet/config"
	"whet/textutil"
)

// BuiltinProviders returns the providers that exist without any config, in
// display order; each is named after its type.
func BuiltinProviders() []string { return config.BuiltinNames() }

func targetKnownType(t string) bool {
	for _, k := range config.Types() {
		if k == t {
			return true
		}
	}
	return false
}

// Target is a resolved target: which provider serves which model.
type Target struct {
	// Spec is the canonical form, "provider:model"; an echo-type provider
	// with its default model is just its name ("echo").
	Spec     string `json:"spec"`
	Provider string `json:"provider"` // the configured provider name (ollama, openai, groq, …)
	Model    string `json:"model"`    // as the provider names it; may contain ':' (llama3.2:3b)
	Type     string `json:"type"`     // what the provider speaks: ollama, openai, anthropic, gemini, echo
}

// String returns the spec.
func (t Target) String() string { return t.Spec }

// ollamaModel is an Ollama model's canonical name: without a ":latest" tag
// ("llama3.2:latest" -> "llama3.2"), which Ollama supplies when a name has
// none, so that both names are one target. A name whose last path element
// has another tag, or no name before the tag, is kept as it is.
func ollamaModel(model string) string {
	i := strings.LastIndexByte(model, ':')
	if i <= 0 || !strings.EqualFold(model[i+1:], "latest") {
		return model
	}
	base := model[:i]
	if strings.Contains(base[strings.LastIndexByte(base, '/')+1:], ":") || strings.HasSuffix(base, "/") {
		return model
	}
	return base
}

// Canonical returns the canonical form of a resolved spec as Resolve
// writes it: an Ollama provider's model without a ":latest" tag
// ("ollama:llama3.2:latest" -> "ollama:llama3.2"). Any other spec, and a
// spec of a provider not configured, is returned as it is; aliases are not
// followed (saved results hold specs). The store reads the targets of
// earlier runs through it, so that runs saved under either name of one
// model are one target's history.
func (r *Registry) Canonical(spec string) string {
	prefix, model, ok := strings.Cut(spec, ":")
	if !ok {
		return spec
	}
	name, known := r.lookupProvider(prefix)
	if !known || r.providers[name].Type != config.TypeOllama {
		return spec
	}
	return name + ":" + ollamaModel(model)
}

// WithEcho is infos with the built-in echo target added (Source
// "builtin"), as the Arena lists it: it is always there to run,
// configured or not. An alias of echo does not stand for it.
func WithEcho(infos []TargetInfo, targets Targets) []TargetInfo {
	t, err := targets.Resolve("echo")
	if err != nil || slices.ContainsFunc(infos, func(ti TargetInfo) bool { return ti.Spec == t.Spec && ti.Alias == "" && ti.Issue == "" }) {
		return infos
	}
	return append(infos, TargetInfo{Target: t, Source: "builtin"})
}

// TargetInfo is one entry of ListTargets.
type TargetInfo struct {
	Target
	// Source says where the entry comes from: "config" (the targets list),
	// "alias", "models" (a provider's models list), "listed" (reported by
	// the server) or "builtin" (echo, WithEcho).
	Source string `json:"source"`
	// Alias is the alias name when Source is "alias".
	Alias string `json:"alias,omitempty"`
	// Info describes the model when the server listed it.
	Info ModelInfo `json:"info,omitzero"`
	// Issue, when set, says why this entry is unusable: an unresolvable
	// spec, or a provider that could not be listed (then Model is empty).
	Issue string `json:"issue,omitempty"`
	// Missing, when set, says that the entry's Ollama server listed its
	// models and this one is not among them, and how to get it ("ollama
	// pull NAME"): a run on it fails until then.
	Missing string `json:"missing,omitempty"`
}

// Problem is Issue without a leading "NAME: " that repeats the entry's
// alias, spec or provider (a provider's errors name it), for display beside
// that name.
func (ti TargetInfo) Problem() string {
	for _, n := range []string{ti.Alias, ti.Spec, ti.Provider} {
		if rest, ok := strings.CutPrefix(ti.Issue, n+": "); ok && n != "" {
			return rest
		}
	}
	return ti.Issue
}

// Registry resolves target specs against the configured providers and
// aliases, and constructs each provider once, on first use. Its
// configuration is fixed at NewRegistry. It is safe for concurrent use.
type Registry struct {
	cfg       config.Config
	providers map[string]config.Provider // by name, Name and Type filled in
	aliases   map[string]string

	mu    sync.Mutex
	built map[string]targetBuilt

	pricesOnce sync.Once
	prices     PriceCatalogue
	pricesErr  error
}

type targetBuilt struct {
	p   Provider
	err error
}

// NewRegistry builds the registry of cfg: every provider of
// cfg.ProviderNames as cfg.Provider merges it (a built-in, overridden field
// by field by a config entry of its name; or a configured one), and cfg's
// aliases. Provider and alias names are case-insensitive. ${VAR} expansion
// and validation are the config package's job. Nothing is contacted.
func NewRegistry(cfg config.Config) *Registry {
	r := &Registry{
		cfg:       cfg,
		providers: map[string]config.Provider{},
		aliases:   map[string]string{},
		built:     map[string]targetBuilt{},
	}
	for _, name := range cfg.ProviderNames() {
		p, ok := cfg.Provider(name)
		if !ok {
			// A hand-built Config with a name not in lower case.
			p, ok = cfg.Providers[name]
			p.Name = strings.ToLower(name)
		}
		if ok {
			p.Type = strings.ToLower(strings.TrimSpace(p.Type))
			r.providers[p.Name] = p
		}
	}
	for k, v := range cfg.Aliases {
		r.aliases[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	return r
}

// ParseTarget resolves s against the built-in providers only (no config):
// "provider:model" or "echo". Use (*Registry).Resolve for configured
// providers and aliases.
func ParseTarget(s string) (Target, error) {
	return NewRegistry(config.Config{}).Resolve(s)
}

// ProviderNames returns every provider name: the built-ins in display
// order, then the others sorted.
func (r *Registry) ProviderNames() []string {
	out := BuiltinProviders()
	var extra []string
	for name := range r.providers {
		if !targetIsBuiltin(name) {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

// ProviderConfig returns the configuration of provider name.
func (r *Registry) ProviderConfig(name string) (config.Provider, bool) {
	return r.providerConf(name)
}

// Aliases returns the alias names, sorted.
func (r *Registry) Aliases() []string {
	out := make([]string, 0, len(r.aliases))
	for k := range r.aliases {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func targetIsBuiltin(name string) bool {
	for _, b := range BuiltinProviders() {
		if b == name {
			return true
		}
	}
	return false
}

// Resolve turns a spec into a Target. A spec is an alias name, a provider
// name followed by ':' and the model ("ollama:llama3.2:3b": the split is at
// the first ':' and only when what precedes it is a known provider), or an
// echo-type provider's name alone. An Ollama model's ":latest" tag is
// dropped ("ollama:llama3.2:latest" is "ollama:llama3.2", see Canonical).
// Errors say what was expected and list the known providers and aliases.
func (r *Registry) Resolve(spec string) (Target, error) {
	return r.resolve(spec, nil)
}

func (r *Registry) resolve(spec string, seen []string) (Target, error) {
	s := strings.TrimSpace(spec)
	if s == "" {
		return Target{}, fmt.Errorf("empty target: want provider:model (e.g. ollama:llama3.2), echo, or an alias")
	}
	if a, ok := r.aliases[strings.ToLower(s)]; ok {
		for _, n := range seen {
			if n == s {
				return Target{}, fmt.Errorf("alias %q refers back to itself (%s -> %s)%s", s, strings.Join(seen, " -> "), s, r.cfgWhere())
			}
		}
		t, err := r.resolve(a, append(seen, s))
		if err != nil {
			return Target{}, fmt.Errorf("alias %q (= %q): %w", s, a, err)
		}
		return t, nil
	}
	prefix, model, hasColon := strings.Cut(s, ":")
	name, known := r.lookupProvider(prefix)
	if !hasColon {
		if !known {
			return Target{}, fmt.Errorf("unknown target %q: want provider:model, an echo provider or an alias%s%s",
				s, r.didYouMean(s), r.knownList())
		}
		pc := r.providers[name]
		if err := r.checkType(pc); err != nil {
			return Target{}, err
		}
		if pc.Type != config.TypeEcho {
			return Target{}, fmt.Errorf("target %q names provider %q but no model: write %s:<model>%s",
				s, name, name, r.modelExamples(pc))
		}
		return Target{Spec: name, Provider: name, Model: "echo", Type: config.TypeEcho}, nil
	}
	if !known && strings.TrimSpace(prefix) == "" {
		return Target{}, fmt.Errorf("target %q has no provider before ':': write provider:model (e.g. ollama:llama3.2)%s", s, r.knownList())
	}
	if !known {
		return Target{}, fmt.Errorf("unknown provider %q in target %q%s; for an Ollama model tag write ollama:%s%s",
			prefix, s, r.didYouMean(prefix), s, r.knownList())
	}
	pc := r.providers[name]
	if err := r.checkType(pc); err != nil {
		return Target{}, err
	}
	model = strings.TrimSpace(model)
	if model == "" {
		return Target{}, fmt.Errorf("target %q has no model after %q: write %s:<model>%s", s, prefix+":", name, r.modelExamples(pc))
	}
	if pc.Type == config.TypeOllama {
		model = ollamaModel(model)
	}
	spec = name + ":" + model
	if pc.Type == config.TypeEcho && model == "echo" {
		spec = name
	}
	return Target{Spec: spec, Provider: name, Model: model, Type: pc.Type}, nil
}

// lookupProvider finds a provider by exact name, else case-insensitively.
func (r *Registry) lookupProvider(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if _, ok := r.providers[s]; ok {
		return s, true
	}
	for name := range r.providers {
		if strings.EqualFold(name, s) {
			return name, true
		}
	}
	return "", false
}

// checkType reports a configured provider whose type is missing or unknown.
func (r *Registry) checkType(pc config.Provider) error {
	if pc.Type == "" {
		return fmt.Errorf("provider %q has no type: set providers.%s.type to one of %s%s",
			pc.Name, pc.Name, strings.Join(config.Types(), ", "), r.cfgWhere())
	}
	if !targetKnownType(pc.Type) {
		return fmt.Errorf("provider %q has unknown type %q: providers.%s.type must be one of %s%s",
			pc.Name, pc.Type, pc.Name, strings.Join(config.Types(), ", "), r.cfgWhere())
	}
	return nil
}

// cfgWhere names the config file, for messages.
func (r *Registry) cfgWhere() string {
	if r.cfg.Path == "" {
		return ""
	}
	return " (in " + r.cfg.Path + ")"
}

// knownList is the "; known providers: …; aliases: …" tail of an error.
func (r *Registry) knownList() string {
	s := "; known providers: " + strings.Join(r.ProviderNames(), ", ")
	if al := r.Aliases(); len(al) > 0 {
		s += "; aliases: " + strings.Join(al, ", ")
	}
	return s
}

// modelExamples suggests models of a provider: its configured models, else
// a typical one of its type.
func (r *Registry) modelExamples(pc config.Provider) string {
	models := pc.Models
	if len(models) == 0 {
		switch pc.Type {
		case config.TypeOllama:
			models = []string{"llama3.2"}
		case config.TypeOpenAI:
			if pc.Name == config.TypeOpenAI {
				models = []string{"gpt-4o-mini"}
			}
		case config.TypeAnthropic:
			models = []string{"claude-sonnet-4-5"}
		case config.TypeGemini:
			models = []string{"gemini-2.5-flash"}
		}
	}
	if len(models) == 0 {
		return ""
	}
	ex := make([]string, 0, len(models))
	for _, m := range models {
		ex = append(ex, pc.Name+":"+m)
	}
	if len(ex) > 3 {
		ex = ex[:3]
	}
	return " (e.g. " + strings.Join(ex, ", ") + ")"
}

// didYouMean suggests the provider or alias names closest to s.
func (r *Registry) didYouMean(s string) string {
	var cands []string
	cands = append(cands, r.ProviderNames()...)
	cands = append(cands, r.Aliases()...)
	best, bestD := "", 3
	ls := strings.ToLower(s)
	for _, c := range cands {
		if d := textutil.EditDistance(ls, strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// Targets resolves the config's default targets (cfg.Targets), in order. An
// entry naming a provider alone (not an echo provider) stands for each model
// in that provider's models list.
func (r *Registry) Targets() ([]Target, error) {
	var out []Target
	for i, s := range r.cfg.Targets {
		ts, err := r.expand(s)
		if err != nil {
			return nil, fmt.Errorf("targets[%d]: %w%s", i, err, r.cfgWhere())
		}
		out = append(out, ts...)
	}
	return out, nil
}

// expand resolves an entry of the targets list: a spec, or a bare provider
// name standing for its configured models.
func (r *Registry) expand(s string) ([]Target, error) {
	s = strings.TrimSpace(s)
	if _, isAlias := r.aliases[strings.ToLower(s)]; !isAlias && !strings.Contains(s, ":") {
		if name, ok := r.lookupProvider(s); ok && r.providers[name].Type != config.TypeEcho {
			pc := r.providers[name]
			if len(pc.Models) == 0 {
				return nil, fmt.Errorf("%q names provider %q, which lists no models (providers.%s.models); write %s:<model>", s, name, name, name)
			}
			out := make([]Target, 0, len(pc.Models))
			for _, m := range pc.Models {
				t, err := r.Resolve(name + ":" + m)
				if err != nil {
					return nil, err
				}
				out = append(out, t)
			}
			return out, nil
		}
	}
	t, err := r.Resolve(s)
	if err != nil {
		return nil, err
	}
	return []Target{t}, nil
}

// Provider returns the provider named name, constructing it on first use;
// later calls return the same provider (or the same construction error).
func (r *Registry) Provider(name string) (Provider, error) {
	pc, ok := r.providers[name]
	if !ok {
		if n, found := r.lookupProvider(name); found {
			name, pc, ok = n, r.providers[n], true
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if b, done := r.built[name]; done {
		return b.p, b.err
	}
	if !ok {
		return nil, fmt.Errorf("unknown provider %q%s%s", name, r.didYouMean(name), r.knownList())
	}
	var b targetBuilt
	if err := r.checkType(pc); err != nil {
		b.err = err
	} else {
		b.p, b.err = targetNewProvider(pc)
	}
	r.built[name] = b
	return b.p, b.err
}

// targetNewProvider constructs the provider of a configured type.
func targetNewProvider(pc config.Provider) (Provider, error) {
	switch pc.Type {
	case config.TypeOllama:
		return NewOllama(pc)
	case config.TypeOpenAI, config.TypeAzure:
		return NewOpenAI(pc)
	case config.TypeAnthropic:
		return NewAnthropic(pc)
	case config.TypeGemini:
		return NewGemini(pc)
	case config.TypeEcho:
		return NewEcho(pc)
	}
	return nil, fmt.Errorf("provider %q: unknown type %q", pc.Name, pc.Type)
}

// Concurrency is the number of calls the executor may have in flight to a
// provider: its config's concurrency, else 1 for ollama (one GPU), 8 for
// hosted APIs, 0 (unbounded) for echo (config.Provider.MaxConcurrency). An
// unknown provider gets 1.
func (r *Registry) Concurrency(provider string) int {
	pc, ok := r.providerConf(provider)
	if !ok {
		return 1
	}
	return pc.MaxConcurrency()
}

// Timeout is the limit of one call to a provider: its config's timeout,
// else 5m for ollama (a cold model load is slow) and 2m for the others
// (config.Provider.CallTimeout).
func (r *Registry) Timeout(provider string) time.Duration {
	pc, _ := r.providerConf(provider)
	return pc.CallTimeout()
}

// providerConf finds a provider's config by name, case-insensitively.
func (r *Registry) providerConf(name string) (config.Provider, bool) {
	n, ok := r.lookupProvider(name)
	if !ok {
		return config.Provider{}, false
	}
	return r.providers[n], true
}

// Price returns the price of a target, USD per 1M tokens: ollama and echo
// cost nothing; otherwise the provider's configured prices, then the
// built-in catalogue: the section named after the provider, then the one
// of the API it calls (its base_url's host: a provider of any name calling
// api.groq.com is priced as groq, one calling eu-west-1.api.x.ai as xai;
// costSection), then the one of its type unless its host is another
// vendor's; each by exact model then by a dated or versioned variant of a
// listed model (gpt-4o-mini-2024-07-18 → gpt-4o-mini); a Gemini model is
// looked up without its "models/" prefix; a model found nowhere on a
// server of this machine (a configured base_url on localhost or a
// loopback address) costs nothing. false when unknown.
func (r *Registry) Price(t Target) (config.Price, bool) {
	typ := t.Type
	pc, ok := r.providerConf(t.Provider)
	if ok && typ == "" {
		typ = pc.Type
	}
	if typ == config.TypeOllama || typ == config.TypeEcho {
		return config.Price{}, true
	}
	model := t.Model
	if typ == config.TypeGemini {
		// The Gemini API takes "models/gemini-2.5-flash" as well as the
		// bare name; the catalogue lists bare names.
		model = strings.TrimPrefix(model, "models/")
	}
	if ok {
		if p, found := costLookup(pc.Prices, model); found {
			return p, true
		}
	}
	r.pricesOnce.Do(func() { r.prices, r.pricesErr = LoadPriceCatalogue() })
	if r.pricesErr != nil {
		return config.Price{}, false
	}
	if p, found := r.prices.Lookup(t.Provider, model); found {
		return p, true
	}
	base := ""
	if ok {
		base = r.baseURL(pc)
	}
	host, hostKnown := costSection(base)
	if hostKnown && host != t.Provider {
		if p, found := r.prices.Lookup(host, model); found {
			return p, true
		}
	}
	if typ != t.Provider && (!hostKnown || host == typ) {
		if p, found := r.prices.Lookup(typ, model); found {
			return p, true
		}
	}
	if ok && LoopbackURL(pc.BaseURL) {
		// A server on this machine (llama.cpp, vLLM, LM Studio, LocalAI)
		// runs a local model: free, as Ollama is. A local proxy to a
		// hosted model was priced by the catalogue above. Only a
		// configured base_url counts: OPENAI_BASE_URL or
		// ANTHROPIC_BASE_URL on localhost is as often a proxy to a
		// hosted API (LiteLLM, a gateway) as a local server.
		return config.Price{}, true
	}
	return config.Price{}, false
}

// baseURL is the URL provider pc calls: its provider's (which applies the
// vendor's default and variables such as OPENAI_BASE_URL), else pc's
// base_url. Building the provider contacts nothing.
func (r *Registry) baseURL(pc config.Provider) string {
	if p, err := r.Provider(pc.Name); err == nil {
		if b, ok := p.(interface{ BaseURL() string }); ok {
			return b.BaseURL()
		}
	}
	return pc.BaseURL
}

// LoopbackURL reports whether raw is an http(s) URL of this machine:
// localhost, a loopback address or the unspecified address.
func LoopbackURL(raw string) bool {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	h := strings.ToLower(u.Hostname())
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	// 0.0.0.0 (and ::) is where vLLM and llama-server say they listen
	// ("Uvicorn running on http://0.0.0.0:8000"); connecting to it reaches
	// this machine.
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

// ListTargets lists what can be run: the config's targets, its aliases and
// each provider's configured models, then every model of every reachable
// provider that can list them (Ollama's /api/tags, the OpenAI-compatible
// GET /models: a local vLLM, llama.cpp or LM Studio server shows what it
// serves; Anthropic's and Gemini's model lists). A provider that needs a
// key and has none is skipped: it is not set up, not unreachable. A provider
// that cannot be listed gives one entry with Issue set (Model empty); an
// unresolvable spec gives an entry with Issue set. Never fails as a whole. Each listing is bounded by 10s and ctx.
func (r *Registry) ListTargets(ctx context.Context) []TargetInfo {
	var out []TargetInfo
	index := map[string]int{} // alias|spec -> position
	add := func(ti TargetInfo) {
		key := ti.Alias + "|" + ti.Spec
		if ti.Spec != "" && ti.Issue == "" {
			if i, ok := index[key]; ok {
				if out[i].Info.Name == "" {
					out[i].Info = ti.Info
				}
				return
			}
			index[key] = len(out)
		}
		out = append(out, ti)
	}
	for _, s := range r.cfg.Targets {
		ts, err := r.expand(s)
		if err != nil {
			add(TargetInfo{Target: Target{Spec: s}, Source: "config", Issue: err.Error()})
			continue
		}
		for _, t := range ts {
			add(TargetInfo{Target: t, Source: "config"})
		}
	}
	for _, a := range r.Aliases() {
		t, err := r.Resolve(a)
		if err != nil {
			add(TargetInfo{Target: Target{Spec: r.aliases[a]}, Source: "alias", Alias: a, Issue: err.Error()})
			continue
		}
		add(TargetInfo{Target: t, Source: "alias", Alias: a})
	}
	names := r.ProviderNames()
	for _, name := range names {
		for _, m := range r.providers[name].Models {
			t, err := r.Resolve(name + ":" + m)
			if err != nil {
				add(TargetInfo{Target: Target{Spec: name + ":" + m, Provider: name}, Source: "models", Issue: err.Error()})
				continue
			}
			add(TargetInfo{Target: t, Source: "models"})
		}
	}
	ollamaListed := map[string]map[string]bool{} // Ollama provider -> ollamaNameKey of each listed model
	for _, name := range names {
		pc := r.providers[name]
		switch pc.Type {
		case config.TypeOllama, config.TypeOpenAI, config.TypeAnthropic, config.TypeGemini:
		default:
			continue
		}
		issue := func(err error) {
			add(TargetInfo{Target: Target{Provider: name, Type: pc.Type}, Source: "listed", Issue: err.Error()})
		}
		p, err := r.Provider(name)
		if err != nil {
			issue(err)
			continue
		}
		lister, ok := p.(ModelLister)
		if !ok {
			continue
		}
		lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		models, err := lister.ListModels(lctx)
		cancel()
		if errors.Is(err, ErrNoKey) {
			continue
		}
		if err != nil {
			issue(err)
			continue
		}
		if pc.Type == config.TypeOllama {
			ollamaListed[name] = map[string]bool{}
		}
		for _, m := range models {
			model := m.Name
			if pc.Type == config.TypeOllama {
				model = ollamaModel(model)
				ollamaListed[name][ollamaNameKey(m.Name)] = true
			}
			t := Target{Spec: name + ":" + model, Provider: name, Model: model, Type: pc.Type}
			add(TargetInfo{Target: t, Source: "listed", Info: m})
		}
	}
	for i, ti := range out {
		if listed, ok := ollamaListed[ti.Provider]; ok && ti.Issue == "" && ti.Model != "" && !listed[ollamaNameKey(ti.Model)] {
			out[i].Missing = fmt.Sprintf("not on the server: ollama pull %s", ti.Model)
		}
	}
	return out
}

// ProviderStatus describes a configured provider for display. Building it
// contacts nothing and runs no api_key_cmd.
type ProviderStatus struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	BaseURL string `json:"base_url,omitempty"` // credentials and query removed
	// Key says where the API key comes from (KeySource); KeyOK is false
	// when none can be found.
	Key         string        `json:"key,omitempty"`
	KeyOK       bool          `json:"key_ok"`
	Concurrency int           `json:"concurrency"` // 0 = unbounded
	Timeout     time.Duration `json:"timeout"`
	// Problem is why the provider cannot be built (a bad base URL, an
	// unknown type), if it cannot.
	Problem string `json:"problem,omitempty"`
}

// ProviderStatuses describes every provider, in ProviderNames order.
func (r *Registry) ProviderStatuses() []ProviderStatus {
	var out []ProviderStatus
	for _, name := range r.ProviderNames() {
		pc := r.providers[name]
		ps := ProviderStatus{Name: name, Type: pc.Type, Concurrency: r.Concurrency(name), Timeout: r.Timeout(name)}
		ps.Key, ps.KeyOK = KeySource(pc)
		p, err := r.Provider(name)
		if err != nil {
			ps.Problem = err.Error()
		} else {
			if b, ok := p.(interface{ BaseURL() string }); ok {
				ps.BaseURL = b.BaseURL()
				if u, err := url.Parse(ps.BaseURL); err == nil {
					ps.BaseURL = provRedactURL(u)
				}
			}
			if kc, ok := p.(keyChecker); ok && !ps.KeyOK && kc.MissingKey() == nil && LoopbackURL(ps.BaseURL) {
				// A server on this machine (llama.cpp, vLLM, LM Studio)
				// usually needs no key: its calls go without one. A
				// hosted one still reads as a key to set.
				ps.Key, ps.KeyOK = ps.Key+": none sent", true
			}
		}
		out = append(out, ps)
	}
	return out
}
