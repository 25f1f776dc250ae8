package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"

	"whet/config"
	"whet/prompt"
)

const (
	anthropicDefaultBase = "https://api.anthropic.com/"
	// anthropicDefaultMaxTokens is sent when the prompt sets no max_tokens:
	// the Messages API requires one.
	anthropicDefaultMaxTokens = 4096
)

// Anthropic is a Provider for Anthropic's Messages API, streaming. The SDK's
// environment defaults and its retries are off: the key comes from APIKey at
// every call and the executor retries. It is safe for concurrent use.
type Anthropic struct {
	name   string
	cfg    config.Provider
	base   *url.URL
	client anthropic.Client
}

var (
	_ Provider    = (*Anthropic)(nil)
	_ ModelLister = (*Anthropic)(nil)
)

// NewAnthropic returns an Anthropic provider. The endpoint is cfg.BaseURL,
// else ANTHROPIC_BASE_URL, else https://api.anthropic.com/; the key is
// cfg's (see APIKey; ANTHROPIC_API_KEY by default); cfg.Headers are sent with
// every request. It does not contact the server.
func NewAnthropic(cfg config.Provider) (*Anthropic, error) {
	cfg, base, err := provDefaults(cfg, "anthropic", "ANTHROPIC_BASE_URL", anthropicDefaultBase)
	if err != nil {
		return nil, err
	}
	name := cfg.Name
	opts := []option.RequestOption{
		option.WithoutEnvironmentDefaults(),
		option.WithBaseURL(base.String()),
		option.WithMaxRetries(0),
		option.WithHTTPClient(provHTTPClient(nil, false)),
	}
	for k, v := range cfg.Headers {
		opts = append(opts, option.WithHeader(k, v))
	}
	return &Anthropic{name: name, cfg: cfg, base: base, client: anthropic.NewClient(opts...)}, nil
}

// Name implements Provider.
func (p *Anthropic) Name() string { return p.name }

// BaseURL is the endpoint this provider talks to.
func (p *Anthropic) BaseURL() string { return provRedactURL(p.base) }

// Chat implements Provider. System messages go to the system parameter (one
// text block each, in order); consecutive user or assistant messages are
// merged into one turn so that turns alternate; empty messages are left out
// and a final assistant message (a prefill) loses its trailing whitespace.
// max_tokens defaults to 4096, or to a thinking budget (Extra thinking:
// {type: enabled, budget_tokens: N}) plus 4096 when that is larger, since
// the API requires max_tokens above the budget; temperature (the API takes
// 0–1 and refuses more with a 400 that is passed on), top_p and stop
// (stop_sequences) map directly; seed has no Anthropic equivalent and is
// not sent; Extra keys are set as top-level JSON fields (top_k, thinking,
// …). Text is the text blocks only: thinking is left out, though its tokens
// are output tokens and counted (and priced) as such. TokensIn counts every
// input token: input_tokens plus the tokens written to and read from the
// prompt cache, which input_tokens leaves out. Model is the model
// message_start names. Finish reasons are normalised: end_turn and
// stop_sequence → stop, max_tokens and model_context_window_exceeded →
// length, tool_use → tool_calls, refusal → content_filter; others
// (pause_turn) are kept as sent. On error the Response holds the text that
// arrived before it.
func (p *Anthropic) Chat(ctx context.Context, req Request, onDelta func(string)) (Response, error) {
	req.Params = req.Params.For(config.TypeAnthropic) // params scoped to other providers stay out
	key, auth, err := p.auth()
	if err != nil {
		return Response{}, err
	}
	resp, err := p.chat(ctx, req, onDelta, auth)
	return resp.counted(), redactSecrets(err, p.cfg, key)
}

// auth is the credential of a call: the API key as x-api-key, or, with no
// key set, ANTHROPIC_AUTH_TOKEN as a bearer token (anthropicAuthToken).
func (p *Anthropic) auth() (secret string, opt option.RequestOption, err error) {
	key, err := APIKey(p.cfg)
	if err != nil {
		if tok := anthropicAuthToken(p.cfg); tok != "" {
			return tok, option.WithAuthToken(tok), nil
		}
		return "", nil, err
	}
	return key, option.WithAPIKey(key), nil
}

