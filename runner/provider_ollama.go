package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ollama/ollama/api"
	"github.com/ollama/ollama/envconfig"

	"whet/config"
	"whet/prompt"
)

// ollamaDefaultPort is the port of an Ollama server given without a scheme.
const ollamaDefaultPort = "11434"

// Ollama is a Provider for an Ollama server, speaking its native API
// (POST /api/chat streaming NDJSON, GET /api/tags). It is safe for
// concurrent use.
type Ollama struct {
	name      string
	cfg       config.Provider
	base      *url.URL
	client    *api.Client
	keepAlive time.Duration
	// keyed is the client of calls made with an API key: on ollama.com its
	// base is an alias the transport maps back, so that the api client does
	// not sign the request with the local ollama install's key first (which
	// fails where there is none).
	keyed *api.Client

	mu      sync.Mutex
	digests map[string]ollamaDigest // requested model -> digest
	now     func() time.Time        // the clock of digest lookups (tests set it)
}

// ollamaDigest is a model's digest as the server listed it at a time; ""
// when the model was not listed.
type ollamaDigest struct {
	digest string
	at     time.Time
}

// ollamaDigestTTL is how long a listed digest is taken as the model's: a
// model pulled again under its name (a new digest) while whet runs — the
// workbench stays open for days — is recorded with its new digest from
// the next lookup on, so a drift check made from it sees the change.
const ollamaDigestTTL = 30 * time.Second

// ollamaDigestWait bounds the listing CurrentDigest waits for.
const ollamaDigestWait = 2 * time.Second

var (
	_ Provider      = (*Ollama)(nil)
	_ ModelLister   = (*Ollama)(nil)
	_ DigestChecker = (*Ollama)(nil)
)

