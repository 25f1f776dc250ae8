package promptfoo

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"whet/config"
	"whet/prompt"
)

// checkTypes are the assert types whet evaluates, by promptfoo's names;
// each may also be negated with "not-".
var checkTypes = map[string]bool{
	"equals": true, "contains": true, "icontains": true,
	"contains-any": true, "contains-all": true, "icontains-any": true, "icontains-all": true,
	"starts-with": true, "regex": true, "is-json": true, "contains-json": true, "is-xml": true,
	"levenshtein": true, "word-count": true, "latency": true, "cost": true, "finish-reason": true,
	"similar": true, "llm-rubric": true, "model-graded-closedqa": true, "factuality": true,
}

// typeAliases are promptfoo names of types whet has under another name.
var typeAliases = map[string]string{
	"model-graded-factuality": "factuality",
	"similar:cosine":          "similar",
}

// gradedTypes take a grader (defaultTest.options.provider).
var gradedTypes = map[string]bool{"llm-rubric": true, "model-graded-closedqa": true, "factuality": true}

// baseAssertTypes are promptfoo's assert types, as its CSV __expected
// values name them ("type: value", "type(threshold): value").
var baseAssertTypes = []string{
	"answer-relevance", "bleu", "classifier", "contains", "contains-all", "contains-any", "contains-html",
	"contains-json", "contains-sql", "contains-xml", "context-faithfulness", "context-recall",
	"context-relevance", "conversation-relevance", "cost", "equals", "factuality", "finish-reason",
	"g-eval", "gleu", "guardrails", "icontains", "icontains-all", "icontains-any", "is-html", "is-json",
	"is-refusal", "is-sql", "is-valid-function-call", "is-valid-openai-function-call",
	"is-valid-openai-tools-call", "is-xml", "javascript", "latency", "levenshtein", "llm-rubric", "pi",
	"meteor", "model-graded-closedqa", "model-graded-factuality", "moderation", "perplexity",
	"perplexity-score", "python", "regex", "rouge-n", "ruby", "similar", "similar:cosine", "similar:dot",
	"similar:euclidean", "starts-with", "tool-call-f1", "trace-error-spans", "trace-span-count",
	"trace-span-duration", "search-rubric", "webhook", "word-count",
}

var expectedRe = func() *regexp.Regexp {
	types := append([]string(nil), baseAssertTypes...)
	for i, t := range types {
		types[i] = regexp.QuoteMeta(t)
	}
	return regexp.MustCompile(`^(not-)?(` + strings.Join(types, "|") + `)(?:\((\d+(?:\.\d+)?)\))?(?::([\s\S]*))?$`)
}()

// thresholdTypes take the "(threshold)" of an __expected value.
var thresholdTypes = map[string]bool{
	"answer-relevance": true, "classifier": true, "context-faithfulness": true, "context-recall": true,
	"context-relevance": true, "cost": true, "latency": true, "levenshtein": true, "perplexity-score": true,
	"perplexity": true, "rouge-n": true, "similar": true, "starts-with": true,
}

// defaultSimilarThreshold is promptfoo's pass mark of a similar check
// written in a CSV without one.
const defaultSimilarThreshold = 0.8

// rawAssert is an assert as written, before mapping.
type rawAssert struct {
	typ       string
	value     any
	threshold *float64
	weight    *float64
	weightAt  node
	metric    string
	provider  any
	extra     []extraKey // what whet does not import
	at        node
	// badThreshold is a threshold given as text that is no number
	// ("{{max_cost}}"), which promptfoo compares with as it is.
	badThreshold string
}

// extraKey is an assert's key whet leaves out, and where it is.
type extraKey struct {
	what string
	at   node
}

// defaults is what defaultTest gives every case, and what a scenario's
// config entry gives each of the scenario's tests.
type defaults struct {
	vars node
	// The scenario config entry's vars (over defaultTest's), asserts
	// (before the test's own) and description (when the test has none).
	scenarioVars   node
	scenarioChecks []prompt.Check
	scenarioDesc   string
}

func (im *importer) defaultTest(n node) (defaults, error) {
	var def defaults
	if s, ok := n.str(); ok {
		ref, isFile := strings.CutPrefix(strings.TrimSpace(s), "file://")
		if !isFile {
			im.issue(n, "defaultTest is neither a mapping nor a file:// path: not imported")
			return def, nil
		}
		loaded, err := im.loadData(n, "defaultTest", ref)
		if err != nil || loaded.v == nil {
			return def, err
		}
		n = loaded
	}
	if !n.isMap() {
		im.issue(n, "defaultTest is not a mapping: not imported")
		return def, nil
	}
	for _, k := range n.keys() {
		kn, _ := n.key(k)
		switch k {
		case "vars":
			if kn.v != nil && !kn.isMap() {
				im.issue(kn, "defaultTest: vars is not a mapping: not imported")
				continue
			}
			def.vars = kn
		case "assert":
			checks, err := im.asserts(kn, "defaultTest", "the suite")
			if err != nil {
				return def, err
			}
			im.res.Suite.Checks = append(im.res.Suite.Checks, checks...)
		case "threshold":
			im.res.Suite.Threshold = im.mark(kn, "defaultTest")
		case "options":
			im.grader = im.options(kn, "defaultTest")
		default:
			if testKeys[k] {
				im.issue(kn, fmt.Sprintf("defaultTest: %s is not imported", k))
			} else {
				im.issue(kn, fmt.Sprintf("defaultTest: %s is not imported: it is no field of a promptfoo test, and promptfoo ignores it too%s", k, didYouMean(k, testKeyHints)))
			}
		}
	}
	return def, nil
}

// mark reads a pass mark in [0,1].
func (im *importer) mark(n node, where string) *float64 {
	f, ok := number(n.v)
	if !ok || f < 0 || f > 1 {
		im.issue(n, fmt.Sprintf("%s: threshold %s is not a score in 0..1: not imported", where, text(n.v)))
		return nil
	}
	if f > 0 {
		im.issue(n, fmt.Sprintf("%s: threshold %s is imported as whet's, which a case reaches only when every check passes too (promptfoo passes a test whose score reaches it even with failing asserts)", where, text(n.v)))
	}
	return &f
}

