// Package promptfoo reads a promptfoo configuration (promptfooconfig.yaml,
// in the shapes promptfoo documents) into whet's domain: prompts, targets,
// hints for provider entries of whet's config, and one suite of cases and
// checks. What whet cannot bring in is listed, by file and line, never
// silently dropped. The package is pure: files are read (and globs
// listed) through the functions the caller passes, nothing is stored,
// nothing is run.
package promptfoo

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"whet/prompt"
)

// Result is what an import found.
type Result struct {
	// Prompts are the prompts to create: name, messages, params (from the
	// providers' and the prompt's config) and sample variable values (the
	// first case binding each variable).
	Prompts []prompt.File
	// Targets are whet target specs, one per usable provider, in order.
	Targets []string
	// Providers are endpoints the targets need that whet's config must
	// define (an OpenAI-compatible apiBaseUrl), to be confirmed by the user.
	Providers []ProviderHint
	// Aliases are targets whose model promptfoo reads from the environment
	// ("openai:chat:{{ env.MODEL }}"): whet's config names them, and
	// expands the ${VAR} in them when it reads itself.
	Aliases []AliasHint
	// Suite holds the tests as cases and defaultTest's asserts as
	// suite-level checks. Suite.Prompt is set when there is one prompt.
	Suite prompt.Suite
	// Unsupported lists what was not imported (or not as it was), sorted by
	// file and line.
	Unsupported []Issue
	// Repeat and Jobs are evaluateOptions.repeat and maxConcurrency, for
	// whet run's --repeat and -j; 0 when not set.
	Repeat, Jobs int
	// Outputs are the files of outputPath that whet run -o writes in the
	// same kind (JSON, CSV, Markdown, JUnit XML as promptfoo's
	// *.junit.xml), as written.
	Outputs []string
}

// ProviderHint is a provider entry whet's config needs for a target: a
// named endpoint of Type ("openai" for any OpenAI-compatible server,
// "anthropic", or "azure" for Azure OpenAI) at BaseURL. APIKeyEnv names the environment variable of the
// key when the config named one (apiKeyEnvar); keys themselves are never
// imported.
type ProviderHint struct {
	Name      string
	Type      string
	BaseURL   string
	APIKeyEnv string
	// APIVersion is an azure provider's api_version.
	APIVersion string
}

// AliasHint is an alias whet's config needs: Name stands for Target, a
// target spec with ${VAR} in it.
type AliasHint struct {
	Name, Target string
}

// Issue is something whet could not bring in, where it is written.
type Issue struct {
	File string
	Line int
	Col  int // 1-based, in bytes; 0 when the issue is the line's
	What string
}

func (i Issue) String() string {
	if i.Line > 0 && i.Col > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", i.File, i.Line, i.Col, i.What)
	}
	if i.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", i.File, i.Line, i.What)
	}
	return i.File + ": " + i.What
}

// maxCases bounds the cases array-valued vars may expand into.
const maxCases = 10000

// importer holds one import's state.
type importer struct {
	cfgFile string
	dir     string
	read    func(string) ([]byte, error)
	base    string // the slug prompts and the suite are named after

	res   Result
	names map[string]bool // prompt names taken, lower case
	// azureEnvNoted is set once the Azure endpoint from the environment
	// has been reported.
	azureEnvNoted bool

	// Params the providers agree on, applied to every prompt.
	params prompt.Params
	// promptParams are each prompt's own config, by index into res.Prompts.
	promptParams map[int]prompt.Params
	// grader is defaultTest.options.provider as targets, for model-graded
	// and similar checks that name none.
	grader graders
	// validate, when set, vets each check; one it rejects is reported and
	// left out.
	validate func(prompt.Check) error
	// glob lists the files a pattern matches; nil when globs are refused.
	glob func(string) ([]string, error)
	// root is the config; refTops are its top-level keys a $ref named.
	root    node
	refTops map[string]bool
	// stored are the names tests store their output as (storeOutputAs).
	stored map[string]bool
	// generate are the Ollama providers promptfoo calls through
	// /api/generate, with a prompt's text rather than its messages.
	generate []generateProvider
	echoAt   *node // the first provider that is echo
	// often gathers issues alike in many places, by file and text, in
	// oftenOrder.
	often      map[string]*oftenIssue
	oftenOrder []string
	// env is the config's env block, by name, in envOrder.
	env      map[string]*envEntry
	envOrder []string
}

