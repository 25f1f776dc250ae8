// Package runner runs prompt versions against models: the providers that
// speak each API, the target registry that resolves provider:model specs,
// and the executor that schedules, retries, caches and records the calls.
//
// # Providers and the wire
//
// A provider streams one chat and never retries; it classifies failures
// into *APIError (Temporary, RetryAfter) and the executor retries. Tests
// run each provider against httptest servers that speak the real format,
// faults included (provider_fake_test.go); provider_live_test.go calls the
// real endpoints when their variables are set.
//
// What every provider does alike: a finish reason other than stop
// (length, content_filter, pause_turn, …) is a result, not an error — the
// answer so far is kept and the reason recorded (whet run lists such
// answers under its table; the arena draws the reason as a warning). An
// error sent after a 200, inside the stream, is an error ending in
// "(mid-stream)", retried when the server marks it temporary; a stream that
// ends without its final message is a temporary error. Reasoning or
// thinking is never part of the answer, and the time to the first token
// is the time to the answer's first text: it includes the thinking (and,
// for Ollama, loading the model).
//
// Ollama (provider_ollama.go) speaks the native API through the official
// client. OLLAMA_HOST is read as the ollama CLI reads it; "model … not
// found" (every version's wording) becomes "run 'ollama pull NAME'", but a
// 404 from a missing route (a base URL ending in /v1) says that instead.
// Thinking (message.thinking) is never part of the answer. An
// {"error": …} line after a 200 is retried (Ollama sends the same error
// before the first line as a 500); done_reason load or unload (a chat
// without messages) is an error; a 500 "model requires more system memory"
// is not retried; a stream without its done line says that
// Ollama ends one so when the model repeats one token over 30 times. A key
// is sent as a bearer token only when the provider names one (api_key_env,
// api_key_cmd: a proxy's token) or, for ollama.com alone, from
// OLLAMA_API_KEY.
//
// OpenAI and compatible servers (provider_openai.go) share one reader of
// the event stream, written to the SSE rules the servers rely on: "data:"
// with or without a space, comments (OpenRouter's ": OPENROUTER
// PROCESSING"), CRLF, data over several lines, other fields ignored, events
// without data skipped, [DONE] optional. What servers differ in, and how
// whet meets it:
//
//   - stream_options: asked for (the usage chunk); a server that refuses
//     it (Mistral's 422, older Azure and Groq) is asked again without it,
//     and the provider stops sending it.
//   - max_tokens: max_completion_tokens to api.openai.com; elsewhere
//     max_tokens until the server refuses it for a model in favour of
//     max_completion_tokens.
//   - errors: the message is found in every body shape in use
//     (provBodyMessage); an {"error": …} event mid-stream is an error, its
//     code or type deciding the retry (server_error, overloaded, a 5xx or
//     429 code), and so is finish_reason "error" without one (retried);
//     429 insufficient_quota is final; another 429 without Retry-After
//     waits as long as its message asks ("Please try again in 1.8s", as
//     OpenAI and Groq word it), else until the used-up limit's
//     x-ratelimit-reset-requests or -tokens. A parameter a model refuses
//     (temperature on a reasoning model) is the server's 400, not retried.
//   - answers: a refusal's text is the answer, with finish reason
//     content_filter; reasoning_content and reasoning are never part of
//     it; TGI's eos_token and stop_sequence read as stop.
//   - endpoints: a 404, or LM Studio's 200 "Unexpected endpoint", names the
//     URL asked for and, when the base URL has no /v1, says so; a web page
//     or a single JSON document where a stream was expected is a permanent
//     error, not a truncated stream.
//   - model lists: {"data": […]} or a bare array (Together).
//   - output tokens: completion_tokens, plus reasoning_tokens when the
//     server counts them apart (xAI: total_tokens = prompt + completion +
//     reasoning), since both bill reasoning as output.
//
// Anthropic (provider_anthropic.go) reads the Messages stream through the
// SDK, which skips ping events. stop_reason maps to finish reasons:
// end_turn and stop_sequence → stop, max_tokens and
// model_context_window_exceeded → length, refusal → content_filter,
// tool_use → tool_calls, pause_turn and others kept. thinking,
// signature and redacted_thinking blocks are not text. Input tokens are
// input_tokens plus the cache's reads and writes, from message_start and
// the cumulative message_delta. An error event is retried for
// overloaded_error, api_error, rate_limit_error and timeout_error; 429 and
// 529 are retried after retry-after, or, when a proxy dropped it, until
// the anthropic-ratelimit-*-reset of the limits whose -remaining is 0;
// x-should-retry overrides the status; a 429 enforced_spend_limit_reached
// is final.
//
// Gemini (provider_gemini.go) reads streamGenerateContent?alt=sse through
// genai. Parts with thought: true are not text; TokensOut is
// candidatesTokenCount + thoughtsTokenCount, TokensIn is promptTokenCount,
// which includes cachedContentTokenCount (so a cached prompt is priced at
// the full input price). finishReason maps: STOP → stop, MAX_TOKENS →
// length, SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII and the
// image blocks → content_filter, others lower-cased (malformed_function_call).
// A promptFeedback.blockReason without candidates is a final error naming
// the reason. 429 and 5xx (503 "The model is overloaded") are retried, a
// 429 after its google.rpc.RetryInfo retryDelay, except when its
// QuotaFailure names a per-day quota.
//
// Azure OpenAI (type azure) is the same provider in another mode: the
// target's model names a deployment, called at
// {base_url}/openai/deployments/{deployment}/chat/completions with
// api-version in the query; the key goes in the api-key header, or as a
// bearer token when it is an Entra ID token (a JWT); the Authorization the
// SDK would fill from OPENAI_API_KEY is always removed; a 404 names the
// deployment; Azure lists no deployments, so ListModels says to name them.
package runner
