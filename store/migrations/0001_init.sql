-- 0001: the whole domain. Times are INTEGER unix milliseconds; durations are
-- REAL milliseconds; JSON columns hold TEXT checked with json_valid. Rows of
-- versions, tag_events, results, scores and audit are written once: triggers
-- below refuse UPDATE and DELETE on them, and prompts are archived, never
-- deleted.

CREATE TABLE prompts (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT    NOT NULL DEFAULT '',
    archived    INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    -- sample values of the prompt's variables: its default case
    defaults    TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(defaults)),
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    -- the newest version's number and hash, kept by the trigger
    -- versions_latest so that listing prompts reads no versions
    latest      INTEGER NOT NULL DEFAULT 0,
    latest_hash TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE labels (
    prompt_id INTEGER NOT NULL REFERENCES prompts (id),
    key       TEXT    NOT NULL,
    value     TEXT    NOT NULL,
    PRIMARY KEY (prompt_id, key)
) STRICT, WITHOUT ROWID;

CREATE INDEX labels_key_value ON labels (key, value COLLATE NOCASE);

CREATE TABLE versions (
    id        INTEGER PRIMARY KEY,
    prompt_id INTEGER NOT NULL REFERENCES prompts (id),
    number    INTEGER NOT NULL CHECK (number >= 1),
    hash      TEXT    NOT NULL,
    -- the version number this one was made from; NULL for the first
    parent    INTEGER,
    messages  TEXT    NOT NULL CHECK (json_valid(messages)),
    params    TEXT    NOT NULL CHECK (json_valid(params)),
    note      TEXT    NOT NULL DEFAULT '',
    author    TEXT    NOT NULL DEFAULT '',
    created   INTEGER NOT NULL,
    UNIQUE (prompt_id, number)
) STRICT;

-- Hash-prefix lookups read this index alone.
CREATE INDEX versions_prompt_number_hash ON versions (prompt_id, number, hash);

CREATE TRIGGER versions_latest AFTER INSERT ON versions
BEGIN
    UPDATE prompts SET latest = NEW.number, latest_hash = NEW.hash
    WHERE id = NEW.prompt_id AND latest < NEW.number;
END;

-- Tags move by appending rows; a tag's current version is its newest row
-- (highest id); version_id NULL records a removal.
CREATE TABLE tag_events (
    id         INTEGER PRIMARY KEY,
    prompt_id  INTEGER NOT NULL REFERENCES prompts (id),
    tag        TEXT    NOT NULL,
    version_id INTEGER REFERENCES versions (id),
    author     TEXT    NOT NULL DEFAULT '',
    created    INTEGER NOT NULL
) STRICT;

CREATE INDEX tag_events_prompt_tag ON tag_events (prompt_id, tag, id);