// Options are an import's optional capabilities.
type Options struct {
	// Validate, when set, vets each check: a check whet could not run as
	// written (a JavaScript regex, a cost check without a threshold) is
	// reported in Result.Unsupported and left out.
	Validate func(prompt.Check) error
	// Glob, when set, lists the files a pattern matches, as paths readFile
	// takes, with promptfoo's glob syntax (GlobMatch). It lets file://
	// globs of prompts, tests, vars and scenarios import every file they
	// match, in lexical order; without it such globs are reported.
	Glob func(pattern string) ([]string, error)
}

// Import reads the promptfoo config at path and the files it refers to
// (file:// paths, relative to the config's directory), all through
// readFile. It returns an error, naming the file and line, when the config
// or a file it refers to cannot be read or parsed; anything readable that
// whet does not support is reported in Result.Unsupported instead.
func Import(path string, readFile func(string) ([]byte, error)) (Result, error) {
	return ImportWith(path, readFile, nil)
}

// ImportWith is Import that also passes every check to validate (when not
// nil): a check whet could not run as written (a JavaScript regex, a cost
// check without a threshold) is reported in Result.Unsupported and left
// out, and the rest of the config is still imported.
func ImportWith(path string, readFile func(string) ([]byte, error), validate func(prompt.Check) error) (Result, error) {
	return ImportOptions(path, readFile, Options{Validate: validate})
}

