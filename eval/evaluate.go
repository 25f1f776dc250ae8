package eval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"whet/prompt"
	"whet/report"
	"whet/runner"
	"whet/textutil"
)

// Evaluator grades results against checks. The zero value runs every check
// that needs no model; the model-graded ones then fail with a configuration
// error naming the missing judge or embedder. An Evaluator holds no mutable
// state: one may serve many goroutines.
type Evaluator struct {
	// Judge resolves a judge target spec ("openai:gpt-4o-mini") for
	// llm-rubric, model-graded-closedqa and factuality.
	Judge JudgeResolver
	// JudgeTarget is the judge used when a check names no provider.
	JudgeTarget string
	// Embedder resolves an embedding target spec ("ollama:nomic-embed-text")
	// for similar.
	Embedder EmbedderResolver
	// EmbedTarget is the embedding target used when a check names no provider.
	EmbedTarget string
	// Cache, when set, keeps judge verdicts by runner.CacheKey of the judge
	// target, the rendered judge messages and params (temperature 0): the
	// same question to the same judge is asked once.
	Cache runner.ResultCache
	// ReadTemplate reads a judge prompt template ("llm-rubric",
	// "model-graded-closedqa", "factuality") in whet's prompt file format;
	// nil reads the shipped ones (assets/files/judge/<name>.md).
	ReadTemplate func(name string) ([]byte, error)
	// Priced reports whether a target's price is known. A result of a
	// target without one was recorded at cost 0, which a cost check must
	// not read as free: the check is then an error. nil: every target is
	// priced.
	Priced func(target string) bool
}

// Outcome is one check's verdict on one result.
type Outcome struct {
	Check prompt.Check
	// Index is the check's 0-based position in the list Evaluate was given
	// (-1 for the implicit check of a case's expected output).
	Index int
	Pass  bool
	// Score is in [0,1]: 1 or 0 for pass/fail checks, the graded value for
	// similar (cosine, floored at 0) and the model-graded checks; a not-
	// check scores 1 − score. An errored check scores 0.
	Score  float64
	Reason string
	// Err is set when the check could not give a verdict: a bad
	// configuration (a *CheckError), a judge or embedder that failed or never
	// answered usably, or a result lacking what the check measures (the
	// latency of a cached result). An errored check never passes.
	Err error
	// Scorer is the name its score is recorded under: "check:<type>", or
	// "judge:<target>" for the model-graded checks.
	Scorer string
	// Judge is the judge's identity when a model graded the check: the
	// target spec and the model and digest it reported.
	Judge string
	// Cached is set when the judge's verdict came from the cache.
	Cached bool
}

// CaseResult is a result's grade on a case.
type CaseResult struct {
	// Pass: every check passed (none errored) and Score meets Threshold.
	Pass bool
	// Score is the weighted mean of the outcomes' scores; 1 with no checks.
	Score     float64
	Threshold *float64
	Outcomes  []Outcome
	// Err joins the outcomes' errors, or says why nothing was checked (the
	// call itself failed; the threshold is out of range).
	Err error
	// Implicit is set when the case had no checks and was graded by the
	// implicit icontains of its expected output.
	Implicit bool
}

// Evaluate grades result r of case c by checks (the suite's checks, then the
// case's: see CaseChecks) and threshold (see CaseThreshold).
// {{variables}} in check values are rendered with the case's vars.
//
// A case with no checks but an expected output is graded by one implicit
// icontains of that output (promptfoo treats expected as data only; this
// is whet's convenience; CaseChecks adds the same check beside a suite's
// checks). A case with neither passes with no outcomes.
// A result whose call failed fails with Err set and no outcomes.
//
// Model-graded checks call the judge; their question (the task the output
// answers) is the case's variables, one "name: value" line each. Use
// EvaluatePrompt to give the judge the rendered prompt instead.
func (e *Evaluator) Evaluate(ctx context.Context, c prompt.Case, checks []prompt.Check, threshold *float64, r prompt.Result) CaseResult {
	return e.EvaluatePrompt(ctx, c, nil, checks, threshold, r)
}

