package eval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/ollama/ollama/api"
	"github.com/ollama/ollama/envconfig"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"whet/config"
	"whet/prompt"
	"whet/runner"
)

// Embedder turns texts into embedding vectors with a model, one vector per
// text, in order.
type Embedder interface {
	Embed(ctx context.Context, model string, texts []string) ([][]float64, error)
}

// EmbedderResolver resolves an embedding target spec
// ("ollama:nomic-embed-text", "openai:text-embedding-3-small", an alias …)
// to the embedder that serves it and the model name to send.
type EmbedderResolver func(spec string) (Embedder, string, error)

// NewEmbedder returns the embedder for a configured provider: an
// OllamaEmbedder for type ollama, an OpenAIEmbedder for type openai (any
// OpenAI-compatible server), reading the provider's API key at each call as
// runner.APIKey does. Other types have no embeddings API whet speaks.
func NewEmbedder(cfg config.Provider) (Embedder, error) {
	typ := cfg.Type
	if typ == "" {
		typ = cfg.Name
	}
	switch typ {
	case "ollama":
		return NewOllamaEmbedder(cfg.Name, cfg.BaseURL, cfg.Headers)
	case "openai":
		key := func() (string, error) { return runner.APIKey(cfg) }
		return NewOpenAIEmbedder(cfg.Name, cfg.BaseURL, key, cfg.Headers)
	}
	return nil, fmt.Errorf("provider %s (type %s) has no embeddings API whet can use: use an ollama or openai-type provider for similar", cfg.Name, typ)
}

// OllamaEmbedder embeds with an Ollama server's /api/embed. It is safe for
// concurrent use.
type OllamaEmbedder struct {
	name    string
	base    *url.URL
	client  *api.Client
	headers map[string]string
}

var _ Embedder = (*OllamaEmbedder)(nil)

// NewOllamaEmbedder returns an embedder for the Ollama server at baseURL
// ("" = OLLAMA_HOST, else http://127.0.0.1:11434), sending headers with
// every request. name labels its errors ("" = "ollama").
func NewOllamaEmbedder(name, baseURL string, headers map[string]string) (*OllamaEmbedder, error) {
	if name == "" {
		name = "ollama"
	}
	base := envconfig.Host()
	if strings.TrimSpace(baseURL) != "" {
		u, err := parseBaseURL(name, baseURL)
		if err != nil {
			return nil, err
		}
		base = u
	}
	hc := &http.Client{Transport: headerTransport{headers: headers}}
	return &OllamaEmbedder{name: name, base: base, client: api.NewClient(base, hc), headers: headers}, nil
}

// Embed implements Embedder. A header's value a server echoes in its error
// is redacted (runner.RedactSecrets).
func (o *OllamaEmbedder) Embed(ctx context.Context, model string, texts []string) ([][]float64, error) {
	vecs, err := o.embed(ctx, model, texts)
	return vecs, runner.RedactSecrets(err, "", o.headers)
}

