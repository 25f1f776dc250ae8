package runner

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/tidwall/gjson"

	"whet/config"
	"whet/prompt"
)

// openaiDefaultBase is the SDK's production endpoint.
const openaiDefaultBase = "https://api.openai.com/v1/"

// OpenAI is a Provider for the OpenAI Chat Completions API and every server
// that speaks it (Groq, OpenRouter, vLLM, llama.cpp, LM Studio, Ollama's /v1,
// …). It streams with stream_options.include_usage, unless the server
// refused that once (then without it, and tokens are what the server reports
// unasked). The SDK's own retries are off: the executor retries. It is safe for concurrent use.
type OpenAI struct {
	name   string
	cfg    config.Provider
	base   *url.URL
	client openai.Client
	// official is true for api.openai.com, which wants max_completion_tokens.
	official bool
	// azure is true for an azure-type provider: base is the resource's
	// endpoint, the model names a deployment, apiVersion goes in the query
	// and the key in the api-key header (see Chat).
	azure      bool
	apiVersion string
	// noUsage is set once the server refused stream_options.
	noUsage atomic.Bool
	// wantsMCT holds the models (string keys) the server asked to be sent
	// max_completion_tokens instead of max_tokens.
	wantsMCT sync.Map
}

var (
	_ Provider    = (*OpenAI)(nil)
	_ ModelLister = (*OpenAI)(nil)
)

// NewOpenAI returns an OpenAI-compatible provider. The endpoint is
// cfg.BaseURL, else OPENAI_BASE_URL, else https://api.openai.com/v1/ (a
// trailing /chat/completions is dropped: the API's root is meant); the key
// is read by APIKey at every call; cfg.Headers are sent with every request.
// It does not contact the server.
func NewOpenAI(cfg config.Provider) (*OpenAI, error) {
	azure := cfg.Type == config.TypeAzure
	if azure && strings.TrimSpace(cfg.BaseURL) == "" {
		return nil, fmt.Errorf("provider %s: an azure provider needs base_url, the resource's endpoint (https://NAME.openai.azure.com)", cfg.Name)
	}
	if azure && strings.TrimSpace(cfg.APIVersion) == "" {
		return nil, fmt.Errorf("provider %s: an azure provider needs api_version (e.g. 2024-10-21)", cfg.Name)
	}
	cfg, base, err := provDefaults(cfg, "openai", "OPENAI_BASE_URL", openaiDefaultBase)
	if err != nil {
		return nil, err
	}
	// The endpoint's URL pasted as the base URL: the API's root is meant.
	base.Path = strings.TrimSuffix(base.Path, "chat/completions/")
	if azure {
		// The resource's endpoint, with or without Azure's /openai/ (or a
		// deployment's URL pasted whole): the requests go under /openai/.
		if i := strings.Index(base.Path, "/openai/"); i >= 0 {
			base.Path = base.Path[:i+1]
		}
		base.Path += "openai/"
		base.RawQuery = ""
	}
	name := cfg.Name
	opts := []option.RequestOption{
		option.WithBaseURL(base.String()),
		option.WithMaxRetries(0),
		option.WithHTTPClient(provHTTPClient(nil, false)),
	}
	for k, v := range cfg.Headers {
		opts = append(opts, option.WithHeader(k, v))
	}
	return &OpenAI{
		name:       name,
		cfg:        cfg,
		base:       base,
		client:     openai.NewClient(opts...),
		official:   !azure && strings.EqualFold(base.Hostname(), "api.openai.com"),
		azure:      azure,
		apiVersion: strings.TrimSpace(cfg.APIVersion),
	}, nil
}

// Name implements Provider.
func (p *OpenAI) Name() string { return p.name }

// BaseURL is the endpoint this provider talks to.
func (p *OpenAI) BaseURL() string { return provRedactURL(p.base) }

// requestOptions are the per-call options: the key read now, and a
// middleware that keeps ambient OpenAI credentials (OPENAI_API_KEY,
// OPENAI_ORG_ID, OPENAI_PROJECT_ID, which the SDK reads) and the SDK's
// telemetry headers from reaching any server but api.openai.com, and any
// Authorization at all when this provider has no key. The middleware also hands the transport the request body as
// an in-memory reader (the SDK wraps it in a type the transport does not
// know), so that headers and body go out in one write instead of two.
// keyErr is the missing-key error, for a 401's message.
func (p *OpenAI) requestOptions(key string, kerr error) (opts []option.RequestOption, keyErr error, err error) {
	if kerr != nil && !errors.Is(kerr, ErrNoKey) {
		return nil, nil, kerr
	}
	if kerr != nil && (p.name == "openai" || p.official || p.azure) {
		return nil, nil, kerr
	}
	if key != "" && !p.azure {
		opts = append(opts, option.WithAPIKey(key))
	}
	official, azure := p.official, p.azure
	opts = append(opts, option.WithMiddleware(func(r *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		if key == "" || azure {
			// The SDK's own Authorization carries OPENAI_API_KEY.
			r.Header.Del("Authorization")
		}
		if azure {
			azureAuth(r.Header, key)
		}
		if !official {
			r.Header.Del("OpenAI-Organization")
			r.Header.Del("OpenAI-Project")
			openaiDropTelemetry(r.Header)
		}
		if r.GetBody != nil && r.ContentLength > 0 {
			if b, err := r.GetBody(); err == nil {
				r.Body = b
			}
		}
		return next(r)
	}))
	return opts, kerr, nil
}

// azureAuth sets Azure OpenAI's credential: an Entra ID access token (a
// JWT, as `az account get-access-token` prints it) as a bearer token, any
// other key (a resource key) in the api-key header.
func azureAuth(h http.Header, key string) {
	if azureIsJWT(key) {
		h.Set("Authorization", "Bearer "+key)
		return
	}
	h.Set("Api-Key", key)
}

