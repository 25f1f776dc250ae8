package promptfoo

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"strings"

	"whet/config"
)

// The config's env block sets environment variables for promptfoo's run,
// over the process's own: its providers read their endpoint and key
// there (OPENAI_BASE_URL, OPENAI_API_KEY, OLLAMA_BASE_URL, …) when their
// config names none, and "{{ env.NAME }}" in the config reads them too.
//
// whet stores no key, so a key's value is never imported: the variable
// is reported, at its line, to be exported in the shell that runs whet.
// An endpoint becomes the base_url of the provider entry the targets of
// that type need, as an apiBaseUrl does, with the key variable the block
// names as its api_key_env. A value that is exactly a reference to
// another variable ("{{ env.TEAM_KEY }}", "${TEAM_KEY}") is imported as
// that variable's name: api_key_env: TEAM_KEY, base_url: ${TEAM_URL},
// which whet expands when it reads its config.

// envEntry is one variable of the env block. Its value is read only for
// an endpoint; a key's is never kept.
type envEntry struct {
	at   node
	ref  string // the variable the value is exactly a reference to, else ""
	used bool   // an endpoint or key a provider entry took
}

// readEnv reads the env block.
func (im *importer) readEnv(n node) {
	im.env, im.envOrder = im.envBlock(n, "")
}

// envBlock reads an env block (where names whose: "" for the config's,
// "provider ID: " for a provider's own).
func (im *importer) envBlock(n node, where string) (map[string]*envEntry, []string) {
	if !n.isMap() {
		im.issue(n, where+"env is not a mapping of variables: not imported")
		return nil, nil
	}
	env := map[string]*envEntry{}
	var order []string
	for _, k := range n.keys() {
		kn, _ := n.key(k)
		env[k] = &envEntry{at: kn, ref: envRef(kn)}
		order = append(order, k)
	}
	return env, order
}

// withProviderEnv lays a provider's own env block (promptfoo's
// ProviderOptions.env) over the config's while that provider is read;
// done restores the config's and reports the provider's variables.
func (im *importer) withProviderEnv(n node, id string) (done func()) {
	where := "provider " + id + ": "
	own, order := im.envBlock(n, where)
	saved := im.env
	merged := make(map[string]*envEntry, len(saved)+len(own))
	maps.Copy(merged, saved)
	maps.Copy(merged, own)
	im.env = merged
	return func() {
		im.env = saved
		im.reportEnvOf(where, order, own)
	}
}

// envBaseVars are the variables promptfoo reads a provider type's
// endpoint from when its config names none, first first; host marks a
// host name, which promptfoo makes https://HOST (and /v1 for OpenAI).
var envBaseVars = map[string][]struct {
	name string
	host bool
}{
	config.TypeOpenAI:    {{"OPENAI_API_HOST", true}, {"OPENAI_API_BASE_URL", false}, {"OPENAI_BASE_URL", false}},
	config.TypeAnthropic: {{"ANTHROPIC_BASE_URL", false}},
	config.TypeOllama:    {{"OLLAMA_BASE_URL", false}},
	config.TypeAzure:     {{"AZURE_API_HOST", true}, {"AZURE_OPENAI_API_HOST", true}, {"AZURE_API_BASE_URL", false}, {"AZURE_OPENAI_API_BASE_URL", false}},
	"localai":            {{"LOCALAI_BASE_URL", false}},
}

// envKeyVars are the variables promptfoo reads a provider type's key
// from, first first.
var envKeyVars = map[string][]string{
	config.TypeOpenAI:    {"OPENAI_API_KEY"},
	config.TypeAnthropic: {"ANTHROPIC_API_KEY"},
	config.TypeOllama:    {"OLLAMA_API_KEY"},
	config.TypeGemini:    {"GEMINI_API_KEY", "GOOGLE_API_KEY"},
	config.TypeAzure:     {"AZURE_API_KEY", "AZURE_OPENAI_API_KEY"},
}

