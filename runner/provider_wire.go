package runner

// HTTP plumbing shared by the providers: a transport that records, per call,
// the status and headers of the response and any error reading its body, and
// the classification of failures into *APIError. Every name here starts with
// "prov" so that it cannot collide with the executor's helpers.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tidwall/gjson"

	"whet/config"
)

// provCapture is what the transport saw of one call. It is safe for
// concurrent use.
type provCapture struct {
	mu      sync.Mutex
	status  int
	header  http.Header
	readErr error  // first error reading the response body, other than io.EOF
	badLine string // first NDJSON line that is not JSON (ndjson transports only)
	errBody []byte // the start of an error response's body, as read
}

type provCaptureKey struct{}

// provWithCapture returns a context whose HTTP calls through a provTransport
// are recorded into the returned capture.
func provWithCapture(ctx context.Context) (context.Context, *provCapture) {
	c := &provCapture{}
	return context.WithValue(ctx, provCaptureKey{}, c), c
}

func (c *provCapture) setResponse(status int, h http.Header) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status, c.header = status, h
}

func (c *provCapture) setReadErr(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.readErr == nil {
		c.readErr = err
	}
}

func (c *provCapture) setBadLine(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.badLine == "" {
		c.badLine = line
	}
}

// provMaxErrBody bounds the part of an error response's body a capture keeps.
const provMaxErrBody = 16 << 10

func (c *provCapture) addErrBody(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := provMaxErrBody - len(c.errBody); room > 0 {
		c.errBody = append(c.errBody, p[:min(len(p), room)]...)
	}
}

// errorBody returns what was read of the body of an error response (status
// 400 or more), up to provMaxErrBody bytes.
func (c *provCapture) errorBody() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.errBody
}

// snapshot returns the recorded status, headers, read error and bad line.
func (c *provCapture) snapshot() (int, http.Header, error, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status, c.header, c.readErr, c.badLine
}

// provTransport wraps a RoundTripper: it adds the configured headers to every
// request and records responses into the call's provCapture, if any.
type provTransport struct {
	base    http.RoundTripper
	headers map[string]string
	// ndjson makes the body wrapper check that each line is JSON.
	ndjson bool
	// alias, when set, is a host the transport sends to host instead (see
	// Ollama's keyed client).
	alias, host string
}

type provBearerKey struct{}

// provWithBearer returns a context whose HTTP calls through a provTransport
// carry "Authorization: Bearer key" (for clients that cannot set a header
// per call).
func provWithBearer(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, provBearerKey{}, key)
}

func (t *provTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	key, _ := req.Context().Value(provBearerKey{}).(string)
	if len(t.headers) > 0 || key != "" || (t.alias != "" && req.URL.Host == t.alias) {
		req = req.Clone(req.Context())
		for k, v := range t.headers {
			req.Header.Set(k, v)
		}
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		if t.alias != "" && req.URL.Host == t.alias {
			req.URL.Host, req.Host = t.host, ""
		}
	}
	resp, err := t.base.RoundTrip(req)
	c, _ := req.Context().Value(provCaptureKey{}).(*provCapture)
	if err != nil || c == nil {
		return resp, err
	}
	// The response's headers are not copied: nothing writes to them once
	// the transport returned them, and a copy per call is measurable.
	c.setResponse(resp.StatusCode, resp.Header)
	if resp.Body != nil {
		resp.Body = &provBody{rc: resp.Body, c: c, ndjson: t.ndjson, errBody: resp.StatusCode >= 400}
	}
	return resp, nil
}

// provHTTPClient is an HTTP client without an overall timeout (streams can be
// long; callers bound them with their context) whose transport records into
// the call's provCapture.
//
// Idle connections per host are raised from Go's default of 2 so that a
// provider running many calls in parallel reuses its connections instead of
// opening a new one per call (which costs a TCP handshake and leaves sockets
// in TIME_WAIT).
func provHTTPClient(headers map[string]string, ndjson bool) *http.Client {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: &provTransport{base: base, headers: headers, ndjson: ndjson}}
}

// provMaxLine bounds the line the NDJSON checker buffers (Ollama's own limit).
const provMaxLine = 8 << 20