// azureIsJWT reports whether key has a JWT's shape: three base64url
// parts, the first a JSON object ("eyJ" encodes `{"`). Azure resource keys
// are hex or base62 without dots.
func azureIsJWT(key string) bool {
	return strings.HasPrefix(key, "eyJ") && strings.Count(key, ".") == 2
}

// chatPath is the endpoint of a chat call under the base URL, with the
// options it needs: Azure's deployment path and api-version.
func (p *OpenAI) chatPath(model string) (string, []option.RequestOption) {
	if !p.azure {
		return "chat/completions", nil
	}
	return "deployments/" + url.PathEscape(model) + "/chat/completions",
		[]option.RequestOption{option.WithQuery("api-version", p.apiVersion)}
}

// openaiDropTelemetry removes the SDK's X-Stainless-* headers (its
// version, the OS, architecture and Go version, retry count and timeout):
// they describe the machine to whichever server is configured, and each
// costs the server a header to parse on every call.
func openaiDropTelemetry(h http.Header) {
	for k := range h {
		if strings.HasPrefix(k, "X-Stainless-") {
			delete(h, k)
		}
	}
}

// Chat implements Provider. Params: temperature, top_p, seed, stop, and
// max_tokens, sent as max_completion_tokens to api.openai.com (its newer
// models refuse max_tokens) and as max_tokens to every other server (most
// compatible servers know only that) until the server refuses it for a model
// in favour of max_completion_tokens (a reasoning model on Azure or behind a
// gateway): the call is then made again so, and so are that model's later
// calls. Set either field explicitly with an Extra param when a server needs it. Extra keys are set as top-level JSON
// fields (sjson paths: "a.b" sets a nested field). Model is the model the
// server reports; ModelDigest its system_fingerprint. A key is required for
// the provider named "openai" and for api.openai.com; other
// OpenAI-compatible providers without one send no Authorization (local
// servers need none). On error the Response
// holds the text that arrived before it.
//
// The request goes through the SDK client (base URL, headers, key,
// middleware, *openai.Error for HTTP errors) but its body is encoded here
// and the event stream is read here into a minimal chunk type: the SDK's
// reflective encoder and decoder cost more CPU than the HTTP exchange
// itself against a fast local server.
func (p *OpenAI) Chat(ctx context.Context, req Request, onDelta func(string)) (Response, error) {
	req.Params = req.Params.For(config.TypeOpenAI) // params scoped to other providers stay out
	key, kerr := APIKey(p.cfg)
	resp, err := p.chat(ctx, req, onDelta, key, kerr)
	return resp.counted(), redactSecrets(err, p.cfg, key)
}

func (p *OpenAI) chat(ctx context.Context, req Request, onDelta func(string), key string, kerr error) (Response, error) {
	start := time.Now()
	opts, keyErr, err := p.requestOptions(key, kerr)
	if err != nil {
		return Response{}, err
	}
	for _, k := range prompt.SortedKeys(req.Params.Extra) {
		opts = append(opts, option.WithJSONSet(k, req.Params.Extra[k]))
	}
	path, pathOpts := p.chatPath(req.Model)
	opts = append(opts, pathOpts...)
	usage := !p.noUsage.Load()
	_, mct := p.wantsMCT.Load(req.Model)
	mct = mct || p.official
	post := func() (*http.Response, *provCapture, error) {
		body, err := openaiRequestBody(req, mct, usage)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: encoding the request for model %q: %w", p.name, req.Model, err)
		}
		cctx, capt := provWithCapture(ctx)
		var raw *http.Response
		err = p.client.Post(cctx, path, body, &raw, opts...)
		return raw, capt, err
	}
	raw, capt, err := post()
	if capt == nil {
		return Response{}, err
	}
	for range 2 {
		retry := true
		switch {
		case err != nil && usage && openaiRejectsUsage(err, capt.errorBody()):
			// Mistral, Azure's older API versions, some gateways and
			// older Groq refuse stream_options (400 or 422 naming it):
			// ask again without it, and from now on. Tokens are then
			// what the server reports unasked (usage in the last
			// chunk), else 0.
			p.noUsage.Store(true)
			usage = false
		case err != nil && !mct && req.Params.MaxTokens != nil && openaiRejectsMaxTokens(err, capt.errorBody()):
			// A reasoning model (o-series, gpt-5) behind another host
			// than api.openai.com (Azure, a gateway): "Unsupported
			// parameter: 'max_tokens' … Use 'max_completion_tokens'
			// instead." Ask again so, and from now on for this model.
			p.wantsMCT.Store(req.Model, true)
			mct = true
		default:
			retry = false
		}
		if !retry {
			break
		}
		start = time.Now()
		if raw, capt, err = post(); capt == nil {
			return Response{}, err
		}
	}
	if raw != nil && raw.Body != nil {
		defer raw.Body.Close()
	}
	var resp Response
	if err == nil {
		if ae := p.jsonAnswer(raw); ae != nil {
			resp.Latency = time.Since(start)
			return resp, ae
		}
		err = openaiReadStream(raw, start, &resp, onDelta)
	}
	resp.Latency = time.Since(start)
	if ctx.Err() != nil {
		return resp, provCtxError(p.name, ctx)
	}
	if err != nil {
		return resp, p.classify(err, req.Model, path, capt, keyErr)
	}
	if resp.FinishReason == "" {
		return resp, provEnded(p.name, capt)
	}
	if resp.FinishReason == "error" {
		// OpenRouter ends a choice so when the upstream failed mid-answer,
		// beside an "error" member (read above as an error event); a
		// gateway that passes the finish reason on without it still did
		// not deliver a whole answer.
		return resp, &APIError{Provider: p.name, Temporary: true,
			Msg: `the server ended the answer with finish_reason "error" and no error message (mid-stream)`}
	}
	if resp.Model == "" {
		resp.Model = req.Model
	}
	return resp, nil
}

