package cli

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"whet/prompt"
	"whet/store"
)

// Shell completion ('whet completion bash|zsh|fish|powershell') completes
// what the library holds: prompt names and refs (name@tag, name@N), run
// ids, suite names and targets (compare's A and B: the run's versions and
// targets). It reads the database only when it exists
// with this whet's schema: pressing tab never creates or upgrades one.

// completion is what an argument or flag completes to.
type completion int

const (
	compNone   completion = iota
	compRef               // a version: name, name@tag, name@N
	compName              // a prompt name
	compRun               // a run id
	compSuite             // a suite name
	compTarget            // targets, comma-separated
	compSide              // a version or a target of the run named by the first argument
)

// argCompletion names, per command path, what each positional argument
// completes to; the last entry repeats for further arguments.
var argCompletion = map[string][]completion{
	"whet run":            {compRef},
	"whet prompt show":    {compRef, compNone},
	"whet prompt diff":    {compRef, compRef, compNone},
	"whet prompt tag":     {compRef, compNone},
	"whet prompt export":  {compRef},
	"whet prompt edit":    {compName, compNone},
	"whet prompt log":     {compName, compNone},
	"whet prompt label":   {compName, compNone},
	"whet prompt archive": {compName, compNone},
	"whet prompt rename":  {compName, compNone},
	"whet audit":          {compName, compNone},
	"whet runs show":      {compRun, compNone},
	"whet export":         {compRun, compNone},
	"whet drift":          {compRun, compNone},
	"whet compare":        {compRun, compSide, compSide, compNone},
	"whet suite show":     {compSuite, compNone},
	"whet suite export":   {compSuite, compNone},
	"whet suite rename":   {compSuite, compNone},
	"whet suite delete":   {compSuite, compNone},
}

// flagCompletion names, per command path and flag, what the flag's value
// completes to.
var flagCompletion = map[string]map[string]completion{
	"whet run":          {"model": compTarget, "suite": compSuite, "resume": compRun, "shadow-price": compTarget, "gate": compRef},
	"whet drift":        {"against": compRun},
	"whet runs prune":   {"keep": compRun},
	"whet compare":      {"version": compRef, "target": compTarget},
	"whet runs":         {"prompt": compName},
	"whet suite new":    {"prompt": compName},
	"whet suite import": {"prompt": compName},
	"whet suite list":   {"prompt": compName},
}

// formatCompletion lists the --format values of each command that has one.
var formatCompletion = map[string][]string{
	"whet run":          {"table", "md", "json", "csv", "junit"},
	"whet runs show":    {"table", "md", "json", "csv", "junit"},
	"whet export":       {"md", "json", "csv", "junit"},
	"whet compare":      {"md", "json", "csv"},
	"whet drift":        {"table", "md", "json", "junit"},
	"whet suite export": {"yaml", "csv", "jsonl"},
	"whet prompt list":  {"table", "md", "json"},
}

// addCompletions wires argCompletion, flagCompletion and formatCompletion
// into the command tree under root.
func (a *app) addCompletions(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		path := c.CommandPath()
		if kinds, ok := argCompletion[path]; ok {
			c.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
				k := kinds[min(len(args), len(kinds)-1)]
				if k == compSide {
					return a.completeSide(args, toComplete)
				}
				return a.complete(k, toComplete)
			}
		}
		for flag, k := range flagCompletion[path] {
			c.RegisterFlagCompletionFunc(flag, func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
				return a.complete(k, toComplete)
			})
		}
		if formats, ok := formatCompletion[path]; ok {
			c.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// complete lists the candidates of kind k that start with toComplete.
func (a *app) complete(k completion, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	const noFiles = cobra.ShellCompDirectiveNoFileComp
	if k == compNone {
		return nil, noFiles
	}
	if k == compTarget {
		// -m a,b: complete the part after the last comma.
		head := ""
		if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
			head, toComplete = toComplete[:i+1], toComplete[i+1:]
		}
		chosen := strings.Split(head, ",")
		var out []cobra.Completion
		for _, t := range a.completionTargets() {
			if strings.HasPrefix(t, toComplete) && !slices.Contains(chosen, t) {
				out = append(out, head+t)
			}
		}
		return out, noFiles | cobra.ShellCompDirectiveNoSpace
	}
	st := a.completionStore()
	if st == nil {
		return nil, noFiles
	}
	switch k {
	case compRef, compName:
		return a.completeRefs(st, toComplete, k == compRef)
	case compRun:
		runs, err := st.ListRuns(a.ctx, store.RunFilter{Limit: 100, Brief: true})
		if err != nil {
			return nil, noFiles
		}
		var out []cobra.Completion
		for _, r := range runs {
			if strings.HasPrefix(r.Run.ID, toComplete) {
				refs := make([]string, len(r.Run.Versions))
				for i, v := range r.Run.Versions {
					refs[i] = v.Ref()
				}
				desc := fmt.Sprintf("%s %s on %s", r.Run.Status, strings.Join(refs, ","), strings.Join(r.Run.Targets, ","))
				out = append(out, cobra.CompletionWithDesc(r.Run.ID, desc))
			}
		}
		return out, noFiles
	case compSuite:
		suites, err := st.ListSuites(a.ctx, "")
		if err != nil {
			return nil, noFiles
		}
		var out []cobra.Completion
		for _, s := range suites {
			if strings.HasPrefix(s.Name, toComplete) {
				out = append(out, cobra.CompletionWithDesc(s.Name, fmt.Sprintf("%d cases", s.Cases)))
			}
		}
		return out, noFiles
	}
	return nil, noFiles
}

