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
// Ollama (provider_ollama.go) speaks the native API through the official
// client. OLLAMA_HOST is read as the ollama CLI reads it; "model … not
// found" becomes "run 'ollama pull NAME'", but a 404 from a missing route
// (a base URL ending in /v1) says that instead. Thinking (message.thinking)
// is never part of the answer. A key is sent as a bearer token only when
// the provider names one (api_key_env, api_key_cmd: a proxy's token) or,
// for ollama.com alone, from OLLAMA_API_KEY.
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
//     code or type deciding the retry; 429 insufficient_quota is final.
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
// Azure OpenAI (type azure) is the same provider in another mode: the
// target's model names a deployment, called at
// {base_url}/openai/deployments/{deployment}/chat/completions with
// api-version in the query; the key goes in the api-key header, or as a
// bearer token when it is an Entra ID token (a JWT); the Authorization the
// SDK would fill from OPENAI_API_KEY is always removed; a 404 names the
// deployment; Azure lists no deployments, so ListModels says to name them.
package runner