func (p *Anthropic) chat(ctx context.Context, req Request, onDelta func(string), auth option.RequestOption) (Response, error) {
	start := time.Now()
	system, msgs := anthropicMessages(req.Messages)
	pr := req.Params
	params := anthropic.MessageNewParams{
		Model:     req.Model,
		Messages:  msgs,
		System:    system,
		MaxTokens: anthropicDefaultMaxTokens,
	}
	if pr.MaxTokens != nil {
		params.MaxTokens = int64(*pr.MaxTokens)
	} else if b := anthropicThinkingBudget(pr.Extra); b >= params.MaxTokens {
		// The API refuses a thinking budget that is not below max_tokens:
		// the default leaves the answer its 4096 tokens beside it.
		params.MaxTokens = b + anthropicDefaultMaxTokens
	}
	if pr.Temperature != nil {
		params.Temperature = anthropic.Float(*pr.Temperature)
	}
	if pr.TopP != nil {
		params.TopP = anthropic.Float(*pr.TopP)
	}
	if len(pr.Stop) > 0 {
		params.StopSequences = append([]string(nil), pr.Stop...)
	}
	opts := []option.RequestOption{auth}
	for _, k := range prompt.SortedKeys(pr.Extra) {
		opts = append(opts, option.WithJSONSet(k, pr.Extra[k]))
	}

	cctx, capt := provWithCapture(ctx)
	stream := p.client.Messages.NewStreaming(cctx, params, opts...)
	defer stream.Close()
	var (
		resp    Response
		text    strings.Builder
		stopped bool
	)
	for stream.Next() {
		ev := stream.Current()
		switch ev.Type {
		case "message_start":
			if ev.Message.Model != "" {
				resp.Model = ev.Message.Model
			}
			u := ev.Message.Usage
			resp.TokensIn = int(u.InputTokens + u.CacheCreationInputTokens + u.CacheReadInputTokens)
			if n := int(u.OutputTokens); n > resp.TokensOut {
				resp.TokensOut = n
			}
		case "content_block_delta":
			if ev.Delta.Type == "text_delta" && ev.Delta.Text != "" {
				if resp.TTFT == 0 {
					resp.TTFT = time.Since(start)
				}
				text.WriteString(ev.Delta.Text)
				provDelta(onDelta, ev.Delta.Text)
			}
		case "message_delta":
			if ev.Delta.StopReason != "" {
				resp.FinishReason = anthropicFinish(string(ev.Delta.StopReason))
			}
			if n := int(ev.Usage.OutputTokens); n > 0 {
				resp.TokensOut = n
			}
			// Cumulative counts; older servers send only output_tokens.
			u := ev.Usage
			resp.TokensIn = max(resp.TokensIn, int(u.InputTokens+u.CacheCreationInputTokens+u.CacheReadInputTokens))
		case "message_stop":
			stopped = true
		}
	}
	resp.Text = text.String()
	resp.Latency = time.Since(start)
	if ctx.Err() != nil {
		return resp, provCtxError(p.name, ctx)
	}
	if err := stream.Err(); err != nil {
		return resp, p.classify(err, req.Model, capt)
	}
	if !stopped {
		return resp, provEnded(p.name, capt)
	}
	if resp.Model == "" {
		resp.Model = req.Model
	}
	return resp, nil
}

// anthropicThinkingBudget is the budget_tokens of an Extra "thinking"
// object ({"type": "enabled", "budget_tokens": N}); 0 when there is none.
func anthropicThinkingBudget(extra map[string]any) int64 {
	th, _ := extra["thinking"].(map[string]any)
	switch n := th["budget_tokens"].(type) {
	case float64:
		return int64(n)
	case int:
		return int64(n)
	case int64:
		return n
	case uint64:
		return int64(min(n, 1<<62))
	}
	return 0
}

// anthropicErrorBody is the JSON of an error response or an error event.
type anthropicErrorBody struct {
	Type  string `json:"type"`
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
		Details struct {
			ErrorCode string `json:"error_code"`
		} `json:"details"`
	} `json:"error"`
}

