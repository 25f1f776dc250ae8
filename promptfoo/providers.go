package promptfoo

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"whet/config"
	"whet/prompt"
)

// paramKeys are the provider and prompt config keys whet keeps as params:
// its own five and the common sampling options its providers pass through.
var paramKeys = map[string]bool{
	"temperature": true, "max_tokens": true, "top_p": true, "seed": true, "stop": true,
	"frequency_penalty": true, "presence_penalty": true, "max_completion_tokens": true,
	"top_k": true, "num_ctx": true, "num_predict": true, "repeat_penalty": true, "reasoning_effort": true,
}

// geminiParams are the names promptfoo's google provider takes, in its
// config or its generationConfig, for whet's params.
var geminiParams = map[string]string{
	"maxOutputTokens": "max_tokens", "topP": "top_p", "topK": "top_k", "stopSequences": "stop",
	"presencePenalty": "presence_penalty", "frequencyPenalty": "frequency_penalty",
}

// ollamaDropped are the param keys that are no Ollama option, which
// promptfoo's ollama provider leaves out of its requests.
var ollamaDropped = map[string]bool{"max_tokens": true, "max_completion_tokens": true, "reasoning_effort": true}

// geminiGenerationFields are Gemini generationConfig fields, besides the
// sampling params, that a google provider's generationConfig may set and
// whet's gemini provider sends as they are (as gemini.NAME params).
var geminiGenerationFields = map[string]bool{
	"responseMimeType": true, "responseSchema": true, "responseJsonSchema": true,
	"thinkingConfig": true, "candidateCount": true, "responseModalities": true,
}

