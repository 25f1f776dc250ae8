package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"whet/config"
)

// keyCmdTimeout bounds an api_key_cmd (a password manager may be slow, not
// endless).
const keyCmdTimeout = 15 * time.Second

// ErrNoKey is wrapped by the error APIKey returns when no key is configured
// or set. Providers that can work without a key (an OpenAI-compatible local
// server) test for it with errors.Is.
var ErrNoKey = errors.New("no API key")

// APIKey returns the provider's API key, read now (never cached): the
// trimmed stdout of cfg.APIKeyCmd run with `sh -c` (`cmd /C` on Windows;
// bounded by a timeout),
// else the environment variable cfg.APIKeyEnv, else the default variable of
// the provider (when api_key_env names one of these, the others are still
// tried):
//
//   - openai: OPENAI_API_KEY; anthropic: ANTHROPIC_API_KEY;
//     gemini: GOOGLE_API_KEY, then GEMINI_API_KEY (Google's documented
//     precedence when both are set, which its SDKs follow); a provider
//     named azure of type azure: AZURE_API_KEY, then AZURE_OPENAI_API_KEY;
//   - any other configured provider (groq of type openai, …): <NAME>_API_KEY,
//     the upper-cased name with every character other than a letter or digit
//     turned into '_' (GROQ_API_KEY). A provider never receives another
//     vendor's default key.
//
// ollama- and echo-type providers need no key: APIKey returns "" and nil.
// A missing key is an error wrapping ErrNoKey that names the variable to set.
// No error ever contains the key or the command's output.
func APIKey(cfg config.Provider) (string, error) {
	name := keyProviderName(cfg)
	if cmd := strings.TrimSpace(cfg.APIKeyCmd); cmd != "" {
		return keyFromCmd(name, cmd)
	}
	vars := KeyEnvVars(cfg)
	if env := strings.TrimSpace(cfg.APIKeyEnv); env != "" {
		if !slices.Contains(vars, env) {
			if v := strings.TrimSpace(os.Getenv(env)); v != "" {
				return v, nil
			}
			return "", fmt.Errorf("provider %s: %w: environment variable %s is not set (providers.%s.api_key_env)", name, ErrNoKey, env, name)
		}
		// api_key_env names a default variable (the config's built-in
		// does): keep the default's order and fallbacks (both of gemini's).
	} else if len(vars) == 0 {
		return "", nil
	}
	for _, v := range vars {
		if s := strings.TrimSpace(os.Getenv(v)); s != "" {
			return s, nil
		}
	}
	return "", fmt.Errorf("provider %s: %w: set %s (or providers.%s.api_key_env / api_key_cmd in the config file)",
		name, ErrNoKey, strings.Join(vars, " or "), name)
}

// KeyEnvVars returns the environment variables APIKey reads, in order, when
// cfg names neither api_key_env nor api_key_cmd; nil for providers that need
// no key.
func KeyEnvVars(cfg config.Provider) []string {
	name := keyProviderName(cfg)
	typ := cfg.Type
	if typ == "" {
		typ = name
	}
	switch typ {
	case "ollama", "echo":
		return nil
	}
	if name == typ {
		switch typ {
		case "openai":
			return []string{"OPENAI_API_KEY"}
		case "anthropic":
			return []string{"ANTHROPIC_API_KEY"}
		case "gemini":
			return []string{"GOOGLE_API_KEY", "GEMINI_API_KEY"}
		case "azure":
			return []string{"AZURE_API_KEY", "AZURE_OPENAI_API_KEY"}
		}
	}
	return []string{keyEnvName(name)}
}

// keyProviderName is the provider's name for messages: Name, else Type.
func keyProviderName(cfg config.Provider) string {
	if cfg.Name != "" {
		return cfg.Name
	}
	if cfg.Type != "" {
		return cfg.Type
	}
	return "provider"
}