// NewOllama returns an Ollama provider. The server is cfg.BaseURL (which
// the config requires to be an http(s) URL), else OLLAMA_HOST, else
// http://127.0.0.1:11434, each read as the ollama CLI reads OLLAMA_HOST (see
// ollamaParseHost). It does not contact the server.
func NewOllama(cfg config.Provider) (*Ollama, error) {
	name := cfg.Name
	if name == "" {
		name = "ollama"
	}
	cfg.Name = name
	if cfg.Type == "" {
		cfg.Type = config.TypeOllama
	}
	raw, where := cfg.BaseURL, fmt.Sprintf("provider %s: base_url", name)
	if strings.TrimSpace(raw) == "" {
		raw, where = envconfig.Var("OLLAMA_HOST"), "OLLAMA_HOST"
	}
	base, err := ollamaParseHost(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return newOllama(name, cfg, base, provHTTPClient(cfg.Headers, true)), nil
}

// newOllama builds the provider on hc, whose transport is a *provTransport.
func newOllama(name string, cfg config.Provider, base *url.URL, hc *http.Client) *Ollama {
	keyedBase := base
	if base.Hostname() == "ollama.com" {
		u := *base
		u.Host = ollamaCloudAlias
		keyedBase = &u
		tr := hc.Transport.(*provTransport)
		tr.alias, tr.host = ollamaCloudAlias, base.Host
	}
	return &Ollama{
		name:      name,
		cfg:       cfg,
		base:      base,
		client:    api.NewClient(base, hc),
		keyed:     api.NewClient(keyedBase, hc),
		keepAlive: cfg.KeepAlive,
		digests:   map[string]ollamaDigest{},
		now:       time.Now,
	}
}

// ollamaCloudAlias stands for ollama.com in the keyed client's base URL; it
// never leaves the transport.
const ollamaCloudAlias = "ollama-com.whet.invalid"

// keyFor returns the context and client of one call: with the API key of
// api_key_env or api_key_cmd, else, for ollama.com, OLLAMA_API_KEY (as
// Ollama's cloud API documents), sent as a bearer token; without a key, as
// the ollama CLI does (a local server needs none; ollama.com then takes
// the signature of a signed-in install). A local server never receives
// OLLAMA_API_KEY.
func (o *Ollama) keyFor(ctx context.Context) (context.Context, *api.Client, string, error) {
	key, err := APIKey(o.cfg)
	if err != nil {
		return ctx, nil, "", err
	}
	if key == "" && o.base.Hostname() == "ollama.com" {
		key = strings.TrimSpace(os.Getenv("OLLAMA_API_KEY"))
	}
	if key == "" {
		return ctx, o.client, "", nil
	}
	return provWithBearer(ctx, key), o.keyed, key, nil
}

// Name implements Provider.
func (o *Ollama) Name() string { return o.name }

// BaseURL is the server this provider talks to.
func (o *Ollama) BaseURL() string { return provRedactURL(o.base) }

// Chat implements Provider. Params map to Ollama options: temperature,
// top_p, num_predict (max_tokens), seed, stop; every Extra key is passed
// through as an option (num_ctx, top_k, …; Ollama ignores a name it does
// not know) except "think" (true, false or low/medium/high) and "format"
// ("json" or a JSON schema), which are the request's fields of those
// names. The answer's text is the message content; thinking is not part of
// it. TokensIn/Out are prompt_eval_count/eval_count; ModelDigest is the
// model's digest from /api/tags, looked up again once older than
// ollamaDigestTTL. On error the Response holds the text that arrived
// before it.
func (o *Ollama) Chat(ctx context.Context, req Request, onDelta func(string)) (Response, error) {
	req.Params = req.Params.For(config.TypeOllama) // params scoped to other providers stay out
	kctx, client, key, err := o.keyFor(ctx)
	if err != nil {
		return Response{}, err
	}
	resp, err := o.chat(ctx, kctx, client, req, onDelta)
	return resp.counted(), redactSecrets(err, o.cfg, key)
}

// chat is Chat with the call's client and keyed context kctx (ctx's child).
func (o *Ollama) chat(ctx, kctx context.Context, client *api.Client, req Request, onDelta func(string)) (Response, error) {
	start := time.Now()
	stream := true
	creq := &api.ChatRequest{
		Model:    req.Model,
		Messages: ollamaMessages(req.Messages),
		Stream:   &stream,
		Options:  ollamaOptions(req.Params),
	}
	if v, ok := req.Params.Extra["think"]; ok {
		switch v.(type) {
		case bool, string:
			creq.Think = &api.ThinkValue{Value: v}
		default:
			return Response{}, fmt.Errorf("%s: param think: %v is neither true/false nor low/medium/high", o.name, v)
		}
	}
	if v, ok := req.Params.Extra["format"]; ok {
		f, err := ollamaFormat(v)
		if err != nil {
			return Response{}, fmt.Errorf("%s: param format: %w", o.name, err)
		}
		creq.Format = f
	}
	if o.keepAlive != 0 {
		creq.KeepAlive = &api.Duration{Duration: o.keepAlive}
	}
	cctx, capt := provWithCapture(kctx)
	var (
		resp Response
		text strings.Builder
		done bool
	)
	err := client.Chat(cctx, creq, func(r api.ChatResponse) error {
		if r.Model != "" {
			resp.Model = r.Model
		}
		if c := r.Message.Content; c != "" {
			if resp.TTFT == 0 {
				resp.TTFT = time.Since(start)
			}
			text.WriteString(c)
			provDelta(onDelta, c)
		}
		if r.Done {
			done = true
			resp.FinishReason = r.DoneReason
			resp.TokensIn = r.PromptEvalCount
			resp.TokensOut = r.EvalCount
			resp.GenTime = r.EvalDuration
		}
		return nil
	})
	resp.Text = text.String()
	resp.Latency = time.Since(start)
	if ctx.Err() != nil {
		return resp, provCtxError(o.name, ctx)
	}
	if err != nil {
		return resp, o.classify(err, req.Model, capt)
	}
	if !done {
		// The api client ends quietly when the body ends: an error status
		// with an empty body (or a 204), or a stream cut short.
		status, h, readErr, _ := capt.snapshot()
		if status != 0 && status != http.StatusOK {
			return resp, provStatusError(o.name, status, h, "", nil)
		}
		e := provTruncated(o.name, readErr)
		if readErr == nil {
			// Ollama ends an answer so, with no error, when the model
			// repeats one token more than 30 times in a row.
			e.Msg = "stream ended without its final line (Ollama stops an answer so when the model repeats one token over 30 times)"
		}
		return resp, e
	}
	if r := resp.FinishReason; r == "load" || r == "unload" {
		// Ollama's answer to a chat without messages: it only loaded (or
		// unloaded) the model.
		return resp, &APIError{Provider: o.name,
			Msg: fmt.Sprintf("the server only %sed model %q and answered nothing (done_reason %q): the request had no messages", r, req.Model, r)}
	}
	if resp.Model == "" {
		resp.Model = req.Model
	}
	// Ollama reports the name it was sent: "llama3.2" and
	// "llama3.2:latest" are one model, recorded as one identity.
	resp.Model = ollamaModel(resp.Model)
	resp.ModelDigest = o.digest(kctx, client, req.Model)
	return resp, nil
}

// CurrentDigest implements DigestChecker: the digest the server lists for
// model now (looked up again once ollamaDigestTTL old), "" when it cannot
// be asked or does not list it.
func (o *Ollama) CurrentDigest(ctx context.Context, model string) string {
	// A server that does not answer soon leaves the cache to answer: a
	// cached run works offline.
	ctx, cancel := context.WithTimeout(ctx, ollamaDigestWait)
	defer cancel()
	kctx, client, _, err := o.keyFor(ctx)
	if err != nil {
		return ""
	}
	return o.digest(kctx, client, model)
}

// ListModels implements ModelLister from GET /api/tags.
func (o *Ollama) ListModels(ctx context.Context) ([]ModelInfo, error) {
	kctx, client, key, err := o.keyFor(ctx)
	if err != nil {
		return nil, err
	}
	cctx, capt := provWithCapture(kctx)
	lr, err := client.List(cctx)
	if ctx.Err() != nil {
		return nil, provCtxError(o.name, ctx)
	}
	if err != nil {
		return nil, redactSecrets(o.classify(err, "", capt), o.cfg, key)
	}
	out := make([]ModelInfo, 0, len(lr.Models))
	for _, m := range lr.Models {
		out = append(out, ModelInfo{
			Name:          m.Name,
			Size:          m.Size,
			Family:        m.Details.Family,
			ParameterSize: m.Details.ParameterSize,
			Quantization:  m.Details.QuantizationLevel,
			Digest:        m.Digest,
			Modified:      m.ModifiedAt,
		})
	}
	o.rememberDigests(lr.Models)
	return out, nil
}

// digest returns the digest of model, listing the server's models when it
// was not listed in the last ollamaDigestTTL. A failed listing leaves it
// empty (and is tried again next call).
func (o *Ollama) digest(ctx context.Context, client *api.Client, model string) string {
	model = ollamaNameKey(model)
	o.mu.Lock()
	d, ok := o.digests[model]
	now := o.now()
	o.mu.Unlock()
	if ok && now.Sub(d.at) < ollamaDigestTTL {
		return d.digest
	}
	lr, err := client.List(ctx)
	if err != nil {
		return ""
	}
	o.rememberDigests(lr.Models)
	o.mu.Lock()
	defer o.mu.Unlock()
	if d, ok := o.digests[model]; !ok || d.at.Before(now) {
		// Not listed (any more): known to have none, for a while.
		o.digests[model] = ollamaDigest{at: o.now()}
	}
	return o.digests[model].digest
}

// rememberDigests records the digest of every listed model under the
// ollamaNameKey of its name and of its model field.
func (o *Ollama) rememberDigests(models []api.ListModelResponse) {
	o.mu.Lock()
	defer o.mu.Unlock()
	at := o.now()
	for _, m := range models {
		for _, n := range []string{m.Name, m.Model} {
			if n != "" {
				o.digests[ollamaNameKey(n)] = ollamaDigest{digest: m.Digest, at: at}
			}
		}
	}
}

// ollamaNameKey is the one key of the names Ollama takes for one model:
// it answers "Tiny", "library/tiny" and
// "registry.ollama.ai/library/tiny:latest" as "tiny", which /api/tags
// lists as "tiny:latest".
func ollamaNameKey(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	name = strings.TrimPrefix(name, "registry.ollama.ai/")
	name = strings.TrimPrefix(name, "library/")
	return strings.TrimSuffix(name, ":latest")
}

// classify turns an error of the api client into *APIError (or a context
// error).
func (o *Ollama) classify(err error, model string, capt *provCapture) error {
	status, h, readErr, badLine := capt.snapshot()
	base := o.BaseURL()
	var se api.StatusError
	var ae api.AuthorizationError
	switch {
	case errors.As(err, &se):
		if se.StatusCode == 404 && strings.Contains(se.ErrorMessage, "model") && model != "" {
			return &APIError{Provider: o.name, Status: 404, Err: err,
				Msg: fmt.Sprintf("model %q not found on ollama at %s: run 'ollama pull %s'", model, base, model)}
		}
		if se.StatusCode == 404 {
			// No such route: "404 page not found" from Ollama's router,
			// or another server altogether.
			return &APIError{Provider: o.name, Status: 404, Err: err,
				Msg: fmt.Sprintf("%s has no Ollama API (%s): base_url must be the server's root; an OpenAI-compatible /v1 is a provider of type openai", base, provClip(se.ErrorMessage, 100))}
		}
		msg := se.ErrorMessage
		if strings.HasPrefix(strings.TrimSpace(msg), "<") {
			// The first line of a proxy's HTML page ("<html>"): the
			// client keeps no more of a body that is not JSON.
			msg = ""
		}
		if se.StatusCode == 401 {
			// A proxy's 401: its body is not Ollama's JSON.
			return &APIError{Provider: o.name, Status: 401, Err: err, Msg: ollamaUnauthorized(base, msg)}
		}
		e := provStatusError(o.name, se.StatusCode, h, provClip(msg, 500), err)
		if strings.Contains(msg, "requires more system memory") {
			// "model requires more system memory (X) than is available
			// (Y)", a 500 sent once Ollama has already unloaded what it
			// could: another attempt finds no more memory.
			e.Temporary = false
		}
		if strings.HasPrefix(msg, "option ") && strings.Contains(msg, " must be of ") {
			// Ollama's 500 for an option of the wrong type ("option
			// \"num_ctx\" must be of type integer"): the request is at
			// fault, not the server.
			e.Temporary = false
			e.Msg += " (check the prompt's param of that name)"
		}
		if ollamaCannotLoad(msg) {
			// The model's file cannot be loaded: each attempt starts a
			// runner that fails the same way.
			e.Temporary = false
			e.Msg += fmt.Sprintf(" (Ollama cannot load model %q: pull it again, or update Ollama)", model)
		}
		return e
	case errors.As(err, &ae):
		return &APIError{Provider: o.name, Status: ae.StatusCode, Err: err, Msg: ollamaUnauthorized(base, "")}
	case badLine != "":
		return &APIError{Provider: o.name, Err: err,
			Msg: fmt.Sprintf("malformed stream line from %s: %q", base, badLine)}
	case provIsDecode(err):
		return &APIError{Provider: o.name, Err: err,
			Msg: fmt.Sprintf("malformed response from %s: %v", base, err)}
	case provIsRefused(err):
		return &APIError{Provider: o.name, Err: err,
			Msg: fmt.Sprintf("cannot connect to %s: is ollama running? (ollama serve)", base)}
	case errors.Is(err, fs.ErrNotExist) && o.base.Hostname() == "ollama.com":
		// The api client signs calls to ollama.com with the key of a
		// local install, and there is none.
		return &APIError{Provider: o.name, Err: err,
			Msg: fmt.Sprintf("%s needs an API key: set OLLAMA_API_KEY (or sign in a local install with 'ollama signin')", base)}
	}
	var ue *url.Error
	if status == http.StatusOK && readErr == nil && !errors.As(err, &ue) {
		// A {"error": "..."} line in a 200 stream: the server failed
		// mid-answer ("model runner has unexpectedly stopped", "an error
		// was encountered while running the model: unexpected EOF" from a
		// runner that died, …), in words that may read as a transport
		// error's but are the server's. Ollama sends the same error
		// before the first line as a 500, which is retried; so is this.
		return &APIError{Provider: o.name, Err: err, Temporary: true, Msg: provClip(err.Error(), 500) + " (mid-stream)"}
	}
	if te := provTransportError(o.name, base, err); te != nil {
		return te
	}
	if readErr != nil {
		return provTruncated(o.name, readErr)
	}
	return &APIError{Provider: o.name, Err: err, Msg: provClip(err.Error(), 500)}
}

// ollamaCannotLoad reports whether msg, the error of Ollama's 500, says
// the model's file cannot be loaded, as Ollama words it: "llama runner
// process has terminated: error loading model: missing tensor …" (the
// runner's own error), "unable to load model: BLOB" (a file it cannot
// read), "this model is not supported by your version of Ollama" (an
// unknown architecture).
func ollamaCannotLoad(msg string) bool {
	for _, s := range []string{"error loading model", "unable to load model", "not supported by your version of Ollama"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// ollamaParseHost reads s as the ollama CLI reads OLLAMA_HOST
// (envconfig.Host): without a scheme it is http on port 11434 ("gpu-box",
// "0.0.0.0", "::1", "[::1]:8080", ":11435", "gpu-box/ollama"), except that
// "ollama.com" alone is https://ollama.com:443; with http:// or https:// the
// port defaults to 80 or 443, and a path, user info and query are kept (a
// proxy in front of Ollama may want them). Unlike the CLI, which falls back
// to a default silently, it refuses another scheme or a bad port; and a
// missing host is 127.0.0.1 (the CLI leaves it empty, which Go dials as the
// local host). "" is http://127.0.0.1:11434. Errors do not repeat s, which
// may hold a password.
func ollamaParseHost(s string) (*url.URL, error) {
	s = strings.Trim(strings.TrimSpace(s), "\"'")
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return nil, errors.New("not a URL")
		}
		var defPort string
		switch u.Scheme {
		case "http":
			defPort = "80"
		case "https":
			defPort = "443"
		default:
			return nil, fmt.Errorf("scheme %q is not http or https", u.Scheme)
		}
		if u.Hostname() == "" {
			return nil, errors.New("no host")
		}
		port := u.Port()
		if port == "" {
			port = defPort
		}
		if err := ollamaCheckPort(port); err != nil {
			return nil, err
		}
		u.Host = net.JoinHostPort(u.Hostname(), port)
		return u, nil
	}
	if s == "ollama.com" {
		s = "https://ollama.com:443"
		return url.Parse(s)
	}
	hostport, path, _ := strings.Cut(s, "/")
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, ollamaDefaultPort
		if ip := net.ParseIP(strings.Trim(hostport, "[]")); ip != nil {
			host = ip.String()
		}
	}
	if host == "" {
		host = "127.0.0.1"
	}
	if err := ollamaCheckPort(port); err != nil {
		return nil, err
	}
	u, err := url.Parse("http://" + net.JoinHostPort(host, port) + "/" + path)
	if err != nil || u.Hostname() == "" || u.User != nil {
		return nil, errors.New("not a host[:port] (with a scheme, a URL)")
	}
	if path == "" {
		u.Path = ""
	}
	return u, nil
}