// camelCase is a snake_case name (response_mime_type, as promptfoo's
// documentation writes Gemini's fields) in Gemini's own spelling.
func camelCase(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// builtinNames are whet's built-in provider names; a hint never takes one.
var builtinNames = map[string]bool{"ollama": true, "openai": true, "anthropic": true, "gemini": true, "echo": true}

// providerParam is one provider's value of one param.
type providerParam struct {
	provider string
	text     string
	at       node
}

// providerState gathers what the providers say before it is applied.
type providerState struct {
	params map[string][]providerParam
	order  []string // param keys in first-seen order
	// providers are the ids of the providers imported as targets, kinds
	// their whet provider types.
	providers []string
	kinds     map[string]string
	// first names the provider each target was first imported from.
	first map[string]string
}

func (im *importer) providers(n node) error {
	st := &providerState{params: map[string][]providerParam{}, kinds: map[string]string{}, first: map[string]string{}}
	if err := im.providerList(n, st, 0); err != nil {
		return err
	}
	for _, k := range st.order {
		vals := st.params[k]
		same := true
		for _, v := range vals[1:] {
			same = same && v.text == vals[0].text
		}
		kind, _, scoped := strings.Cut(k, ".")
		if !scoped && (!same || len(vals) < len(st.providers)) && im.scopedParam(k, vals, st) {
			continue
		}
		if !same {
			var parts []string
			for _, v := range vals {
				parts = append(parts, v.provider+": "+v.text)
			}
			im.issue(vals[0].at, fmt.Sprintf("providers set %s differently (%s): whet keeps params on the prompt, so %s was not imported; set it on the prompt, or save one version per value",
				k, strings.Join(parts, ", "), k))
			continue
		}
		if err := im.params.Set(k, vals[0].text); err != nil {
			im.issue(vals[0].at, fmt.Sprintf("provider %s: config.%s not imported: %v", vals[0].provider, k, err))
			continue
		}
		if len(vals) < len(st.providers) {
			var others []string
			for _, id := range st.providers {
				if scoped && paramKind(st.kinds[id]) != kind {
					// A param only one kind of provider is sent.
					continue
				}
				set := false
				for _, v := range vals {
					set = set || v.provider == id
				}
				if !set {
					others = append(others, id)
				}
			}
			every := "every target"
			if scoped {
				every = "every " + kind + " target"
			}
			if len(others) > 0 {
				verb := "do not"
				if len(others) == 1 {
					verb = "does not"
				}
				im.issue(vals[0].at, fmt.Sprintf("provider %s sets %s %s and %s %s: whet keeps params on the prompt, so %s gets %s %s",
					vals[0].provider, k, vals[0].text, strings.Join(others, ", "), verb, every, k, vals[0].text))
			}
		}
	}
	return nil
}

// scopedParam sets param k for each kind of provider that gives it, as
// "kind.k" (prompt.Params.For: only that kind of provider is sent it), when
// the providers differ on k only from one kind to another: every provider
// of a kind gives it with one value, or none does. It reports whether it
// did; otherwise the params stay as they were.
func (im *importer) scopedParam(k string, vals []providerParam, st *providerState) bool {
	byKind := map[string][]providerParam{}
	for _, v := range vals {
		kind, ok := st.kinds[v.provider]
		if !ok {
			return false
		}
		byKind[kind] = append(byKind[kind], v)
	}
	count := map[string]int{}
	for _, id := range st.providers {
		count[st.kinds[id]]++
	}
	for kind, vs := range byKind {
		if len(vs) != count[kind] {
			return false
		}
		for _, v := range vs[1:] {
			if v.text != vs[0].text {
				return false
			}
		}
	}
	next := im.params.Clone()
	for _, kind := range prompt.SortedKeys(byKind) {
		if err := next.Set(kind+"."+k, byKind[kind][0].text); err != nil {
			return false
		}
	}
	im.params = next
	return true
}

// providerList reads the forms promptfoo takes: a string, a list of
// strings and objects, a mapping of id to options, or a file:// file of
// those.
func (im *importer) providerList(n node, st *providerState, depth int) error {
	switch v := n.v.(type) {
	case nil:
		return nil
	case string:
		return im.provider(n, st, depth)
	case []any:
		for _, it := range n.items() {
			if err := im.provider(it, st, depth); err != nil {
				return err
			}
		}
	case map[string]any:
		if _, ok := v["id"]; ok {
			return im.provider(n, st, depth)
		}
		for _, id := range n.keys() {
			opts, _ := n.key(id)
			im.providerSpec(opts, id, opts, st)
		}
	default:
		im.issue(n, fmt.Sprintf("providers: %s is not a provider id or object", text(v)))
	}
	return nil
}

func (im *importer) provider(n node, st *providerState, depth int) error {
	switch v := n.v.(type) {
	case string:
		id := strings.TrimSpace(v)
		if ref, ok := strings.CutPrefix(id, "file://"); ok {
			switch strings.ToLower(filepath.Ext(ref)) {
			case ".yaml", ".yml", ".json":
				if depth > 0 || strings.ContainsAny(ref, "*?[") {
					im.issue(n, fmt.Sprintf("provider file %s is not imported: list its providers in the config", id))
					return nil
				}
				p, data, err := im.readRef(n, "providers", ref)
				if err != nil {
					return err
				}
				var sub node
				if strings.EqualFold(filepath.Ext(ref), ".json") {
					sub, err = parseJSON(p, data)
				} else {
					sub, err = parseYAML(p, data)
				}
				if err != nil {
					return err
				}
				return im.providerList(sub, st, depth+1)
			}
		}
		im.providerSpec(n, id, node{}, st)
	case map[string]any:
		if idn, ok := n.key("id"); ok {
			im.providerSpec(n, strings.TrimSpace(text(idn.v)), n, st)
			return nil
		}
		if len(v) == 1 {
			for _, id := range n.keys() {
				opts, _ := n.key(id)
				im.providerSpec(n, strings.TrimSpace(id), opts, st)
			}
			return nil
		}
		im.issue(n, "provider without an id: not imported")
	default:
		im.issue(n, fmt.Sprintf("providers: %s is not a provider id or object", text(v)))
	}
	return nil
}

// providerSpec imports provider id with its options (a mapping, or none).
func (im *importer) providerSpec(at node, id string, opts node, st *providerState) {
	label := ""
	if l, ok := opts.key("label"); ok {
		label = strings.TrimSpace(text(l.v))
	}
	for _, k := range opts.keys() {
		kn, _ := opts.key(k)
		switch k {
		case "id", "label", "config":
		case "env":
			defer im.withProviderEnv(kn, id)()
		case "prompts":
			im.issue(kn, fmt.Sprintf("provider %s: prompts (%s) is not imported: whet runs every target on every prompt of a run", id, text(kn.v)))
		default:
			im.issue(kn, fmt.Sprintf("provider %s: %s is not imported", id, k))
		}
	}
	target, typ, model, why := mapTarget(envTemplate(id), false)
	if target == "" {
		im.issue(at, fmt.Sprintf("provider %q is not supported by whet%s: it is not among the targets", id, why))
		return
	}
	if target == "echo" && im.echoAt == nil {
		im.echoAt = &at
	}
	if typ == config.TypeOllama {
		if sub, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(id), "ollama:"), ":"); sub != "chat" {
			// ollama:MODEL and ollama:completion:MODEL call /api/generate
			// with the prompt's text; finish notes it for chat prompts.
			im.generate = append(im.generate, generateProvider{id: id, at: at, model: model})
		}
	}
	vendor, isVendor := vendorOf(id)
	cfg, _ := opts.key("config")
	if cfg.v != nil && !cfg.isMap() {
		im.issue(cfg, fmt.Sprintf("provider %s: config is not a mapping: not imported", id))
		cfg.v = nil
	}
	var baseURL, keyEnv, apiVersion string
	var literalKey node      // a literal config.apiKey, never imported
	entry := false           // the provider came to a target
	keyFrom := "apiKeyEnvar" // the config key keyEnv was read from
	var baseAt node
	addParam := func(pk string, kn node) {
		if _, seen := st.params[pk]; !seen {
			st.order = append(st.order, pk)
		}
		st.params[pk] = append(st.params[pk], providerParam{provider: id, text: paramText(kn.v), at: kn})
	}
	_, hasHost := cfg.key("apiHost")
	for _, k := range cfg.keys() {
		kn, _ := cfg.key(k)
		switch {
		case typ == config.TypeOllama && ollamaDropped[k]:
			// promptfoo's ollama provider sends only Ollama's options
			// (num_predict, not max_tokens) and drops the rest.
			im.issue(kn, fmt.Sprintf("provider %s: config.%s is not imported: promptfoo's ollama provider does not send it (Ollama's option for the answer's length is num_predict)", id, k))
		case paramKeys[k]:
			addParam(paramKey(cfg, k), kn)
		case typ == config.TypeGemini && geminiParams[k] != "":
			addParam(geminiParams[k], kn)
		case typ == config.TypeGemini && k == "generationConfig" && kn.isMap():
			// promptfoo's google provider sends these as Gemini's
			// generationConfig, as whet's gemini provider sends its params.
			for _, g := range kn.keys() {
				gn, _ := kn.key(g)
				switch {
				case geminiParams[g] != "":
					addParam(geminiParams[g], gn)
				case paramKeys[g]:
					addParam(g, gn)
				case geminiGenerationFields[camelCase(g)]:
					// Structured output, thinking: whet's gemini provider
					// merges its scoped params into generationConfig.
					addParam(config.TypeGemini+"."+camelCase(g), gn)
				default:
					im.issue(gn, fmt.Sprintf("provider %s: config.generationConfig.%s is not imported", id, g))
				}
			}
		case (typ == config.TypeOpenAI || typ == config.TypeAzure) && k == "response_format":
			// JSON mode or structured output: whet's OpenAI-type providers
			// send it as it is, and only they (another kind of target
			// chosen later would refuse it). promptfoo reads a file://
			// value's JSON.
			if ref, ok := strings.CutPrefix(strings.TrimSpace(text(kn.v)), "file://"); ok && !kn.isMap() {
				loaded, err := im.loadData(kn, "provider "+id+": config.response_format", ref)
				if err != nil {
					im.issue(kn, fmt.Sprintf("provider %s: config.response_format is not imported: %v", id, err))
					continue
				}
				if loaded.v == nil {
					continue
				}
				kn = node{d: kn.d, path: kn.path, v: loaded.v}
			}
			addParam(config.TypeOpenAI+"."+k, kn)
		case typ == config.TypeAnthropic && k == "thinking":
			// Extended thinking: whet's anthropic provider sends it as it
			// is, with a max_tokens above its budget.
			addParam(config.TypeAnthropic+"."+k, kn)
		case typ == config.TypeOllama && (k == "format" || k == "think"):
			// Structured output and thinking: request fields of /api/chat,
			// as whet's ollama provider sends these two params.
			addParam(config.TypeOllama+"."+k, kn)
		case typ == config.TypeOllama && k == "passthrough" && kn.isMap():
			// promptfoo sends passthrough's fields with the request, and
			// merges its options into the request's options.
			for _, pk := range kn.keys() {
				pn, _ := kn.key(pk)
				switch {
				case pk == "format" || pk == "think":
					addParam(config.TypeOllama+"."+pk, pn)
				case pk == "options" && pn.isMap():
					for _, ok := range pn.keys() {
						on, _ := pn.key(ok)
						addParam(config.TypeOllama+"."+ok, on)
					}
				default:
					im.issue(pn, fmt.Sprintf("provider %s: config.passthrough.%s is not imported", id, pk))
				}
			}
		case isVendor && vendor.name == "xai" && k == "region":
			// promptfoo's xai provider calls the region's endpoint.
			region := strings.TrimSpace(text(kn.v))
			if region == "" || strings.ContainsAny(region, "/:?#@ ") {
				im.issue(kn, fmt.Sprintf("provider %s: config.region %q is not a region: not imported", id, region))
				continue
			}
			baseURL, baseAt = "https://"+region+".api.x.ai/v1", kn
			if label == "" {
				label = "xai-" + region
			}
		case isVendor && !vendor.override && (k == "apiBaseUrl" || k == "apiHost" || k == "apiKeyEnvar"):
			base := vendor.base
			if vendor.name == "xai" {
				base += " (https://REGION.api.x.ai/v1 given config.region)"
			}
			im.issue(kn, fmt.Sprintf("provider %s: config.%s is not imported: promptfoo's %s provider ignores it and calls %s with %s, as whet will",
				id, k, vendor.name, base, vendor.keyEnv))
		case k == "apiBaseUrl" && typ == "openai" && hasHost:
			// promptfoo's OpenAI provider calls https://APIHOST/v1 when
			// both are set (getApiUrl reads apiHost first).
			im.issue(kn, fmt.Sprintf("provider %s: config.apiBaseUrl is not imported: promptfoo calls its apiHost instead, as whet will", id))
		case k == "apiBaseUrl" && (typ == "openai" || typ == "anthropic" || typ == config.TypeAzure):
			baseURL, baseAt = envTemplate(strings.TrimSpace(text(kn.v))), kn
		case k == "apiHost" && (typ == "openai" || typ == config.TypeAzure):
			if baseURL == "" || typ == "openai" {
				host := strings.Trim(envTemplate(strings.TrimSpace(text(kn.v))), "/")
				host = strings.TrimPrefix(strings.TrimPrefix(host, "https://"), "http://")
				baseURL, baseAt = "https://"+host, kn
				if typ == "openai" {
					baseURL += "/v1"
				}
			}
		case k == "apiVersion" && typ == config.TypeAzure:
			apiVersion = strings.TrimSpace(text(kn.v))
		case k == "apiKeyEnvar":
			if keyFrom != "apiKey" { // promptfoo reads config.apiKey first
				keyEnv = strings.TrimSpace(text(kn.v))
			}
		case k == "apiKey" && envRef(kn) != "":
			// "{{ env.NAME }}" (or "${NAME}"): promptfoo sends the
			// variable's value; whet reads the same variable.
			keyEnv, keyFrom = envRef(kn), "apiKey"
		case k == "apiKey":
			// Said once the key variable the entry names is known.
			literalKey = kn
		case typ == config.TypeOllama && (k == "apiBaseUrl" || k == "apiHost" || k == "apiKey" || k == "apiKeyEnvar" || k == "apiKeyRequired"):
			// promptfoo's ollama provider reads its endpoint and key from
			// the environment alone.
			im.issue(kn, fmt.Sprintf("provider %s: config.%s is not imported: promptfoo's ollama provider ignores it too: it calls OLLAMA_BASE_URL (else http://localhost:11434) with OLLAMA_API_KEY", id, k))
		case typ == config.TypeAzure && strings.HasPrefix(k, "azure"):
			im.issue(kn, fmt.Sprintf("provider %s: config.%s is not imported: whet sends Azure an API key (api_key_env) or an Entra ID token (api_key_cmd: az account get-access-token --resource https://cognitiveservices.azure.com --query accessToken -o tsv)", id, k))
		default:
			im.issue(kn, fmt.Sprintf("provider %s: config.%s is not imported", id, k))
		}
	}
	if literalKey.v != nil {
		// Said once the key variable of the provider entry is known,
		// however the provider ends.
		defer func() {
			if keyEnv != "" && entry {
				im.issue(literalKey, fmt.Sprintf("provider %s: config.apiKey is not imported: whet never stores keys; export the key as %s, which the provider entry names (api_key_env)", id, keyEnv))
				return
			}
			im.issue(literalKey, fmt.Sprintf("provider %s: config.apiKey is not imported: whet never stores keys; put the key in an environment variable and name it in api_key_env", id))
		}()
	}
	// What the config does not name, promptfoo reads from the
	// environment, the env block's first: an endpoint there makes a
	// provider entry, as apiBaseUrl does, and its key variable that
	// entry's (an azure entry's endpoint and key are azureHint's).
	if baseURL == "" && typ != config.TypeAzure {
		kind := typ
		if isVendor {
			kind = vendor.name
		}
		if b, bAt, ok := im.envBase(kind); ok {
			baseURL, baseAt = b, bAt
		}
	}
	if keyEnv == "" && typ != config.TypeAzure && (baseURL != "" || isVendor && vendor.keyEnv != "") {
		keyEnv = im.envKey(typ, vendor.keyEnv)
	}
	switch {
	case typ == config.TypeAzure:
		name, err := im.azureHint(at, id, baseURL, keyEnv, apiVersion, false)
		if err != nil {
			im.issue(baseAt, fmt.Sprintf("provider %s: %v: not imported", id, err))
			return
		}
		target = name + ":" + model
	case isVendor:
		if baseURL == "" {
			baseURL = vendor.base
			if vendor.name == "localai" {
				im.issue(at, fmt.Sprintf("provider %s: its config names no apiBaseUrl, so promptfoo called $LOCALAI_BASE_URL when set, else %s: the localai provider's base_url is %s; edit it if you set LOCALAI_BASE_URL", id, localAIBase, localAIBase))
			}
		}
		if keyEnv == "" {
			keyEnv = vendor.keyEnv
		}
		hintName := vendor.name
		if baseURL != vendor.base {
			hintName = label
		}
		name, err := im.hint(typ, baseURL, keyEnv, "", hintName)
		if err != nil {
			im.issue(baseAt, fmt.Sprintf("provider %s: %v: not imported", id, err))
			return
		}
		target = name + ":" + model
	case baseURL != "":
		name, err := im.hint(typ, baseURL, keyEnv, "", label)
		if err != nil {
			im.issue(baseAt, fmt.Sprintf("provider %s: %v: not imported", id, err))
			return
		}
		target = name + ":" + model
	case keyEnv != "" && keyFrom == "apiKey":
		im.issue(at, fmt.Sprintf("provider %s: config.apiKey reads the environment variable %s, not imported: set api_key_env: %s on whet's %s provider", id, keyEnv, keyEnv, typ))
	case keyEnv != "":
		im.issue(at, fmt.Sprintf("provider %s: apiKeyEnvar %s is not imported: set api_key_env of whet's %s provider", id, keyEnv, typ))
	}
	if typ != "echo" && !slices.Contains(st.providers, id) { // echo takes no params
		st.providers = append(st.providers, id)
		st.kinds[id] = paramKind(typ)
	}
	entry = true
	target = im.envTarget(at, "provider "+id, target)
	who := id
	if label != "" {
		who += fmt.Sprintf(" (%s)", label)
	}
	if first, ok := st.first[target]; ok {
		// promptfoo runs each provider of the list as a column of its
		// own, the same model twice included (told apart by label).
		im.issue(at, fmt.Sprintf("provider %s is the same target as %s, %s, once what whet does not import of them is left out: whet runs it once", who, first, target))
		return
	}
	st.first[target] = who
	im.res.Targets = append(im.res.Targets, target)
}

