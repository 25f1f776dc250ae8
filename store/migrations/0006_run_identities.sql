-- 0006: what `whet models` and the Models screen read, kept so that they
-- read neither every result nor an index of every result (an index on
-- results made every saved result slower).
--
-- run_identities holds, per run, target and model identity (the model the
-- provider reported and its digest), what that run's successful, uncached
-- results with an identity recorded: the newest one's id, the first and
-- last start (NULL when none recorded one) and how many there are.
-- SaveResults adds each batch's results to it in the batch's own
-- transaction, so it never disagrees with the results, whatever stops a
-- run; results are never changed, and pruning a run deletes its rows.
CREATE TABLE run_identities (
    run_id        TEXT    NOT NULL REFERENCES runs (id),
    target        TEXT    NOT NULL,
    model         TEXT    NOT NULL,
    model_digest  TEXT    NOT NULL,
    last_id       INTEGER NOT NULL,
    first_started INTEGER,
    last_started  INTEGER,
    cells         INTEGER NOT NULL CHECK (cells > 0),
    PRIMARY KEY (run_id, target, model, model_digest)
) STRICT, WITHOUT ROWID;

INSERT INTO run_identities (run_id, target, model, model_digest, last_id, first_started, last_started, cells)
SELECT run_id, target, model, model_digest, max(id), min(started), max(started), count(*)
FROM results
WHERE error = '' AND cache_hit = 0 AND (model != '' OR model_digest != '')
GROUP BY run_id, target, model, model_digest;
