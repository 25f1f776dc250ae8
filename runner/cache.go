package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"whet/prompt"
)

// ResultCache stores finished results by cache key. The store implements it.
type ResultCache interface {
	// CacheGet returns the result stored under key and whether there was one.
	CacheGet(ctx context.Context, key string) (prompt.Result, bool, error)
	// CachePut stores r under key. Whether it replaces an existing entry is
	// the store's choice; the executor only puts successful results.
	CachePut(ctx context.Context, key string, r prompt.Result) error
}

// execCacheInput is what a cache key covers, in its canonical JSON form.
type execCacheInput struct {
	Target   string           `json:"target"`
	Messages []prompt.Message `json:"messages"`
	Params   prompt.Params    `json:"params"`
	Repeat   int              `json:"repeat"`
}

// CacheKey is the hex SHA-256 of the canonical JSON of (target, rendered
// messages, params, repeat index). target should be the resolved
// "provider:model", so that two aliases of one model share entries and an
// alias moved to another model does not serve stale ones. The repeat index is
// part of the key so that a run with repeats caches each repeat apart.
func CacheKey(target string, msgs []prompt.Message, params prompt.Params, repeat int) string {
	if msgs == nil {
		msgs = []prompt.Message{}
	}
	b, err := json.Marshal(execCacheInput{Target: target, Messages: msgs, Params: params, Repeat: repeat})
	if err != nil {
		// Params.Extra holds only values decoded from JSON, YAML or flags;
		// one that cannot be encoded is a programming error.
		panic(fmt.Sprintf("runner: cache key: %v", err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// execUseCache reports whether a cell with params p reads and writes the
// cache: never with noCache; always with force; otherwise only when the
// temperature is explicitly 0 (the output is meant to be deterministic).
func execUseCache(p prompt.Params, force, noCache bool) bool {
	switch {
	case noCache:
		return false
	case force:
		return true
	default:
		return p.Temperature != nil && *p.Temperature == 0
	}
}

// execCacheHit turns a cached result into the result of cell key of run
// runID: output, finish reason, tokens and model identity come from the cache;
// it is flagged CacheHit, took no time and cost nothing (no call was made).
func execCacheHit(cached prompt.Result, runID string, key prompt.CellKey, started time.Time) prompt.Result {
	return prompt.Result{
		RunID:        runID,
		VersionID:    key.VersionID,
		Target:       key.Target,
		Case:         key.Case,
		Repeat:       key.Repeat,
		Output:       cached.Output,
		FinishReason: cached.FinishReason,
		TokensIn:     cached.TokensIn,
		TokensOut:    cached.TokensOut,
		CacheHit:     true,
		Model:        cached.Model,
		ModelDigest:  cached.ModelDigest,
		Started:      started,
	}
}

// DigestChecker is a Provider that can say which digest its server serves
// a model at now, before any call (Ollama lists it). An answer cached at
// another digest is from weights the server no longer has: after `ollama
// pull` of the same name, it is stale.
type DigestChecker interface {
	CurrentDigest(ctx context.Context, model string) string
}

// execCacheStale reports whether cached, an answer of model, is from a
// digest p no longer serves. Unknown on either side (an entry from before
// digests were recorded, a server that cannot be asked) is not stale: the
// cache then answers as it always did.
func execCacheStale(ctx context.Context, p Provider, model string, cached prompt.Result) bool {
	dc, ok := p.(DigestChecker)
	if !ok || cached.ModelDigest == "" {
		return false
	}
	now := dc.CurrentDigest(ctx, model)
	return now != "" && now != cached.ModelDigest
}