// paramKind is the kind of provider whose scoped params a provider type
// takes (prompt.Params.For): an azure provider speaks OpenAI's API.
func paramKind(typ string) string {
	if typ == config.TypeAzure {
		return config.TypeOpenAI
	}
	return typ
}

// azureEnvHost is the base URL proposed for an Azure provider whose config
// names no endpoint: promptfoo then reads AZURE_API_HOST (among others),
// and whet's config expands the variable when it is read.
const azureEnvHost = "https://${AZURE_API_HOST}"

// azureDefaultAPIVersion is the api-version promptfoo's Azure provider
// sends when its config sets none.
const azureDefaultAPIVersion = "2024-12-01-preview"

// azureHint returns the name of the azure provider entry for an Azure
// endpoint (baseURL, else AZURE_API_HOST's, which is reported) with the
// key variable (default AZURE_API_KEY) and api-version (default
// promptfoo's).
//
// A grader (grader set) is loaded by promptfoo from its id alone, so it
// never has the endpoint a provider entry of the same id configures.
func (im *importer) azureHint(at node, id, baseURL, keyEnv, apiVersion string, grader bool) (string, error) {
	if keyEnv == "" {
		keyEnv = im.envKey(config.TypeAzure, "")
	}
	if keyEnv == "" {
		keyEnv = "AZURE_API_KEY"
	}
	if baseURL == "" {
		baseURL, _, _ = im.envBase(config.TypeAzure)
	}
	if apiVersion == "" {
		apiVersion = azureDefaultAPIVersion
	}
	if baseURL == "" {
		baseURL = azureEnvHost
		if !im.azureEnvNoted {
			im.azureEnvNoted = true
			why := fmt.Sprintf("provider %s: its config names no apiHost or apiBaseUrl", id)
			if grader {
				why = fmt.Sprintf("grader %s: promptfoo loads a grader named by its id alone, without the config a provider of that id has", id)
			}
			im.issue(at, fmt.Sprintf("%s, so promptfoo read the endpoint from the environment: the azure provider's base_url is %s (whet expands it when it reads its config); edit it if you set AZURE_OPENAI_API_HOST or AZURE_API_BASE_URL instead", why, azureEnvHost))
		}
	}
	return im.hint(config.TypeAzure, baseURL, keyEnv, apiVersion, "azure")
}

