package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"whet/prompt"
)

// ActionSuite is the audit action of a suite created or replaced. The
// audit row belongs to the suite's prompt (none for a shared suite); its
// Before and After read "suite NAME: N cases, M checks".
const ActionSuite = "suite"

// SuiteSummary is one row of ListSuites.
type SuiteSummary struct {
	Name        string
	Description string
	Prompt      string // the prompt the suite belongs to; "" = shared
	Cases       int
	Checks      int // suite-level and per-case checks together
	Graded      int // cases graded by their expected output: one and no checks of their own
	Updated     time.Time
}

// ChecksText is what a list of suites shows for s's checks: their count,
// and the cases their expected outputs grade as "N exp", so that "0" does
// not read as ungraded ("3", "3 exp", "2+3 exp").
func (s SuiteSummary) ChecksText() string {
	switch {
	case s.Graded == 0:
		return strconv.Itoa(s.Checks)
	case s.Checks == 0:
		return strconv.Itoa(s.Graded) + " exp"
	}
	return strconv.Itoa(s.Checks) + "+" + strconv.Itoa(s.Graded) + " exp"
}

// checkConfig is a check as stored in checks.config: everything but its
// type, which has its own column.
type checkConfig struct {
	Value     any      `json:"value,omitempty"`
	Weight    float64  `json:"weight,omitempty"`
	Threshold *float64 `json:"threshold,omitempty"`
	Metric    string   `json:"metric,omitempty"`
	Provider  string   `json:"provider,omitempty"`
}

// validateSuite checks what the store relies on: a valid name, pass marks
// in [0,1], checks with a type, a finite non-negative weight and a value
// that encodes as JSON. Which check types exist is the evaluator's
// business, not the store's.
func validateSuite(su prompt.Suite) error {
	if err := prompt.ValidateName(su.Name); err != nil {
		return fmt.Errorf("invalid suite name %q: %s", su.Name, prompt.NameRule)
	}
	if err := validMark(su.Threshold); err != nil {
		return fmt.Errorf("suite %q: threshold %w", su.Name, err)
	}
	for i, c := range su.Checks {
		if err := validCheck(c); err != nil {
			return fmt.Errorf("suite %q: check %d: %w", su.Name, i+1, err)
		}
	}
	for i, cs := range su.Cases {
		if err := validMark(cs.Threshold); err != nil {
			return fmt.Errorf("suite %q: %s: threshold %w", su.Name, cs.Label(i), err)
		}
		for j, c := range cs.Checks {
			if err := validCheck(c); err != nil {
				return fmt.Errorf("suite %q: %s: check %d: %w", su.Name, cs.Label(i), j+1, err)
			}
		}
	}
	return nil
}

func validMark(t *float64) error {
	if t != nil && !(*t >= 0 && *t <= 1) {
		return fmt.Errorf("%v is outside 0..1", *t)
	}
	return nil
}

func validCheck(c prompt.Check) error {
	if strings.TrimSpace(c.Type) == "" {
		return errors.New("no type (e.g. contains, llm-rubric)")
	}
	if math.IsNaN(c.Weight) || math.IsInf(c.Weight, 0) || c.Weight < 0 {
		return fmt.Errorf("%s: weight %v is not a number >= 0", c.Type, c.Weight)
	}
	if c.Threshold != nil && (math.IsNaN(*c.Threshold) || math.IsInf(*c.Threshold, 0)) {
		return fmt.Errorf("%s: threshold %v is not a number", c.Type, *c.Threshold)
	}
	if _, err := json.Marshal(c.Value); err != nil {
		return fmt.Errorf("%s: value cannot be stored: %v", c.Type, err)
	}
	return nil
}

func checkJSON(c prompt.Check) (string, error) {
	b, err := json.Marshal(checkConfig{Value: c.Value, Weight: c.Weight, Threshold: c.Threshold, Metric: c.Metric, Provider: c.Provider})
	return string(b), err
}

func nullFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func suiteAuditValue(su prompt.Suite) string {
	cases, checks := fmt.Sprintf("%d cases", len(su.Cases)), fmt.Sprintf("%d checks", su.CheckCount())
	if len(su.Cases) == 1 {
		cases = "1 case"
	}
	if su.CheckCount() == 1 {
		checks = "1 check"
	}
	return fmt.Sprintf("suite %s: %s, %s", su.Name, cases, checks)
}

// suitePrompt resolves the suite's prompt; the zero head for a shared suite.
func suitePrompt(ctx context.Context, q querier, name string) (promptHead, error) {
	if strings.TrimSpace(name) == "" {
		return promptHead{}, nil
	}
	return lookupPrompt(ctx, q, strings.TrimSpace(name))
}

