package runner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"whet/config"
	"whet/prompt"
)

// openaiDefaultBase is the SDK's production endpoint.
const openaiDefaultBase = "https://api.openai.com/v1/"

// OpenAI is a Provider for the OpenAI Chat Completions API and every server
// that speaks it (Groq, OpenRouter, vLLM, llama.cpp, LM Studio, Ollama's /v1,
// …). It streams with stream_options.include_usage. The SDK's own retries
// are off: the executor retries. It is safe for concurrent use.
type OpenAI struct {
	name   string
	cfg    config.Provider
	base   *url.URL
	client openai.Client
	// official is true for api.openai.com, which wants max_completion_tokens.
	official bool
}

var (
	_ Provider    = (*OpenAI)(nil)
	_ ModelLister = (*OpenAI)(nil)
)

// NewOpenAI returns an OpenAI-compatible provider. The endpoint is
// cfg.BaseURL, else OPENAI_BASE_URL, else https://api.openai.com/v1/; the key
// is read by APIKey at every call; cfg.Headers are sent with every request.
// It does not contact the server.
func NewOpenAI(cfg config.Provider) (*OpenAI, error) {
	name := cfg.Name
	if name == "" {
		name = "openai"
	}
	cfg.Name = name
	if cfg.Type == "" {
		cfg.Type = "openai"
	}
	raw := strings.TrimSpace(cfg.BaseURL)
	if raw == "" {
		raw = strings.TrimSpace(os.Getenv("OPENAI_BASE_URL"))
	}
	if raw == "" {
		raw = openaiDefaultBase
	}
	base, err := provParseBaseURL(name, raw)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	opts := []option.RequestOption{
		option.WithBaseURL(base.String()),
		option.WithMaxRetries(0),
		option.WithHTTPClient(provHTTPClient(nil, false)),
	}
	for k, v := range cfg.Headers {
		opts = append(opts, option.WithHeader(k, v))
	}
	return &OpenAI{
		name:     name,
		cfg:      cfg,
		base:     base,
		client:   openai.NewClient(opts...),
		official: strings.EqualFold(base.Hostname(), "api.openai.com"),
	}, nil
}

// Name implements Provider.
func (p *OpenAI) Name() string { return p.name }

// BaseURL is the endpoint this provider talks to.
func (p *OpenAI) BaseURL() string { return provRedactURL(p.base) }

// requestOptions are the per-call options: the key read now, and a
// middleware that keeps ambient OpenAI credentials (OPENAI_API_KEY,
// OPENAI_ORG_ID, OPENAI_PROJECT_ID, which the SDK reads) from reaching any
// server but api.openai.com, and any Authorization at all when this provider
// has no key. keyErr is the missing-key error, for a 401's message.
func (p *OpenAI) requestOptions() (opts []option.RequestOption, keyErr error, err error) {
	key, kerr := APIKey(p.cfg)
	if kerr != nil && !errors.Is(kerr, ErrNoKey) {
		return nil, nil, kerr
	}
	if kerr != nil && (p.name == "openai" || p.official) {
		return nil, nil, kerr
	}
	if key != "" {
		opts = append(opts, option.WithAPIKey(key))
	}
	official := p.official
	opts = append(opts, option.WithMiddleware(func(r *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		if key == "" {
			r.Header.Del("Authorization")
		}
		if !official {
			r.Header.Del("OpenAI-Organization")
			r.Header.Del("OpenAI-Project")
		}
		return next(r)
	}))
	return opts, kerr, nil
}