// jsonAnswer is the error of a successful response that is one JSON
// document instead of an event stream (LM Studio answers a path it does not
// serve with 200 and {"error":"Unexpected endpoint or method. …"}), or an
// HTML page. It is nil
// for anything else, and then leaves the body to be read as a stream (a
// stream sent as application/json included).
func (p *OpenAI) jsonAnswer(raw *http.Response) *APIError {
	if raw == nil || raw.Body == nil {
		return nil
	}
	const jsonType = "application/json"
	ct := strings.ToLower(raw.Header.Get("Content-Type"))
	if strings.HasPrefix(ct, "text/html") {
		// A web app's page (a UI at the base URL, a login wall), which a
		// stream reader would take for a stream cut short and retry.
		return &APIError{Provider: p.name, Msg: p.notServed("the answer is a web page, not an event stream", "chat/completions")}
	}
	if !strings.HasPrefix(ct, jsonType) {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(raw.Body, provMaxErrBody))
	if err != nil || !json.Valid(body) {
		raw.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), raw.Body), raw.Body}
		return nil
	}
	msg := provBodyMessage(body)
	if msg == "" {
		msg = "the answer is a JSON document, not an event stream: " + provClip(string(body), 200)
		return &APIError{Provider: p.name, Msg: fmt.Sprintf("%s (from %s)", msg, p.BaseURL())}
	}
	// LM Studio's answer to a path it does not serve.
	return &APIError{Provider: p.name, Msg: p.notServed(msg, "chat/completions")}
}

// notServed is the message of a server that has no endpoint (a path of the
// API under the base URL): its own message, the URL asked for, and a hint
// at /v1 when the base URL has none (vLLM, LM Studio, Ollama and OpenAI serve
// the API under /v1 only).
func (p *OpenAI) notServed(msg, endpoint string) string {
	if msg = provClip(msg, 300); msg == "" {
		msg = http.StatusText(http.StatusNotFound)
	}
	method := "POST"
	if endpoint == "models" {
		method = "GET"
	}
	msg = fmt.Sprintf("%s (%s %s%s)", msg, method, p.BaseURL(), endpoint)
	if !strings.Contains(p.base.Path, "/v1") {
		msg += ": check base_url; most servers want it to end in /v1"
	} else if endpoint == "models" {
		msg += ": the server may not list its models; name them under models: in the config"
	}
	return msg
}

// openaiBody is the Chat Completions request whet sends. Optional fields
// are pointers so that an unset param is absent, not zero.
type openaiBody struct {
	Model               string            `json:"model"`
	Messages            []openaiMessage   `json:"messages"`
	Stream              bool              `json:"stream"`
	StreamOptions       *openaiStreamOpts `json:"stream_options,omitempty"`
	Temperature         *float64          `json:"temperature,omitempty"`
	TopP                *float64          `json:"top_p,omitempty"`
	Seed                *int64            `json:"seed,omitempty"`
	MaxTokens           *int              `json:"max_tokens,omitempty"`
	MaxCompletionTokens *int              `json:"max_completion_tokens,omitempty"`
	Stop                []string          `json:"stop,omitempty"`
}

type openaiMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type openaiStreamOpts struct {
	IncludeUsage bool `json:"include_usage"`
}

// openaiRequestBody encodes req as a streaming Chat Completions request.
// Roles system, assistant and developer are kept; every other role is sent
// as user. mct selects max_completion_tokens over max_tokens; usage
// asks for the usage chunk (stream_options.include_usage).
func openaiRequestBody(req Request, mct, usage bool) ([]byte, error) {
	b := openaiBody{
		Model:    req.Model,
		Messages: make([]openaiMessage, len(req.Messages)),
		Stream:   true,
	}
	if usage {
		b.StreamOptions = &openaiStreamOpts{IncludeUsage: true}
	}
	for i, m := range req.Messages {
		role := m.Role
		switch role {
		case prompt.RoleSystem, prompt.RoleAssistant, "developer":
		default:
			role = prompt.RoleUser
		}
		b.Messages[i] = openaiMessage{Role: role, Content: m.Content}
	}
	pr := req.Params
	b.Temperature, b.TopP, b.Seed = pr.Temperature, pr.TopP, pr.Seed
	if pr.MaxTokens != nil {
		if mct {
			b.MaxCompletionTokens = pr.MaxTokens
		} else {
			b.MaxTokens = pr.MaxTokens
		}
	}
	if len(pr.Stop) > 0 {
		b.Stop = pr.Stop
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&b); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// openaiRejectsUsage reports whether err is a server's refusal of
// stream_options: a 400 or 422 whose body names it ("property
// 'stream_options' is unsupported", "Unrecognized request argument
// supplied: stream_options", a validation error at stream_options).
func openaiRejectsUsage(err error, body []byte) bool {
	var ae *openai.Error
	if !errors.As(err, &ae) || (ae.StatusCode != 400 && ae.StatusCode != 422) {
		return false
	}
	return bytes.Contains(body, []byte("stream_options")) || bytes.Contains(body, []byte("include_usage"))
}

// openaiRejectsMaxTokens reports whether err is a server's refusal of
// max_tokens in favour of max_completion_tokens: a 400 whose body names
// both.
func openaiRejectsMaxTokens(err error, body []byte) bool {
	var ae *openai.Error
	if !errors.As(err, &ae) || ae.StatusCode != 400 {
		return false
	}
	return bytes.Contains(body, []byte("max_completion_tokens")) && bytes.Contains(body, []byte("'max_tokens'")) ||
		bytes.Contains(body, []byte(`"param":"max_tokens"`)) && bytes.Contains(body, []byte("max_completion_tokens"))
}

// openaiChunk is the part of a chat.completion.chunk event whet reads.
type openaiChunk struct {
	Model             string         `json:"model"`
	SystemFingerprint string         `json:"system_fingerprint"`
	Choices           []openaiChoice `json:"choices"`
	Usage             *openaiUsage   `json:"usage"`
	// Timings is llama.cpp server's measure of the call, sent with its
	// last chunk.
	Timings *openaiTimings `json:"timings"`
	// Error is an error event's "error" member, as sent.
	Error json.RawMessage `json:"error"`

	usage   openaiUsage   // what Usage points to after a fast decode
	timings openaiTimings // what Timings points to after a fast decode
}

// openaiTimings is the part of llama.cpp server's "timings" whet reads:
// prompt tokens evaluated (prompt_n) and taken from its cache (cache_n),
// tokens generated (predicted_n) and the time generating them took
// (predicted_ms). A value of another type is read as 0.
type openaiTimings struct {
	CacheN      lenientInt   `json:"cache_n"`
	PromptN     lenientInt   `json:"prompt_n"`
	PredictedN  lenientInt   `json:"predicted_n"`
	PredictedMS lenientFloat `json:"predicted_ms"`
}

// lenientFloat is a JSON number, or 0 when the value is anything else.
type lenientFloat float64

func (n *lenientFloat) UnmarshalJSON(b []byte) error {
	var v float64
	if json.Unmarshal(b, &v) == nil {
		*n = lenientFloat(v)
	}
	return nil
}

type openaiChoice struct {
	Index int `json:"index"`
	Delta struct {
		Content string `json:"content"`
		// Refusal is the text of a refusal (OpenAI's structured outputs),
		// sent instead of content.
		Refusal string `json:"refusal"`
	} `json:"delta"`
	FinishReason string `json:"finish_reason"`
}

type openaiUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	// TotalTokens and Details only refine the output count: a value of
	// an unexpected shape there is ignored, not an error.
	TotalTokens lenientInt    `json:"total_tokens"`
	Details     openaiDetails `json:"completion_tokens_details"`
}

