package runner

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/genai"

	"whet/config"
	"whet/prompt"
)

// Gemini is a Provider for the Gemini API (generativelanguage.googleapis.com)
// through google.golang.org/genai, streaming with
// models/{model}:streamGenerateContent?alt=sse. The SDK's retries and its
// automatic stream continuation are off: the executor retries. It is safe for
// concurrent use.
type Gemini struct {
	name string
	cfg  config.Provider
	base *url.URL
	http *http.Client

	mu     sync.Mutex
	key    string // the key client was made with
	client *genai.Client
}

var (
	_ Provider    = (*Gemini)(nil)
	_ ModelLister = (*Gemini)(nil)
)

// geminiDefaultBase is the Gemini API's endpoint, the SDK's default.
const geminiDefaultBase = "https://generativelanguage.googleapis.com/"

// NewGemini returns a Gemini provider. The endpoint is cfg.BaseURL, else
// GOOGLE_GEMINI_BASE_URL (as in Google's SDKs), else Google's; the key is cfg's (see
// APIKey; GOOGLE_API_KEY, then GEMINI_API_KEY, by default); cfg.Headers are
// sent with every request. It does not contact the server.
func NewGemini(cfg config.Provider) (*Gemini, error) {
	cfg, base, err := provDefaults(cfg, "gemini", "GOOGLE_GEMINI_BASE_URL", geminiDefaultBase)
	if err != nil {
		return nil, err
	}
	return &Gemini{name: cfg.Name, cfg: cfg, http: provHTTPClient(cfg.Headers, false), base: base}, nil
}

// Name implements Provider.
func (g *Gemini) Name() string { return g.name }

// BaseURL is the endpoint this provider talks to.
func (g *Gemini) BaseURL() string { return provRedactURL(g.base) }

// genaiClient returns a client for key, reusing the last one made with the
// same key (making one reads no file and opens no connection).
func (g *Gemini) genaiClient(ctx context.Context, key string) (*genai.Client, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.client != nil && g.key == key {
		return g.client, nil
	}
	c, err := genai.NewClient(ctx, &genai.ClientConfig{
		APIKey:      key,
		Backend:     genai.BackendGeminiAPI,
		HTTPClient:  g.http,
		HTTPOptions: genai.HTTPOptions{BaseURL: g.base.String()},
	})
	if err != nil {
		// The SDK's message prints its whole config, key included: never
		// pass it on.
		return nil, fmt.Errorf("provider %s: cannot make a Gemini client (check providers.%s.base_url)", g.name, g.name)
	}
	g.client, g.key = c, key
	return c, nil
}

// Chat implements Provider. System messages become the system instruction;
// assistant turns are sent with role "model"; consecutive turns of one role
// are merged into one (several parts) so that turns alternate; empty
// messages are left out.
// Params: temperature, top_p, max_tokens (maxOutputTokens), seed, stop
// (stopSequences); Extra keys are merged into generationConfig (use Gemini's
// names: topK, candidateCount, …). TokensIn is promptTokenCount; TokensOut is
// candidatesTokenCount plus thoughtsTokenCount (both are billed as output).
// Model is the modelVersion the server reports. Finish reasons are
// normalised: STOP → stop, MAX_TOKENS → length, SAFETY and other blocks of
// the answer → content_filter, others lower-cased. A prompt the API blocks
// outright (promptFeedback.blockReason, no candidates) is an error naming
// the reason, not retried. On error the Response holds the text that
// arrived before it.
func (g *Gemini) Chat(ctx context.Context, req Request, onDelta func(string)) (Response, error) {
	req.Params = req.Params.For(config.TypeGemini) // params scoped to other providers stay out
	key, err := APIKey(g.cfg)
	if err != nil {
		return Response{}, err
	}
	resp, err := g.chat(ctx, req, onDelta, key)
	return resp.counted(), redactSecrets(err, g.cfg, key)
}