-- Each tag's newest event, kept by the trigger tag_events_head alone: the
-- current tags without a scan of the history. version_id and number are
-- NULL for a removed tag.
CREATE TABLE tag_heads (
    prompt_id  INTEGER NOT NULL REFERENCES prompts (id),
    tag        TEXT    NOT NULL,
    event_id   INTEGER NOT NULL REFERENCES tag_events (id),
    version_id INTEGER REFERENCES versions (id),
    number     INTEGER,
    PRIMARY KEY (prompt_id, tag)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER tag_events_head AFTER INSERT ON tag_events
BEGIN
    INSERT OR REPLACE INTO tag_heads (prompt_id, tag, event_id, version_id, number)
    VALUES (NEW.prompt_id, NEW.tag, NEW.id, NEW.version_id,
            (SELECT number FROM versions WHERE id = NEW.version_id));
END;

CREATE TRIGGER tag_events_same_prompt BEFORE INSERT ON tag_events
WHEN NEW.version_id IS NOT NULL
 AND (SELECT prompt_id FROM versions WHERE id = NEW.version_id) IS NOT NEW.prompt_id
BEGIN
    SELECT RAISE(ABORT, 'a tag must point at a version of its own prompt');
END;

CREATE TABLE suites (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT    NOT NULL DEFAULT '',
    -- the prompt the suite is written for, when it has one
    prompt_id   INTEGER REFERENCES prompts (id),
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL
) STRICT;

CREATE TABLE suite_cases (
    id          INTEGER PRIMARY KEY,
    suite_id    INTEGER NOT NULL REFERENCES suites (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL DEFAULT '',
    description TEXT    NOT NULL DEFAULT '',
    vars        TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(vars)),
    expected    TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX suite_cases_suite ON suite_cases (suite_id, position);

-- A check belongs to the whole suite (case_id NULL) or to one case.
CREATE TABLE checks (
    id       INTEGER PRIMARY KEY,
    suite_id INTEGER NOT NULL REFERENCES suites (id) ON DELETE CASCADE,
    case_id  INTEGER REFERENCES suite_cases (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    type     TEXT    NOT NULL,
    config   TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(config))
) STRICT;

CREATE INDEX checks_suite ON checks (suite_id, case_id, position);

-- Only status and finished of a run ever change.
CREATE TABLE runs (
    id       TEXT    PRIMARY KEY,
    created  INTEGER NOT NULL,
    finished INTEGER,
    status   TEXT    NOT NULL,
    source   TEXT    NOT NULL DEFAULT '',
    suite    TEXT    NOT NULL DEFAULT '',
    -- versions, targets, cases, repeat, no_cache, force_cache
    plan     TEXT    NOT NULL CHECK (json_valid(plan)),
    author   TEXT    NOT NULL DEFAULT '',
    note     TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX runs_created ON runs (created);

-- The versions a run's plan holds, so runs can be found by prompt.
CREATE TABLE run_versions (
    run_id     TEXT    NOT NULL REFERENCES runs (id),
    version_id INTEGER NOT NULL REFERENCES versions (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (run_id, version_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX run_versions_version ON run_versions (version_id);

CREATE TABLE results (
    id            INTEGER PRIMARY KEY,
    run_id        TEXT    NOT NULL REFERENCES runs (id),
    version_id    INTEGER NOT NULL REFERENCES versions (id),
    target        TEXT    NOT NULL,
    case_idx      INTEGER NOT NULL CHECK (case_idx >= 0),
    repeat        INTEGER NOT NULL CHECK (repeat >= 0),
    output        TEXT    NOT NULL DEFAULT '',
    error         TEXT    NOT NULL DEFAULT '',
    finish_reason TEXT    NOT NULL DEFAULT '',
    ttft_ms       REAL    NOT NULL DEFAULT 0,
    latency_ms    REAL    NOT NULL DEFAULT 0,
    tokens_in     INTEGER NOT NULL DEFAULT 0,
    tokens_out    INTEGER NOT NULL DEFAULT 0,
    cost          REAL    NOT NULL DEFAULT 0,
    cache_hit     INTEGER NOT NULL DEFAULT 0 CHECK (cache_hit IN (0, 1)),
    model         TEXT    NOT NULL DEFAULT '',
    model_digest  TEXT    NOT NULL DEFAULT '',
    -- when the call began; NULL when unknown
    started       INTEGER,
    UNIQUE (run_id, version_id, target, case_idx, repeat)
) STRICT;

CREATE INDEX results_version ON results (version_id);

CREATE TABLE scores (
    id        INTEGER PRIMARY KEY,
    result_id INTEGER NOT NULL REFERENCES results (id),
    scorer    TEXT    NOT NULL,
    value     REAL    NOT NULL CHECK (value >= 0 AND value <= 1),
    pass      INTEGER CHECK (pass IN (0, 1)),
    reason    TEXT    NOT NULL DEFAULT '',
    author    TEXT    NOT NULL DEFAULT '',
    created   INTEGER NOT NULL
) STRICT;

CREATE INDEX scores_result ON scores (result_id);

-- Responses keyed by (target, messages, params, repeat index), computed by
-- the runner. Entries may be replaced; nothing else refers to them.
CREATE TABLE response_cache (
    key           TEXT    PRIMARY KEY,
    output        TEXT    NOT NULL,
    finish_reason TEXT    NOT NULL DEFAULT '',
    tokens_in     INTEGER NOT NULL DEFAULT 0,
    tokens_out    INTEGER NOT NULL DEFAULT 0,
    ttft_ms       REAL    NOT NULL DEFAULT 0,
    latency_ms    REAL    NOT NULL DEFAULT 0,
    model         TEXT    NOT NULL DEFAULT '',
    model_digest  TEXT    NOT NULL DEFAULT '',
    created       INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    who       TEXT    NOT NULL DEFAULT '',
    action    TEXT    NOT NULL,
    prompt_id INTEGER REFERENCES prompts (id),
    -- the prompt's name when the row was written
    prompt    TEXT    NOT NULL DEFAULT '',
    before    TEXT    NOT NULL DEFAULT '',
    after     TEXT    NOT NULL DEFAULT '',
    detail    TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX audit_prompt ON audit (prompt_id, id);

CREATE TRIGGER prompts_no_delete BEFORE DELETE ON prompts
BEGIN SELECT RAISE(ABORT, 'prompts are archived, never deleted'); END;

CREATE TRIGGER versions_no_update BEFORE UPDATE ON versions
BEGIN SELECT RAISE(ABORT, 'versions are immutable'); END;
CREATE TRIGGER versions_no_delete BEFORE DELETE ON versions
BEGIN SELECT RAISE(ABORT, 'versions are immutable'); END;

CREATE TRIGGER tag_events_no_update BEFORE UPDATE ON tag_events
BEGIN SELECT RAISE(ABORT, 'tag history is append-only'); END;
CREATE TRIGGER tag_events_no_delete BEFORE DELETE ON tag_events
BEGIN SELECT RAISE(ABORT, 'tag history is append-only'); END;

CREATE TRIGGER results_no_update BEFORE UPDATE ON results
BEGIN SELECT RAISE(ABORT, 'results are immutable'); END;
CREATE TRIGGER results_no_delete BEFORE DELETE ON results
BEGIN SELECT RAISE(ABORT, 'results are immutable'); END;

CREATE TRIGGER scores_no_update BEFORE UPDATE ON scores
BEGIN SELECT RAISE(ABORT, 'scores are immutable'); END;
CREATE TRIGGER scores_no_delete BEFORE DELETE ON scores
BEGIN SELECT RAISE(ABORT, 'scores are immutable'); END;

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