// hint returns the name of the provider entry for an endpoint, adding a
// hint for it unless an equal one exists. The entry is named label (as a
// slug), else after the URL's host.
func (im *importer) hint(typ, baseURL, keyEnv, apiVersion, label string) (string, error) {
	u, err := url.Parse(baseURL)
	if baseURL == azureEnvHost {
		u, err = &url.URL{Scheme: "https", Host: "azure"}, nil
	} else if m := envPlaceholderRe.FindStringSubmatch(baseURL); m != nil {
		// An endpoint read from a variable when whet reads its config:
		// named after the variable.
		u, err = &url.URL{Scheme: "https", Host: strings.ReplaceAll(strings.ToLower(m[1]), "_", "-")}, nil
	}
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("apiBaseUrl %q is not an http(s) URL", baseURL)
	}
	for _, h := range im.res.Providers {
		if h.Type == typ && h.BaseURL == baseURL && h.APIKeyEnv == keyEnv && h.APIVersion == apiVersion {
			return h.Name, nil
		}
	}
	seg := slug(label)
	if seg == "" {
		seg = slug(strings.ReplaceAll(u.Host, ":", "-"))
	}
	if seg == "" || !isAlnum(seg[0]) {
		seg = "endpoint"
	}
	name := im.freeName(seg)
	im.res.Providers = append(im.res.Providers, ProviderHint{Name: name, Type: typ, BaseURL: baseURL, APIKeyEnv: keyEnv, APIVersion: apiVersion})
	return name, nil
}