// provBody records body read errors, for NDJSON the first line that is
// not valid JSON, and the start of an error response's body.
type provBody struct {
	rc      io.ReadCloser
	c       *provCapture
	ndjson  bool
	errBody bool
	line    []byte
}

func (b *provBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if b.ndjson && n > 0 {
		b.scan(p[:n])
	}
	if b.errBody && n > 0 {
		b.c.addErrBody(p[:n])
	}
	if err != nil && !errors.Is(err, io.EOF) {
		b.c.setReadErr(err)
	}
	return n, err
}

func (b *provBody) scan(p []byte) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if len(b.line)+len(p) <= provMaxLine {
				b.line = append(b.line, p...)
			}
			return
		}
		if len(b.line)+i <= provMaxLine {
			b.line = append(b.line, p[:i]...)
		}
		line := bytes.TrimSpace(b.line)
		if len(line) > 0 && !json.Valid(line) {
			b.c.setBadLine(provClip(string(line), 200))
		}
		b.line = b.line[:0]
		p = p[i+1:]
	}
}

func (b *provBody) Close() error { return b.rc.Close() }

// provClip shortens s to at most n bytes for an error message.
func provClip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// provTemporaryStatus reports whether an HTTP status is worth a retry:
// 408, 429 and every 5xx (including Anthropic's 529 overloaded).
func provTemporaryStatus(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// provRetryAfter reads how long the server asked to wait: OpenAI's
// retry-after-ms, else Retry-After as seconds or an HTTP date. 0 when absent
// or unparsable.
func provRetryAfter(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// provBodyMessage is the message of an error response's JSON body in the
// shapes servers send: {"error":{"message":…}} (OpenAI and most
// compatible servers), {"error":"…"} (text-generation-inference, LM
// Studio), {"object":"error","message":…} (FastChat, SGLang, older vLLM),
// {"detail":"…"} (FastAPI), and a FastAPI validation error's list
// {"detail":[{"loc":[…],"msg":…}]}, bare or as the message (Mistral's
// 422). "" when body is none of these.
func provBodyMessage(body []byte) string {
	if !json.Valid(body) {
		return ""
	}
	for _, path := range []string{"error.message", "error", "message", "detail"} {
		if v := gjson.GetBytes(body, path); v.Type == gjson.String && strings.TrimSpace(v.Str) != "" {
			return v.Str
		}
	}
	for _, path := range []string{"detail", "message.detail", "error.message.detail", "error.detail"} {
		if s := provValidationText(gjson.GetBytes(body, path)); s != "" {
			return s
		}
	}
	return ""
}

// provShouldRetry reads x-should-retry, with which Anthropic's and
// OpenAI's servers say whether a failed call is worth repeating (their SDKs
// let it override the status); ok is false when the header is absent.
func provShouldRetry(h http.Header) (retry, ok bool) {
	switch strings.ToLower(strings.TrimSpace(h.Get("X-Should-Retry"))) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// provValidationText renders a FastAPI (pydantic) validation error list as
// "loc: msg; …", the location without its leading "body". "" when v is not
// such a list.
func provValidationText(v gjson.Result) string {
	if !v.IsArray() {
		return ""
	}
	var parts []string
	for _, e := range v.Array() {
		msg := e.Get("msg")
		if msg.Type != gjson.String {
			continue
		}
		var loc []string
		for i, l := range e.Get("loc").Array() {
			if i == 0 && l.Str == "body" {
				continue
			}
			loc = append(loc, l.String())
		}
		if len(loc) > 0 {
			parts = append(parts, strings.Join(loc, ".")+": "+msg.Str)
		} else {
			parts = append(parts, msg.Str)
		}
	}
	return strings.Join(parts, "; ")
}

// provStatusError is the *APIError of an HTTP error response: temporary by
// its status (provTemporaryStatus) unless x-should-retry says otherwise.
func provStatusError(provider string, status int, h http.Header, msg string, cause error) *APIError {
	if msg == "" {
		msg = http.StatusText(status)
	}
	if msg == "" {
		// A status net/http has no text for (Cloudflare's 520-527,
		// Anthropic's 529), answered with no reason.
		msg = "no reason given"
	}
	temporary := provTemporaryStatus(status)
	if retry, ok := provShouldRetry(h); ok {
		temporary = retry
	}
	return &APIError{
		Provider:   provider,
		Status:     status,
		RetryAfter: provRetryAfter(h, time.Now()),
		Temporary:  temporary,
		Msg:        msg,
		Err:        cause,
	}
}

// provIsRefused reports whether err is a refused connection.
func provIsRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}

// provIsTransient reports whether a transport error is worth a retry: a
// connection reset or broken mid-call, a truncated body, a network timeout.
func provIsTransient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.EOF) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	s := err.Error()
	for _, frag := range []string{"connection reset", "broken pipe", "unexpected EOF", "stream error", "server closed", "GOAWAY"} {
		if strings.Contains(s, frag) {
			return true
		}
	}
	return false
}