// options reads a test's options: the grader provider is kept (returned
// as targets), the rest reported.
func (im *importer) options(n node, where string) graders {
	var g graders
	if !n.isMap() {
		im.issue(n, where+": options is not a mapping: not imported")
		return g
	}
	for _, k := range n.keys() {
		kn, _ := n.key(k)
		if k == "transform" {
			im.issue(kn, where+": options.transform is not imported (whet runs no JavaScript): the checks grade the output as the model gave it")
			continue
		}
		if k == "storeOutputAs" {
			// A later test's {{name}} is this test's output in promptfoo:
			// no value whet could give it.
			if name := strings.TrimSpace(text(kn.v)); name != "" {
				if im.stored == nil {
					im.stored = map[string]bool{}
				}
				im.stored[name] = true
			}
		}
		if k != "provider" {
			im.issue(kn, fmt.Sprintf("%s: options.%s is not imported", where, k))
			continue
		}
		_, hasID := kn.key("id")
		text, hasText := kn.key("text")
		emb, hasEmb := kn.key("embedding")
		if !hasID && (hasText || hasEmb) {
			// {text: provider, embedding: provider}, as promptfoo documents
			// for graders of both kinds.
			for _, sk := range kn.keys() {
				if sk != "text" && sk != "embedding" {
					sn, _ := kn.key(sk)
					im.issue(sn, fmt.Sprintf("%s: options.provider.%s is not imported", where, sk))
				}
			}
			if hasText {
				g.text = im.graderTarget(text, where, "model-graded checks use whet's default judge")
			}
			if hasEmb {
				g.embedding = im.graderTarget(emb, where, "similar checks use whet's default embedding target")
			}
			continue
		}
		if isEmbeddingID(providerID(kn)) {
			g.embedding = im.graderTarget(kn, where, "similar checks use whet's default embedding target")
		} else {
			g.text = im.graderTarget(kn, where, "model-graded checks use whet's default judge")
		}
	}
	return g
}

// graderTarget maps a grader provider (an id or {id, …}) to a target, or
// reports it and returns "".
func (im *importer) graderTarget(n node, where, otherwise string) string {
	id := providerID(n)
	if t, ok := im.graderEndpoint(n, id, where, im.issue); ok {
		return t
	}
	t, why := im.checkTarget(n, id)
	if t == "" {
		im.issue(n, fmt.Sprintf("%s: grader provider %q is not supported by whet%s: %s", where, id, why, otherwise))
		return ""
	}
	if n.isMap() && len(n.keys()) > 1 {
		im.issue(n, fmt.Sprintf("%s: grader provider %s: only its id is imported, not its options", where, id))
	}
	return t
}

// graderEndpoint maps a grader given as {id, config} whose config names an
// endpoint (apiBaseUrl, apiHost) to a target of a provider entry for it:
// promptfoo loads such a grader with its config, so it calls that
// endpoint, as a provider of the config does, rather than the vendor's
// (a local server's judge would otherwise be sent to api.openai.com). ok
// is false when the grader names no endpoint whet imports.
// Whatever else it sets is said through report.
func (im *importer) graderEndpoint(n node, id, where string, report func(node, string)) (target string, ok bool) {
	cfg, has := n.key("config")
	if !has || !cfg.isMap() {
		return "", false
	}
	t, typ, model, _ := mapTarget(envTemplate(id), true)
	if t == "" || typ != config.TypeOpenAI && typ != config.TypeAnthropic && typ != config.TypeAzure {
		return "", false
	}
	vendor, isVendor := vendorOf(id)
	if isVendor && !vendor.override {
		return "", false // promptfoo calls the vendor's endpoint whatever the config says
	}
	var baseURL, host, keyEnv, apiVersion string
	var baseAt node
	keyFromAPIKey := false
	var rest []string
	for _, k := range cfg.keys() {
		kn, _ := cfg.key(k)
		switch {
		case k == "apiBaseUrl":
			if baseURL == "" || typ != config.TypeAzure {
				baseURL, baseAt = envTemplate(strings.TrimSpace(text(kn.v))), kn
			}
		case k == "apiHost" && typ != config.TypeAnthropic:
			h := strings.Trim(envTemplate(strings.TrimSpace(text(kn.v))), "/")
			host = "https://" + strings.TrimPrefix(strings.TrimPrefix(h, "https://"), "http://")
			if typ == config.TypeOpenAI {
				host += "/v1"
			}
			if baseAt.v == nil {
				baseAt = kn
			}
		case k == "apiKeyEnvar":
			if !keyFromAPIKey { // promptfoo reads config.apiKey first
				keyEnv = strings.TrimSpace(text(kn.v))
			}
		case k == "apiKey" && envRef(kn) != "":
			keyEnv, keyFromAPIKey = envRef(kn), true
		case k == "apiVersion" && typ == config.TypeAzure:
			apiVersion = strings.TrimSpace(text(kn.v))
		default:
			rest = append(rest, k)
		}
	}
	switch {
	case host != "" && typ == config.TypeOpenAI:
		baseURL = host // promptfoo's getApiUrl reads apiHost first
	case host != "" && baseURL == "":
		baseURL = host
	}
	if baseURL == "" {
		return "", false
	}
	if keyEnv == "" && typ != config.TypeAzure {
		// As a provider's: the key the env block sets, else the vendor's.
		if keyEnv = im.envKey(typ, vendor.keyEnv); keyEnv == "" {
			keyEnv = vendor.keyEnv
		}
	}
	var name string
	var err error
	if typ == config.TypeAzure {
		name, err = im.azureHint(n, id, baseURL, keyEnv, apiVersion, true)
	} else {
		name, err = im.hint(typ, baseURL, keyEnv, "", "")
	}
	if err != nil {
		report(baseAt, fmt.Sprintf("%s: grader provider %s: %v: not imported", where, id, err))
		return "", false
	}
	for _, k := range rest {
		kn, _ := cfg.key(k)
		report(kn, fmt.Sprintf("%s: grader provider %s: config.%s is not imported: only its endpoint and key variable are", where, id, k))
	}
	for _, k := range n.keys() {
		if k != "id" && k != "config" {
			kn, _ := n.key(k)
			report(kn, fmt.Sprintf("%s: grader provider %s: %s is not imported", where, id, k))
		}
	}
	return im.envTarget(n, "grader "+id, name+":"+model), true
}

