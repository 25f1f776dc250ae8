-- 0004: the generation time a provider measures itself (Ollama's
-- eval_duration), so that tok/s comes from the server's eval metrics where
-- it reports them rather than from latency less time to first token. 0 =
-- not reported.
ALTER TABLE results ADD COLUMN gen_ms REAL NOT NULL DEFAULT 0;
ALTER TABLE response_cache ADD COLUMN gen_ms REAL NOT NULL DEFAULT 0;