type openaiDetails struct {
	ReasoningTokens lenientInt `json:"reasoning_tokens"`
}

func (d *openaiDetails) UnmarshalJSON(b []byte) error {
	var v struct {
		ReasoningTokens lenientInt `json:"reasoning_tokens"`
	}
	if json.Unmarshal(b, &v) == nil {
		d.ReasoningTokens = v.ReasoningTokens
	}
	return nil
}

// lenientInt is a JSON integer, or 0 when the value is anything else.
type lenientInt int

func (n *lenientInt) UnmarshalJSON(b []byte) error {
	var v int
	if json.Unmarshal(b, &v) == nil {
		*n = lenientInt(v)
	}
	return nil
}

// outputTokens is the number of billed output tokens. OpenAI counts a
// reasoning model's reasoning inside completion_tokens; xAI's Chat
// Completions leave it out (total_tokens = prompt + completion + reasoning)
// and bill it as output too, so it is added when the total says so.
func (u *openaiUsage) outputTokens() int {
	r := int(u.Details.ReasoningTokens)
	if r > 0 && int(u.TotalTokens) == u.PromptTokens+u.CompletionTokens+r {
		return u.CompletionTokens + r
	}
	return u.CompletionTokens
}

// openaiDecodeChunk decodes one event into c, reusing c's storage. Events
// of the expected shape take a fast path (gjson, one copy of the event, no
// reflection); anything else — invalid JSON, a member of an unexpected
// type — is decoded by encoding/json, whose *json.SyntaxError or
// *json.UnmarshalTypeError is returned.
func openaiDecodeChunk(event []byte, c *openaiChunk) error {
	choices := c.Choices[:0]
	*c = openaiChunk{}
	if openaiFastChunk(event, c, choices) {
		return nil
	}
	*c = openaiChunk{}
	return json.Unmarshal(event, c)
}

// openaiFastChunk decodes event into c when it is a JSON object whose
// members whet reads have the expected types; it reports false otherwise.
func openaiFastChunk(event []byte, c *openaiChunk, choices []openaiChoice) bool {
	if !gjson.ValidBytes(event) {
		return false
	}
	root := gjson.ParseBytes(event)
	if !root.IsObject() {
		return false
	}
	ok := true
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "model":
			c.Model, ok = openaiString(v)
		case "system_fingerprint":
			c.SystemFingerprint, ok = openaiString(v)
		case "choices":
			switch {
			case v.Type == gjson.Null:
			case v.IsArray():
				choices = choices[:0] // a repeated member replaces, as in encoding/json
				v.ForEach(func(_, ch gjson.Result) bool {
					var choice openaiChoice
					choice, ok = openaiFastChoice(ch)
					choices = append(choices, choice)
					return ok
				})
				c.Choices = choices
			default:
				ok = false
			}
		case "usage":
			switch {
			case v.Type == gjson.Null:
			case v.IsObject():
				v.ForEach(func(k, n gjson.Result) bool {
					switch k.Str {
					case "prompt_tokens":
						c.usage.PromptTokens, ok = openaiInt(n)
					case "completion_tokens":
						c.usage.CompletionTokens, ok = openaiInt(n)
					case "total_tokens":
						t, _ := openaiInt(n)
						c.usage.TotalTokens = lenientInt(t)
					case "completion_tokens_details":
						r, _ := openaiInt(n.Get("reasoning_tokens"))
						c.usage.Details.ReasoningTokens = lenientInt(r)
					}
					return ok
				})
				c.Usage = &c.usage
			default:
				ok = false
			}
		case "timings":
			if v.IsObject() {
				c.timings = openaiTimings{
					CacheN:      lenientInt(v.Get("cache_n").Int()),
					PromptN:     lenientInt(v.Get("prompt_n").Int()),
					PredictedN:  lenientInt(v.Get("predicted_n").Int()),
					PredictedMS: lenientFloat(v.Get("predicted_ms").Float()),
				}
				c.Timings = &c.timings
			}
		case "error":
			c.Error = json.RawMessage(v.Raw)
		}
		return ok
	})
	return ok
}