// EvaluatePrompt is Evaluate where msgs are the rendered messages r answers:
// model-graded-closedqa and factuality show them to the judge as the task.
func (e *Evaluator) EvaluatePrompt(ctx context.Context, c prompt.Case, msgs []prompt.Message, checks []prompt.Check, threshold *float64, r prompt.Result) CaseResult {
	label := CaseName(c, r.Case)
	cr := CaseResult{Threshold: threshold}
	if threshold != nil && (math.IsNaN(*threshold) || !inUnit(*threshold)) {
		cr.Err = fmt.Errorf("%s: threshold: %v is not in [0,1]", label, *threshold)
		return cr
	}
	index := func(i int) int { return i }
	if len(checks) == 0 && c.Expected != "" {
		checks = []prompt.Check{ExpectedCheck(c)}
		cr.Implicit = true
		index = func(int) int { return -1 }
	}
	if len(checks) == 0 {
		cr.Pass, cr.Score = r.OK(), 1
		if !r.OK() {
			cr.Score = 0
			cr.Err = fmt.Errorf("%s: the call failed: %s", label, r.Error)
		}
		return cr
	}
	if !r.OK() {
		cr.Err = fmt.Errorf("%s: the call failed: %s", label, r.Error)
		return cr
	}
	task := taskText(c, msgs)
	vars := c.Vars
	if vars == nil {
		vars = map[string]string{}
	}
	var total, weights float64
	pass := true
	var errs []error
	for i, chk := range checks {
		o, w := e.run(ctx, label, vars, task, i, chk, r)
		o.Index = index(i)
		if c.Expected != "" && reflect.DeepEqual(chk, ExpectedCheck(c)) {
			o.Check.Value = c.Expected // as written, not as escaped for rendering
		}
		cr.Outcomes = append(cr.Outcomes, o)
		total += o.Score * w
		weights += w
		if o.Err != nil {
			errs = append(errs, o.Err)
		}
		pass = pass && o.Pass
	}
	cr.Score = total / weights
	cr.Err = errors.Join(errs...)
	cr.Pass = pass && cr.Err == nil && (threshold == nil || cr.Score >= *threshold)
	return cr
}