// CreateSuite stores a new suite with its cases (in order), suite-level
// and per-case checks and thresholds, and writes an ActionSuite audit row.
// The name must pass prompt.ValidateName and be unused ignoring case (else
// an error wrapping ErrExists); Prompt, when set, must name an existing
// prompt (else a *NotFoundError). It returns the suite as GetSuite will.
func (s *Store) CreateSuite(ctx context.Context, su prompt.Suite, author string) (prompt.Suite, error) {
	var out prompt.Suite
	err := s.Update(ctx, func(tx *Tx) (err error) {
		out, err = tx.CreateSuite(ctx, su, author)
		return err
	})
	return out, err
}

// CreateSuite is Store.CreateSuite inside tx.
func (tx *Tx) CreateSuite(ctx context.Context, su prompt.Suite, author string) (prompt.Suite, error) {
	su.Name = strings.TrimSpace(su.Name)
	if err := validateSuite(su); err != nil {
		return prompt.Suite{}, err
	}
	if err := tx.nameFree(ctx, "suite", su.Name, 0); err != nil {
		return prompt.Suite{}, err
	}
	p, err := suitePrompt(ctx, tx.tx, su.Prompt)
	if err != nil {
		return prompt.Suite{}, err
	}
	var pid any
	if p.id != 0 {
		pid = p.id
	}
	var id int64
	err = tx.tx.QueryRowContext(ctx,
		`INSERT INTO suites (name, description, prompt_id, threshold, created, updated) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		su.Name, su.Description, pid, nullFloat(su.Threshold), ms(tx.now), ms(tx.now)).Scan(&id)
	if err != nil {
		return prompt.Suite{}, fmt.Errorf("suite %q: %w", su.Name, err)
	}
	if err := tx.insertSuiteBody(ctx, id, su); err != nil {
		return prompt.Suite{}, fmt.Errorf("suite %q: %w", su.Name, err)
	}
	if err := tx.audit(ctx, author, ActionSuite, p, "", suiteAuditValue(su), "created"); err != nil {
		return prompt.Suite{}, err
	}
	return getSuite(ctx, tx.tx, su.Name)
}

// nameTakenSQL finds a prompt or suite by name (the columns ignore case),
// other than the row with id ?.
var nameTakenSQL = map[string]string{
	"prompt": `SELECT name FROM prompts WHERE name = ? AND id != ?`,
	"suite":  `SELECT name FROM suites WHERE name = ? AND id != ?`,
}

// nameFree reports, as an error wrapping ErrExists, a prompt or suite
// (kind) other than the one with id except that already has name
// (ignoring case).
func (tx *Tx) nameFree(ctx context.Context, kind, name string, except int64) error {
	var existing string
	err := tx.tx.QueryRowContext(ctx, nameTakenSQL[kind], name, except).Scan(&existing)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	case existing == name:
		return wrap(ErrExists, "%s %q already exists", kind, existing)
	}
	return wrap(ErrExists, "%s %q already exists as %q (names ignore case)", kind, name, existing)
}

// insertSuiteBody writes the suite's checks and cases with theirs.
func (tx *Tx) insertSuiteBody(ctx context.Context, suiteID int64, su prompt.Suite) error {
	insertCheck := func(caseID any, pos int, c prompt.Check) error {
		cfg, err := checkJSON(c)
		if err != nil {
			return err
		}
		_, err = tx.tx.ExecContext(ctx,
			`INSERT INTO checks (suite_id, case_id, position, type, config) VALUES (?, ?, ?, ?, ?)`,
			suiteID, caseID, pos, strings.TrimSpace(c.Type), cfg)
		return err
	}
	for i, c := range su.Checks {
		if err := insertCheck(nil, i, c); err != nil {
			return fmt.Errorf("check %d: %w", i+1, err)
		}
	}
	for i, cs := range su.Cases {
		vars := cs.Vars
		if vars == nil {
			vars = map[string]string{}
		}
		vb, err := json.Marshal(vars)
		if err != nil {
			return fmt.Errorf("%s: vars: %w", cs.Label(i), err)
		}
		var caseID int64
		err = tx.tx.QueryRowContext(ctx,
			`INSERT INTO suite_cases (suite_id, position, name, description, vars, expected, threshold)
			 VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			suiteID, i, cs.Name, cs.Description, string(vb), cs.Expected, nullFloat(cs.Threshold)).Scan(&caseID)
		if err != nil {
			return fmt.Errorf("%s: %w", cs.Label(i), err)
		}
		for j, c := range cs.Checks {
			if err := insertCheck(caseID, j, c); err != nil {
				return fmt.Errorf("%s: check %d: %w", cs.Label(i), j+1, err)
			}
		}
	}
	return nil
}