func openaiFastChoice(ch gjson.Result) (out openaiChoice, ok bool) {
	if !ch.IsObject() {
		return out, false
	}
	ok = true
	ch.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "index":
			out.Index, ok = openaiInt(v)
		case "finish_reason":
			out.FinishReason, ok = openaiString(v)
		case "delta":
			switch {
			case v.Type == gjson.Null:
			case v.IsObject():
				out.Delta.Content, ok = openaiText(v.Get("content"))
				if ok {
					out.Delta.Refusal, ok = openaiText(v.Get("refusal"))
				}
			default:
				ok = false
			}
		}
		return ok
	})
	return out, ok
}

// openaiString is a JSON string's value; null or absent is "". Invalid
// UTF-8 is replaced, as encoding/json does.
func openaiString(v gjson.Result) (string, bool) {
	switch v.Type {
	case gjson.Null:
		return "", true
	case gjson.String:
		if !utf8.ValidString(v.Str) {
			return strings.ToValidUTF8(v.Str, "\uFFFD"), true
		}
		return v.Str, true
	}
	return "", false
}

// openaiText is a JSON string's value with its bytes as sent: a server
// that cuts its text between tokens rather than characters (older
// llama.cpp servers, some proxies) sends a character's UTF-8 bytes in two
// events, which openaiReadStream joins again. null or absent is "".
func openaiText(v gjson.Result) (string, bool) {
	switch v.Type {
	case gjson.Null:
		return "", true
	case gjson.String:
		if openaiHasSurrogate(v.Raw) {
			return openaiUnquote(v.Raw), true
		}
		return v.Str, true
	}
	return "", false
}

// openaiHasSurrogate reports whether a raw JSON string may hold a UTF-16
// surrogate escape (\uD800–\uDFFF).
func openaiHasSurrogate(raw string) bool {
	for i := strings.Index(raw, `\u`); i >= 0 && i+3 < len(raw); {
		if c := raw[i+2] | 0x20; c == 'd' && raw[i+3] >= '8' {
			return true
		}
		j := strings.Index(raw[i+2:], `\u`)
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return false
}

// openaiUnquote decodes a raw JSON string as encoding/json does, except
// that a surrogate escape without its other half (a server that cuts text
// between UTF-16 code units sends "\ud83d" and "\ude00" in two events) is
// kept as its three-byte encoding (WTF-8), for openaiJoinUTF8 to pair.
func openaiUnquote(raw string) string {
	raw = strings.TrimSuffix(strings.TrimPrefix(raw, `"`), `"`)
	b := make([]byte, 0, len(raw))
	hex := func(s string) (rune, bool) {
		n, err := strconv.ParseUint(s, 16, 16)
		return rune(n), err == nil && len(s) == 4
	}
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' || i+1 >= len(raw) {
			b = append(b, c)
			continue
		}
		i++
		switch raw[i] {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			if i+5 > len(raw) {
				return strings.ToValidUTF8(string(b), "\uFFFD")
			}
			r, ok := hex(raw[i+1 : i+5])
			if !ok {
				b = append(b, "\uFFFD"...)
				continue
			}
			i += 4
			if utf16.IsSurrogate(r) && r < 0xdc00 && i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
				if r2, ok := hex(raw[i+3 : i+7]); ok && r2 >= 0xdc00 && r2 <= 0xdfff {
					b = utf8.AppendRune(b, utf16.DecodeRune(r, r2))
					i += 6
					continue
				}
			}
			if utf16.IsSurrogate(r) {
				b = append(b, byte(0xe0|r>>12), byte(0x80|(r>>6)&0x3f), byte(0x80|r&0x3f))
				continue
			}
			b = utf8.AppendRune(b, r)
		default: // \" \\ \/
			b = append(b, raw[i])
		}
	}
	return string(b)
}

// openaiJoinUTF8 returns s after the bytes held from the previous piece,
// less an incomplete UTF-8 sequence at its end, which it holds for the
// next; bytes that can never form a character become U+FFFD.
func openaiJoinUTF8(held *[]byte, s string) string {
	if len(*held) == 0 && utf8.ValidString(s) {
		return s
	}
	s = string(*held) + s
	*held = (*held)[:0]
	s = openaiPairSurrogates(s)
	if n := len(s); n >= 3 && s[n-3] == 0xed && s[n-2] >= 0xa0 && s[n-2] <= 0xaf {
		// A high surrogate: its low half is in the next piece.
		*held = append(*held, s[n-3:]...)
		return strings.ToValidUTF8(s[:n-3], "\uFFFD")
	}
	for i := len(s) - 1; i >= 0 && i >= len(s)-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			if !utf8.FullRuneInString(s[i:]) {
				*held = append(*held, s[i:]...)
				s = s[:i]
			}
			break
		}
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// openaiPairSurrogates replaces each high and low surrogate in their
// three-byte encodings (as openaiUnquote keeps them) with the character
// they make together.
func openaiPairSurrogates(s string) string {
	i := strings.Index(s, "\xed")
	if i < 0 {
		return s
	}
	var b strings.Builder
	for i >= 0 {
		if i+6 <= len(s) && s[i+1] >= 0xa0 && s[i+1] <= 0xaf && s[i+3] == 0xed && s[i+4] >= 0xb0 && s[i+4] <= 0xbf {
			hi := rune(s[i+1]&0x0f)<<6 | rune(s[i+2]&0x3f) | 0xd800
			lo := rune(s[i+4]&0x0f)<<6 | rune(s[i+5]&0x3f) | 0xdc00
			b.WriteString(s[:i])
			b.WriteRune(utf16.DecodeRune(hi, lo))
			s = s[i+6:]
			i = strings.Index(s, "\xed")
			continue
		}
		j := strings.Index(s[i+1:], "\xed")
		if j < 0 {
			break
		}
		i += 1 + j
	}
	b.WriteString(s)
	return b.String()
}

// openaiInt is a JSON integer's value; null or absent is 0.
func openaiInt(v gjson.Result) (int, bool) {
	switch v.Type {
	case gjson.Null:
		return 0, true
	case gjson.Number:
		n, err := strconv.Atoi(v.Raw)
		return n, err == nil
	}
	return 0, false
}