// compatVendor is a promptfoo provider of an OpenAI-compatible service:
// the endpoint and key variable promptfoo calls it with.
type compatVendor struct {
	name, base, keyEnv string
	// override is true when promptfoo honours config.apiBaseUrl, apiHost
	// and apiKeyEnvar for it; otherwise it always calls base with keyEnv.
	override bool
}

// compatVendors are the OpenAI-compatible providers of promptfoo whet
// imports, keyed by their id's prefix, as promptfoo's providers define
// them.
var compatVendors = map[string]compatVendor{
	"openrouter": {"openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", true},
	"groq":       {"groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY", false},
	"deepseek":   {"deepseek", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY", false},
	"togetherai": {"togetherai", "https://api.together.xyz/v1", "TOGETHER_API_KEY", false},
	"perplexity": {"perplexity", "https://api.perplexity.ai", "PERPLEXITY_API_KEY", false},
	"mistral":    {"mistral", "https://api.mistral.ai/v1", "MISTRAL_API_KEY", true},
	"xai":        {"xai", "https://api.x.ai/v1", "XAI_API_KEY", false},
	"fireworks":  {"fireworks", "https://api.fireworks.ai/inference/v1", "FIREWORKS_API_KEY", false},
	"cerebras":   {"cerebras", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY", true},
	// LocalAI takes no key; promptfoo calls config.apiBaseUrl, else
	// $LOCALAI_BASE_URL, else this.
	"localai": {"localai", localAIBase, "", true},
}

// localAIBase is the endpoint promptfoo's localai provider calls when
// neither its config nor LOCALAI_BASE_URL names one.
const localAIBase = "http://localhost:8080/v1"

// vendorOf returns the OpenAI-compatible vendor of a provider id.
func vendorOf(id string) (compatVendor, bool) {
	prefix, _, _ := strings.Cut(strings.TrimSpace(id), ":")
	v, ok := compatVendors[prefix]
	return v, ok
}

// checkTarget maps a grader's provider id to a target, adding the provider
// entry an OpenAI-compatible vendor or Azure needs (with promptfoo's
// defaults: only the id of a grader is imported).
func (im *importer) checkTarget(at node, id string) (target, why string) {
	target, why = im.checkTargetSpec(at, id)
	if target != "" {
		target = im.envTarget(at, "grader "+id, target)
	}
	return target, why
}

// checkTargetSpec is checkTarget's target spec, ${VAR} and all.
func (im *importer) checkTargetSpec(at node, id string) (target, why string) {
	target, typ, model, why := mapTarget(envTemplate(id), true)
	if target == "" {
		return "", why
	}
	var name string
	var err error
	if typ == config.TypeAzure {
		name, err = im.azureHint(at, id, "", "", "", true)
	} else if v, ok := vendorOf(id); ok {
		// The env block is promptfoo's environment for graders too.
		base, label := v.base, v.name
		if b, _, ok := im.envBase(v.name); ok {
			base, label = b, ""
		}
		keyEnv := v.keyEnv
		if keyEnv != "" {
			if k := im.envKey(typ, keyEnv); k != "" {
				keyEnv = k
			}
		}
		name, err = im.hint(typ, base, keyEnv, "", label)
	} else if base, _, ok := im.envBase(typ); ok {
		name, err = im.hint(typ, base, im.envKey(typ, ""), "", "")
	} else {
		return target, ""
	}
	if err != nil {
		return "", " (" + err.Error() + ")"
	}
	return name + ":" + model, ""
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// mapTarget maps a promptfoo provider id to a whet target spec, its
// provider type and model. For a check's grader (forCheck), embedding
// models are allowed too. An unmappable id gives target "" and a reason
// (" (…)") or "".
func mapTarget(id string, forCheck bool) (target, typ, model, why string) {
	id = strings.TrimSpace(id)
	if id == "echo" {
		return "echo", "echo", "echo", ""
	}
	prefix, rest, _ := strings.Cut(id, ":")
	rest = strings.TrimSpace(rest)
	sub, subModel, hasSub := strings.Cut(rest, ":")
	noModel := " (it names no model)"
	switch prefix {
	case "openai":
		switch sub {
		case "completion":
			// promptfoo calls the legacy Completions API
			// (gpt-3.5-turbo-instruct), which Chat Completions does not serve.
			return "", "", "", " (openai:completion: calls the legacy Completions API; whet calls Chat Completions: openai:chat:<model>)"
		case "chat", "responses":
			if !hasSub || subModel == "" {
				return "", "", "", noModel
			}
			return "openai:" + subModel, "openai", subModel, ""
		case "embedding", "embeddings":
			if forCheck && hasSub && subModel != "" {
				return "openai:" + subModel, "openai", subModel, ""
			}
			return "", "", "", " (an embedding model is not a chat target)"
		case "assistant", "moderation", "image", "realtime", "transcription", "tts", "speech", "video", "agents", "chatkit",
			"codex", "codex-sdk", "codex-app-server", "codex-desktop":
			return "", "", "", fmt.Sprintf(" (openai:%s is not a chat model)", sub)
		}
		if rest == "" {
			return "", "", "", noModel
		}
		return "openai:" + rest, "openai", rest, ""
	case "ollama":
		switch sub {
		case "chat", "completion":
			if !hasSub || subModel == "" {
				return "", "", "", noModel
			}
			return "ollama:" + subModel, "ollama", subModel, ""
		case "embedding", "embeddings":
			if forCheck && hasSub && subModel != "" {
				return "ollama:" + subModel, "ollama", subModel, ""
			}
			return "", "", "", " (an embedding model is not a chat target)"
		}
		if rest == "" {
			return "", "", "", noModel
		}
		return "ollama:" + rest, "ollama", rest, ""
	case "anthropic":
		switch sub {
		case "messages":
			if !hasSub || subModel == "" {
				return "", "", "", noModel
			}
			return "anthropic:" + subModel, "anthropic", subModel, ""
		case "completion":
			return "", "", "", " (Anthropic's legacy completion API; use anthropic:messages:<model>)"
		case "claude-agent-sdk", "claude-code":
			// promptfoo runs Claude Code through the Agent SDK here: an
			// agent with tools and a working directory, not a model.
			return "", "", "", fmt.Sprintf(" (anthropic:%s runs the Claude Agent SDK, an agent with tools; whet sends prompts to models: anthropic:messages:<model>)", sub)
		}
		if rest == "" {
			return "", "", "", noModel
		}
		return "anthropic:" + rest, "anthropic", rest, ""
	case "azure", "azureopenai":
		switch sub {
		case "chat", "responses":
			// A deployment serving the Responses API serves Chat
			// Completions too.
			if !hasSub || subModel == "" {
				return "", "", "", noModel
			}
			return "azure:" + subModel, config.TypeAzure, subModel, ""
		case "completion":
			return "", "", "", " (a legacy completion deployment is not a chat target)"
		case "embedding", "embeddings":
			return "", "", "", " (whet embeds through Ollama or OpenAI, not an Azure deployment)"
		}
		return "", "", "", fmt.Sprintf(" (%s:%s is not a chat deployment; whet imports %s:chat:<deployment>)", prefix, sub, prefix)
	case "vertex":
		// Vertex AI serves several vendors' models: say which API of
		// whet's serves the one named.
		model := rest
		if sub == "chat" && hasSub {
			model = subModel
		}
		switch m := strings.ToLower(model); {
		case strings.HasPrefix(m, "claude"):
			return "", "", "", " (Vertex AI authenticates with Google Cloud; whet calls Anthropic's API: anthropic:messages:<model> with an Anthropic API key serves the same Claude models)"
		case strings.HasPrefix(m, "gemini"):
			return "", "", "", " (Vertex AI authenticates with Google Cloud; whet calls the Gemini API: google:<model> with a Gemini API key serves the same Gemini models)"
		}
		return "", "", "", " (Vertex AI authenticates with Google Cloud, which whet does not)"
	case "http", "https", "websocket", "ws", "wss":
		// An application's own API, sent the body the config writes.
		return "", "", "", fmt.Sprintf(" (%s calls an API of your application with the request the config writes, and whet sends prompts to model APIs; a server that speaks OpenAI's chat completions can be an openai-type provider entry of whet's config)", prefix)
	case "file", "python", "exec", "golang", "ruby":
		return "", "", "", " (it is code of your own, which whet does not run; whet calls Ollama, OpenAI, Anthropic, Gemini, Azure OpenAI and OpenAI-compatible endpoints: a model your code calls can be a target of its own)"
	case "google":
		if sub == "embedding" || sub == "embeddings" || sub == "live" || sub == "image" || sub == "video" {
			return "", "", "", fmt.Sprintf(" (google:%s is not a chat model)", sub)
		}
		if rest == "" {
			return "", "", "", noModel
		}
		return "gemini:" + rest, "gemini", rest, ""
	}
	if _, ok := compatVendors[prefix]; ok {
		model := rest
		switch {
		case prefix == "xai" && (sub == "image" || sub == "video" || sub == "voice"):
			return "", "", "", fmt.Sprintf(" (xai:%s is not a chat model)", sub)
		case (prefix == "xai" || prefix == "groq") && sub == "responses":
			// The Responses API's models serve Chat Completions too (xAI's
			// Agent Tools endpoint, Groq's Responses API).
			model = subModel
		case prefix == "localai" && sub == "chat":
			// promptfoo calls the segment after chat: only.
			model, _, _ = strings.Cut(subModel, ":")
		case prefix == "localai" && sub != "completion" && sub != "embedding" && sub != "embeddings":
			model = sub
		}
		switch sub {
		case "embedding", "embeddings":
			return "", "", "", " (an embedding model is not a chat target)"
		case "completion":
			return "", "", "", " (a legacy completion model is not a chat target)"
		case "chat":
			if prefix == "togetherai" {
				model = subModel
			}
		}
		if prefix == "mistral" && hasSub && subModel != "" {
			// promptfoo's mistral provider takes the part after a type
			// (mistral:chat:mistral-large-latest).
			model = subModel
		}
		if model == "" {
			return "", "", "", noModel
		}
		return prefix + ":" + model, config.TypeOpenAI, model, ""
	}
	return "", "", "", " (whet calls Ollama, OpenAI, Anthropic, Gemini, Azure OpenAI and OpenAI-compatible endpoints; configure such an endpoint as an openai-type provider)"
}

// paramText renders a config value as the text Params.Set takes.
func paramText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return text(v)
}

// configParams reads a prompt's config: params whet keeps, issues for the rest.
func (im *importer) configParams(cfg node, who string) *prompt.Params {
	if cfg.v == nil {
		return nil
	}
	if !cfg.isMap() {
		im.issue(cfg, who+": config is not a mapping: not imported")
		return nil
	}
	var p prompt.Params
	for _, k := range cfg.keys() {
		kn, _ := cfg.key(k)
		key := paramKey(cfg, k)
		switch {
		case paramKeys[k]:
		case k == "response_format":
			// promptfoo merges a prompt's config into every provider's;
			// the OpenAI-type ones send it, as whet's do (and only they).
			if ref, ok := strings.CutPrefix(strings.TrimSpace(text(kn.v)), "file://"); ok && !kn.isMap() {
				loaded, err := im.loadData(kn, who+": config.response_format", ref)
				if err != nil {
					im.issue(kn, fmt.Sprintf("%s: config.response_format is not imported: %v", who, err))
					continue
				}
				if loaded.v == nil {
					continue
				}
				kn = node{d: kn.d, path: kn.path, v: loaded.v}
			}
			key = config.TypeOpenAI + "." + k
		case k == "thinking":
			key = config.TypeAnthropic + "." + k
		default:
			im.issue(kn, fmt.Sprintf("%s: config.%s is not imported", who, k))
			continue
		}
		if err := p.Set(key, paramText(kn.v)); err != nil {
			im.issue(kn, fmt.Sprintf("%s: config.%s not imported: %v", who, k, err))
		}
	}
	return &p
}

// paramKey is the whet param a config key of cfg sets: max_completion_tokens
// is max_tokens, which whet sends as max_completion_tokens to the servers
// that want it (api.openai.com, a reasoning model elsewhere) and as its own
// name to the others (Mistral and Anthropic refuse max_completion_tokens),
// unless cfg sets max_tokens too.
func paramKey(cfg node, k string) string {
	if k == "max_completion_tokens" {
		if _, both := cfg.key("max_tokens"); !both {
			return "max_tokens"
		}
	}
	return k
}

// envTmplRe is a reference to an environment variable within a value, as
// promptfoo renders config values when it loads the config.
var envTmplRe = regexp.MustCompile(`\{\{-?\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*-?\}\}`)

// envTemplate is s with each "{{ env.NAME }}" written "${NAME}", which
// whet expands when it reads its config, as promptfoo renders the first
// when it reads its own.
func envTemplate(s string) string {
	return envTmplRe.ReplaceAllString(s, "$${$1}")
}

// envTarget is target itself, or for a target whose model promptfoo reads
// from the environment (${VAR} after envTemplate), the name of an alias
// for it that the config is told to add, with a note at at saying so.
func (im *importer) envTarget(at node, who, target string) string {
	vars := envPlaceholderRe.FindAllStringSubmatch(target, -1)
	if len(vars) == 0 {
		return target
	}
	for _, a := range im.res.Aliases {
		if a.Target == target {
			return a.Name
		}
	}
	var names []string
	for _, m := range vars {
		names = append(names, m[1])
	}
	seg := slug(strings.ReplaceAll(strings.Join(names, "-"), "_", "-"))
	if seg == "" || !isAlnum(seg[0]) {
		seg = "model"
	}
	name := im.freeName(seg)
	im.res.Aliases = append(im.res.Aliases, AliasHint{Name: name, Target: target})
	im.issue(at, fmt.Sprintf("%s: its model is read from the environment (%s), as promptfoo renders the id when it loads the config: the target is the alias %s, %s, which whet expands when it reads its config",
		who, strings.Join(names, ", "), name, target))
	return name
}

// envRefRe is a value that is exactly a reference to an environment
// variable: promptfoo's Nunjucks "{{ env.NAME }}" (it renders config
// values with the environment as env), or "${NAME}".
var envRefRe = regexp.MustCompile(`^\s*(?:\{\{-?\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*-?\}\}|\$\{([A-Za-z_][A-Za-z0-9_]*)\})\s*$`)

// envRef is the name of the environment variable n's value is exactly a
// reference to, else "": a literal key, or text around the reference.
func envRef(n node) string {
	s, ok := n.v.(string)
	if !ok {
		return ""
	}
	m := envRefRe.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1] + m[2]
}

// freeName is seg, or seg-2, seg-3, …: the first that names no built-in
// provider and no provider or alias the import adds (the config's
// providers and aliases share the names a target can start with).
func (im *importer) freeName(seg string) string {
	taken := func(n string) bool {
		if builtinNames[n] {
			return true
		}
		for _, h := range im.res.Providers {
			if h.Name == n {
				return true
			}
		}
		for _, a := range im.res.Aliases {
			if a.Name == n {
				return true
			}
		}
		return false
	}
	name := seg
	for i := 2; taken(name); i++ {
		name = fmt.Sprintf("%s-%d", seg, i)
	}
	return name
}