// CheckTargets reports, before anything is run, the model-graded checks
// of the list (llm-rubric, model-graded-closedqa, factuality, similar) that
// could not be graded: no judge or embedding target set, or one that does
// not resolve. Each problem is a *CheckError on the provider field naming
// the case caseName (as CaseName names it; none when empty), joined with
// errors.Join; nil when every such check has its model. It calls no model
// and reads no file.
func (e *Evaluator) CheckTargets(caseName string, checks []prompt.Check) error {
	var errs []error
	for i, c := range checks {
		base, _ := splitType(c.Type)
		var err error
		switch k, _ := kindOf(base); {
		case !NeedsModel(c):
		case k == kindJudge:
			_, _, _, err = e.resolveJudge(c, i)
		case k == kindEmbed:
			_, _, _, err = e.resolveEmbedder(c, i)
		}
		if err != nil {
			var ce *CheckError
			if errors.As(err, &ce) {
				ce.Case = caseName
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// CheckSuite reports, before anything is run, the model-graded checks of
// suite's cases that could not be graded (CheckTargets over every case),
// each distinct problem once and at most five of them, with what to set in
// the config; nil when every check can give a verdict.
func (e *Evaluator) CheckSuite(suite string, cases []prompt.Case) error {
	var problems []string
	seen := map[string]bool{}
	for i, c := range cases {
		err := e.CheckTargets(CaseName(c, i), c.Checks)
		if err == nil {
			continue
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !seen[line] {
				seen[line] = true
				problems = append(problems, line)
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	more := ""
	if len(problems) > 5 {
		more = fmt.Sprintf("\n  … and %d more", len(problems)-5)
		problems = problems[:5]
	}
	return fmt.Errorf("suite %s cannot be graded:\n  %s%s\n(set judge: and embedder: in the config, e.g. judge: openai:gpt-4o-mini, or a check's provider:)",
		suite, strings.Join(problems, "\n  "), more)
}

// taskText is what the judge is told the output answers.
func taskText(c prompt.Case, msgs []prompt.Message) string {
	if len(msgs) == 1 {
		return msgs[0].Content
	}
	var b strings.Builder
	if len(msgs) > 0 {
		for _, m := range msgs {
			fmt.Fprintf(&b, "[%s]\n%s\n\n", m.Role, m.Content)
		}
		return strings.TrimSpace(b.String())
	}
	for _, k := range prompt.SortedKeys(c.Vars) {
		fmt.Fprintf(&b, "%s: %s\n", k, c.Vars[k])
	}
	return strings.TrimSpace(b.String())
}

// run grades one check and returns its outcome and weight.
func (e *Evaluator) run(ctx context.Context, label string, vars map[string]string, task string, i int, chk prompt.Check, r prompt.Result) (Outcome, float64) {
	o := Outcome{Check: chk, Scorer: "check:" + strings.TrimSpace(chk.Type)}
	s, err := compileCheck(chk, i, vars, false)
	if err != nil {
		var ce *CheckError
		if errors.As(err, &ce) {
			ce.Case = label
		}
		o.Err = err
		w := chk.Weight
		if !(w > 0) || math.IsInf(w, 0) {
			w = 1
		}
		return o, w
	}
	fail := func(err error) (Outcome, float64) {
		var ce *CheckError
		if errors.As(err, &ce) {
			ce.Case = label
			o.Err = err
		} else {
			o.Err = fmt.Errorf("%s: check %d (%s): %w", label, i+1, chk.Type, err)
		}
		o.Pass, o.Score = false, 0
		return o, s.weight
	}
	var pass bool
	var score float64
	switch s.kind {
	case kindLocal:
		if s.base == TypeCost && r.Cost == 0 && !r.CacheHit && e.Priced != nil && !e.Priced(r.Target) {
			return fail(fmt.Errorf("no price is known for %s, so the call's cost is unknown, not 0 (set prices for the model under its provider in the config)", r.Target))
		}
		var reason string
		pass, reason, err = s.local(r)
		if err != nil {
			return fail(err)
		}
		score, o.Reason = b2f(pass), reason
	case kindEmbed:
		score, o.Reason, err = e.similar(ctx, s, r.Output)
		if err != nil {
			return fail(err)
		}
		pass = score >= s.thresholdOr(defaultSimilar)
		score = max(score, 0)
	case kindJudge:
		v, err := e.judge(ctx, s, task, r.Output)
		if err != nil {
			return fail(err)
		}
		o.Scorer, o.Judge, o.Cached = "judge:"+v.target, v.identity, v.cached
		pass, score, o.Reason = v.Pass, v.Score, v.Reason
		if s.threshold != nil && score < *s.threshold {
			pass = false
			o.Reason = fmt.Sprintf("%s (score %s below threshold %s)", o.Reason, fnum(score), fnum(*s.threshold))
		}
	}
	if s.inverse {
		pass, score = !pass, 1-score
	}
	o.Pass, o.Score = pass, min(max(score, 0), 1)
	return o, s.weight
}

func (s *spec) thresholdOr(def float64) float64 {
	if s.threshold != nil {
		return *s.threshold
	}
	return def
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// fnum formats a number briefly: 0.75, 12, 0.0003.
// fnum is f to 4 significant digits, written out in full rather than in
// exponent form (a latency of 26670 ms, a cost of $0.000025).
func fnum(f float64) string {
	s := strconv.FormatFloat(f, 'g', 4, 64)
	if !strings.ContainsAny(s, "eE") {
		return s
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.Abs(v) >= 1e21 {
		return s
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// local runs a check that needs no model. It returns the un-negated verdict
// and a reason that states what was observed, true under either polarity.
func (s *spec) local(r prompt.Result) (bool, string, error) {
	out := r.Output
	switch s.base {
	case TypeEquals:
		if s.isObj {
			v, err := parseWholeJSON(out)
			if err != nil {
				return false, "output is not JSON, so it cannot equal the expected value", nil
			}
			if jsonEqual(s.object, v) {
				return true, "output equals the expected JSON value", nil
			}
			return false, "output's JSON differs from the expected value", nil
		}
		if out == s.str {
			return true, "output equals the expected text", nil
		}
		return false, fmt.Sprintf("output %s differs from the expected %s", quote(out), quote(s.str)), nil
	case TypeContains, TypeIContains:
		found := containsFold(out, s.str, s.base == TypeIContains)
		return found, containsReason(found, s.str), nil
	case TypeContainsAny, TypeIContainsAny:
		fold := s.base == TypeIContainsAny
		for _, v := range s.list {
			if containsFold(out, v, fold) {
				return true, containsReason(true, v), nil
			}
		}
		return false, "output contains none of " + quoteList(s.list), nil
	case TypeContainsAll, TypeIContainsAll:
		fold := s.base == TypeIContainsAll
		var missing []string
		for _, v := range s.list {
			if !containsFold(out, v, fold) {
				missing = append(missing, v)
			}
		}
		if len(missing) == 0 {
			return true, "output contains all of " + quoteList(s.list), nil
		}
		return false, "output lacks " + quoteList(missing), nil
	case TypeStartsWith:
		if strings.HasPrefix(out, s.str) {
			return true, "output starts with " + quote(s.str), nil
		}
		return false, "output does not start with " + quote(s.str), nil
	case TypeRegex:
		ok, err := s.re.match(out)
		if err != nil {
			return false, "", err
		}
		if ok {
			return true, fmt.Sprintf("output matches /%s/", s.str), nil
		}
		return false, fmt.Sprintf("output does not match /%s/", s.str), nil
	case TypeIsJSON:
		v, err := parseWholeJSON(out)
		if err != nil {
			return false, "output is not valid JSON: " + err.Error(), nil
		}
		if s.schema != nil {
			if err := s.schema.validate(v); err != nil {
				return false, "output is JSON that does not conform to the schema: " + err.Error(), nil
			}
			return true, "output is JSON that conforms to the schema", nil
		}
		return true, "output is valid JSON", nil
	case TypeContainsJSON:
		found, complete := findJSON(out)
		if len(found) == 0 && !complete {
			return false, "", fmt.Errorf("gave up looking for JSON in an output of %d bytes: it holds too many unclosed brackets to search", len(out))
		}
		if len(found) == 0 {
			return false, "output contains no JSON object or array", nil
		}
		if s.schema == nil {
			return true, fmt.Sprintf("output contains %d JSON value(s)", len(found)), nil
		}
		var last error
		for _, v := range found {
			if last = s.schema.validate(v); last == nil {
				return true, "output contains JSON that conforms to the schema", nil
			}
		}
		if !complete {
			return false, "", fmt.Errorf("gave up looking for JSON that conforms to the schema in an output of %d bytes: it holds too many unclosed brackets to search", len(out))
		}
		return false, "no JSON in the output conforms to the schema: " + last.Error(), nil
	case TypeIsXML:
		if why := checkXML(out, s.list); why != "" {
			return false, why, nil
		}
		if len(s.list) > 0 {
			return true, "output is well-formed XML with " + strings.Join(s.list, ", "), nil
		}
		return true, "output is well-formed XML", nil
	case TypeLevenshtein:
		d := textutil.EditDistance(out, s.str)
		t := s.thresholdOr(defaultLevenshtein)
		return float64(d) <= t, fmt.Sprintf("edit distance %d (threshold %s)", d, fnum(t)), nil
	case TypeWordCount:
		n := wordCount(out)
		ok := (s.wcMin == nil || n >= *s.wcMin) && (s.wcMax == nil || n <= *s.wcMax)
		var want string
		switch {
		case s.wcMin != nil && s.wcMax != nil && *s.wcMin == *s.wcMax:
			want = strconv.Itoa(*s.wcMin)
		case s.wcMin != nil && s.wcMax != nil:
			want = fmt.Sprintf("%d to %d", *s.wcMin, *s.wcMax)
		case s.wcMin != nil:
			want = fmt.Sprintf("at least %d", *s.wcMin)
		default:
			want = fmt.Sprintf("at most %d", *s.wcMax)
		}
		return ok, fmt.Sprintf("%d words (want %s)", n, want), nil
	case TypeLatency:
		if r.CacheHit {
			return false, "", errCachedLatency
		}
		ms := float64(r.Latency) / float64(time.Millisecond)
		return ms <= *s.threshold, fmt.Sprintf("latency %s ms (threshold %s ms)", fnum(ms), fnum(*s.threshold)), nil
	case TypeCost:
		return r.Cost <= *s.threshold, fmt.Sprintf("cost $%s (threshold $%s)", fnum(r.Cost), fnum(*s.threshold)), nil
	case TypeFinishReason:
		if r.FinishReason == "" {
			return false, "", errors.New("the provider reported no finish reason")
		}
		if strings.EqualFold(r.FinishReason, s.str) {
			return true, "finish reason is " + quote(r.FinishReason), nil
		}
		return false, fmt.Sprintf("finish reason is %s, not %s", quote(r.FinishReason), quote(s.str)), nil
	}
	return false, "", fmt.Errorf("check type %q has no local implementation", s.base)
}

func containsFold(s, sub string, fold bool) bool {
	if fold {
		return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
	}
	return strings.Contains(s, sub)
}

func containsReason(found bool, v string) string {
	if found {
		return "output contains " + quote(v)
	}
	return "output does not contain " + quote(v)
}

// quote quotes text for a reason, cut to 80 characters.
func quote(s string) string {
	const max = 80
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = quote(s)
	}
	return strings.Join(q, ", ")
}

// errCachedLatency is a latency check's error on a cached result: the call
// it would measure was not made. Drift counts the scores it failed.
var errCachedLatency = errors.New("the result came from the cache, so its latency is unknown (run with --no-cache)")

// ScorerSuite is the scorer of a case's aggregate grade (see Scores).
const ScorerSuite = report.ScorerSuite

// Scores turns a case result into score records for result resultID:
//
//   - one per check without a metric, under its Outcome.Scorer
//     ("check:<type>", "judge:<target>"); when two checks share a scorer
//     name, the later ones get "#<n>" appended (n the check's 1-based index);
//   - one per metric, under "metric:<name>": the weighted mean of the checks
//     that name it, passing when they all pass;
//   - one aggregate under ScorerSuite: the case score, pass when the case
//     passes, with a reason summing up the failures.
//
// An errored check is recorded as a failure scoring 0 whose reason starts
// "error:". A case with no checks gives no scores (nothing was graded),
// unless its call failed: then only the failing aggregate. Reasons carry the
// judge's identity for model-graded checks.
func Scores(cr CaseResult, resultID int64, author string, now time.Time) []prompt.Score {
	if len(cr.Outcomes) == 0 && cr.Err == nil {
		return nil
	}
	mk := func(scorer string, value float64, pass bool, reason string) prompt.Score {
		p := pass
		return prompt.Score{ResultID: resultID, Scorer: scorer, Value: value, Pass: &p, Reason: reason, Author: author, Created: now}
	}
	var out []prompt.Score
	used := map[string]bool{ScorerSuite: true}
	type group struct {
		sum, w float64
		pass   bool
		fails  []string
	}
	groups := map[string]*group{}
	var order []string
	for n, o := range cr.Outcomes {
		if m := o.Check.Metric; m != "" {
			g, ok := groups[m]
			if !ok {
				g = &group{pass: true}
				groups[m] = g
				order = append(order, m)
			}
			w := o.Check.Weight
			if !(w > 0) || math.IsInf(w, 0) {
				w = 1
			}
			g.sum += o.Score * w
			g.w += w
			if !o.Pass {
				g.pass = false
				g.fails = append(g.fails, o.Check.Type+": "+outcomeReason(o))
			}
			continue
		}
		name := o.Scorer
		if name == "" {
			name = "check:" + o.Check.Type
		}
		if used[name] {
			idx := o.Index + 1
			if o.Index < 0 {
				idx = n + 1
			}
			name = fmt.Sprintf("%s#%d", name, idx)
		}
		used[name] = true
		out = append(out, mk(name, o.Score, o.Pass, outcomeReason(o)))
	}
	for _, m := range order {
		g := groups[m]
		reason := "all checks passed"
		if !g.pass {
			reason = strings.Join(g.fails, "; ")
		}
		out = append(out, mk("metric:"+m, g.sum/g.w, g.pass, reason))
	}
	out = append(out, mk(ScorerSuite, cr.Score, cr.Pass, Summary(cr)))
	return out
}

// outcomeReason is the recorded reason of one outcome.
func outcomeReason(o Outcome) string {
	var b strings.Builder
	if o.Err != nil {
		b.WriteString("error: " + o.Err.Error())
	} else {
		b.WriteString(o.Reason)
	}
	if o.Judge != "" {
		fmt.Fprintf(&b, " [judge %s", o.Judge)
		if o.Cached {
			b.WriteString(", cached")
		}
		b.WriteString("]")
	}
	return b.String()
}

// Summary is a one-line account of a case result: how many checks passed,
// the score against the threshold, and the first failures.
func Summary(cr CaseResult) string {
	if len(cr.Outcomes) == 0 {
		if cr.Err != nil {
			return "error: " + cr.Err.Error()
		}
		return "no checks"
	}
	passed := 0
	var fails []string
	for _, o := range cr.Outcomes {
		if o.Pass {
			passed++
			continue
		}
		fails = append(fails, fmt.Sprintf("%s: %s", o.Check.Type, outcomeReason(o)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d/%d checks passed; score %s", passed, len(cr.Outcomes), fnum(cr.Score))
	if cr.Threshold != nil {
		cmp := ">="
		if cr.Score < *cr.Threshold {
			cmp = "<"
		}
		fmt.Fprintf(&b, " %s threshold %s", cmp, fnum(*cr.Threshold))
	}
	if cr.Implicit {
		b.WriteString(" (implicit icontains of the expected output)")
	}
	const maxShown = 3
	if len(fails) > 0 {
		shown := fails[:min(len(fails), maxShown)]
		b.WriteString(". Failed: " + strings.Join(shown, "; "))
		if len(fails) > maxShown {
			fmt.Fprintf(&b, "; and %d more", len(fails)-maxShown)
		}
	}
	return b.String()
}