// isEmbeddingID reports whether a provider id names an embedding model.
func isEmbeddingID(id string) bool {
	_, rest, _ := strings.Cut(strings.TrimSpace(id), ":")
	sub, _, _ := strings.Cut(rest, ":")
	return sub == "embedding" || sub == "embeddings"
}

// providerID reads a provider given as an id or as {id: …}.
func providerID(n node) string {
	if id, ok := n.key("id"); ok {
		return strings.TrimSpace(text(id.v))
	}
	return strings.TrimSpace(text(n.v))
}

func (im *importer) tests(n node, def defaults) error {
	counter := 0
	switch v := n.v.(type) {
	case nil:
	case string:
		if err := im.testSource(n, v, def, &counter); err != nil {
			return err
		}
	case []any:
		for _, it := range n.items() {
			if s, ok := it.str(); ok {
				if err := im.testSource(it, s, def, &counter); err != nil {
					return err
				}
				continue
			}
			if pn, ok := it.key("path"); ok {
				// {path: file://gen.py:make, config: …}: a test generator.
				if _, isTest := it.key("vars"); !isTest {
					im.issue(pn, fmt.Sprintf("tests %s are not imported: whet runs no code to generate tests", text(pn.v)))
					continue
				}
			}
			counter++
			if err := im.testCase(it, fmt.Sprintf("test %d", counter), def); err != nil {
				return err
			}
		}
	case map[string]any:
		counter++
		if err := im.testCase(n, fmt.Sprintf("test %d", counter), def); err != nil {
			return err
		}
	default:
		im.issue(n, fmt.Sprintf("tests: %s is not a test or file", text(v)))
	}
	return nil
}

// testSource imports a file:// test file; other sources are reported.
func (im *importer) testSource(n node, s string, def defaults, counter *int) error {
	s = strings.TrimSpace(s)
	ref, ok := strings.CutPrefix(s, "file://")
	if !ok && barePathRe.MatchString(s) {
		// promptfoo reads a test source without a scheme as a file path
		// (tests: tests.csv).
		ref, ok = s, true
	}
	if !ok {
		im.issue(n, fmt.Sprintf("tests %s are not imported: whet reads test files (file://…csv, .yaml, .json, .jsonl)", s))
		return nil
	}
	ext := strings.ToLower(filepath.Ext(ref))
	if isGlob(ref) {
		refs, _ := im.expand(n, "tests", ref)
		for _, r := range refs {
			if err := im.testSource(n, "file://"+r, def, counter); err != nil {
				return err
			}
		}
		return nil
	}
	switch ext {
	case ".csv", ".tsv":
		p, data, err := im.readRef(n, "tests", ref)
		if err != nil {
			return err
		}
		return im.testsCSV(p, data, def)
	case ".jsonl":
		p, data, err := im.readRef(n, "tests", ref)
		if err != nil {
			return err
		}
		line := 0
		for text := range bytes.Lines(bytes.TrimPrefix(data, []byte("\ufeff"))) {
			line++
			if len(bytes.TrimSpace(text)) == 0 {
				continue
			}
			var v any
			if err := json.Unmarshal(text, &v); err != nil {
				return &prompt.FileError{File: p, Line: line, Msg: "not a JSON test object: " + err.Error()}
			}
			*counter++
			tn := node{d: &doc{file: p, lines: map[string]int{"": line}}, v: v}
			if varObjects(v) {
				// Read as a JSON file is, for the order of an object
				// var's keys (promptfoo's JSON.parse keeps them as
				// written), at this line of the file.
				if tn, err = parseJSON(p, text); err != nil {
					return err
				}
				for k := range tn.d.lines {
					tn.d.lines[k] += line - 1
				}
				tn.d.lines[""] = line
			}
			if err := im.testCase(tn, fmt.Sprintf("test %d", *counter), def); err != nil {
				return err
			}
		}
	case ".yaml", ".yml", ".json":
		loaded, err := im.loadData(n, "tests", ref)
		if err != nil {
			return err
		}
		items := loaded.items()
		if items == nil {
			if loaded.isMap() {
				items = []node{loaded}
			} else if loaded.v != nil {
				im.issue(loaded, fmt.Sprintf("tests file://%s is not a list of tests: not imported", ref))
			}
		}
		for _, it := range items {
			*counter++
			if err := im.testCase(it, fmt.Sprintf("test %d", *counter), def); err != nil {
				return err
			}
		}
	default:
		im.issue(n, fmt.Sprintf("tests file://%s are not imported: whet reads .csv, .yaml, .json and .jsonl test files and runs no code", ref))
	}
	return nil
}

// loadData reads and parses a YAML or JSON file a file:// reference names.
func (im *importer) loadData(n node, what, ref string) (node, error) {
	if strings.ContainsAny(ref, "*?[") {
		im.issue(n, fmt.Sprintf("%s file://%s is not imported: whet takes no glob patterns", what, ref))
		return node{}, nil
	}
	p, data, err := im.readRef(n, what, ref)
	if err != nil {
		return node{}, err
	}
	if strings.EqualFold(filepath.Ext(ref), ".json") {
		return parseJSON(p, data)
	}
	return parseYAML(p, data)
}

// varObjects reports whether a decoded test gives a var as an object (or
// a list holding one), whose keys' order its JSON keeps.
func varObjects(test any) bool {
	t, _ := test.(map[string]any)
	vars, _ := t["vars"].(map[string]any)
	var holds func(any) bool
	holds = func(v any) bool {
		switch x := v.(type) {
		case map[string]any:
			return true
		case []any:
			return slices.ContainsFunc(x, holds)
		}
		return false
	}
	for _, v := range vars {
		if holds(v) {
			return true
		}
	}
	return false
}

