package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"whet/prompt"
)

// Request is one chat call: already-rendered messages and the params.
type Request struct {
	Model    string
	Messages []prompt.Message
	Params   prompt.Params
}

// Response is the final record of one call.
type Response struct {
	Text         string
	FinishReason string // stop, length, content_filter, tool_calls, …
	TokensIn     int
	TokensOut    int
	TTFT         time.Duration // time to the first non-empty delta
	Latency      time.Duration // request start to the end of the stream
	// GenTime is the generation time the server measured (Ollama's
	// eval_duration); 0 when it reports none.
	GenTime time.Duration
	// Model is the model as the provider resolved it.
	Model string
	// ModelDigest identifies the weights or serving stack: the Ollama digest,
	// OpenAI's system_fingerprint, …; empty when the provider gives none.
	ModelDigest string
}

// counted is r with what a server reported and cannot be negative (token
// counts, generation time) at 0 when the server said less: a cost or a
// rate is never made of a negative count.
func (r Response) counted() Response {
	r.TokensIn, r.TokensOut, r.GenTime = max(r.TokensIn, 0), max(r.TokensOut, 0), max(r.GenTime, 0)
	return r
}

// Provider streams one chat. Chat calls onDelta (from the calling goroutine)
// with each piece of text as it arrives, then returns the final record. It
// must return promptly when ctx is done. It does not retry: the executor
// does, guided by *APIError.
type Provider interface {
	// Name is the provider's configured name (ollama, openai, groq, …).
	Name() string
	Chat(ctx context.Context, req Request, onDelta func(text string)) (Response, error)
}

// ModelInfo describes a model a provider can serve.
type ModelInfo struct {
	Name          string    `json:"name"`
	Size          int64     `json:"size,omitempty"`
	Family        string    `json:"family,omitempty"`
	ParameterSize string    `json:"parameter_size,omitempty"`
	Quantization  string    `json:"quantization,omitempty"`
	Digest        string    `json:"digest,omitempty"`
	Modified      time.Time `json:"modified,omitzero"`
}

// ModelLister is a Provider that can list the models it serves.
type ModelLister interface {
	ListModels(ctx context.Context) ([]ModelInfo, error)
}

// APIError is a failed call, classified for retry.
type APIError struct {
	Provider   string
	Status     int           // HTTP status; 0 for transport errors
	RetryAfter time.Duration // from Retry-After, when the server sent one
	Temporary  bool          // 429, 5xx, connection reset, …: worth retrying
	Msg        string
	Err        error
}

func (e *APIError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("%s: HTTP %d: %s", e.Provider, e.Status, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Provider, e.Msg)
}

func (e *APIError) Unwrap() error { return e.Err }

// Retryable reports whether err is worth another attempt and how long the
// server asked to wait (0 when it did not say).
func Retryable(err error) (bool, time.Duration) {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Temporary, ae.RetryAfter
	}
	return false, 0
}