// ReplaceSuite replaces an existing suite's description, prompt,
// threshold, cases and checks with su's (the suite is found by su.Name,
// ignoring case, and takes su.Name's spelling). Runs keep their own copy of
// the cases, so no history is lost. A suite identical to su is left alone:
// no write, no audit row. An unknown name gives a *NotFoundError of Kind
// "suite". It returns the suite as GetSuite will.
func (s *Store) ReplaceSuite(ctx context.Context, su prompt.Suite, author string) (prompt.Suite, error) {
	var out prompt.Suite
	err := s.Update(ctx, func(tx *Tx) (err error) {
		out, err = tx.ReplaceSuite(ctx, su, author)
		return err
	})
	return out, err
}

// ReplaceSuite is Store.ReplaceSuite inside tx.
func (tx *Tx) ReplaceSuite(ctx context.Context, su prompt.Suite, author string) (prompt.Suite, error) {
	su.Name = strings.TrimSpace(su.Name)
	if err := validateSuite(su); err != nil {
		return prompt.Suite{}, err
	}
	old, err := getSuite(ctx, tx.tx, su.Name)
	if err != nil {
		return prompt.Suite{}, err
	}
	p, err := suitePrompt(ctx, tx.tx, su.Prompt)
	if err != nil {
		return prompt.Suite{}, err
	}
	su.Prompt = p.name
	if same, err := sameSuite(old, su); err != nil {
		return prompt.Suite{}, err
	} else if same {
		return old, nil
	}
	var pid any
	if p.id != 0 {
		pid = p.id
	}
	if _, err := tx.tx.ExecContext(ctx,
		`UPDATE suites SET name = ?, description = ?, prompt_id = ?, threshold = ?, updated = ? WHERE id = ?`,
		su.Name, su.Description, pid, nullFloat(su.Threshold), ms(tx.now), old.ID); err != nil {
		return prompt.Suite{}, fmt.Errorf("suite %q: %w", su.Name, err)
	}
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM checks WHERE suite_id = ?`, old.ID); err != nil {
		return prompt.Suite{}, err
	}
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM suite_cases WHERE suite_id = ?`, old.ID); err != nil {
		return prompt.Suite{}, err
	}
	if err := tx.insertSuiteBody(ctx, old.ID, su); err != nil {
		return prompt.Suite{}, fmt.Errorf("suite %q: %w", su.Name, err)
	}
	// The row goes to the prompt the suite now belongs to, else the one it
	// belonged to, so each prompt's log shows its suites changing.
	ap := p
	if ap.id == 0 {
		ap = tx.suiteAuditPrompt(ctx, old.Prompt)
	}
	if err := tx.audit(ctx, author, ActionSuite, ap, suiteAuditValue(old), suiteAuditValue(su), "replaced"); err != nil {
		return prompt.Suite{}, err
	}
	return getSuite(ctx, tx.tx, su.Name)
}

// SameSuite reports whether su holds what the stored suite old holds, as
// ReplaceSuite compares them (its Prompt as stored: the prompt's exact
// name): importing su again would change nothing.
func SameSuite(old, su prompt.Suite) (bool, error) { return sameSuite(old, su) }

// sameSuite compares what ReplaceSuite would write, as stored: values that
// differ only by their Go type (int vs float64, []string vs []any) are
// the same once encoded.
func sameSuite(old, su prompt.Suite) (bool, error) {
	type content struct {
		Name, Description, Prompt string
		Threshold                 *float64
		Cases                     []prompt.Case
		Checks                    []prompt.Check
	}
	canon := func(x prompt.Suite) (string, error) {
		cases := make([]prompt.Case, len(x.Cases))
		for i, c := range x.Cases {
			cases[i] = c
			if cases[i].Vars == nil {
				cases[i].Vars = map[string]string{}
			}
			if len(c.Checks) == 0 {
				cases[i].Checks = nil
			}
		}
		checks := x.Checks
		if len(checks) == 0 {
			checks = nil
		}
		b, err := json.Marshal(content{x.Name, x.Description, x.Prompt, x.Threshold, cases, checks})
		return string(b), err
	}
	a, err := canon(old)
	if err != nil {
		return false, err
	}
	b, err := canon(su)
	if err != nil {
		return false, err
	}
	return a == b, nil
}

