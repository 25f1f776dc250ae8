// Package eval grades outputs and sums up runs: the checks (assertions) a
// suite attaches to its cases, the LLM judge behind the model-graded ones,
// and the statistics that compare versions and models.
//
// It is an engine: it never reads a store, a config file or the terminal.
// Callers give it the checks, the case, the result and, for model-graded
// checks, resolvers that turn a target spec into a chat client (a judge) or
// an embedder; they record what it returns (see Scores).
//
// # Checks
//
// Check types, value shapes and pass rules follow promptfoo's assertions
// (https://www.promptfoo.dev/docs/configuration/expected-outputs/); the full
// table is in CHECKS.md beside this file. In short:
//
//	equals                      output is exactly the value; an object or list value is
//	                            compared with the output parsed as JSON
//	contains, icontains         output holds the string (i…: ignoring case)
//	contains-any, contains-all  output holds any / all of a list (or comma-separated
//	icontains-any, icontains-all  string; "quote" an item that holds a comma)
//	starts-with                 output begins with the string
//	regex                       output matches the pattern (RE2, else JavaScript's syntax)
//	is-json                     output is one JSON value, valid against the optional schema
//	contains-json               output holds a JSON object or array somewhere, one of
//	                            them valid against the optional schema
//	is-xml                      output is one well-formed XML document, holding the
//	                            optional required element paths (root.child)
//	levenshtein                 edit distance to the value <= threshold (default 5)
//	word-count                  words == value, or within {min, max}
//	latency                     call took <= threshold milliseconds (not for cache hits)
//	cost                        call cost <= threshold USD
//	finish-reason               provider's finish reason is the value (ignoring case)
//	similar                     cosine similarity of embeddings >= threshold (default
//	                            0.75) for the value or any of a list
//	llm-rubric                  a judge says the rubric holds (and score >= threshold)
//	model-graded-closedqa       a judge says the output meets the criterion
//	factuality                  a judge says the output agrees with the reference answer
//
// Any type takes the "not-" prefix, which inverts the verdict and turns a
// score s into 1 − s. Every check may carry a weight (default 1; 0 also
// means 1), a threshold where its type grades on a scale, and a metric (a
// name its score is recorded under, shared by the checks that name it).
// String values may use the case's variables: {{name}}.
//
// A case's score is the weighted mean of its checks' scores. It passes when
// every check passes and the score meets the case's threshold (the case's
// own, else the suite's). Note that promptfoo lets a test threshold
// override failing assertions; whet does not: a threshold can only make a
// case stricter. A case with no checks but an expected output is graded by
// an implicit icontains of that output; promptfoo treats expected as data
// only, and so does whet as soon as any check is given.
//
// A check whose configuration is wrong (unknown type, value of the wrong
// shape, bad regex or schema, a {{variable}} the case lacks, no judge or
// embedding target) never passes: it is an error, a *CheckError naming the
// case, the check's position and type, and the field. ValidateChecks and
// ValidateSuite find these before a run. A check that cannot measure its
// result (the latency of a cached result, a finish reason the provider did
// not report) is an error too, under either polarity.
//
// # The judge
//
// llm-rubric, model-graded-closedqa and factuality ask a judge model, at
// temperature 0, with the prompt templates shipped in assets/files/judge/
// (whet's prompt file format; Evaluator.ReadTemplate may replace them). The
// judge must answer one JSON object {"score": 0..1, "pass": bool,
// "reason": "..."}; ParseVerdict reads it strictly (a ```json fence or
// prose around it is tolerated, missing or mistyped fields and scores
// outside [0,1] are not). A malformed answer gets one corrective follow-up;
// a second one is an error on the check. Verdicts are cached, when the
// Evaluator has a cache, under runner.CacheKey of the judge's
// provider:model, the rendered messages and params. The judge's spec is the
// score's scorer ("judge:<spec>") and its reported model and digest go into
// the reason.
//
// # Statistics
//
// SignTest is the exact two-sided sign test. Aggregate sums a run up per
// version × target (pass rate with its Wilson interval, mean score with its
// t-interval, both cluster-robust over cases when cases have repeats:
// report.PassInterval and report.ScoreInterval, which the reports use too;
// latency percentiles, tokens, cost, repeat consistency and pass^k); CompareAB sets two sides against each other case by case (wins,
// ties, losses, win rate with its interval, the sign test's p-value and a
// plain sentence), leaving failed calls out of the case means, as they
// have no answer to compare; HolmAdjust adjusts several such tests made
// together; Consistency says how alike a case's repeats are.
//
// A result's score and verdict are read one way everywhere
// (report.ResultScore, report.ResultVerdict): a person's rating overrides
// the suite's grade, which a suite gives a failed call as 0 and a fail.
// Drift leaves ratings out, as a re-run has none.
package eval