// openaiMaxEvent bounds one server-sent event line, as the SDK's decoder
// does.
const openaiMaxEvent = bufio.MaxScanTokenSize << 9

// openaiStreamState is the reusable storage of one stream read: pooled, so
// that a call does not allocate its read buffer and event buffer anew.
type openaiStreamState struct {
	br    *bufio.Reader
	line  []byte // a line longer than br's buffer, assembled
	data  []byte // the current event's data lines
	chunk openaiChunk
}

var openaiStreamPool = sync.Pool{New: func() any {
	return &openaiStreamState{br: bufio.NewReaderSize(nil, 4096)}
}}

// openaiKeep bounds the buffers a pooled state keeps between calls.
const openaiKeep = 64 << 10

func (st *openaiStreamState) release() {
	st.br.Reset(nil)
	if cap(st.line) > openaiKeep {
		st.line = nil
	}
	if cap(st.data) > openaiKeep {
		st.data = nil
	}
	st.line, st.data = st.line[:0], st.data[:0]
	openaiStreamPool.Put(st)
}

// readLine returns the next line without its line ending (LF or CRLF),
// valid until the next call; io.EOF after the last one. A line longer than
// openaiMaxEvent is bufio.ErrTooLong.
func (st *openaiStreamState) readLine() ([]byte, error) {
	line, err := st.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		st.line = append(st.line[:0], line...)
		for err == bufio.ErrBufferFull && len(st.line) <= openaiMaxEvent {
			line, err = st.br.ReadSlice('\n')
			st.line = append(st.line, line...)
		}
		if len(st.line) > openaiMaxEvent {
			return nil, bufio.ErrTooLong
		}
		line = st.line
	}
	if err == io.EOF && len(line) > 0 {
		err = nil // the last line, without a line ending
	}
	if err != nil {
		return nil, err
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r")), nil
}

// openaiReadStream reads a text/event-stream of chat.completion.chunk events
// into resp until [DONE] or the end of the body, calling onDelta with each
// piece of text of choice 0. A refusal's text is the answer's text, and the
// finish reason "stop" of a refusal is content_filter (as for Anthropic's
// refusal); reasoning fields (reasoning_content, reasoning) are not read. Events are dispatched on a blank line, data
// lines joined with "\n", comments and other fields ignored, as the SDK's
// decoder does. An event with an "error" member ends the stream with an
// *ssestream.StreamError; an event that is not JSON with a decode error.
// resp.FinishReason stays empty when the stream ends without one.
func openaiReadStream(raw *http.Response, start time.Time, resp *Response, onDelta func(string)) error {
	if raw == nil || raw.Body == nil {
		return nil
	}
	st := openaiStreamPool.Get().(*openaiStreamState)
	defer st.release()
	st.br.Reset(raw.Body)
	var text strings.Builder
	var held []byte // the start of a character whose other bytes are to come
	refused, sawUsage := false, false
	defer func() {
		if len(held) > 0 {
			text.WriteString("\uFFFD")
		}
		resp.Text = text.String()
		if refused && resp.FinishReason == "stop" {
			resp.FinishReason = "content_filter"
		}
	}()
	chunk := &st.chunk
	for {
		line, err := st.readLine()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(line) > 0 {
			name, value, _ := bytes.Cut(line, []byte(":"))
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
			if string(name) == "data" {
				st.data = append(st.data, value...)
				st.data = append(st.data, '\n')
			}
			continue
		}
		if len(st.data) == 0 {
			continue
		}
		event := st.data
		st.data = st.data[:0]
		if len(bytes.TrimSpace(event)) == 0 {
			continue // "data:" alone, a keep-alive
		}
		if bytes.HasPrefix(event, []byte("[DONE]")) {
			return nil
		}
		if err := openaiDecodeChunk(event, chunk); err != nil {
			return err
		}
		if len(chunk.Error) > 0 && string(chunk.Error) != "null" {
			return &ssestream.StreamError{
				Message: openaiStreamErrorPrefix + openaiErrorText(chunk.Error),
				Event:   ssestream.Event{Data: append([]byte(nil), event...)},
			}
		}
		if chunk.Model != "" {
			resp.Model = chunk.Model
		}
		if chunk.SystemFingerprint != "" {
			resp.ModelDigest = chunk.SystemFingerprint
		}
		for _, ch := range chunk.Choices {
			if ch.Index != 0 {
				continue
			}
			for _, c := range [2]string{ch.Delta.Content, ch.Delta.Refusal} {
				if c = openaiJoinUTF8(&held, c); c == "" {
					continue
				}
				if resp.TTFT == 0 {
					resp.TTFT = time.Since(start)
				}
				text.WriteString(c)
				provDelta(onDelta, c)
			}
			if ch.Delta.Refusal != "" {
				refused = true
			}
			if ch.FinishReason != "" {
				resp.FinishReason = openaiFinish(ch.FinishReason)
			}
		}
		if chunk.Usage != nil {
			resp.TokensIn = chunk.Usage.PromptTokens
			resp.TokensOut = chunk.Usage.outputTokens()
			sawUsage = true
		}
		if t := chunk.Timings; t != nil {
			// llama.cpp server: the generation time it measured (tok/s
			// as for Ollama's eval metrics), and its token counts when it
			// sent no usage.
			resp.GenTime = time.Duration(float64(t.PredictedMS) * float64(time.Millisecond))
			if !sawUsage {
				resp.TokensIn = int(t.PromptN + t.CacheN)
				resp.TokensOut = int(t.PredictedN)
			}
		}
	}
}

// openaiStreamErrorPrefix begins the message of an error event's
// *ssestream.StreamError, as the SDK's own stream words it.
const openaiStreamErrorPrefix = "received error while streaming: "