// Chat implements Provider. Params: temperature, top_p, seed, stop, and
// max_tokens, sent as max_completion_tokens to api.openai.com (its newer
// models refuse max_tokens) and as max_tokens to every other server (most
// compatible servers know only that); set the other field explicitly with an
// Extra param when a server needs it. Extra keys are set as top-level JSON
// fields (sjson paths: "a.b" sets a nested field). Model is the model the
// server reports; ModelDigest its system_fingerprint. A key is required for
// the provider named "openai" and for api.openai.com; other
// OpenAI-compatible providers without one send no Authorization (local
// servers need none). On error the Response
// holds the text that arrived before it.
func (p *OpenAI) Chat(ctx context.Context, req Request, onDelta func(string)) (Response, error) {
	start := time.Now()
	opts, keyErr, err := p.requestOptions()
	if err != nil {
		return Response{}, err
	}
	params := openai.ChatCompletionNewParams{
		Model:         req.Model,
		Messages:      openaiMessages(req.Messages),
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	}
	pr := req.Params
	if pr.Temperature != nil {
		params.Temperature = openai.Float(*pr.Temperature)
	}
	if pr.TopP != nil {
		params.TopP = openai.Float(*pr.TopP)
	}
	if pr.Seed != nil {
		params.Seed = openai.Int(*pr.Seed)
	}
	if pr.MaxTokens != nil {
		if p.official {
			params.MaxCompletionTokens = openai.Int(int64(*pr.MaxTokens))
		} else {
			params.MaxTokens = openai.Int(int64(*pr.MaxTokens))
		}
	}
	if len(pr.Stop) > 0 {
		params.Stop = openai.ChatCompletionNewParamsStopUnion{OfStringArray: append([]string(nil), pr.Stop...)}
	}
	for _, k := range prompt.SortedKeys(pr.Extra) {
		opts = append(opts, option.WithJSONSet(k, pr.Extra[k]))
	}

	cctx, capt := provWithCapture(ctx)
	stream := p.client.Chat.Completions.NewStreaming(cctx, params, opts...)
	defer stream.Close()
	var (
		resp     Response
		text     strings.Builder
		finished bool
	)
	for stream.Next() {
		chunk := stream.Current()
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
			if c := ch.Delta.Content; c != "" {
				if resp.TTFT == 0 {
					resp.TTFT = time.Since(start)
				}
				text.WriteString(c)
				provDelta(onDelta, c)
			}
			if ch.FinishReason != "" {
				resp.FinishReason = ch.FinishReason
				finished = true
			}
		}
		if chunk.JSON.Usage.Valid() {
			resp.TokensIn = int(chunk.Usage.PromptTokens)
			resp.TokensOut = int(chunk.Usage.CompletionTokens)
		}
	}
	resp.Text = text.String()
	resp.Latency = time.Since(start)
	if ctx.Err() != nil {
		return resp, provCtxError(p.name, ctx)
	}
	if err := stream.Err(); err != nil {
		return resp, p.classify(err, req.Model, capt, keyErr)
	}
	if !finished {
		_, _, readErr, _ := capt.snapshot()
		return resp, provTruncated(p.name, readErr)
	}
	if resp.Model == "" {
		resp.Model = req.Model
	}
	return resp, nil
}

// ListModels implements ModelLister with GET /models, for servers that
// support it.
func (p *OpenAI) ListModels(ctx context.Context) ([]ModelInfo, error) {
	opts, keyErr, err := p.requestOptions()
	if err != nil {
		return nil, err
	}
	cctx, capt := provWithCapture(ctx)
	pager := p.client.Models.ListAutoPaging(cctx, opts...)
	var out []ModelInfo
	for pager.Next() {
		m := pager.Current()
		info := ModelInfo{Name: m.ID}
		if m.Created > 0 {
			info.Modified = time.Unix(m.Created, 0).UTC()
		}
		out = append(out, info)
	}
	if ctx.Err() != nil {
		return nil, provCtxError(p.name, ctx)
	}
	if err := pager.Err(); err != nil {
		return nil, p.classify(err, "", capt, keyErr)
	}
	return out, nil
}

// classify turns an SDK error into *APIError.
func (p *OpenAI) classify(err error, model string, capt *provCapture, keyErr error) error {
	status, h, readErr, _ := capt.snapshot()
	base := p.BaseURL()
	var ae *openai.Error
	if errors.As(err, &ae) {
		msg := ae.Message
		if ae.Response != nil {
			h = ae.Response.Header
		}
		switch {
		case ae.StatusCode == 404 && model != "" && (ae.Code == "model_not_found" || strings.Contains(strings.ToLower(msg), "model")):
			msg = fmt.Sprintf("model %q not found on %s at %s: %s", model, p.name, base, provClip(msg, 300))
		case ae.StatusCode == 401 && keyErr != nil:
			msg = fmt.Sprintf("unauthorized: %v", keyErr)
		case msg == "":
			msg = http.StatusText(ae.StatusCode)
		}
		return provStatusError(p.name, ae.StatusCode, h, provClip(msg, 500), err)
	}
	var se *ssestream.StreamError
	if errors.As(err, &se) {
		// An {"error": …} event in a 200 stream.
		return &APIError{Provider: p.name, Err: err, Msg: provClip(se.Message, 500),
			Temporary: strings.Contains(se.Message, "server_error") || strings.Contains(se.Message, "overloaded")}
	}
	if status >= 400 {
		// An error body the SDK could not decode.
		return provStatusError(p.name, status, h, "", err)
	}
	if provIsDecode(err) {
		return &APIError{Provider: p.name, Err: err,
			Msg: fmt.Sprintf("malformed stream event from %s: %v", base, err)}
	}
	if te := provTransportError(p.name, base, err); te != nil {
		return te
	}
	if readErr != nil {
		return provTruncated(p.name, readErr)
	}
	return &APIError{Provider: p.name, Err: err, Msg: provClip(err.Error(), 500)}
}

// openaiMessages converts the prompt's messages; unknown roles are sent as
// user messages.
func openaiMessages(msgs []prompt.Message) []openai.ChatCompletionMessageParamUnion {
	out := make([]openai.ChatCompletionMessageParamUnion, 0, len(msgs))
	for _, m := range msgs {
		switch m.Role {
		case prompt.RoleSystem:
			out = append(out, openai.SystemMessage(m.Content))
		case prompt.RoleAssistant:
			out = append(out, openai.AssistantMessage(m.Content))
		case "developer":
			out = append(out, openai.DeveloperMessage(m.Content))
		default:
			out = append(out, openai.UserMessage(m.Content))
		}
	}
	return out
}