// completeRefs completes prompt names and, with refs, after NAME@ the
// prompt's tags and version numbers (newest first).
func (a *app) completeRefs(st *store.Store, toComplete string, refs bool) ([]cobra.Completion, cobra.ShellCompDirective) {
	const noFiles = cobra.ShellCompDirectiveNoFileComp
	prompts, err := st.ListPrompts(a.ctx, store.ListOptions{IncludeArchived: true})
	if err != nil {
		return nil, noFiles
	}
	lower := strings.ToLower(toComplete)
	if name, _, ok := strings.Cut(toComplete, "@"); ok && refs {
		for _, p := range prompts {
			if !strings.EqualFold(p.Name, name) {
				continue
			}
			var out []cobra.Completion
			tags := make([]string, 0, len(p.Tags))
			for t := range p.Tags {
				if prompt.ReservedTag(t) == nil { // an older whet's "latest" tag: @latest is the newest
					tags = append(tags, t)
				}
			}
			slices.Sort(tags)
			for _, t := range tags {
				out = append(out, cobra.CompletionWithDesc(name+"@"+t, "@"+strconv.Itoa(p.Tags[t])))
			}
			out = append(out, cobra.CompletionWithDesc(name+"@"+prompt.LatestSelector, "@"+strconv.Itoa(p.Latest)))
			for n := p.Latest; n >= 1; n-- {
				out = append(out, name+"@"+strconv.Itoa(n))
			}
			return filterPrefix(out, toComplete), noFiles
		}
		return nil, noFiles
	}
	var out []cobra.Completion
	for _, p := range prompts {
		if strings.HasPrefix(strings.ToLower(p.Name), lower) {
			out = append(out, cobra.CompletionWithDesc(p.Name, fmt.Sprintf("@%d", p.Latest)))
		}
	}
	return out, noFiles
}

// completeSide completes compare's A and B: the versions and targets of
// the run args[0] names; for B, those of A's kind other than A.
func (a *app) completeSide(args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	const noFiles = cobra.ShellCompDirectiveNoFileComp
	st := a.completionStore()
	if st == nil || len(args) == 0 {
		return nil, noFiles
	}
	run, err := st.GetRun(a.ctx, args[0])
	if err != nil {
		return nil, noFiles
	}
	versions, targets := true, true
	chosen := ""
	if len(args) > 1 {
		chosen = args[1]
		_, err := runTarget(run, chosen)
		versions, targets = err != nil, err == nil
	}
	var out []cobra.Completion
	if versions {
		for _, v := range run.Versions {
			if !strings.EqualFold(v.Ref(), chosen) {
				out = append(out, cobra.CompletionWithDesc(v.Ref(), "version"))
			}
		}
	}
	if targets {
		for _, t := range run.Targets {
			if t != chosen {
				out = append(out, cobra.CompletionWithDesc(t, "target"))
			}
		}
	}
	return filterPrefix(out, toComplete), noFiles
}

// filterPrefix keeps the completions whose value starts with prefix.
func filterPrefix(cs []cobra.Completion, prefix string) []cobra.Completion {
	var out []cobra.Completion
	for _, c := range cs {
		value, _, _ := strings.Cut(c, "\t")
		if strings.HasPrefix(value, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// completionStore opens the database for completion, or returns nil when
// there is none yet or it has another schema (opening would create or
// upgrade it).
func (a *app) completionStore() *store.Store {
	p, err := a.resolvePaths()
	if err != nil {
		return nil
	}
	if v, err := store.FileSchemaVersion(a.ctx, p.Database); err != nil || v != store.SchemaVersion() {
		return nil
	}
	st, err := a.readStore()
	if err != nil {
		return nil
	}
	return st
}

// completionTargets are the targets -m offers: the config's targets,
// aliases and provider models, echo, and the targets of recent runs. It
// asks no server, so that tab stays instant.
func (a *app) completionTargets() []string {
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if c, err := a.config(); err == nil {
		for _, t := range c.Targets {
			add(t)
		}
		for _, name := range prompt.SortedKeys(c.Aliases) {
			add(name)
		}
		for _, name := range prompt.SortedKeys(c.Providers) {
			for _, m := range c.Providers[name].Models {
				add(name + ":" + m)
			}
		}
	}
	add("echo")
	if st := a.completionStore(); st != nil {
		if runs, err := st.ListRuns(a.ctx, store.RunFilter{Limit: 50, Brief: true}); err == nil {
			for _, r := range runs {
				for _, t := range r.Run.Targets {
					add(t)
				}
			}
		}
	}
	return out
}