// testCase imports one test: its description, vars, asserts, threshold
// and grader.
func (im *importer) testCase(n node, where string, def defaults) error {
	n, ok := im.deref(n, where)
	if !ok {
		return nil
	}
	if !n.isMap() {
		im.issue(n, fmt.Sprintf("%s is not a test (a mapping with vars and assert): not imported", where))
		return nil
	}
	desc := ""
	if d, ok := n.key("description"); ok {
		desc = strings.TrimSpace(text(d.v))
		if desc != "" {
			where = fmt.Sprintf("%s (%q)", where, shorten(desc))
		}
	}
	var (
		vars      node
		checks    []prompt.Check
		threshold *float64
		grader    graders
		err       error
	)
	for _, k := range n.keys() {
		kn, _ := n.key(k)
		switch k {
		case "description":
		case "vars":
			if kn.v != nil && !kn.isMap() {
				im.issue(kn, fmt.Sprintf("%s: vars is not a mapping (vars files are not supported): not imported", where))
				continue
			}
			vars = kn
		case "assert":
			if checks, err = im.asserts(kn, where, "the case"); err != nil {
				return err
			}
		case "threshold":
			threshold = im.mark(kn, where)
		case "options":
			grader = im.options(kn, where)
		default:
			if testKeys[k] {
				im.issueOften(kn, where, k+" is not imported")
			} else {
				im.issueOften(kn, where, k+" is not imported: it is no field of a promptfoo test, and promptfoo ignores it too"+didYouMean(k, testKeyHints))
			}
		}
	}
	if len(def.scenarioChecks) > 0 {
		checks = append(append([]prompt.Check(nil), def.scenarioChecks...), checks...)
	}
	if desc == "" {
		desc = def.scenarioDesc
	}
	if grader != (graders{}) && hasGraded(im.res.Suite.Checks, grader) {
		on, _ := n.key("options")
		im.issue(on, fmt.Sprintf("%s: options.provider applies to the case's own checks only: defaultTest's model-graded checks keep their grader", where))
	}
	return im.addCases(n, vars, where, desc, checks, threshold, grader, def)
}

// hasGraded reports whether a check in cs would take a grader of g.
func hasGraded(cs []prompt.Check, g graders) bool {
	for _, c := range cs {
		if c.Provider == "" && g.takes(c.Type) != "" {
			return true
		}
	}
	return false
}

// addCases adds the cases a test's vars expand into (defaultTest's vars
// under the test's own; a list of strings is one case per element, as
// promptfoo runs them).
//
// A variable the prompts read that the test leaves unset is "" in its
// cases, as promptfoo's Nunjucks renders an undefined variable, and is
// reported at at (the test).
func (im *importer) addCases(at, vars node, where, desc string, checks []prompt.Check, threshold *float64, grader graders, def defaults) error {
	type varVals struct {
		name string
		vals []string
	}
	// The vars in the order they are first written, as promptfoo expands
	// list-valued ones: the first varies slowest.
	byName := map[string]node{}
	var names []string
	for _, src := range []node{def.vars, def.scenarioVars, vars} {
		for _, k := range src.keys() {
			if _, seen := byName[k]; !seen {
				names = append(names, k)
			}
			byName[k], _ = src.key(k)
		}
	}
	if a, ok := vars.key("assert"); ok && a.items() != nil {
		// Indented one level too deep: promptfoo reads it as a var.
		im.issueOften(a, where, "vars.assert is a variable to promptfoo, written under vars, so its asserts never ran there; it is imported as a variable too (did you mean assert, beside vars?)")
	}
	var all []varVals
	total := 1
	for _, name := range names {
		vals, err := im.varValues(byName[name], name, where)
		if err != nil {
			return err
		}
		total *= len(vals)
		if total > maxCases {
			return errAt(byName[name], "%s: its list-valued vars make more than %d cases", where, maxCases)
		}
		all = append(all, varVals{name, vals})
		for _, ref := range im.fieldRefs(name, byName[name].v) {
			all = append(all, varVals{ref[0], []string{ref[1]}})
		}
	}
	setGrader(checks, grader)
	combos := []map[string]string{{}}
	for _, vv := range all {
		next := make([]map[string]string, 0, len(combos)*len(vv.vals))
		for _, c := range combos {
			for _, v := range vv.vals {
				m := make(map[string]string, len(c)+1)
				for k, x := range c {
					m[k] = x
				}
				m[vv.name] = v
				next = append(next, m)
			}
		}
		combos = next
	}
	unset := im.unsetVars(combos[0])
	if len(unset) > 0 {
		// One line for the tests leaving the same variables unset: a CSV
		// of a hundred rows without a column gives one.
		refs := make([]string, len(unset))
		for i, name := range unset {
			refs[i] = "{{" + name + "}}"
		}
		im.issueOften(at, where, fmt.Sprintf("%s not set, which the prompts read: \"\" in the case, as promptfoo renders an undefined variable as empty text", strings.Join(refs, ", ")))
	}
	for _, vars := range combos {
		for k, v := range vars {
			vars[k] = strings.TrimSuffix(v, "\n") // promptfoo drops a value's final newline
		}
		for _, name := range unset {
			vars[name] = ""
		}
		resolveVarRefs(vars)
		c := prompt.Case{Description: desc, Vars: vars, Threshold: threshold}
		if len(checks) > 0 {
			c.Checks = append([]prompt.Check(nil), checks...)
		}
		im.res.Suite.Cases = append(im.res.Suite.Cases, c)
	}
	return nil
}

// unsetVars are the variables the prompts read that vars leaves unset, in
// the order the prompts read them. A field of a var that is set
// ({{user.name}} of a user given) is left to fieldRefs.
func (im *importer) unsetVars(vars map[string]string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range im.res.Prompts {
		for _, ref := range prompt.MessagesVariables(p.Messages) {
			root, _, _ := strings.Cut(ref, ".")
			if _, set := vars[ref]; set || seen[ref] {
				continue
			}
			if _, set := vars[root]; set {
				continue
			}
			// promptfoo gives these itself: the conversation so far, an
			// earlier test's output (storeOutputAs). The run names them.
			if root == "_conversation" || im.stored[root] {
				continue
			}
			seen[ref] = true
			out = append(out, ref)
		}
	}
	return out
}

// varRefRe is a {{name}} in a var's value.
var varRefRe = regexp.MustCompile(`\{\{\s*([A-Za-z_][\w.]*)\s*\}\}`)

// resolveVarRefs puts the case's own vars into its var values that read
// them ({{name}}), as promptfoo renders each var with the others before the
// prompt (up to five rounds, for a var that reads one that reads another).
// A value reading a var the case does not have stays as it is, as it does
// in promptfoo.
func resolveVarRefs(vars map[string]string) {
	for range 5 {
		changed := false
		for k, v := range vars {
			refs := varRefRe.FindAllStringSubmatch(v, -1)
			if len(refs) == 0 {
				continue
			}
			ok := true
			for _, r := range refs {
				if _, has := vars[r[1]]; !has || r[1] == k {
					ok = false
				}
			}
			if !ok {
				continue
			}
			vars[k] = varRefRe.ReplaceAllStringFunc(v, func(m string) string {
				return vars[varRefRe.FindStringSubmatch(m)[1]]
			})
			changed = true
		}
		if !changed {
			return
		}
	}
}