// GetSuite returns the named suite (ignoring case) with its cases in
// order, checks and thresholds. Check values come back as JSON decodes
// them (string, float64, bool, []any, map[string]any); case Vars are
// never nil. An unknown name gives a *NotFoundError of Kind "suite"
// suggesting the nearest existing suite.
func (s *Store) GetSuite(ctx context.Context, name string) (prompt.Suite, error) {
	return getSuite(ctx, s.r, name)
}

// GetSuite is Store.GetSuite inside tx.
func (tx *Tx) GetSuite(ctx context.Context, name string) (prompt.Suite, error) {
	return getSuite(ctx, tx.tx, name)
}

func getSuite(ctx context.Context, q querier, name string) (prompt.Suite, error) {
	name = strings.TrimSpace(name)
	var (
		su               prompt.Suite
		threshold        sql.NullFloat64
		created, updated int64
	)
	err := q.QueryRowContext(ctx, `
		SELECT s.id, s.name, s.description, COALESCE(p.name, ''), s.threshold, s.created, s.updated
		FROM suites s LEFT JOIN prompts p ON p.id = s.prompt_id WHERE s.name = ?`, name).
		Scan(&su.ID, &su.Name, &su.Description, &su.Prompt, &threshold, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return prompt.Suite{}, suiteNotFound(ctx, q, name)
	}
	if err != nil {
		return prompt.Suite{}, err
	}
	su.Created, su.Updated = fromMS(created), fromMS(updated)
	if threshold.Valid {
		su.Threshold = &threshold.Float64
	}

	rows, err := q.QueryContext(ctx,
		`SELECT id, name, description, vars, expected, threshold FROM suite_cases WHERE suite_id = ? ORDER BY position`, su.ID)
	if err != nil {
		return prompt.Suite{}, err
	}
	caseIndex := map[int64]int{}
	for rows.Next() {
		var (
			id   int64
			c    prompt.Case
			vars string
			th   sql.NullFloat64
		)
		if err := rows.Scan(&id, &c.Name, &c.Description, &vars, &c.Expected, &th); err != nil {
			rows.Close()
			return prompt.Suite{}, err
		}
		c.Vars = map[string]string{}
		if err := json.Unmarshal([]byte(vars), &c.Vars); err != nil {
			rows.Close()
			return prompt.Suite{}, fmt.Errorf("suite %q: case %d: vars: %w", su.Name, len(su.Cases)+1, err)
		}
		if th.Valid {
			v := th.Float64
			c.Threshold = &v
		}
		caseIndex[id] = len(su.Cases)
		su.Cases = append(su.Cases, c)
	}
	if err := rows.Close(); err != nil {
		return prompt.Suite{}, err
	}
	if err := rows.Err(); err != nil {
		return prompt.Suite{}, err
	}

	rows, err = q.QueryContext(ctx,
		`SELECT case_id, type, config FROM checks WHERE suite_id = ? ORDER BY case_id IS NOT NULL, case_id, position`, su.ID)
	if err != nil {
		return prompt.Suite{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			caseID sql.NullInt64
			c      prompt.Check
			cfg    string
			cc     checkConfig
		)
		if err := rows.Scan(&caseID, &c.Type, &cfg); err != nil {
			return prompt.Suite{}, err
		}
		if err := json.Unmarshal([]byte(cfg), &cc); err != nil {
			return prompt.Suite{}, fmt.Errorf("suite %q: check %s: %w", su.Name, c.Type, err)
		}
		c.Value, c.Weight, c.Threshold, c.Metric, c.Provider = cc.Value, cc.Weight, cc.Threshold, cc.Metric, cc.Provider
		if !caseID.Valid {
			su.Checks = append(su.Checks, c)
			continue
		}
		i, ok := caseIndex[caseID.Int64]
		if !ok {
			return prompt.Suite{}, fmt.Errorf("suite %q: a check refers to case id %d of another suite", su.Name, caseID.Int64)
		}
		su.Cases[i].Checks = append(su.Cases[i].Checks, c)
	}
	return su, rows.Err()
}

// suiteNotFound builds the error for an unknown suite name, suggesting
// the nearest existing one.
func suiteNotFound(ctx context.Context, q querier, name string) error {
	return notFoundAmong(ctx, q, "suite", `SELECT name FROM suites`, name)
}