// keyEnvName turns a provider name into NAME_API_KEY.
func keyEnvName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(name) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String() + "_API_KEY"
}

// keyFromCmd runs cmd and returns its trimmed stdout. Errors name the
// provider and the failure, never the output.
func keyFromCmd(name, cmd string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), keyCmdTimeout)
	defer cancel()
	c := exec.CommandContext(ctx, "sh", "-c", cmd)
	if runtime.GOOS == "windows" {
		c = exec.CommandContext(ctx, "cmd", "/C", cmd) // no sh there
	}
	var out bytes.Buffer
	c.Stdout = &out
	c.Stderr = nil // discarded: it may echo secrets
	c.WaitDelay = time.Second
	err := c.Run()
	switch {
	case ctx.Err() != nil:
		return "", fmt.Errorf("provider %s: api_key_cmd timed out after %v (providers.%s.api_key_cmd)", name, keyCmdTimeout, name)
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("provider %s: api_key_cmd failed with exit status %d (output hidden; providers.%s.api_key_cmd)", name, ee.ExitCode(), name)
		}
		return "", fmt.Errorf("provider %s: api_key_cmd could not run (providers.%s.api_key_cmd)", name, name)
	}
	key := strings.TrimSpace(out.String())
	if key == "" {
		return "", fmt.Errorf("provider %s: %w: api_key_cmd printed nothing (providers.%s.api_key_cmd)", name, ErrNoKey, name)
	}
	return key, nil
}

// redacted stands for a key in an error text.
const redacted = "[redacted]"

// redactKey replaces the key in err's text with "[redacted]": a server
// that echoes the key it was sent in an error body must not put it into a
// result, an export or a log. An *APIError stays one (its Msg redacted), so
// that retries still see its status. Keys shorter than 8 characters are
// left alone: replacing them would mangle ordinary words.
func redactKey(err error, key string) error {
	if err == nil || len(key) < 8 || !strings.Contains(err.Error(), key) {
		return err
	}
	if ae, ok := err.(*APIError); ok {
		c := *ae
		c.Msg = strings.ReplaceAll(c.Msg, key, redacted)
		if c.Err != nil {
			c.Err = redactedError{c.Err, key}
		}
		return &c
	}
	return redactedError{err, key}
}

// redactSecrets is redactKey of the key and of every value of the
// provider's headers: a header may carry a token (a gateway's, a proxy's),
// expanded from ${VAR}, and a server that echoes it must not put it into a
// result either.
func redactSecrets(err error, cfg config.Provider, key string) error {
	return RedactSecrets(err, key, cfg.Headers)
}

// RedactSecrets replaces the API key and every header value (of 8
// characters or more) in err's text with "[redacted]", for callers outside
// this package that speak to a provider's server themselves (embeddings).
// An *APIError stays one.
func RedactSecrets(err error, key string, headers map[string]string) error {
	err = redactKey(err, key)
	for _, v := range headers {
		err = redactKey(err, strings.TrimSpace(v))
	}
	return err
}

// redactedError is an error whose text has a key replaced.
type redactedError struct {
	err error
	key string
}

func (e redactedError) Error() string { return strings.ReplaceAll(e.err.Error(), e.key, redacted) }
func (e redactedError) Unwrap() error { return e.err }

// KeySource says where cfg's API key would come from, without running
// api_key_cmd and without revealing any key: "api_key_cmd", "NAME set",
// "NAME not set" (listing every variable tried), or "" for providers that
// need none. ok is false only when no key can be found.
func KeySource(cfg config.Provider) (source string, ok bool) {
	if strings.TrimSpace(cfg.APIKeyCmd) != "" {
		return "api_key_cmd", true
	}
	vars := KeyEnvVars(cfg)
	if env := strings.TrimSpace(cfg.APIKeyEnv); env != "" && !slices.Contains(vars, env) {
		vars = []string{env}
	}
	if len(vars) == 0 {
		return "", true
	}
	for _, v := range vars {
		if strings.TrimSpace(os.Getenv(v)) != "" {
			return v + " set", true
		}
	}
	if anthropicAuthToken(cfg) != "" {
		return anthropicAuthTokenEnv + " set (a bearer token)", true
	}
	return strings.Join(vars, " or ") + " not set", false
}