func (g *Gemini) chat(ctx context.Context, req Request, onDelta func(string), key string) (Response, error) {
	start := time.Now()
	client, err := g.genaiClient(ctx, key)
	if err != nil {
		return Response{}, err
	}
	gcfg, err := g.config(req)
	if err != nil {
		return Response{}, err
	}
	system, contents := geminiContents(req.Messages)
	gcfg.SystemInstruction = system

	cctx, capt := provWithCapture(ctx)
	var (
		resp      Response
		text      strings.Builder
		finished  bool
		streamErr error
		blocked   *genai.GenerateContentResponsePromptFeedback
	)
	for chunk, err := range geminiSafe(client.Models.GenerateContentStream(cctx, req.Model, contents, gcfg)) {
		if err != nil {
			streamErr = err
			break
		}
		if chunk.ModelVersion != "" {
			resp.Model = chunk.ModelVersion
		}
		if u := chunk.UsageMetadata; u != nil {
			resp.TokensIn = int(u.PromptTokenCount)
			resp.TokensOut = int(u.CandidatesTokenCount) + int(u.ThoughtsTokenCount)
		}
		if pf := chunk.PromptFeedback; pf != nil && pf.BlockReason != "" && pf.BlockReason != genai.BlockedReasonUnspecified {
			blocked = pf
		}
		if len(chunk.Candidates) == 0 || chunk.Candidates[0] == nil {
			continue
		}
		cand := chunk.Candidates[0]
		if cand.Content != nil {
			for _, part := range cand.Content.Parts {
				if part == nil || part.Thought || part.Text == "" {
					continue
				}
				if resp.TTFT == 0 {
					resp.TTFT = time.Since(start)
				}
				text.WriteString(part.Text)
				provDelta(onDelta, part.Text)
			}
		}
		if fr := cand.FinishReason; fr != "" && fr != genai.FinishReasonUnspecified {
			resp.FinishReason = geminiFinish(fr)
			finished = true
		}
	}
	resp.Text = text.String()
	resp.Latency = time.Since(start)
	if ctx.Err() != nil {
		return resp, provCtxError(g.name, ctx)
	}
	if streamErr != nil {
		return resp, g.classify(streamErr, req.Model, capt)
	}
	if blocked != nil {
		return resp, geminiBlocked(g.name, blocked)
	}
	if !finished {
		return resp, provEnded(g.name, capt)
	}
	if resp.Model == "" {
		resp.Model = req.Model
	}
	return resp, nil
}

// geminiSafe is seq with a panic of the SDK's own code turned into a last
// error: the SDK asserts the types of the server's fields (a chunk whose
// "candidates" is a string panics it). A panic of the loop's body is not
// the SDK's and goes on.
func geminiSafe[T any](seq iter.Seq2[T, error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		inBody, stopped := false, false
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			if inBody || stopped {
				panic(r)
			}
			var zero T
			yield(zero, fmt.Errorf("invalid stream chunk: the Gemini SDK cannot read it (%v)", r))
		}()
		seq(func(v T, err error) bool {
			inBody = true
			ok := yield(v, err)
			inBody, stopped = false, !ok
			return ok
		})
	}
}

// geminiBlocked is the error of a prompt the API refused to answer
// (promptFeedback.blockReason, no candidates): permanent, since the same
// prompt is blocked again.
func geminiBlocked(provider string, pf *genai.GenerateContentResponsePromptFeedback) *APIError {
	msg := fmt.Sprintf("the prompt was blocked (%s): no answer was generated", pf.BlockReason)
	if m := strings.TrimSpace(pf.BlockReasonMessage); m != "" {
		msg += ": " + provClip(m, 300)
	}
	return &APIError{Provider: provider, Msg: msg}
}

