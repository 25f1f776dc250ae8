-- 0002: suites carry pass marks. A suite's threshold is the score each of
-- its cases must reach; a case's own threshold overrides it. NULL means
-- none was set (every check must pass). Checks keep their weight, own
-- threshold, metric, provider and value in checks.config as JSON.

ALTER TABLE suites ADD COLUMN threshold REAL;
ALTER TABLE suite_cases ADD COLUMN threshold REAL;
