package runner

import (
	"context"
	"fmt"
	"strings"
	"time"

	"whet/config"
	"whet/prompt"
)

// Echo is a Provider that answers with the rendered prompt itself: no
// network, deterministic, for tests and dry runs.
//
// The answer is every message as "role: content", joined by a blank line,
// streamed one word (with the whitespace after it) per delta. TokensIn is the
// number of words in all messages, TokensOut the number in the answer. Two
// params behave as a model's would: max_tokens keeps only that many words
// (finish reason "length"), and stop cuts the answer before the first stop
// sequence (finish reason "stop"). Extra "echo_delay_ms" waits that long
// before each delta, for UI tests; Chat returns ctx's error as soon as ctx
// ends.
type Echo struct {
	name string
}

var _ Provider = (*Echo)(nil)

// NewEcho returns an echo provider named cfg.Name (default "echo").
func NewEcho(cfg config.Provider) (*Echo, error) {
	name := cfg.Name
	if name == "" {
		name = "echo"
	}
	return &Echo{name: name}, nil
}

// Name implements Provider.
func (e *Echo) Name() string { return e.name }

// EchoText is the full answer Echo gives for msgs, before max_tokens and
// stop apply.
func EchoText(msgs []prompt.Message) string {
	parts := make([]string, 0, len(msgs))
	for _, m := range msgs {
		parts = append(parts, m.Role+": "+m.Content)
	}
	return strings.Join(parts, "\n\n")
}

// Chat implements Provider.
func (e *Echo) Chat(ctx context.Context, req Request, onDelta func(string)) (Response, error) {
	req.Params = req.Params.For(config.TypeEcho) // params scoped to other providers stay out
	start := time.Now()
	delay, err := echoDelay(req.Params)
	if err != nil {
		return Response{}, fmt.Errorf("%s: %w", e.name, err)
	}
	out := EchoText(req.Messages)
	finish := "stop"
	for _, s := range req.Params.Stop {
		if i := strings.Index(out, s); s != "" && i >= 0 {
			out = out[:i]
		}
	}
	words := echoSplit(out)
	if mt := req.Params.MaxTokens; mt != nil && *mt < len(words) {
		words = words[:*mt]
		finish = "length"
	}
	model := req.Model
	if model == "" {
		model = "echo"
	}
	resp := Response{FinishReason: finish, Model: model}
	for _, m := range req.Messages {
		resp.TokensIn += len(strings.Fields(m.Content))
	}
	var text strings.Builder
	for _, w := range words {
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
			case <-t.C:
			}
		}
		if ctx.Err() != nil {
			resp.Text = text.String()
			resp.Latency = time.Since(start)
			return resp, provCtxError(e.name, ctx)
		}
		if resp.TTFT == 0 {
			resp.TTFT = time.Since(start)
		}
		text.WriteString(w)
		provDelta(onDelta, w)
	}
	if ctx.Err() != nil {
		return resp, provCtxError(e.name, ctx)
	}
	resp.Text = text.String()
	resp.TokensOut = len(strings.Fields(resp.Text))
	resp.Latency = time.Since(start)
	return resp, nil
}

// echoDelay reads Extra "echo_delay_ms": a non-negative number.
func echoDelay(p prompt.Params) (time.Duration, error) {
	v, ok := p.Extra["echo_delay_ms"]
	if !ok {
		return 0, nil
	}
	var ms float64
	switch n := v.(type) {
	case float64:
		ms = n
	case int:
		ms = float64(n)
	case int64:
		ms = float64(n)
	default:
		return 0, fmt.Errorf("param echo_delay_ms: %v is not a number of milliseconds", v)
	}
	if ms < 0 {
		return 0, fmt.Errorf("param echo_delay_ms: %v is negative", v)
	}
	return time.Duration(ms * float64(time.Millisecond)), nil
}

// echoSplit cuts s into words, each with the whitespace that follows it; a
// leading run of whitespace is its own piece. Joining the pieces gives s.
func echoSplit(s string) []string {
	var out []string
	i := 0
	for i < len(s) {
		j := i
		// the word
		for j < len(s) && !echoIsSpace(s[j]) {
			j++
		}
		// the whitespace after it
		for j < len(s) && echoIsSpace(s[j]) {
			j++
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}

// echoIsSpace reports ASCII whitespace; bytes of multi-byte runes never are.
func echoIsSpace(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return false
}