// anthropicSpendLimit is the error_code of a 429 that is no rate limit: the
// organisation reached its tier's monthly spend cap, and usage stays paused
// until the next month (or a higher tier).
const anthropicSpendLimit = "enforced_spend_limit_reached"

// anthropicTemporaryType reports whether an error type is worth a retry.
func anthropicTemporaryType(t string) bool {
	switch t {
	case "overloaded_error", "api_error", "rate_limit_error", "timeout_error":
		return true
	}
	return false
}

// anthropicRateLimits are the limits Anthropic reports in its
// anthropic-ratelimit-{limit}-remaining and -reset headers.
var anthropicRateLimits = []string{"requests", "tokens", "input-tokens", "output-tokens"}

// anthropicRateLimitWait is how long until the limits a 429 reports as used
// up reset: the latest anthropic-ratelimit-*-reset (an RFC 3339 time) among
// the limits whose -remaining is 0. It stands in for a retry-after header
// the API always sends but a proxy may drop; 0 when no limit says so. A
// reset is when the limit is whole again, not the earliest a call fits: a
// cautious wait, but at most a minute, the limits being per minute.
func anthropicRateLimitWait(h http.Header, now time.Time) time.Duration {
	var wait time.Duration
	for _, l := range anthropicRateLimits {
		if strings.TrimSpace(h.Get("Anthropic-Ratelimit-"+l+"-Remaining")) != "0" {
			continue
		}
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(h.Get("Anthropic-Ratelimit-"+l+"-Reset"))); err == nil {
			wait = max(wait, t.Sub(now))
		}
	}
	return wait
}

