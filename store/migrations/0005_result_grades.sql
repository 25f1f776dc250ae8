-- 0005: what the Runs list counts, kept so that listing runs reads neither
-- every score nor every result's row.
--
-- results_failed holds only the failed calls: a run's failures are counted
-- from it without reading every result's row (their outputs). It holds
-- the error too, so that the count reads no row at all: SQLite reads a
-- column that a query's WHERE names from the row unless the index holds it.
CREATE INDEX results_failed ON results (run_id, version_id, target, error) WHERE error != '';

-- results_cost holds the calls that cost something, in the order of the
-- results' cells, so that a run's cost is summed from it in the same order
-- as from the results (the calls that cost nothing add nothing). Runs on
-- local models add nothing to it.
CREATE INDEX results_cost ON results (run_id, version_id, target, case_idx, repeat, cost) WHERE cost != 0;

-- result_grade is each graded result's grade as every statistic reads it
-- (report.ResultScore, report.ResultVerdict), from its latest score of
-- each scorer (the one created last, of those created at the same time the
-- highest id): a person's rating (scorer 'human') over the suite's grade
-- ('suite'), over the mean of the latest grades. score is NULL where it is
-- that mean of several grades: Go sums them in its own order, so readers
-- read those scores themselves. verdict is 1 pass, 0 fail, NULL none: the
-- person's pass or fail when they gave one, else the suite's verdict when
-- it graded the result, else pass when every grade with a verdict passed.
CREATE VIEW result_grade AS
SELECT result_id,
       CASE WHEN hv IS NOT NULL THEN hv WHEN sv IS NOT NULL THEN sv WHEN k = 1 THEN v END AS score,
       CASE WHEN hp IS NOT NULL THEN hp WHEN sv IS NOT NULL THEN sp WHEN np > 0 THEN ap END AS verdict
FROM (
    SELECT s.result_id,
           max(CASE WHEN s.scorer = 'human' THEN s.value END) AS hv,
           max(CASE WHEN s.scorer = 'human' THEN s.pass END) AS hp,
           max(CASE WHEN s.scorer = 'suite' THEN s.value END) AS sv,
           max(CASE WHEN s.scorer = 'suite' THEN s.pass END) AS sp,
           count(*) AS k, max(s.value) AS v, count(s.pass) AS np, min(s.pass) AS ap
    FROM scores s
    WHERE NOT EXISTS (
        SELECT 1 FROM scores t
        WHERE t.result_id = s.result_id AND t.scorer = s.scorer
          AND (t.created > s.created OR t.created = s.created AND t.id > s.id))
    GROUP BY s.result_id
);

-- result_grades keeps result_grade for every graded result, by cell in the
-- order the results are read (a run's cells by version id, target, case
-- and repeat). Scores are only ever added, so the trigger below keeps it:
-- every new score grades its result again. Pruning a run deletes its rows.
CREATE TABLE result_grades (
    run_id     TEXT    NOT NULL,
    version_id INTEGER NOT NULL,
    target     TEXT    NOT NULL,
    case_idx   INTEGER NOT NULL,
    repeat     INTEGER NOT NULL,
    score      REAL,
    verdict    INTEGER CHECK (verdict IN (0, 1)),
    PRIMARY KEY (run_id, version_id, target, case_idx, repeat),
    FOREIGN KEY (run_id, version_id, target, case_idx, repeat)
        REFERENCES results (run_id, version_id, target, case_idx, repeat)
) STRICT, WITHOUT ROWID;

INSERT INTO result_grades (run_id, version_id, target, case_idx, repeat, score, verdict)
SELECT r.run_id, r.version_id, r.target, r.case_idx, r.repeat, g.score, g.verdict
FROM result_grade g JOIN results r ON r.id = g.result_id;

CREATE TRIGGER scores_grade AFTER INSERT ON scores
BEGIN
    INSERT OR REPLACE INTO result_grades (run_id, version_id, target, case_idx, repeat, score, verdict)
    SELECT r.run_id, r.version_id, r.target, r.case_idx, r.repeat, g.score, g.verdict
    FROM results r, result_grade g
    WHERE r.id = NEW.result_id AND g.result_id = NEW.result_id;
END;