// ListSuites lists suites sorted by name (ignoring case): all of them when
// promptName is "", else those belonging to that prompt (an unknown prompt
// gives a *NotFoundError).
func (s *Store) ListSuites(ctx context.Context, promptName string) ([]SuiteSummary, error) {
	query := `
		SELECT s.name, s.description, COALESCE(p.name, ''), s.updated,
		       (SELECT COUNT(*) FROM suite_cases c WHERE c.suite_id = s.id),
		       (SELECT COUNT(*) FROM checks k WHERE k.suite_id = s.id),
		       (SELECT COUNT(*) FROM suite_cases c WHERE c.suite_id = s.id AND c.expected != ''
		            AND NOT EXISTS (SELECT 1 FROM checks k WHERE k.case_id = c.id))
		FROM suites s LEFT JOIN prompts p ON p.id = s.prompt_id`
	var args []any
	if strings.TrimSpace(promptName) != "" {
		h, err := lookupPrompt(ctx, s.r, strings.TrimSpace(promptName))
		if err != nil {
			return nil, err
		}
		query += ` WHERE s.prompt_id = ?`
		args = append(args, h.id)
	}
	query += ` ORDER BY s.name, s.id`
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SuiteSummary{}
	for rows.Next() {
		var (
			ss      SuiteSummary
			updated int64
		)
		if err := rows.Scan(&ss.Name, &ss.Description, &ss.Prompt, &updated, &ss.Cases, &ss.Checks, &ss.Graded); err != nil {
			return nil, err
		}
		ss.Updated = fromMS(updated)
		out = append(out, ss)
	}
	return out, rows.Err()
}

// RenameSuite gives the suite called from (ignoring case) the name to,
// which must pass prompt.ValidateName and not be another suite's (else an
// error wrapping ErrExists); a change of case alone is allowed. Runs made
// from the suite keep the name they were made with and their own copy of
// its cases. It writes an ActionSuite audit row ("renamed") and returns
// the suite as GetSuite will. An unknown from gives a *NotFoundError.
func (s *Store) RenameSuite(ctx context.Context, from, to, author string) (prompt.Suite, error) {
	var out prompt.Suite
	err := s.Update(ctx, func(tx *Tx) (err error) {
		out, err = tx.RenameSuite(ctx, from, to, author)
		return err
	})
	return out, err
}

// RenameSuite is Store.RenameSuite inside tx.
func (tx *Tx) RenameSuite(ctx context.Context, from, to, author string) (prompt.Suite, error) {
	old, err := getSuite(ctx, tx.tx, from)
	if err != nil {
		return prompt.Suite{}, err
	}
	to = strings.TrimSpace(to)
	if err := prompt.ValidateName(to); err != nil {
		return prompt.Suite{}, fmt.Errorf("invalid suite name %q: %s", to, prompt.NameRule)
	}
	if to == old.Name {
		return old, nil
	}
	if err := tx.nameFree(ctx, "suite", to, old.ID); err != nil {
		return prompt.Suite{}, err
	}
	if _, err := tx.tx.ExecContext(ctx, `UPDATE suites SET name = ?, updated = ? WHERE id = ?`, to, ms(tx.now), old.ID); err != nil {
		return prompt.Suite{}, fmt.Errorf("suite %q: %w", old.Name, err)
	}
	renamed := old
	renamed.Name = to
	if err := tx.audit(ctx, author, ActionSuite, tx.suiteAuditPrompt(ctx, old.Prompt), suiteAuditValue(old), suiteAuditValue(renamed), "renamed"); err != nil {
		return prompt.Suite{}, err
	}
	return getSuite(ctx, tx.tx, to)
}

// DeleteSuite deletes the suite called name (ignoring case) with its
// cases and checks, and returns what was deleted. Runs made from it keep
// their own copy of its cases, so no result is lost; `whet suite export`
// before deleting keeps the suite itself. It writes an ActionSuite audit
// row ("deleted"). An unknown name gives a *NotFoundError.
func (s *Store) DeleteSuite(ctx context.Context, name, author string) (prompt.Suite, error) {
	var out prompt.Suite
	err := s.Update(ctx, func(tx *Tx) error {
		old, err := getSuite(ctx, tx.tx, name)
		if err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM suites WHERE id = ?`, old.ID); err != nil {
			return fmt.Errorf("suite %q: %w", old.Name, err)
		}
		if err := tx.audit(ctx, author, ActionSuite, tx.suiteAuditPrompt(ctx, old.Prompt), suiteAuditValue(old), "", "deleted"); err != nil {
			return err
		}
		out = old
		return nil
	})
	return out, err
}

// suiteAuditPrompt is the prompt a suite's audit row belongs to: the
// suite's own, or none for a shared suite (or one whose prompt is gone).
func (tx *Tx) suiteAuditPrompt(ctx context.Context, name string) promptHead {
	if name == "" {
		return promptHead{}
	}
	h, err := lookupPrompt(ctx, tx.tx, name)
	if err != nil {
		return promptHead{}
	}
	return h
}