// ImportOptions is Import with opts.
func ImportOptions(path string, readFile func(string) ([]byte, error), opts Options) (Result, error) {
	validate := opts.Validate
	switch strings.ToLower(filepath.Ext(path)) {
	case ".js", ".cjs", ".mjs", ".ts", ".cts", ".mts":
		// promptfoo runs such a config as code; read as YAML it would
		// fail on the first line of JavaScript.
		return Result{}, &prompt.FileError{File: path, Msg: "a JavaScript or TypeScript config is code, and whet runs none: write it as promptfooconfig.yaml (or .json) and import that"}
	}
	data, err := readFile(path)
	if err != nil {
		return Result{}, fmt.Errorf("promptfoo config %s: %w", path, err)
	}
	im := &importer{
		cfgFile:      path,
		dir:          filepath.Dir(path),
		read:         readFile,
		base:         baseName(path),
		names:        map[string]bool{},
		promptParams: map[int]prompt.Params{},
		validate:     validate,
		glob:         opts.Glob,
	}
	var root node
	if strings.EqualFold(filepath.Ext(path), ".json") {
		root, err = parseJSON(path, data)
	} else {
		root, err = parseYAML(path, data)
	}
	if err != nil {
		return Result{}, err
	}
	if !root.isMap() {
		return Result{}, &prompt.FileError{File: path, Line: root.line(), Msg: "a promptfoo config is a mapping with prompts, providers and tests"}
	}
	if !slices.ContainsFunc(root.keys(), func(k string) bool { return runKeys[k] }) {
		// Some other tool's file: promptfoo finds nothing to run in it
		// either, and whet would otherwise save its default {{prompt}}.
		return Result{}, &prompt.FileError{File: path, Line: root.line(), Msg: fmt.Sprintf("no prompts, providers, tests or scenarios, only %s: nothing promptfoo would run, so nothing is imported", strings.Join(root.keys(), ", "))}
	}
	im.root = root
	if err := im.run(root); err != nil {
		return Result{}, err
	}
	sort.SliceStable(im.res.Unsupported, func(i, j int) bool {
		a, b := im.res.Unsupported[i], im.res.Unsupported[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return im.res, nil
}

// ignoredKeys are top-level keys about promptfoo's own output; they mean
// nothing to whet and are skipped without an issue.
var ignoredKeys = map[string]bool{
	"sharing": true, "writeLatestResults": true, "tags": true, "metadata": true, "$schema": true,
}

// runKeys are the top-level keys of which a promptfoo config that runs
// anything has at least one.
var runKeys = map[string]bool{"prompts": true, "providers": true, "targets": true, "tests": true, "scenarios": true, "defaultTest": true}

// configKeys are the top-level keys of promptfoo's config schema
// (UnifiedConfigSchema) that the import does not read itself; any other
// key promptfoo drops as it parses the config, so it never takes effect.
var configKeys = map[string]bool{
	"nunjucksFilters": true, "derivedMetrics": true, "extensions": true, "redteam": true,
	"commandLineOptions": true, "tracing": true,
}

// testKeys are the fields of promptfoo's TestCaseSchema; promptfoo drops
// any other as it parses a test, so it never takes effect.
var testKeys = map[string]bool{
	"description": true, "vars": true, "provider": true, "providerOutput": true, "assert": true,
	"assertScoringFunction": true, "options": true, "threshold": true, "metadata": true,
}

// configKeyHints and testKeyHints name what a key that promptfoo ignores
// was likely meant to be.
var (
	configKeyHints = map[string]string{"assert": "defaultTest.assert", "asserts": "defaultTest.assert", "vars": "defaultTest.vars", "test": "tests", "prompt": "prompts", "provider": "providers", "scenario": "scenarios"}
	testKeyHints   = map[string]string{"asserts": "assert", "assertions": "assert", "expected": "assert", "var": "vars", "variables": "vars", "name": "description"}
)

// didYouMean is " (did you mean X?)" for a key hints knows, else "".
func didYouMean(k string, hints map[string]string) string {
	if h, ok := hints[k]; ok {
		return fmt.Sprintf(" (did you mean %s?)", h)
	}
	return ""
}

func (im *importer) run(root node) error {
	var unknown []string
	for _, k := range root.keys() {
		switch k {
		case "description", "prompts", "providers", "targets", "tests", "defaultTest", "scenarios":
		case "evaluateOptions":
			n, _ := root.key(k)
			im.evaluateOptions(n)
		case "outputPath":
			n, _ := root.key(k)
			im.outputPath(n)
		case "env":
			// Read before the providers, whose endpoints and keys it gives.
			n, _ := root.key(k)
			im.readEnv(n)
		default:
			// x-… keys hold YAML anchors (x-chunk-config: &cfg) that the
			// config uses by alias: what they hold is imported there.
			if !ignoredKeys[k] && !strings.HasPrefix(k, "x-") {
				unknown = append(unknown, k)
			}
		}
	}
	if n, ok := root.key("description"); ok {
		im.res.Suite.Description = strings.TrimSpace(text(n.v))
	}
	im.res.Suite.Name = im.base

	provs, ok := root.key("providers")
	if t, tok := root.key("targets"); tok {
		if ok {
			im.issue(t, "both providers and targets are set: targets is ignored")
		} else {
			provs, ok = t, true
		}
	}
	if ok {
		if err := im.providers(provs); err != nil {
			return err
		}
	}
	prompts, ok := root.key("prompts")
	if ok && prompts.v != nil {
		if err := im.prompts(prompts); err != nil {
			return err
		}
	} else {
		// promptfoo's documented default: the test's {{prompt}} variable.
		im.addPrompt(prompts, "prompt", "", []prompt.Message{{Role: prompt.RoleUser, Content: "{{prompt}}"}}, nil)
	}
	def := defaults{}
	if n, ok := root.key("defaultTest"); ok {
		var err error
		if def, err = im.defaultTest(n); err != nil {
			return err
		}
	}
	tests, _ := root.key("tests")
	if err := im.tests(tests, def); err != nil {
		return err
	}
	scenarios, hasScenarios := root.key("scenarios")
	if hasScenarios {
		if err := im.scenarios(scenarios, def, 0); err != nil {
			return err
		}
	}
	if len(im.res.Suite.Cases) == 0 && def.vars.v != nil && !hasScenarios {
		// promptfoo runs a config without tests once, with defaultTest's vars.
		if err := im.addCases(def.vars, def.vars, "defaultTest", "", nil, nil, graders{}, defaults{}); err != nil {
			return err
		}
	}
	for _, k := range unknown {
		// A key a $ref took things from (assertionTemplates) was imported
		// where it was used.
		if !im.refTops[k] {
			n, _ := root.key(k)
			if configKeys[k] {
				im.issue(n, fmt.Sprintf("%s is not imported: whet has no equivalent", k))
			} else {
				im.issue(n, fmt.Sprintf("%s is not imported: it is no key of a promptfoo config, and promptfoo ignores it too%s", k, didYouMean(k, configKeyHints)))
			}
		}
	}
	im.reportEnv()
	im.reportOften()
	im.noteGenerate()
	im.noteEcho()
	im.finish()
	return nil
}

// maxRefHops bounds a chain of $refs.
const maxRefHops = 10

// deref resolves a local JSON reference, {$ref: "#/path/to/x"}, to the
// node of the config it names, as promptfoo dereferences its config (its
// assertionTemplates). Other nodes are returned as they are; ok is false,
// and the reason reported, when the reference cannot be resolved.
func (im *importer) deref(n node, where string) (node, bool) {
	for hop := 0; ; hop++ {
		m, isMap := n.v.(map[string]any)
		ref, has := m["$ref"].(string)
		if !isMap || !has {
			return n, true
		}
		fail := func(why string) (node, bool) {
			im.issue(n, fmt.Sprintf("%s: $ref %s is not imported: %s", where, ref, why))
			return n, false
		}
		switch {
		case hop >= maxRefHops:
			return fail("too many references in a row")
		case !strings.HasPrefix(ref, "#/"):
			return fail("whet resolves references within the config (#/…) only")
		case n.d != im.root.d:
			return fail("whet resolves references in the config file only")
		}
		for _, k := range n.keys() {
			if k != "$ref" {
				kn, _ := n.key(k)
				im.issue(kn, fmt.Sprintf("%s: %s beside $ref %s is not imported: the reference is taken as it is", where, k, ref))
			}
		}
		cur := im.root
		for i, seg := range strings.Split(ref[2:], "/") {
			seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
			if i == 0 {
				if im.refTops == nil {
					im.refTops = map[string]bool{}
				}
				im.refTops[seg] = true
			}
			if c, ok := cur.key(seg); ok {
				cur = c
				continue
			}
			items := cur.items()
			idx, err := strconv.Atoi(seg)
			if err != nil || idx < 0 || idx >= len(items) {
				return fail("the config has nothing there")
			}
			cur = items[idx]
		}
		n = cur
	}
}

// generateProvider is an Ollama provider of promptfoo's completion kind.
type generateProvider struct {
	id, model string
	at        node
}

// noteGenerate reports the Ollama completion providers when a prompt is a
// chat: promptfoo sends such a provider the chat's JSON text as one
// prompt, where whet sends the messages, as promptfoo's ollama:chat: does.
func (im *importer) noteGenerate() {
	var chats []string
	for _, p := range im.res.Prompts {
		if len(p.Messages) > 1 || len(p.Messages) == 1 && p.Messages[0].Role != prompt.RoleUser {
			chats = append(chats, p.Name)
		}
	}
	if len(chats) == 0 {
		return
	}
	for _, g := range im.generate {
		im.issue(g.at, fmt.Sprintf("provider %s: promptfoo calls it through Ollama's /api/generate with a prompt's text, so it is sent a chat prompt (%s) as that chat's JSON text; whet sends the messages, as promptfoo's ollama:chat:%s does",
			g.id, strings.Join(chats, ", "), g.model))
	}
}

// echoSensitive are the checks whose verdict the "user: " before whet's
// echo answer can change.
var echoSensitive = map[string]bool{
	"equals": true, "starts-with": true, "is-json": true, "is-xml": true, "regex": true,
	"levenshtein": true, "word-count": true, "similar": true,
}

// noteEcho reports an echo provider when the suite has a check that grades
// the whole answer or its start: promptfoo's echo answers with the
// rendered prompt alone, whet's with each message as "role: content".
func (im *importer) noteEcho() {
	if im.echoAt == nil {
		return
	}
	var types []string
	seen := map[string]bool{}
	add := func(cs []prompt.Check) {
		for _, c := range cs {
			t := strings.TrimPrefix(c.Type, "not-")
			if echoSensitive[t] && !seen[t] {
				seen[t] = true
				types = append(types, t)
			}
		}
	}
	add(im.res.Suite.Checks)
	for _, c := range im.res.Suite.Cases {
		add(c.Checks)
	}
	if len(types) == 0 {
		return
	}
	sort.Strings(types)
	im.issue(*im.echoAt, fmt.Sprintf(`provider echo: whet's echo answers with each message as "role: content" ("user: " before a one-message prompt's text), where promptfoo's answers with the prompt's text alone, so a check on the whole answer or its start (%s here) can grade it differently`, strings.Join(types, ", ")))
}

// finish applies params to the prompts, gives each prompt the sample
// values of its variables, and ties a lone prompt to the suite.
func (im *importer) finish() {
	for i := range im.res.Prompts {
		f := &im.res.Prompts[i]
		p := im.params.Clone()
		if own, ok := im.promptParams[i]; ok {
			mergeParams(&p, own)
		}
		f.Params = p
		for _, v := range prompt.MessagesVariables(f.Messages) {
			for _, c := range im.res.Suite.Cases {
				if val, ok := c.Vars[v]; ok {
					if f.Vars == nil {
						f.Vars = map[string]string{}
					}
					f.Vars[v] = val
					break
				}
			}
		}
	}
	if im.grader != (graders{}) {
		setGrader(im.res.Suite.Checks, im.grader)
		for i := range im.res.Suite.Cases {
			setGrader(im.res.Suite.Cases[i].Checks, im.grader)
		}
	}
	if len(im.res.Prompts) == 1 {
		im.res.Suite.Prompt = im.res.Prompts[0].Name
	}
}

// graders are the targets options.provider names: text for the
// model-graded checks, embedding for similar.
type graders struct {
	text, embedding string
}

// takes returns the grader g has for a check of type t ("" for none).
func (g graders) takes(t string) string {
	base := strings.TrimPrefix(t, "not-")
	switch {
	case gradedTypes[base]:
		return g.text
	case base == "similar":
		return g.embedding
	}
	return ""
}

// setGrader gives model-graded and similar checks without a provider
// g's grader for their kind.
func setGrader(cs []prompt.Check, g graders) {
	for i := range cs {
		if cs[i].Provider == "" {
			cs[i].Provider = g.takes(cs[i].Type)
		}
	}
}

// issue records something not imported, located at n.
func (im *importer) issue(n node, what string) {
	file := n.file()
	if file == "" {
		file = im.cfgFile
	}
	im.res.Unsupported = append(im.res.Unsupported, Issue{File: file, Line: n.line(), What: what})
}

// issueOften reports what about where at n once for all the places of a
// file it holds for (each test's metadata, each row's __metadata column):
// at the first, with how many more there are, when reportOften runs.
func (im *importer) issueOften(n node, where, what string) {
	file := n.file()
	if file == "" {
		file = im.cfgFile
	}
	key := file + "\x00" + what
	if o, ok := im.often[key]; ok {
		o.more++
		return
	}
	if im.often == nil {
		im.often = map[string]*oftenIssue{}
	}
	im.often[key] = &oftenIssue{at: n, where: where, what: what}
	im.oftenOrder = append(im.oftenOrder, key)
}

// oftenIssue is an issue issueOften gathers.
type oftenIssue struct {
	at          node
	where, what string
	more        int
}

// reportOften reports what issueOften gathered.
func (im *importer) reportOften() {
	for _, key := range im.oftenOrder {
		o := im.often[key]
		where := o.where
		if o.more > 0 {
			where += fmt.Sprintf(" (and %d more in %s)", o.more, filepath.Base(o.at.file()))
		}
		im.issue(o.at, where+": "+o.what)
	}
	im.often, im.oftenOrder = nil, nil
}

func (im *importer) issueAt(file string, line int, what string) {
	im.res.Unsupported = append(im.res.Unsupported, Issue{File: file, Line: line, What: what})
}

// errAt is an error about the file at n.
func errAt(n node, format string, args ...any) error {
	return &prompt.FileError{File: n.file(), Line: n.line(), Msg: fmt.Sprintf(format, args...)}
}

// resolve turns a file:// path into the path readFile takes: relative
// paths are relative to the config's directory, as promptfoo reads them.
func (im *importer) resolve(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(im.dir, filepath.FromSlash(p))
}

// readRef reads the file a file:// reference at n names.
func (im *importer) readRef(n node, what, ref string) (string, []byte, error) {
	p := im.resolve(ref)
	data, err := im.read(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && braceRe.MatchString(ref) {
			return p, nil, errAt(n, "%s file://%s: %v ({a,b} alternatives are not supported: list each file, or use a * glob)", what, ref, err)
		}
		return p, nil, errAt(n, "%s file://%s: %v", what, ref, err)
	}
	return p, data, nil
}

// braceRe finds a shell-style {a,b} alternative in a file:// reference,
// which promptfoo's globs expand and whet's do not.
var braceRe = regexp.MustCompile(`\{[^{}]*,[^{}]*\}`)

// isGlob reports whether a file:// reference is a glob pattern.
func isGlob(ref string) bool { return strings.ContainsAny(ref, "*?[") }

// expand returns the references a glob reference at n matches, relative
// to the config's directory as readRef takes them, sorted; ok is false
// (and the reason reported) when there are none to import.
func (im *importer) expand(n node, what, ref string) (refs []string, ok bool) {
	if im.glob == nil {
		im.issue(n, fmt.Sprintf("%s file://%s: not imported: globs are not read here; list the files", what, ref))
		return nil, false
	}
	paths, err := im.glob(im.resolve(ref))
	if err != nil {
		im.issue(n, fmt.Sprintf("%s file://%s: not imported: %v", what, ref, err))
		return nil, false
	}
	for _, p := range paths {
		r := p
		if !filepath.IsAbs(ref) {
			if rel, err := filepath.Rel(im.dir, p); err == nil {
				r = filepath.ToSlash(rel)
			}
		}
		if isGlob(r) {
			im.issue(n, fmt.Sprintf("%s file://%s: %s is not imported: its name holds glob characters", what, ref, r))
			continue
		}
		refs = append(refs, r)
	}
	sort.Strings(refs)
	if len(refs) == 0 && len(paths) == 0 {
		im.issue(n, fmt.Sprintf("%s file://%s matches no file: nothing imported", what, ref))
	}
	return refs, len(refs) > 0
}

// GlobMatch reports whether name matches a glob pattern as promptfoo
// writes them: path.Match per '/'-separated segment, and a "**" segment
// for any number of directories. {a,b} alternatives are not supported.
func GlobMatch(pattern, name string) bool {
	return globSegments(strings.Split(filepath.ToSlash(pattern), "/"), strings.Split(filepath.ToSlash(name), "/"))
}

func globSegments(pat, name []string) bool {
	if len(pat) == 0 {
		return len(name) == 0
	}
	if pat[0] == "**" {
		return globSegments(pat[1:], name) || (len(name) > 0 && globSegments(pat, name[1:]))
	}
	if len(name) == 0 {
		return false
	}
	ok, err := path.Match(pat[0], name[0])
	return ok && err == nil && globSegments(pat[1:], name[1:])
}

var slugRe = regexp.MustCompile(`[^a-z0-9._-]+`)

// slug makes s a name segment: lower case letters, digits, '.', '_', '-',
// starting and ending with a letter or digit; "" when nothing is left.
func slug(s string) string {
	s = slugRe.ReplaceAllString(strings.ToLower(strings.TrimSpace(s)), "-")
	s = strings.Trim(s, "-._")
	if len(s) > 60 {
		s = strings.Trim(s[:60], "-._")
	}
	return s
}

// baseName names the suite and the prompts' folder: the config's
// directory for promptfooconfig.*, else the file's own name.
func baseName(path string) string {
	file := filepath.Base(path)
	stem := strings.TrimSuffix(file, filepath.Ext(file))
	name := stem
	if strings.EqualFold(stem, "promptfooconfig") {
		if abs, err := filepath.Abs(path); err == nil {
			name = filepath.Base(filepath.Dir(abs))
		}
	}
	if s := slug(name); s != "" {
		return s
	}
	if s := slug(stem); s != "" {
		return s
	}
	return "promptfoo"
}

// promptName returns a name under the base folder that no other imported
// prompt has (ignoring case).
func (im *importer) promptName(hint string) string {
	seg := slug(hint)
	if seg == "" {
		seg = "prompt"
	}
	name := im.base + "/" + seg
	for i := 2; im.names[strings.ToLower(name)] || prompt.ValidateName(name) != nil; i++ {
		name = fmt.Sprintf("%s/%s-%d", im.base, seg, i)
		if i > 10000 {
			break
		}
	}
	im.names[strings.ToLower(name)] = true
	return name
}

// addPrompt adds a prompt named after hint; params are its own config.
func (im *importer) addPrompt(at node, hint, label string, msgs []prompt.Message, own *prompt.Params) {
	f := prompt.File{Name: im.promptName(hint), Description: label, Messages: prompt.NormalizeMessages(msgs)}
	im.res.Prompts = append(im.res.Prompts, f)
	if own != nil && !own.IsZero() {
		im.promptParams[len(im.res.Prompts)-1] = *own
	}
}

// mergeParams sets in p every parameter set in over.
func mergeParams(p *prompt.Params, over prompt.Params) {
	if over.Temperature != nil {
		p.Temperature = over.Temperature
	}
	if over.TopP != nil {
		p.TopP = over.TopP
	}
	if over.MaxTokens != nil {
		p.MaxTokens = over.MaxTokens
	}
	if over.Seed != nil {
		p.Seed = over.Seed
	}
	if over.Stop != nil {
		p.Stop = append([]string(nil), over.Stop...)
	}
	for k, v := range over.Extra {
		if p.Extra == nil {
			p.Extra = map[string]any{}
		}
		p.Extra[k] = v
	}
}

// evaluateOptions reads repeat and maxConcurrency (whet run's --repeat and
// -j, in the run line) and reports the other options.
// outputPath keeps the files promptfoo writes its results to that whet
// run -o writes as the same kind of file (its own JSON, CSV, Markdown;
// JUnit XML where promptfoo writes it, *.junit.xml), and reports the
// others: HTML, YAML, text, and a plain .xml, which is promptfoo's own
// XML where whet would write JUnit.
func (im *importer) outputPath(n node) {
	items := []node{n}
	if l := n.items(); l != nil {
		items = l
	}
	for _, it := range items {
		p, ok := it.str()
		lp := strings.ToLower(p)
		switch {
		case !ok || strings.TrimSpace(p) == "":
			im.issue(it, "outputPath "+text(it.v)+" is not imported: want a file name")
		case strings.HasSuffix(lp, ".junit.xml") || strings.HasSuffix(lp, ".json") || strings.HasSuffix(lp, ".csv") || strings.HasSuffix(lp, ".md"):
			im.res.Outputs = append(im.res.Outputs, p)
		case strings.HasSuffix(lp, ".xml"):
			im.issue(it, "outputPath "+p+" is not imported: it is promptfoo's own XML, and whet writes JUnit XML to a .xml file (name it "+strings.TrimSuffix(p, p[len(p)-4:])+".junit.xml for a CI system's test report)")
		default:
			im.issue(it, "outputPath "+p+" is not imported: whet run -o writes .json, .csv, .md or .xml (JUnit)")
		}
	}
}

func (im *importer) evaluateOptions(n node) {
	if !n.isMap() {
		im.issue(n, "evaluateOptions is not a mapping: not imported")
		return
	}
	for _, k := range n.keys() {
		kn, _ := n.key(k)
		dst, flag := &im.res.Repeat, "--repeat"
		switch k {
		case "repeat":
		case "maxConcurrency":
			dst, flag = &im.res.Jobs, "-j"
		case "showProgressBar":
			continue
		default:
			im.issue(kn, fmt.Sprintf("evaluateOptions.%s is not imported: whet has no equivalent", k))
			continue
		}
		v, ok := kn.v.(uint64)
		if i, isInt := kn.v.(int64); isInt && i > 0 {
			v, ok = uint64(i), true
		}
		if !ok || v == 0 || v > 10000 {
			im.issue(kn, fmt.Sprintf("evaluateOptions.%s %s is not imported: want a whole number from 1 to 10000 (whet run %s)", k, text(kn.v), flag))
			continue
		}
		*dst = int(v)
	}
}