// config maps Params to a GenerateContentConfig.
func (g *Gemini) config(req Request) (*genai.GenerateContentConfig, error) {
	pr := req.Params
	c := &genai.GenerateContentConfig{
		AutomaticContinuation: genai.Ptr(false),
		HTTPOptions:           &genai.HTTPOptions{},
	}
	if pr.Temperature != nil {
		c.Temperature = genai.Ptr(float32(*pr.Temperature))
	}
	if pr.TopP != nil {
		c.TopP = genai.Ptr(float32(*pr.TopP))
	}
	if pr.MaxTokens != nil {
		if *pr.MaxTokens > math.MaxInt32 {
			return nil, fmt.Errorf("provider %s: param max_tokens %d is too large", g.name, *pr.MaxTokens)
		}
		c.MaxOutputTokens = int32(*pr.MaxTokens)
	}
	if pr.Seed != nil {
		if *pr.Seed > math.MaxInt32 || *pr.Seed < math.MinInt32 {
			return nil, fmt.Errorf("provider %s: param seed %d does not fit Gemini's 32-bit seed", g.name, *pr.Seed)
		}
		c.Seed = genai.Ptr(int32(*pr.Seed))
	}
	if len(pr.Stop) > 0 {
		c.StopSequences = append([]string(nil), pr.Stop...)
	}
	if len(pr.Extra) > 0 {
		gen := make(map[string]any, len(pr.Extra))
		for k, v := range pr.Extra {
			gen[k] = v
		}
		c.HTTPOptions.ExtraBody = map[string]any{"generationConfig": gen}
	}
	return c, nil
}

// classify turns an SDK error into *APIError.
func (g *Gemini) classify(err error, model string, capt *provCapture) error {
	status, h, readErr, _ := capt.snapshot()
	base := g.BaseURL()
	var ae genai.APIError
	if errors.As(err, &ae) {
		// The HTTP status is the answer; the body's code only stands in
		// for it in a 200 stream (or when the status was not seen).
		code := ae.Code
		if status >= 400 || code == 0 {
			code = status
		}
		msg := ae.Message
		if ae.Status != "" && !strings.Contains(msg, ae.Status) {
			msg = ae.Status + ": " + msg
		}
		if code == 404 && model != "" {
			msg = fmt.Sprintf("model %q not found on %s at %s: %s", model, g.name, base, provClip(ae.Message, 300))
		}
		if status < 400 {
			// An error object in a 200 stream.
			e := &APIError{Provider: g.name, Err: err, Msg: provClip(msg, 500) + " (mid-stream)",
				Temporary: provTemporaryStatus(code) || ae.Status == "UNAVAILABLE" || ae.Status == "RESOURCE_EXHAUSTED"}
			e.RetryAfter = geminiRetryDelay(ae.Details)
			return e
		}
		if q := geminiDailyQuota(ae.Details); code == 429 && q != "" {
			// The RetryInfo beside it asks for seconds, but a daily quota
			// does not come back until it resets: retrying only waits.
			return &APIError{Provider: g.name, Status: code, Err: err,
				Msg: provClip(msg, 500) + " (daily quota " + q + " exhausted: not retried)"}
		}
		e := provStatusError(g.name, code, h, provClip(msg, 500), err)
		if e.RetryAfter == 0 {
			e.RetryAfter = geminiRetryDelay(ae.Details)
		}
		return e
	}
	if provIsDecode(err) || strings.Contains(err.Error(), "invalid stream chunk") {
		return &APIError{Provider: g.name, Err: err,
			Msg: fmt.Sprintf("malformed stream event from %s: %s", base, provClip(err.Error(), 300))}
	}
	if te := provTransportError(g.name, base, err); te != nil {
		return te
	}
	if readErr != nil {
		return provTruncated(g.name, readErr)
	}
	return &APIError{Provider: g.name, Err: err, Msg: provClip(err.Error(), 500)}
}

// geminiRetryDelay reads google.rpc.RetryInfo's retryDelay ("2s") from an
// error's details; 0 when absent.
func geminiRetryDelay(details []map[string]any) time.Duration {
	for _, d := range details {
		if t, _ := d["@type"].(string); !strings.HasSuffix(t, "google.rpc.RetryInfo") {
			continue
		}
		if s, _ := d["retryDelay"].(string); s != "" {
			if dur, err := time.ParseDuration(s); err == nil && dur > 0 {
				return dur
			}
		}
	}
	return 0
}