func ollamaCheckPort(port string) error {
	n, err := strconv.Atoi(port)
	switch {
	case err != nil:
		// Not quoted: in "user:pw@host" the "port" is a password.
		return errors.New("the port is not a number")
	case n < 1 || n > 65535:
		return fmt.Errorf("port %d is not from 1 to 65535", n)
	}
	return nil
}

// ollamaUnauthorized is the message of a 401: what the server said, if
// anything, and the two ways out.
func ollamaUnauthorized(base, msg string) string {
	if msg = provClip(msg, 300); msg == "" {
		msg = "unauthorized"
	}
	return fmt.Sprintf("%s at %s: for ollama.com set OLLAMA_API_KEY, for cloud models through a local server run 'ollama signin'; for a proxy in front of ollama, give the provider api_key_env or api_key_cmd", msg, base)
}

// ollamaFormat is the request's format field for a format param: "json",
// or a JSON schema given as an object (or as the text of one).
func ollamaFormat(v any) (json.RawMessage, error) {
	if s, ok := v.(string); ok {
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "{") {
			if !json.Valid([]byte(s)) {
				return nil, errors.New("not a valid JSON schema")
			}
			return json.RawMessage(s), nil
		}
		if s != "json" {
			return nil, fmt.Errorf("%q is neither json nor a JSON schema", s)
		}
	} else if _, ok := v.(map[string]any); !ok {
		return nil, fmt.Errorf("%v is neither json nor a JSON schema", v)
	}
	return json.Marshal(v)
}