// provTransportError classifies an error that is not an HTTP status: a
// refused connection or an unknown host is permanent (with a message saying
// where), a reset or truncated stream is temporary. It returns nil when err
// is none of these.
func provTransportError(provider, base string, err error) *APIError {
	var dns *net.DNSError
	switch {
	case provIsRefused(err):
		return &APIError{Provider: provider, Msg: fmt.Sprintf("cannot connect to %s: connection refused", base), Err: err}
	case errors.As(err, &dns):
		return &APIError{Provider: provider, Msg: fmt.Sprintf("cannot resolve host %q of %s", dns.Name, base), Err: err}
	case provIsTransient(err):
		return &APIError{Provider: provider, Temporary: true, Msg: "connection broken: " + provErrText(err), Err: err}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return &APIError{Provider: provider, Msg: fmt.Sprintf("request to %s failed: %v", base, ue.Err), Err: err}
	}
	return nil
}

// provErrText is err's text without the method and URL prefix of *url.Error.
func provErrText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// provIsDecode reports whether err comes from decoding malformed JSON.
func provIsDecode(err error) bool {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	return errors.As(err, &se) || errors.As(err, &te)
}

// provCtxError is the error of a call whose context ended: it wraps
// ctx.Err() so errors.Is(err, context.DeadlineExceeded) and
// errors.Is(err, context.Canceled) hold.
func provCtxError(provider string, ctx context.Context) error {
	return fmt.Errorf("%s: %w", provider, ctx.Err())
}

// provTruncated is the error of a stream that ended without its final
// message: temporary, since the server or the network dropped it.
func provTruncated(provider string, readErr error) *APIError {
	msg := "stream ended before the final message"
	if readErr != nil {
		msg = "connection broken mid-stream: " + provErrText(readErr)
	}
	return &APIError{Provider: provider, Temporary: true, Msg: msg, Err: readErr}
}

// provEnded is the error of a stream that ended without its final message:
// the status's, when the server answered other than 200 OK (a 204, an error
// status with no body), else provTruncated's.
func provEnded(provider string, capt *provCapture) *APIError {
	status, h, readErr, _ := capt.snapshot()
	if status != 0 && status != http.StatusOK {
		return provStatusError(provider, status, h, "", nil)
	}
	return provTruncated(provider, readErr)
}

// provRedactURL returns u without user info or query, for messages.
func provRedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	c.RawQuery = ""
	c.Fragment = ""
	return c.String()
}

// provParseBaseURL parses a configured base URL; a value without a scheme is
// taken as http://host:port.
// provDefaults fills a provider config's name and type from typ when unset
// and resolves its base URL: cfg.BaseURL, else the env variable, else def;
// the path ends with "/" so relative API paths join under it.
func provDefaults(cfg config.Provider, typ, env, def string) (config.Provider, *url.URL, error) {
	if cfg.Name == "" {
		cfg.Name = typ
	}
	if cfg.Type == "" {
		cfg.Type = typ
	}
	raw := strings.TrimSpace(cfg.BaseURL)
	if raw == "" {
		raw = strings.TrimSpace(os.Getenv(env))
	}
	if raw == "" {
		raw = def
	}
	base, err := provParseBaseURL(cfg.Name, raw)
	if err != nil {
		return cfg, nil, err
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	return cfg, base, nil
}

func provParseBaseURL(provider, s string) (*url.URL, error) {
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

// provDelta calls onDelta when it is set.
func provDelta(onDelta func(string), s string) {
	if onDelta != nil && s != "" {
		onDelta(s)
	}
}