// classify turns an SDK error into *APIError.
func (p *Anthropic) classify(err error, model string, capt *provCapture) error {
	status, h, readErr, _ := capt.snapshot()
	base := p.BaseURL()
	var ae *anthropic.Error
	if errors.As(err, &ae) {
		var body anthropicErrorBody
		_ = json.Unmarshal([]byte(ae.RawJSON()), &body)
		etype, msg := body.Error.Type, body.Error.Message
		if msg == "" {
			msg = provClip(ae.RawJSON(), 300)
		}
		if etype != "" {
			msg = etype + ": " + msg
		}
		if ae.StatusCode < 400 {
			// An error event in a 200 stream.
			return &APIError{Provider: p.name, Err: err, Msg: provClip(msg, 500) + " (mid-stream)",
				Temporary: anthropicTemporaryType(etype)}
		}
		if ae.Response != nil {
			h = ae.Response.Header
		}
		if ae.StatusCode == 404 && etype == "not_found_error" && model != "" &&
			strings.Contains(strings.ToLower(body.Error.Message), "model") {
			msg = fmt.Sprintf("model %q not found on %s at %s: %s", model, p.name, base, body.Error.Message)
			if body.Error.Message == fmt.Sprintf("model '%s' not found", model) {
				// Ollama's Anthropic-compatible API, in its wording.
				msg += fmt.Sprintf(" (ollama pull %s)", model)
			}
		}
		if ae.StatusCode == 404 && etype == "" && ae.Request != nil {
			// Not the Messages API's own error: a route the server does
			// not have ("404 page not found").
			msg = fmt.Sprintf("%s (%s %s)", provClip(msg, 300), ae.Request.Method, provRedactURL(ae.Request.URL))
			if strings.HasSuffix(strings.TrimSuffix(p.base.Path, "/"), "/v1") {
				msg += ": check base_url; it is the server's root, without /v1"
			} else {
				msg += ": check base_url"
			}
		}
		e := provStatusError(p.name, ae.StatusCode, h, provClip(msg, 500), err)
		if _, said := provShouldRetry(h); !said {
			e.Temporary = e.Temporary || anthropicTemporaryType(etype)
		}
		if e.RetryAfter == 0 && ae.StatusCode == http.StatusTooManyRequests {
			e.RetryAfter = anthropicRateLimitWait(h, time.Now())
		}
		if ae.StatusCode == 500 && ollamaCannotLoad(body.Error.Message) {
			// Ollama's Anthropic-compatible API cannot load the model:
			// each attempt starts a runner that fails the same way.
			e.Temporary = false
			e.Msg += fmt.Sprintf(" (Ollama cannot load model %q: pull it again, or update Ollama)", model)
		}
		if body.Error.Details.ErrorCode == anthropicSpendLimit {
			e.Temporary, e.RetryAfter = false, 0
			e.Msg += " (" + anthropicSpendLimit + ": not retried)"
		}
		return e
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
	if status >= 400 {
		return provStatusError(p.name, status, h, "", err)
	}
	return &APIError{Provider: p.name, Err: err, Msg: provClip(err.Error(), 500)}
}

// anthropicMessages splits system messages out and merges consecutive turns
// of one role so that user and assistant alternate. Messages of only
// whitespace are left out: the API refuses an empty text block. Trailing
// whitespace is trimmed from a final assistant turn (a prefill), which the
// API refuses too.
func anthropicMessages(msgs []prompt.Message) ([]anthropic.TextBlockParam, []anthropic.MessageParam) {
	var system []anthropic.TextBlockParam
	var out []anthropic.MessageParam
	for _, m := range msgs {
		if strings.TrimSpace(m.Content) == "" {
			continue
		}
		if m.Role == prompt.RoleSystem {
			system = append(system, anthropic.TextBlockParam{Text: m.Content})
			continue
		}
		role := anthropic.MessageParamRoleUser
		if m.Role == prompt.RoleAssistant {
			role = anthropic.MessageParamRoleAssistant
		}
		block := anthropic.NewTextBlock(m.Content)
		if n := len(out); n > 0 && out[n-1].Role == role {
			out[n-1].Content = append(out[n-1].Content, block)
			continue
		}
		out = append(out, anthropic.MessageParam{Role: role, Content: []anthropic.ContentBlockParamUnion{block}})
	}
	// A final assistant turn is a prefill, which the API refuses when it
	// ends in whitespace (a YAML block scalar ends in a newline).
	if n := len(out); n > 0 && out[n-1].Role == anthropic.MessageParamRoleAssistant {
		blocks := out[n-1].Content
		if tb := blocks[len(blocks)-1].OfText; tb != nil {
			tb.Text = strings.TrimRightFunc(tb.Text, unicode.IsSpace)
		}
	}
	return system, out
}

// anthropicFinish normalises a stop_reason to whet's finish reasons. Others
// are kept as sent: pause_turn (a long turn with server tools paused, the
// answer incomplete) must not read as a finished answer.
func anthropicFinish(r string) string {
	switch r {
	case "end_turn", "stop_sequence":
		return "stop"
	case "max_tokens", "model_context_window_exceeded":
		return "length"
	case "tool_use":
		return "tool_calls"
	case "refusal":
		return "content_filter"
	}
	return r
}

// ListModels implements ModelLister with GET /v1/models: the active and
// deprecated models the key can use (retired ones are left out by the API).
func (p *Anthropic) ListModels(ctx context.Context) ([]ModelInfo, error) {
	key, auth, err := p.auth()
	if err != nil {
		return nil, err
	}
	models, err := p.listModels(ctx, auth)
	return models, redactSecrets(err, p.cfg, key)
}

func (p *Anthropic) listModels(ctx context.Context, auth option.RequestOption) ([]ModelInfo, error) {
	cctx, capt := provWithCapture(ctx)
	pager := p.client.Models.ListAutoPaging(cctx, anthropic.ModelListParams{Limit: anthropic.Int(1000)}, auth)
	var out []ModelInfo
	for pager.Next() {
		m := pager.Current()
		info := ModelInfo{Name: m.ID}
		if !m.CreatedAt.IsZero() && m.CreatedAt.Unix() > 0 {
			info.Modified = m.CreatedAt.UTC()
		}
		out = append(out, info)
	}
	if ctx.Err() != nil {
		return nil, provCtxError(p.name, ctx)
	}
	if err := pager.Err(); err != nil {
		return nil, p.classify(err, "", capt)
	}
	return out, nil
}