// ollamaMessages converts the prompt's messages; roles pass unchanged.
func ollamaMessages(msgs []prompt.Message) []api.Message {
	out := make([]api.Message, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, api.Message{Role: m.Role, Content: m.Content})
	}
	return out
}

// ollamaOptions maps Params to Ollama's options map; nil when no param is
// set. Extra keys but "think" and "format" are copied last, so an explicit Extra option
// wins.
func ollamaOptions(p prompt.Params) map[string]any {
	opts := map[string]any{}
	if p.Temperature != nil {
		opts["temperature"] = *p.Temperature
	}
	if p.TopP != nil {
		opts["top_p"] = *p.TopP
	}
	if p.MaxTokens != nil {
		opts["num_predict"] = *p.MaxTokens
	}
	if p.Seed != nil {
		opts["seed"] = *p.Seed
	}
	if len(p.Stop) > 0 {
		opts["stop"] = append([]string(nil), p.Stop...)
	}
	for k, v := range p.Extra {
		if k != "think" && k != "format" {
			opts[k] = ollamaOptionValue(k, v)
		}
	}
	if len(opts) == 0 {
		return nil
	}
	return opts
}

// ollamaOptionKinds is the kind of each option Ollama knows, by its JSON
// name (num_ctx: int, use_mmap: bool, …), read from api.Options.
var ollamaOptionKinds = sync.OnceValue(func() map[string]reflect.Kind {
	kinds := map[string]reflect.Kind{}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[api.Options]()) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		t := f.Type
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if name != "" {
			kinds[name] = t.Kind()
		}
	}
	return kinds
})

// ollamaOptionValue is v as Ollama takes option k: a number or a boolean
// written as text (num_ctx: "8192" in a file, where quoting keeps a value
// text) is sent as the number or boolean Ollama requires, since Ollama
// refuses the option otherwise. Anything else passes as it is.
func ollamaOptionValue(k string, v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	s = strings.TrimSpace(s)
	switch ollamaOptionKinds()[k] {
	case reflect.Int:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	case reflect.Float32, reflect.Float64:
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case reflect.Bool:
		if b, err := strconv.ParseBool(s); err == nil {
			return b
		}
	}
	return v
}