// anthropicAuthTokenEnv holds the bearer token a gateway in front of
// Anthropic's API takes instead of an API key, as Anthropic's SDKs and
// tools read it.
const anthropicAuthTokenEnv = "ANTHROPIC_AUTH_TOKEN"

// anthropicAuthToken is the bearer token for cfg: ANTHROPIC_AUTH_TOKEN,
// for an anthropic provider keyed by the default ANTHROPIC_API_KEY while
// that is unset; "" otherwise (a key of its own always wins).
func anthropicAuthToken(cfg config.Provider) string {
	vars := KeyEnvVars(cfg)
	if strings.TrimSpace(cfg.APIKeyCmd) != "" || len(vars) != 1 || vars[0] != "ANTHROPIC_API_KEY" {
		return ""
	}
	if env := strings.TrimSpace(cfg.APIKeyEnv); env != "" && env != vars[0] {
		return ""
	}
	if strings.TrimSpace(os.Getenv(vars[0])) != "" {
		return ""
	}
	return strings.TrimSpace(os.Getenv(anthropicAuthTokenEnv))
}

// keyChecker is a provider that can tell, before any call, that it has no
// API key it needs (reading environment variables only: an api_key_cmd is
// taken to give one).
type keyChecker interface {
	MissingKey() error
}

// missingKey is the error APIKey would give cfg for want of a key, without
// running its api_key_cmd; nil when a key is set or a command gives it.
func missingKey(cfg config.Provider) error {
	if _, ok := KeySource(cfg); ok {
		return nil
	}
	_, err := APIKey(cfg)
	return err
}

// MissingKey implements keyChecker: api.openai.com and the provider named
// openai need a key; another OpenAI-compatible server may not.
func (p *OpenAI) MissingKey() error {
	if p.name != "openai" && !p.official {
		return nil
	}
	return missingKey(p.cfg)
}

// MissingKey implements keyChecker: an ollama provider needs a key only
// when it names where one comes from (a proxy's token).
func (o *Ollama) MissingKey() error {
	if strings.TrimSpace(o.cfg.APIKeyEnv) == "" && strings.TrimSpace(o.cfg.APIKeyCmd) == "" {
		return nil
	}
	return missingKey(o.cfg)
}

// MissingKey implements keyChecker.
func (p *Anthropic) MissingKey() error { return missingKey(p.cfg) }

// MissingKey implements keyChecker.
func (g *Gemini) MissingKey() error { return missingKey(g.cfg) }

// ProviderEnvVar reports whether the environment variable name can change
// what a provider calls or with which credentials: a key or token
// (…_API_KEY, …_AUTH_TOKEN), an endpoint (…_BASE_URL, OLLAMA_HOST), any
// variable of the providers' own families (OPENAI_, ANTHROPIC_, GEMINI_,
// GOOGLE_, OLLAMA_, AZURE_, which their SDKs read too), or a proxy. The
// test suites clear these, so that a developer's keys and servers neither
// receive test traffic nor change what the tests see.
func ProviderEnvVar(name string) bool {
	up := strings.ToUpper(name)
	for _, p := range []string{"OPENAI_", "ANTHROPIC_", "GEMINI_", "GOOGLE_", "OLLAMA_", "AZURE_"} {
		if strings.HasPrefix(up, p) {
			return true
		}
	}
	for _, s := range []string{"_API_KEY", "_AUTH_TOKEN", "_BASE_URL"} {
		if strings.HasSuffix(up, s) {
			return true
		}
	}
	switch up {
	case "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY":
		return true
	}
	return false
}