func (o *OllamaEmbedder) embed(ctx context.Context, model string, texts []string) ([][]float64, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	resp, err := o.client.Embed(ctx, &api.EmbedRequest{Model: model, Input: texts})
	if err != nil {
		var se api.StatusError
		if errors.As(err, &se) {
			msg := se.ErrorMessage
			if msg == "" {
				msg = se.Status
			}
			return nil, &runner.APIError{Provider: o.name, Status: se.StatusCode, Msg: "embed " + model + ": " + clip(msg, 300),
				Temporary: se.StatusCode == http.StatusTooManyRequests || se.StatusCode >= 500, Err: err}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &runner.APIError{Provider: o.name, Msg: fmt.Sprintf("embed %s: cannot reach %s: %v", model, redact(o.base), err), Temporary: true, Err: err}
	}
	if len(resp.Embeddings) != len(texts) {
		return nil, fmt.Errorf("%s: embed %s: got %d embeddings for %d texts", o.name, model, len(resp.Embeddings), len(texts))
	}
	out := make([][]float64, len(resp.Embeddings))
	for i, e := range resp.Embeddings {
		v := make([]float64, len(e))
		for j, x := range e {
			v[j] = float64(x)
		}
		out[i] = v
	}
	return out, nil
}

// OpenAIEmbedder embeds with an OpenAI-compatible /v1/embeddings endpoint
// through the openai-go SDK. It is safe for concurrent use.
type OpenAIEmbedder struct {
	name     string
	base     *url.URL
	client   openai.Client
	key      func() (string, error)
	official bool
	headers  map[string]string
}

var _ Embedder = (*OpenAIEmbedder)(nil)

// NewOpenAIEmbedder returns an embedder for the OpenAI-compatible server at
// baseURL, the API root holding /embeddings ("" = OPENAI_BASE_URL, else
// https://api.openai.com/v1/). key, when set, is called before every request;
// an error wrapping runner.ErrNoKey means no key: the request then carries no
// Authorization (local servers need none), except to api.openai.com, which
// gets the error. headers go with every request. name labels errors.
func NewOpenAIEmbedder(name, baseURL string, key func() (string, error), headers map[string]string) (*OpenAIEmbedder, error) {
	if name == "" {
		name = "openai"
	}
	raw := strings.TrimSpace(baseURL)
	if raw == "" {
		raw = strings.TrimSpace(os.Getenv("OPENAI_BASE_URL"))
	}
	if raw == "" {
		raw = "https://api.openai.com/v1/"
	}
	base, err := parseBaseURL(name, raw)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	opts := []option.RequestOption{
		option.WithBaseURL(base.String()),
		option.WithMaxRetries(0),
		option.WithHTTPClient(&http.Client{Transport: headerTransport{headers: headers}}),
	}
	return &OpenAIEmbedder{
		name:     name,
		base:     base,
		client:   openai.NewClient(opts...),
		key:      key,
		official: strings.EqualFold(base.Hostname(), "api.openai.com"),
		headers:  headers,
	}, nil
}

// Embed implements Embedder. The key or a header's value a server echoes in
// its error is redacted (runner.RedactSecrets).
func (o *OpenAIEmbedder) Embed(ctx context.Context, model string, texts []string) ([][]float64, error) {
	var key string
	vecs, err := o.embed(ctx, model, texts, &key)
	return vecs, runner.RedactSecrets(err, key, o.headers)
}

// embed is Embed; it sets *keyOut to the key it sent.
func (o *OpenAIEmbedder) embed(ctx context.Context, model string, texts []string, keyOut *string) ([][]float64, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	var key string
	if o.key != nil {
		k, err := o.key()
		switch {
		case err == nil:
			key = k
			*keyOut = k
		case !errors.Is(err, runner.ErrNoKey) || o.official || o.name == "openai":
			return nil, err
		}
	}
	official := o.official
	opts := []option.RequestOption{option.WithMiddleware(func(r *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		// The SDK reads OPENAI_API_KEY and friends from the environment;
		// they must not reach any server this provider was not given a key for.
		if key == "" {
			r.Header.Del("Authorization")
		}
		if !official {
			r.Header.Del("OpenAI-Organization")
			r.Header.Del("OpenAI-Project")
		}
		return next(r)
	})}
	if key != "" {
		opts = append(opts, option.WithAPIKey(key))
	}
	resp, err := o.client.Embeddings.New(ctx, openai.EmbeddingNewParams{
		Model:          openai.EmbeddingModel(model),
		Input:          openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: texts},
		EncodingFormat: openai.EmbeddingNewParamsEncodingFormatFloat,
	}, opts...)
	if err != nil {
		var ae *openai.Error
		if errors.As(err, &ae) {
			msg := ae.Message
			if msg == "" {
				msg = http.StatusText(ae.StatusCode)
			}
			return nil, &runner.APIError{Provider: o.name, Status: ae.StatusCode, Msg: "embed " + model + ": " + clip(msg, 300),
				Temporary: ae.StatusCode == http.StatusTooManyRequests || ae.StatusCode >= 500, Err: err}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &runner.APIError{Provider: o.name, Msg: fmt.Sprintf("embed %s at %s: %v", model, redact(o.base), err), Err: err}
	}
	if len(resp.Data) != len(texts) {
		return nil, fmt.Errorf("%s: embed %s: got %d embeddings for %d texts", o.name, model, len(resp.Data), len(texts))
	}
	out := make([][]float64, len(texts))
	for _, d := range resp.Data {
		if d.Index < 0 || int(d.Index) >= len(texts) || out[d.Index] != nil {
			return nil, fmt.Errorf("%s: embed %s: bad or repeated embedding index %d", o.name, model, d.Index)
		}
		out[d.Index] = d.Embedding
	}
	return out, nil
}

// Cosine is the cosine similarity of a and b, in [-1,1]. Vectors of
// different lengths, empty or all-zero vectors are an error.
func Cosine(a, b []float64) (float64, error) {
	if len(a) != len(b) {
		return 0, fmt.Errorf("embeddings of different lengths (%d and %d)", len(a), len(b))
	}
	if len(a) == 0 {
		return 0, errors.New("empty embedding")
	}
	var dot, na, nb float64
	for i := range a {
		dot += a[i] * b[i]
		na += a[i] * a[i]
		nb += b[i] * b[i]
	}
	if na == 0 || nb == 0 {
		return 0, errors.New("all-zero embedding")
	}
	c := dot / (math.Sqrt(na) * math.Sqrt(nb))
	return max(-1, min(1, c)), nil
}

// similar runs the similar check: the best cosine similarity between the
// output and any of the values, with the reason naming the closest value.
func (e *Evaluator) similar(ctx context.Context, s *spec, output string) (float64, string, error) {
	target, emb, model, err := e.resolveEmbedder(s.check, s.index)
	if err != nil {
		return 0, "", err
	}
	if strings.TrimSpace(output) == "" {
		return 0, "output is empty", nil
	}
	vecs, err := emb.Embed(ctx, model, append([]string{output}, s.list...))
	if err != nil {
		return 0, "", fmt.Errorf("embed with %s: %w", target, err)
	}
	if len(vecs) != len(s.list)+1 {
		return 0, "", fmt.Errorf("embed with %s: got %d embeddings for %d texts", target, len(vecs), len(s.list)+1)
	}
	best, at := math.Inf(-1), 0
	for i := range s.list {
		c, err := Cosine(vecs[0], vecs[i+1])
		if err != nil {
			return 0, "", fmt.Errorf("embed with %s: %w", target, err)
		}
		if c > best {
			best, at = c, i
		}
	}
	t := s.thresholdOr(defaultSimilar)
	reason := fmt.Sprintf("cosine similarity %s to %s (threshold %s, %s)", fnum(best), quote(s.list[at]), fnum(t), target)
	return best, reason, nil
}

// resolveEmbedder finds the embedding model of check c (at index i): its
// provider, else the default embedding target. Its errors are *CheckError
// on the provider field. It calls no model.
func (e *Evaluator) resolveEmbedder(c prompt.Check, i int) (target string, emb Embedder, model string, err error) {
	target = strings.TrimSpace(c.Provider)
	if target == "" {
		target = strings.TrimSpace(e.EmbedTarget)
	}
	if target == "" {
		return "", nil, "", errf(c, i, "provider", "no embedding target: set the check's provider (e.g. ollama:nomic-embed-text) or the default embedding target")
	}
	if e.Embedder == nil {
		return "", nil, "", errf(c, i, "provider", "no embedder is configured to resolve %q", target)
	}
	emb, model, err = e.Embedder(target)
	if err != nil {
		return "", nil, "", errf(c, i, "provider", "embedding target %q: %v", target, err)
	}
	return target, emb, model, nil
}

// headerTransport adds fixed headers to every request.
type headerTransport struct{ headers map[string]string }

func (t headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if len(t.headers) > 0 {
		r = r.Clone(r.Context())
		for k, v := range t.headers {
			r.Header.Set(k, v)
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

// parseBaseURL reads a base URL; "host:port" means http.
func parseBaseURL(provider, s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("provider %s: base_url %q is not an http(s) URL", provider, s)
	}
	return u, nil
}

// redact drops credentials and the query from a URL for messages.
func redact(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	return c.String()
}