// fieldRefs are the fields of a var given as a mapping that the prompts
// read ({{user.name}}, as Nunjucks reads an object's field): each name
// with the field's text, a list's items joined with commas as Nunjucks
// prints them. whet's templates take user.name as one variable's name,
// so each is a var of its own next to the mapping's JSON.
func (im *importer) fieldRefs(name string, v any) [][2]string {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	var out [][2]string
	seen := map[string]bool{}
	for _, p := range im.res.Prompts {
		for _, ref := range prompt.MessagesVariables(p.Messages) {
			path, ok := strings.CutPrefix(ref, name+".")
			if !ok || seen[ref] {
				continue
			}
			seen[ref] = true
			var cur any = m
			for _, part := range strings.Split(path, ".") {
				mm, isMap := cur.(map[string]any)
				if !isMap {
					cur = nil
					break
				}
				cur = mm[part]
			}
			switch x := cur.(type) {
			case nil, map[string]any:
				// Missing, or an object Nunjucks prints as [object Object]:
				// the run names the variable as missing.
			case []any:
				items := make([]string, len(x))
				for i, e := range x {
					items[i] = text(e)
				}
				out = append(out, [2]string{ref, strings.Join(items, ",")})
			default:
				out = append(out, [2]string{ref, text(x)})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// binaryExts are var files promptfoo loads as media or runs as code.
var binaryExts = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".bmp": true, ".pdf": true,
	".mp3": true, ".wav": true, ".ogg": true, ".mp4": true, ".webm": true, ".mov": true,
}

// varValues is a variable's value or values as text.
func (im *importer) varValues(n node, name, where string) ([]string, error) {
	switch v := n.v.(type) {
	case string:
		ref, ok := strings.CutPrefix(strings.TrimSpace(v), "file://")
		if !ok {
			if n.d != nil && n.d.dates[n.path] {
				im.issueOften(n, where, fmt.Sprintf("var %s = %s is a date to promptfoo's YAML reader, which does not send it as written (it renders a date in the config as [object Object]); whet sends %s: quote it so promptfoo sends that too", name, v, v))
			}
			return []string{v}, nil
		}
		ext := strings.ToLower(filepath.Ext(ref))
		if binaryExts[ext] || codeFileRe.MatchString(ref) || (isGlob(ref) && im.glob == nil) {
			im.issue(n, fmt.Sprintf("%s: var %s = %s is kept as that text: whet loads no media, globs or code into vars", where, name, v))
			return []string{v}, nil
		}
		if isGlob(ref) {
			// promptfoo runs the test once per file the pattern matches.
			refs, ok := im.expand(n, where+": var "+name, ref)
			if !ok {
				return []string{v}, nil
			}
			var out []string
			for _, r := range refs {
				vals, err := im.varValues(node{d: n.d, path: n.path, v: "file://" + r}, name, where)
				if err != nil {
					return nil, err
				}
				out = append(out, vals...)
			}
			return out, nil
		}
		p, data, err := im.readRef(n, "var "+name, ref)
		if err != nil {
			return nil, err
		}
		if ext == ".yaml" || ext == ".yml" {
			// promptfoo gives a YAML file's value as compact JSON
			// (JSON.stringify of what js-yaml reads).
			y, err := parseYAML(p, data)
			if err != nil {
				var fe *prompt.FileError
				if errors.As(err, &fe) {
					fe.Msg = "var " + name + ": " + fe.Msg
				}
				return nil, err
			}
			return []string{jsJSON(y)}, nil
		}
		// promptfoo trims a text file's value.
		return []string{strings.TrimSpace(string(data))}, nil
	case []any:
		if len(v) > 0 {
			if _, ok := v[0].(string); ok {
				// One case per element; an element may be a file:// too.
				var out []string
				for _, e := range v {
					if _, isStr := e.(string); !isStr {
						out = append(out, varText(e))
						continue
					}
					vals, err := im.varValues(node{d: n.d, path: n.path, v: e}, name, where)
					if err != nil {
						return nil, err
					}
					out = append(out, vals...)
				}
				return out, nil
			}
		}
	}
	switch v := n.v.(type) {
	case map[string]any:
		return []string{jsJSON(n)}, nil // its keys in the file's order
	case []any:
		if holdsMap(v) {
			return []string{jsJSON(n)}, nil
		}
	}
	return []string{varText(n.v)}, nil
}

// asserts imports a list of asserts; owner says who keeps the other
// checks when one is left out ("the case", "the suite").
func (im *importer) asserts(n node, where, owner string) ([]prompt.Check, error) {
	if n.v == nil {
		return nil, nil
	}
	items := n.items()
	if items == nil {
		im.issue(n, where+": assert is not a list: not imported")
		return nil, nil
	}
	var out []prompt.Check
	for i, it := range items {
		w := fmt.Sprintf("%s: assert %d", where, i+1)
		it, ok := im.deref(it, w)
		if !ok {
			continue
		}
		if !it.isMap() {
			im.issue(it, w+" is not a mapping: not imported")
			continue
		}
		ra := rawAssert{at: it}
		for _, k := range it.keys() {
			kn, _ := it.key(k)
			switch k {
			case "type":
				ra.typ = strings.TrimSpace(text(kn.v))
			case "value":
				ra.value = kn.v
			case "threshold":
				if f, ok := jsNumber(kn.v); ok {
					ra.threshold = &f
				} else {
					if s, isStr := kn.v.(string); isStr {
						ra.badThreshold = s
					}
					ra.extra = append(ra.extra, extraKey{"threshold " + text(kn.v) + " (not a number)", kn})
				}
			case "weight":
				if f, ok := number(kn.v); ok {
					ra.weight, ra.weightAt = &f, kn
				} else {
					ra.extra = append(ra.extra, extraKey{"weight " + text(kn.v) + " (not a number)", kn})
				}
			case "metric":
				ra.metric = strings.TrimSpace(text(kn.v))
			case "provider":
				ra.provider = kn
			default:
				ra.extra = append(ra.extra, extraKey{k, kn})
			}
		}
		c, ok, err := im.check(ra, w, owner)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// check maps an assert to a whet check; ok is false when it is left out
// (and reported).
func (im *importer) check(ra rawAssert, where, owner string) (prompt.Check, bool, error) {
	t := ra.typ
	if t == "" {
		im.issue(ra.at, fmt.Sprintf("%s has no type: not imported; %s keeps its other checks", where, owner))
		return prompt.Check{}, false, nil
	}
	neg := strings.HasPrefix(t, "not-")
	base := strings.TrimPrefix(t, "not-")
	if a, ok := typeAliases[base]; ok {
		base = a
	}
	if !checkTypes[base] {
		why := ""
		switch base {
		case "javascript", "python", "ruby", "webhook":
			why = " (whet runs no code)"
		case "assert-set":
			why = " (whet has no assert sets; list their asserts one by one)"
		}
		im.issue(ra.at, fmt.Sprintf("%s: type %q is not supported by whet%s: not imported; %s keeps its other checks", where, t, why, owner))
		return prompt.Check{}, false, nil
	}
	typ := base
	if neg {
		typ = "not-" + base
	}
	c := prompt.Check{Type: typ, Threshold: ra.threshold, Metric: ra.metric}
	value := ra.value
	if s, ok := value.(string); ok {
		if ref, isFile := strings.CutPrefix(strings.TrimSpace(s), "file://"); isFile {
			if codeFileRe.MatchString(ref) || strings.ContainsAny(ref, "*?[") {
				im.issue(ra.at, fmt.Sprintf("%s (%s): value %s is code or a glob: not imported; %s keeps its other checks", where, typ, s, owner))
				return prompt.Check{}, false, nil
			}
			switch strings.ToLower(filepath.Ext(ref)) {
			case ".json", ".yaml", ".yml":
				loaded, err := im.loadData(ra.at, "assert value", ref)
				if err != nil {
					return prompt.Check{}, false, err
				}
				value = loaded.v
			default:
				_, data, err := im.readRef(ra.at, "assert value", ref)
				if err != nil {
					return prompt.Check{}, false, err
				}
				value = trimFinalNewline(string(data))
			}
		}
	}
	if b, isBool := value.(bool); isBool && (base == "is-json" || base == "contains-json") {
		// promptfoo validates against a schema only when the value is
		// truthy, and refuses true: false is the plain check, where
		// whet would read it as the schema that rejects every value.
		if b {
			im.issue(ra.at, fmt.Sprintf("%s (%s) is not imported: value true is not a JSON Schema (promptfoo refuses it); %s keeps its other checks", where, typ, owner))
			return prompt.Check{}, false, nil
		}
		value = nil
	}
	c.Value = jsonShaped(value)
	// What is said about a check that is kept waits until it is known to be.
	var notes []extraKey
	note := func(at node, what string) { notes = append(notes, extraKey{what, at}) }
	if ra.weight != nil {
		switch w := *ra.weight; {
		case w > 0:
			c.Weight = w
		case w == 0:
			note(ra.weightAt, fmt.Sprintf("%s (%s): weight 0 (shown but not scored) is imported as weight 1", where, typ))
		default:
			note(ra.weightAt, fmt.Sprintf("%s (%s): weight %v is not imported (weights are > 0)", where, typ, w))
		}
	}
	if pn, ok := ra.provider.(node); ok && pn.v != nil {
		id := providerID(pn)
		if target, ok := im.graderEndpoint(pn, id, fmt.Sprintf("%s (%s)", where, typ), note); ok {
			c.Provider = target
		} else if target, why := im.checkTarget(pn, id); target != "" {
			c.Provider = target
			if pn.isMap() && len(pn.keys()) > 1 {
				note(pn, fmt.Sprintf("%s (%s): only the provider's id is imported, not its options", where, typ))
			}
		} else {
			fallback := "whet's default judge"
			if base == "similar" {
				fallback = "whet's default embedding target"
			}
			note(pn, fmt.Sprintf("%s (%s): grader provider %q is not supported by whet%s: the check uses %s", where, typ, id, why, fallback))
		}
	}
	if what, _ := valueTemplateProblem(c.Value); what != "" {
		im.issue(ra.at, fmt.Sprintf("%s (%s) is not imported: value: %s; %s keeps its other checks", where, typ, what, owner))
		return prompt.Check{}, false, nil
	}
	if im.validate != nil {
		err := im.validate(c)
		if err != nil && c.Threshold != nil && strings.Contains(err.Error(), "takes no threshold") {
			// promptfoo grades a pass/fail assert (contains, equals,
			// regex, …) without looking at its threshold: the check is
			// kept, without it.
			nt := c
			nt.Threshold = nil
			if im.validate(nt) == nil {
				note(ra.at, fmt.Sprintf("%s (%s): threshold %v is not imported: promptfoo ignores it, as %s passes or fails outright", where, typ, *c.Threshold, typ))
				c, err = nt, nil
			}
		}
		if err != nil && ra.badThreshold != "" && c.Threshold == nil && strings.Contains(err.Error(), "needs a threshold") {
			// The threshold is there, as text no number reads.
			why := ""
			if strings.Contains(ra.badThreshold, "{{") {
				why = " (promptfoo fills no variables into a threshold: it compares with the text as written, so the check fails there)"
			}
			im.issue(ra.at, fmt.Sprintf("%s (%s) is not imported: threshold %q is not a number%s; %s keeps its other checks", where, typ, ra.badThreshold, why, owner))
			return prompt.Check{}, false, nil
		}
		if err != nil {
			im.issue(ra.at, fmt.Sprintf("%s (%s) is not imported: %v; %s keeps its other checks", where, typ, err, owner))
			return prompt.Check{}, false, nil
		}
	}
	for _, n := range notes {
		im.issue(n.at, n.what)
	}
	for _, k := range ra.extra {
		if k.what == "transform" {
			im.issue(k.at, fmt.Sprintf("%s (%s): transform is not imported (whet runs no JavaScript): the check grades the output as the model gave it", where, typ))
			continue
		}
		im.issueOften(k.at, fmt.Sprintf("%s (%s)", where, typ), k.what+" is not imported")
	}
	return c, true, nil
}

// numericText is a number written as text, as JavaScript's comparisons
// read one.
var numericText = regexp.MustCompile(`^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$`)

// jsNumber reads a number, or text that is one ("0.8"), as promptfoo's
// comparisons (similarity >= threshold) read a threshold written in quotes.
func jsNumber(v any) (float64, bool) {
	if s, ok := v.(string); ok {
		s = strings.TrimSpace(s)
		if !numericText.MatchString(s) {
			return 0, false
		}
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil && !math.IsInf(f, 0)
	}
	return number(v)
}

// valueTemplateProblem is templateProblem of the first string in a check's
// value (a string, or one in a list or mapping) that whet's templates
// cannot express.
func valueTemplateProblem(v any) (what, construct string) {
	switch x := v.(type) {
	case string:
		if strings.Contains(x, "{{") || strings.Contains(x, "{%") || strings.Contains(x, "{#") {
			return templateProblem(x)
		}
	case []any:
		for _, e := range x {
			if what, c := valueTemplateProblem(e); what != "" {
				return what, c
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if what, c := valueTemplateProblem(x[k]); what != "" {
				return what, c
			}
		}
	}
	return "", ""
}

// assertFromExpected reads an __expected value as promptfoo does: a
// "type: value" or "type(threshold): value" prefix, the legacy
// javascript:/fn:/eval:/grade:/python: forms, file:// scripts, else an
// equals check of the whole text.
func assertFromExpected(s string) rawAssert {
	for _, p := range []string{"javascript:", "fn:", "eval:"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rawAssert{typ: "javascript", value: strings.TrimSpace(rest)}
		}
	}
	for _, p := range []string{"grade:", "llm-rubric:"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rawAssert{typ: "llm-rubric", value: strings.TrimSpace(rest)}
		}
	}
	if rest, ok := strings.CutPrefix(s, "python:"); ok {
		return rawAssert{typ: "python", value: strings.TrimSpace(rest)}
	}
	if rest, ok := strings.CutPrefix(s, "file://"); ok && codeFileRe.MatchString(rest) {
		typ := "javascript"
		if strings.Contains(strings.ToLower(rest), ".py") {
			typ = "python"
		}
		return rawAssert{typ: typ, value: rest}
	}
	m := expectedRe.FindStringSubmatch(s)
	if m == nil {
		return rawAssert{typ: "equals", value: s}
	}
	typ, value := m[2], strings.TrimSpace(m[4])
	ra := rawAssert{typ: m[1] + typ, value: value}
	switch typ {
	case "contains-all", "contains-any", "icontains-all", "icontains-any":
		// Kept as the comma-separated text: the check splits it as promptfoo
		// does, a double-quoted item holding commas.
		ra.value = value
	case "word-count":
		if f, err := strconv.ParseFloat(value, 64); err == nil {
			ra.value = f
		}
	}
	if m[4] == "" && !strings.Contains(s, ":") {
		ra.value = nil
	}
	if thresholdTypes[typ] {
		// promptfoo gives these types the written threshold, else 0.75
		// (similar 0.8).
		t := defaultCSVThreshold
		if typ == "similar" {
			t = defaultSimilarThreshold
		}
		if f, err := strconv.ParseFloat(m[3], 64); err == nil {
			t = f
		}
		ra.threshold = csvThreshold(typ, t)
	}
	return ra
}

// defaultCSVThreshold is the threshold promptfoo gives an __expected
// assert of a threshold type written without one.
const defaultCSVThreshold = 0.75

// csvThreshold is a CSV assert's threshold as whet's check takes it: none
// for starts-with (promptfoo ignores it), whole edits for levenshtein (a
// distance d <= t exactly when d <= floor(t)).
func csvThreshold(typ string, t float64) *float64 {
	switch strings.TrimPrefix(typ, "not-") {
	case "starts-with":
		return nil
	case "levenshtein":
		t = math.Floor(t)
	}
	return &t
}

// testsCSV imports a CSV test file in promptfoo's layout: a header of
// variable names, __expected… columns of asserts, __description,
// __threshold and __metric; one test per row.
func (im *importer) testsCSV(path string, data []byte, def defaults) error {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if strings.EqualFold(filepath.Ext(path), ".tsv") || (bytes.Contains(first, []byte("\t")) && !bytes.Contains(first, []byte(","))) {
		r.Comma = '\t'
	}
	header, err := r.Read()
	if err == io.EOF {
		return &prompt.FileError{File: path, Line: 1, Msg: "empty tests file: the first row names the variables"}
	}
	if err != nil {
		return csvError(path, err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	for row := 1; ; row++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return csvError(path, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			row--
			continue
		}
		if len(rec) != len(header) {
			return &prompt.FileError{File: path, Line: line, Msg: fmt.Sprintf("row has %d fields, the header has %d", len(rec), len(header))}
		}
		at := node{d: &doc{file: path, lines: map[string]int{"": line}}}
		where := fmt.Sprintf("row %d", row)
		vars := map[string]any{}
		type colAssert struct {
			col string
			ra  rawAssert
		}
		var (
			asserts   []colAssert
			desc      string
			metric    string
			threshold *float64
			configs   = map[int]float64{} // __config thresholds by assert index
		)
		for i, h := range header {
			v := rec[i]
			switch {
			case strings.HasPrefix(h, "__expected"):
				if v = strings.TrimSpace(v); v != "" {
					ra := assertFromExpected(v)
					ra.at = at
					asserts = append(asserts, colAssert{h, ra})
				}
			case strings.HasPrefix(h, "__config:"):
				if strings.TrimSpace(v) != "" {
					im.csvConfig(at, where, h, v, configs)
				}
			case h == "__description":
				desc = strings.TrimSpace(v)
			case h == "__metric":
				metric = strings.TrimSpace(v)
			case h == "__threshold":
				if t := strings.TrimSpace(v); t != "" {
					var num any = t
					if f, err := strconv.ParseFloat(t, 64); err == nil {
						num = f
					}
					threshold = im.mark(node{d: at.d, v: num}, where)
				}
			case h == "__prefix", h == "__suffix", h == "__providerOutput", strings.HasPrefix(h, "__metadata"):
				if strings.TrimSpace(v) != "" {
					im.issueOften(at, where, fmt.Sprintf("column %s is not imported", h))
				}
			default:
				vars[h] = v
			}
		}
		if desc != "" {
			where = fmt.Sprintf("%s (%q)", where, shorten(desc))
		}
		var checks []prompt.Check
		for i, ca := range asserts {
			ca.ra.metric = metric
			if t, ok := configs[i]; ok {
				ca.ra.threshold = csvThreshold(ca.ra.typ, t)
			}
			c, ok, err := im.check(ca.ra, where+": "+ca.col, "the case")
			if err != nil {
				return err
			}
			if ok {
				checks = append(checks, c)
			}
		}
		if err := im.addCases(at, node{d: at.d, v: vars}, where, desc, checks, threshold, graders{}, def); err != nil {
			return err
		}
	}
	return nil
}

// csvConfig reads a __config:__expected:threshold or
// __config:__expected<N>:threshold column: the threshold of the row's first
// or Nth assert (counting the __expected cells that are not empty), as
// promptfoo applies it.
func (im *importer) csvConfig(at node, where, col, v string, configs map[int]float64) {
	target, key, ok := strings.Cut(strings.TrimPrefix(col, "__config:"), ":")
	index := -1
	if target == "__expected" {
		index = 0
	} else if n, err := strconv.Atoi(strings.TrimPrefix(target, "__expected")); err == nil && n > 0 && strings.HasPrefix(target, "__expected") {
		index = n - 1
	}
	if !ok || index < 0 || key != "threshold" {
		im.issue(at, fmt.Sprintf("%s: column %s is not imported: promptfoo takes __config:__expected:threshold or __config:__expected<N>:threshold", where, col))
		return
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		im.issue(at, fmt.Sprintf("%s: column %s: %q is not a number: not imported", where, col, v))
		return
	}
	configs[index] = f
}

// trimFinalNewline drops the newline that ends a text file.
func trimFinalNewline(s string) string {
	return strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r")
}

func csvError(path string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &prompt.FileError{File: path, Line: pe.Line, Col: pe.Column, Msg: pe.Err.Error()}
	}
	return &prompt.FileError{File: path, Msg: err.Error()}
}

// maxScenarioDepth bounds scenario files naming scenario files.
const maxScenarioDepth = 4

// scenarios imports promptfoo's scenarios: each test of a scenario once
// per entry of its config, the entry's vars under the test's (over
// defaultTest's) and its asserts before the test's, as promptfoo expands
// them. A scenario without tests is one case per config entry. Scenarios
// may be listed inline or in file:// YAML or JSON files.
func (im *importer) scenarios(n node, def defaults, depth int) error {
	var items []node
	switch {
	case n.v == nil:
		return nil
	case n.items() != nil:
		items = n.items()
	case n.isMap():
		items = []node{n}
	default:
		if _, ok := n.str(); !ok {
			im.issue(n, "scenarios is not a list of scenarios: not imported")
			return nil
		}
		items = []node{n}
	}
	for i, sc := range items {
		if s, ok := sc.str(); ok {
			ref, isFile := strings.CutPrefix(strings.TrimSpace(s), "file://")
			if isFile && isGlob(ref) && depth < maxScenarioDepth {
				refs, _ := im.expand(sc, "scenarios", ref)
				for _, r := range refs {
					if err := im.scenarios(node{d: sc.d, path: sc.path, v: "file://" + r}, def, depth+1); err != nil {
						return err
					}
				}
				continue
			}
			ext := strings.ToLower(filepath.Ext(ref))
			if !isFile || (ext != ".yaml" && ext != ".yml" && ext != ".json") || depth >= maxScenarioDepth {
				im.issue(sc, fmt.Sprintf("scenarios %s are not imported: whet reads scenarios inline or from file:// YAML and JSON files", s))
				continue
			}
			loaded, err := im.loadData(sc, "scenarios", ref)
			if err != nil {
				return err
			}
			if err := im.scenarios(loaded, def, depth+1); err != nil {
				return err
			}
			continue
		}
		if err := im.scenario(sc, fmt.Sprintf("scenario %d", i+1), def); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) scenario(n node, where string, def defaults) error {
	if !n.isMap() {
		im.issue(n, where+" is not a mapping with config and tests: not imported")
		return nil
	}
	for _, k := range n.keys() {
		switch k {
		case "config", "tests", "description":
		default:
			kn, _ := n.key(k)
			im.issue(kn, fmt.Sprintf("%s: %s is not imported", where, k))
		}
	}
	cfg, _ := n.key("config")
	entries := cfg.items()
	if entries == nil {
		im.issue(n, where+" has no config list of vars: not imported")
		return nil
	}
	tests, _ := n.key("tests")
	testItems := tests.items()
	if tests.v != nil && testItems == nil {
		im.issue(tests, where+": tests is not a list of tests: not imported")
		return nil
	}
	for ci, entry := range entries {
		w := fmt.Sprintf("%s, config %d", where, ci+1)
		if !entry.isMap() {
			im.issue(entry, w+" is not a mapping of vars and asserts: not imported")
			continue
		}
		d := def
		d.scenarioVars, d.scenarioChecks, d.scenarioDesc = node{}, nil, ""
		skip := false
		for _, k := range entry.keys() {
			kn, _ := entry.key(k)
			switch k {
			case "vars":
				if kn.v != nil && !kn.isMap() {
					im.issue(kn, w+": vars is not a mapping: not imported")
					skip = true
					continue
				}
				d.scenarioVars = kn
			case "assert":
				checks, err := im.asserts(kn, w, "the case")
				if err != nil {
					return err
				}
				d.scenarioChecks = checks
			case "description":
				d.scenarioDesc = strings.TrimSpace(text(kn.v))
			case "$values", "$expand":
				im.issue(kn, fmt.Sprintf("%s: %s %s is not imported: list the config entries inline", w, k, text(kn.v)))
				skip = true
			default:
				im.issue(kn, fmt.Sprintf("%s: %s is not imported", w, k))
			}
		}
		if skip {
			continue
		}
		if len(testItems) == 0 {
			if err := im.addCases(entry, node{}, w, d.scenarioDesc, d.scenarioChecks, nil, graders{}, d); err != nil {
				return err
			}
			continue
		}
		for ti, t := range testItems {
			if err := im.testCase(t, fmt.Sprintf("%s, test %d", w, ti+1), d); err != nil {
				return err
			}
		}
	}
	return nil
}