// envBase is the endpoint the env block gives providers of kind (a
// provider type, or "localai") whose config names none, as promptfoo
// reads it; ok is false when it gives none. A value that is not an
// http(s) URL, or that holds a user name or password, is reported and
// not taken.
func (im *importer) envBase(kind string) (base string, at node, ok bool) {
	for _, v := range envBaseVars[kind] {
		e, set := im.env[v.name]
		if !set {
			continue
		}
		base = strings.TrimSpace(text(e.at.v))
		if e.ref != "" {
			base = "${" + e.ref + "}"
		}
		if v.host {
			base = "https://" + strings.Trim(strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://"), "/")
			if kind == config.TypeOpenAI {
				base += "/v1"
			}
		}
		if e.ref == "" {
			u, err := url.Parse(base)
			switch {
			case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
				if !e.used {
					im.issue(e.at, fmt.Sprintf("env.%s is not an http(s) URL: not imported", v.name))
				}
				e.used = true
				continue
			case u.User != nil:
				if !e.used {
					im.issue(e.at, fmt.Sprintf("env.%s holds a user name or password in its URL, and whet never stores one: not imported; give whet's provider entry a base_url without it and its key in api_key_env", v.name))
				}
				e.used = true
				continue
			}
		}
		e.used = true
		return base, e.at, true
	}
	return "", node{}, false
}

// envKey is the key variable the env block gives providers of type typ
// (or the vendor's, keyVar): the variable a reference names, else the
// block's own variable, which the user exports; "" when the block sets
// none.
func (im *importer) envKey(typ, keyVar string) string {
	names := envKeyVars[typ]
	if keyVar != "" {
		names = []string{keyVar}
	}
	for _, name := range names {
		if e, ok := im.env[name]; ok {
			e.used = true
			if e.ref != "" {
				return e.ref
			}
			return name
		}
	}
	return ""
}

// secretNameRe is a variable's name that says it holds a secret.
var secretNameRe = regexp.MustCompile(`(?i)(^|_)(API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$`)

// reportEnv reports each variable of the env block no provider entry
// took as it is, and every key's value, which is never imported: what to
// export, or set, for whet to read the same. No value is repeated.
func (im *importer) reportEnv() {
	im.reportEnvOf("", im.envOrder, im.env)
}

// reportEnvOf is reportEnv for one env block (where as for envBlock).
func (im *importer) reportEnvOf(where string, order []string, env map[string]*envEntry) {
	for _, name := range order {
		e := env[name]
		secret := secretNameRe.MatchString(name)
		switch {
		case secret && e.ref == "":
			what := fmt.Sprintf("env.%s sets a key, and whet never stores one: its value is not imported; export %s in the shell that runs whet", name, name)
			if e.used {
				what += " (the provider entry this import proposes reads it: api_key_env: " + name + ")"
			} else if typ := envKeyType(name); typ != "" {
				what += fmt.Sprintf(" (whet's %s provider reads it)", typ)
			}
			im.issue(e.at, where+what)
		case e.used:
		case secret:
			if typ := envKeyType(name); typ != "" {
				im.issue(e.at, where+fmt.Sprintf("env.%s reads the environment variable %s, not imported: whet's %s provider reads %s; set api_key_env: %s on it in whet's config, or export %s=\"$%s\"", name, e.ref, typ, name, e.ref, name, e.ref))
			} else {
				im.issue(e.at, where+fmt.Sprintf("env.%s (the environment variable %s) is not imported: no provider whet imported reads it", name, e.ref))
			}
		case envBaseType(name) != "":
			im.issue(e.at, where+fmt.Sprintf("env.%s is not imported: no %s provider here reads it", name, envBaseType(name)))
		default:
			im.issue(e.at, where+fmt.Sprintf("env.%s is not imported: whet has no equivalent", name))
		}
	}
}

// envKeyType is the provider type whose key the variable name is, else "".
func envKeyType(name string) string {
	for typ, names := range envKeyVars {
		for _, n := range names {
			if n == name {
				return typ
			}
		}
	}
	return ""
}

// envBaseType is the kind of provider whose endpoint the variable name
// is, else "".
func envBaseType(name string) string {
	for kind, vars := range envBaseVars {
		for _, v := range vars {
			if v.name == name {
				return kind
			}
		}
	}
	return ""
}

// envPlaceholderRe finds the variable a base URL is read from when whet
// reads its config ("${NAME}", "https://${NAME}/v1").
var envPlaceholderRe = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
