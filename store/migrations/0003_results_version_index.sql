-- 0003: results are never looked up by version alone (reports, compare and
-- drift read a run's results through the unique index on (run_id, …)), and
-- versions are never deleted or renumbered, so the foreign key needs no
-- index on results.version_id either. Dropping it spares every saved result
-- one more B-tree insert.
DROP INDEX results_version;