// openaiTryAgainRE finds the wait a rate limit's message asks for:
// OpenAI's and Groq's "Please try again in 1.8s." ("20ms", "6m0s",
// "2m59.56s").
var openaiTryAgainRE = regexp.MustCompile(`(?i)try again in ((?:[0-9]+(?:\.[0-9]+)?(?:ms|h|m|s))+)`)

// openaiTryAgainIn is the wait a 429's message asks for (see
// openaiTryAgainRE), for a server that sent no Retry-After; 0 when it
// names none.
func openaiTryAgainIn(msg string) time.Duration {
	m := openaiTryAgainRE.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	d, err := time.ParseDuration(m[1])
	if err != nil || d <= 0 {
		return 0
	}
	return d
}

// openaiRateLimitWait is how long until the limits a 429 reports as used
// up reset, from the x-ratelimit-remaining-{requests,tokens} and
// x-ratelimit-reset-{requests,tokens} headers OpenAI and Groq send with
// every response ("1s", "6m0s", "2m59.56s"): the latest reset among the
// limits whose remaining is 0. It stands in for a message that names no
// wait (its wording is not an API) when no Retry-After came either; 0 when
// no limit says so. The executor caps the wait (execMaxRetryAfter).
func openaiRateLimitWait(h http.Header) time.Duration {
	var wait time.Duration
	for _, l := range []string{"requests", "tokens"} {
		if strings.TrimSpace(h.Get("X-Ratelimit-Remaining-"+l)) != "0" {
			continue
		}
		if d, err := time.ParseDuration(strings.TrimSpace(h.Get("X-Ratelimit-Reset-" + l))); err == nil && d > 0 {
			wait = max(wait, d)
		}
	}
	return wait
}

// openaiFinish normalises a finish reason: text-generation-inference's
// eos_token and stop_sequence are stop, as OpenAI names them; others pass.
func openaiFinish(r string) string {
	switch r {
	case "eos_token", "stop_sequence":
		return "stop"
	}
	return r
}

// openaiErrorText is an error event's member as text: a JSON string
// unquoted; an object's message, followed by its type and code when it has
// them ("Provider returned error (code 502)"); anything else as sent.
func openaiErrorText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	e := gjson.ParseBytes(raw)
	msg := e.Get("message")
	if !e.IsObject() || msg.Type != gjson.String || strings.TrimSpace(msg.Str) == "" {
		return string(raw)
	}
	var about []string
	if t := e.Get("type").String(); t != "" {
		about = append(about, t)
	}
	if c := e.Get("code").String(); c != "" {
		about = append(about, "code "+c)
	}
	if len(about) == 0 {
		return msg.Str
	}
	return fmt.Sprintf("%s (%s)", msg.Str, strings.Join(about, ", "))
}

// openaiTemporaryEvent reports whether an error event is worth a retry: its
// type or code says server_error or overloaded (OpenAI, OpenRouter), or its
// code is a temporary HTTP status (vLLM and OpenRouter send a number: 500,
// 502, 429).
func openaiTemporaryEvent(se *ssestream.StreamError) bool {
	if strings.Contains(se.Message, "server_error") || strings.Contains(se.Message, "overloaded") {
		return true
	}
	n, err := strconv.Atoi(gjson.GetBytes(se.Event.Data, "error.code").String())
	return err == nil && provTemporaryStatus(n)
}

// ListModels implements ModelLister with GET /models, for servers that
// support it (see openaiModelList for the shapes read).
func (p *OpenAI) ListModels(ctx context.Context) ([]ModelInfo, error) {
	key, kerr := APIKey(p.cfg)
	models, err := p.listModels(ctx, key, kerr)
	return models, redactSecrets(err, p.cfg, key)
}

func (p *OpenAI) listModels(ctx context.Context, key string, kerr error) ([]ModelInfo, error) {
	if p.azure {
		// Azure's /models lists the models the resource could deploy, not
		// its deployments, which are the targets.
		return nil, &APIError{Provider: p.name,
			Msg: "Azure OpenAI does not list a resource's deployments: name them under models: in the config"}
	}
	opts, keyErr, err := p.requestOptions(key, kerr)
	if err != nil {
		return nil, err
	}
	cctx, capt := provWithCapture(ctx)
	var raw *http.Response
	err = p.client.Get(cctx, "models", nil, &raw, opts...)
	var body []byte
	if err == nil && raw != nil && raw.Body != nil {
		defer raw.Body.Close()
		body, err = io.ReadAll(io.LimitReader(raw.Body, openaiMaxModelList))
	}
	if ctx.Err() != nil {
		return nil, provCtxError(p.name, ctx)
	}
	if err != nil {
		return nil, p.classify(err, "", "models", capt, keyErr)
	}
	out, ok := openaiModelList(body)
	if !ok {
		return nil, &APIError{Provider: p.name,
			Msg: fmt.Sprintf("the answer of GET %smodels is not a model list: %q", p.BaseURL(), provClip(string(body), 120))}
	}
	if p.official {
		out = slices.DeleteFunc(out, func(m ModelInfo) bool { return !openaiChatModel(m.Name) })
	}
	return out, nil
}

// openaiNotChat are the name parts of api.openai.com's models that Chat
// Completions does not serve (embeddings, speech, images, video,
// moderation, the realtime API, legacy completions): its model list holds
// them all, and a target picked from them would fail every call.
var openaiNotChat = []string{"embedding", "tts", "whisper", "transcribe", "dall-e", "gpt-image", "sora",
	"moderation", "realtime", "babbage", "davinci"}

// openaiChatModel reports whether an api.openai.com model id names a model
// Chat Completions can be asked (see openaiNotChat).
func openaiChatModel(id string) bool {
	id = strings.ToLower(id)
	for _, part := range openaiNotChat {
		if strings.Contains(id, part) {
			return false
		}
	}
	return true
}

// openaiMaxModelList bounds the model list read (OpenRouter's, with every
// model's description and prices, is a few MB).
const openaiMaxModelList = 64 << 20

