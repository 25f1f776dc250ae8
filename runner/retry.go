package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"whet/prompt"
)

// execTimeoutError is a call that got no complete answer within the
// provider's timeout. It is not retried: a call that slow would most likely
// be as slow again, and the retries would multiply the wait.
type execTimeoutError struct {
	provider string
	timeout  time.Duration
	err      error
}

func (e *execTimeoutError) Error() string {
	return fmt.Sprintf("%s: no complete answer within %s (the provider's timeout): %v", e.provider, e.timeout, e.err)
}

func (e *execTimeoutError) Unwrap() error { return e.err }

// execMaxRetryAfter is the longest Retry-After the executor waits for. A
// server asking for more (a quota that resets in an hour) ends the cell's
// retries at once, as the OpenAI SDK does beyond the same bound.
const execMaxRetryAfter = 2 * time.Minute

// call makes the cell's calls: up to MaxAttempts while the error is
// Retryable, waiting with backoff in between and publishing CellRetry then
// CellStarted before each new attempt. finished is false when ctx was done
// before the cell got its final answer or error; the error is then
// meaningless.
func (e *Executor) call(ctx context.Context, sink Sink, tg *execTarget, key prompt.CellKey, req Request) (resp Response, err error, finished bool) {
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			sink.Publish(CellStarted{Key: key, Attempt: attempt})
		}
		resp, err = e.attempt(ctx, sink, tg, key, req)
		if err == nil {
			return resp, nil, true
		}
		if ctx.Err() != nil {
			return Response{}, nil, false
		}
		var te *execTimeoutError
		retry, after := Retryable(err)
		if errors.As(err, &te) || !retry {
			return Response{}, execGaveUp(err, attempt), true
		}
		if after > execMaxRetryAfter {
			err = fmt.Errorf("%w (the server asked to wait %v: too long to retry)", err, after.Round(time.Second))
			return Response{}, execGaveUp(err, attempt), true
		}
		if attempt >= e.opts.MaxAttempts {
			return Response{}, execGaveUp(err, attempt), true
		}
		wait := e.backoff(attempt, after)
		sink.Publish(CellRetry{Key: key, Attempt: attempt + 1, Err: err, Wait: wait})
		if e.opts.Sleep(ctx, wait) != nil || ctx.Err() != nil {
			return Response{}, nil, false
		}
	}
}

func execGaveUp(err error, attempts int) error {
	if attempts == 1 {
		return err
	}
	return fmt.Errorf("%w (gave up after %d attempts)", err, attempts)
}

// attempt makes one call within the provider's timeout, publishing each
// non-empty delta.
func (e *Executor) attempt(ctx context.Context, sink Sink, tg *execTarget, key prompt.CellKey, req Request) (Response, error) {
	callCtx, cancel := ctx, context.CancelFunc(func() {})
	if tg.timeout > 0 {
		callCtx, cancel = context.WithTimeout(ctx, tg.timeout)
	}
	defer cancel()
	start := time.Now()
	resp, err := tg.provider.Chat(callCtx, req, func(text string) {
		if text != "" {
			sink.Publish(Delta{Key: key, Text: text})
		}
	})
	if err != nil {
		if ctx.Err() == nil && errors.Is(callCtx.Err(), context.DeadlineExceeded) {
			return Response{}, &execTimeoutError{provider: tg.target.Provider, timeout: tg.timeout, err: err}
		}
		return Response{}, err
	}
	if resp.Latency <= 0 {
		resp.Latency = time.Since(start)
	}
	return resp, nil
}

// backoff is the wait after attempt number failed: full jitter over
// min(cap, base·2^(failed-1)), or the server's Retry-After when longer.
func (e *Executor) backoff(failed int, retryAfter time.Duration) time.Duration {
	ceil := e.opts.BackoffCap
	if shift := failed - 1; shift < 32 {
		if c := e.opts.BackoffBase << shift; c > 0 && c < ceil {
			ceil = c
		}
	}
	return max(e.opts.Jitter(ceil), retryAfter)
}