// geminiDailyQuota returns the quotaId of a per-day quota that
// google.rpc.QuotaFailure in an error's details says was exceeded
// (GenerateRequestsPerDayPerProjectPerModel-FreeTier); "" when none.
func geminiDailyQuota(details []map[string]any) string {
	for _, d := range details {
		if t, _ := d["@type"].(string); !strings.HasSuffix(t, "google.rpc.QuotaFailure") {
			continue
		}
		vs, _ := d["violations"].([]any)
		for _, v := range vs {
			vm, _ := v.(map[string]any)
			if id, _ := vm["quotaId"].(string); strings.Contains(id, "PerDay") {
				return id
			}
		}
	}
	return ""
}

// geminiContents splits system messages into the system instruction and
// maps the other turns (assistant → "model"), merging consecutive turns of
// one role into one content of several parts: the API refuses turns that do
// not alternate. Messages of only whitespace are left out: the API refuses
// an empty text part.
func geminiContents(msgs []prompt.Message) (*genai.Content, []*genai.Content) {
	var system *genai.Content
	var out []*genai.Content
	for _, m := range msgs {
		if strings.TrimSpace(m.Content) == "" {
			continue
		}
		if m.Role == prompt.RoleSystem {
			if system == nil {
				system = &genai.Content{}
			}
			system.Parts = append(system.Parts, genai.NewPartFromText(m.Content))
			continue
		}
		role := genai.RoleUser
		if m.Role == prompt.RoleAssistant {
			role = genai.RoleModel
		}
		if n := len(out); n > 0 && out[n-1].Role == role {
			out[n-1].Parts = append(out[n-1].Parts, genai.NewPartFromText(m.Content))
			continue
		}
		out = append(out, genai.NewContentFromText(m.Content, genai.Role(role)))
	}
	return system, out
}

// geminiFinish normalises a finish reason to whet's.
func geminiFinish(fr genai.FinishReason) string {
	switch fr {
	case genai.FinishReasonStop:
		return "stop"
	case genai.FinishReasonMaxTokens:
		return "length"
	case genai.FinishReasonSafety, genai.FinishReasonRecitation, genai.FinishReasonBlocklist,
		genai.FinishReasonProhibitedContent, genai.FinishReasonSPII, genai.FinishReasonImageSafety,
		genai.FinishReasonImageProhibitedContent:
		return "content_filter"
	}
	return strings.ToLower(string(fr))
}

// ListModels implements ModelLister with the API's models list: the models
// that support generateContent, named without the "models/" prefix.
func (g *Gemini) ListModels(ctx context.Context) ([]ModelInfo, error) {
	key, err := APIKey(g.cfg)
	if err != nil {
		return nil, err
	}
	models, err := g.listModels(ctx, key)
	return models, redactSecrets(err, g.cfg, key)
}

func (g *Gemini) listModels(ctx context.Context, key string) (_ []ModelInfo, err error) {
	defer func() {
		// The SDK asserts the types of the list's fields, and reads the
		// first page before it returns: nothing here calls out of it.
		if r := recover(); r != nil {
			err = &APIError{Provider: g.name, Msg: fmt.Sprintf("malformed model list from %s: the Gemini SDK cannot read it (%v)", g.BaseURL(), r)}
		}
	}()
	client, err := g.genaiClient(ctx, key)
	if err != nil {
		return nil, err
	}
	cctx, capt := provWithCapture(ctx)
	var out []ModelInfo
	for m, err := range client.Models.All(cctx) {
		if err != nil {
			if ctx.Err() != nil {
				return nil, provCtxError(g.name, ctx)
			}
			return nil, g.classify(err, "", capt)
		}
		if m == nil || !slices.Contains(m.SupportedActions, "generateContent") {
			continue
		}
		out = append(out, ModelInfo{Name: strings.TrimPrefix(m.Name, "models/")})
	}
	if ctx.Err() != nil {
		return nil, provCtxError(g.name, ctx)
	}
	return out, nil
}