// openaiModelList reads a model list as compatible servers send it:
// {"object":"list","data":[{"id":…,"created":…},…]} (OpenAI, vLLM,
// llama.cpp, LM Studio, Ollama's /v1, OpenRouter, Groq) or a bare array of
// the same objects (Together). created may be absent, 0 or a float. ok is
// false when body is neither.
func openaiModelList(body []byte) (out []ModelInfo, ok bool) {
	if !gjson.ValidBytes(body) {
		return nil, false
	}
	list := gjson.ParseBytes(body)
	if list.IsObject() {
		list = list.Get("data")
	}
	if !list.IsArray() {
		return nil, false
	}
	out = []ModelInfo{}
	for _, m := range list.Array() {
		id := m.Get("id")
		if id.Type != gjson.String || strings.TrimSpace(id.Str) == "" {
			continue
		}
		info := ModelInfo{Name: id.Str}
		if c := m.Get("created"); c.Type == gjson.Number && c.Num > 0 {
			info.Modified = time.Unix(int64(c.Num), 0).UTC()
		}
		out = append(out, info)
	}
	return out, true
}

// classify turns an SDK error into *APIError.
func (p *OpenAI) classify(err error, model, endpoint string, capt *provCapture, keyErr error) error {
	status, h, readErr, _ := capt.snapshot()
	base := p.BaseURL()
	var msg, code string
	var ae *openai.Error
	if errors.As(err, &ae) {
		status, msg, code = ae.StatusCode, ae.Message, ae.Code
		if ae.Response != nil {
			h = ae.Response.Header
		}
	}
	if status >= 400 && msg == "" {
		// A body without OpenAI's {"error": {"message": …}}.
		body := capt.errorBody()
		msg = provBodyMessage(body)
		if msg == "" && strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
			msg = string(body)
		}
	}
	if status >= 400 {
		lower := strings.ToLower(msg)
		switch {
		case model != "" && strings.Contains(lower, "no models loaded"):
			// LM Studio with no model loaded (and just-in-time loading
			// off): 404 {"error":{"message":"No models loaded. Please
			// load a model in the developer page or use the 'lms load'
			// command.", …}}.
			msg = fmt.Sprintf("no model is loaded on %s at %s: load %s (lms load, or LM Studio's Developer page), or turn on just-in-time model loading: %s",
				p.name, base, model, provClip(msg, 300))
		case status == 503 && strings.Contains(lower, "loading model"):
			// llama-server while it loads its model: 503
			// {"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}.
			msg = fmt.Sprintf("%s at %s is still loading its model (%s): wait until it is ready (llama-server's GET /health answers 200) and run again",
				p.name, base, provClip(msg, 100))
		case status == 404 && model != "" && (strings.Contains(lower, "try pulling it") || msg == fmt.Sprintf("model '%s' not found", model)):
			// Ollama's /v1: model 'x' not found (a name it does not
			// have), or model "x" not found, try pulling it first (a
			// model whose files are gone).
			msg = fmt.Sprintf("model %q not found on %s at %s: %s (ollama pull %s)", model, p.name, base, provClip(msg, 300), model)
		case status == 404 && p.azure && model != "":
			msg = fmt.Sprintf("deployment %q not found on %s at %s: %s", model, p.name, base, provClip(msg, 300))
		case status == 404 && model != "" && (code == "model_not_found" || strings.Contains(lower, "model")):
			msg = fmt.Sprintf("model %q not found on %s at %s: %s ('whet models' lists what it serves)", model, p.name, base, provClip(msg, 300))
		case status == 404:
			msg = p.notServed(msg, endpoint)
		case status == 401 && keyErr != nil:
			msg = fmt.Sprintf("unauthorized: %v", keyErr)
		case status == 401:
			if src, _ := KeySource(p.cfg); src != "" {
				msg = fmt.Sprintf("%s (the key from %s was refused)", provClip(msg, 300), strings.TrimSuffix(src, " set"))
			}
		case status == 403 && msg == "":
			// A gateway's bare refusal: say where to look.
			msg = fmt.Sprintf("%s by %s: check the provider's key and headers", http.StatusText(403), base)
		}
		ae := provStatusError(p.name, status, h, provClip(msg, 500), err)
		if status == 429 && ae.RetryAfter == 0 {
			ae.RetryAfter = openaiTryAgainIn(msg)
		}
		if status == 429 && ae.RetryAfter == 0 {
			ae.RetryAfter = openaiRateLimitWait(h)
		}
		if status == 500 && ollamaCannotLoad(msg) {
			// Ollama's /v1 cannot load the model: each attempt starts a
			// runner that fails the same way.
			ae.Temporary = false
			ae.Msg += fmt.Sprintf(" (Ollama cannot load model %q: pull it again, or update Ollama)", model)
		}
		if status == 429 && code == "insufficient_quota" {
			// OpenAI's "You exceeded your current quota": no retry helps.
			ae.Temporary, ae.RetryAfter = false, 0
		}
		return ae
	}
	var se *ssestream.StreamError
	if errors.As(err, &se) {
		// An {"error": …} event in a 200 stream, said as the other
		// providers say theirs.
		msg := strings.TrimPrefix(se.Message, openaiStreamErrorPrefix)
		return &APIError{Provider: p.name, Err: err, Msg: provClip(msg, 500) + " (mid-stream)",
			Temporary: openaiTemporaryEvent(se)}
	}
	if provIsDecode(err) {
		return &APIError{Provider: p.name, Err: err,
			Msg: fmt.Sprintf("malformed stream event from %s: %v", base, err)}
	}
	if te := provTransportError(p.name, base, err); te != nil {
		if provIsRefused(err) && LoopbackURL(base) {
			te.Msg += ": is the server running, on this port? (by default llama-server listens on 8080, vLLM on 8000, LM Studio on 1234, Ollama on 11434)"
		}
		return te
	}
	if readErr != nil {
		return provTruncated(p.name, readErr)
	}
	return &APIError{Provider: p.name, Err: err, Msg: provClip(err.Error(), 500)}
}
