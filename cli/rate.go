package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"whet/prompt"
	"whet/report"
)

func init() { registerCmd((*app).rateCmd) }

// HumanScore turns a 1–5 rating into a score in [0,1]: 1 → 0, 5 → 1.
func humanScore(rating int) float64 { return float64(rating-1) / 4 }

func (a *app) rateCmd() *cobra.Command {
	var note string
	cmd := &cobra.Command{
		Use:   "rate RESULT_ID RATING",
		Short: "Rate one result: 1-5, or pass/fail, with an optional note (a human score)",
		Long: `Rate one result: 1-5, or pass/fail, with an optional note (a human score).

RESULT_ID is the "id" of a result in 'whet export RUN_ID --format json'; the
TUI's Results screen rates results in place.`,
		Example: `  whet rate 1234 4 --note "correct, a little long"
  whet rate 1234 fail --note "invented a refund policy"`,
		Args: exactArgs(2, "RESULT_ID and RATING (1-5, pass or fail)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id < 1 {
				return usagef("RESULT_ID %q is not a result id (a positive number; see 'whet export RUN --format json')", args[0])
			}
			sc := prompt.Score{ResultID: id, Scorer: "human", Reason: note, Author: a.author()}
			switch r := strings.ToLower(args[1]); r {
			case "pass", "fail":
				pass := r == "pass"
				sc.Pass = &pass
				if pass {
					sc.Value = 1
				}
			default:
				n, err := strconv.Atoi(r)
				if err != nil || n < 1 || n > 5 {
					return usagef("RATING %q: use 1 to 5, pass or fail", args[1])
				}
				sc.Value = humanScore(n)
			}
			st, err := a.store()
			if err != nil {
				return err
			}
			res, err := st.ResultByID(a.ctx, id)
			if err != nil {
				return err
			}
			if err := st.AddScores(a.ctx, []prompt.Score{sc}); err != nil {
				return err
			}
			fmt.Fprintf(a.env.Stdout, "rated result %d (%s, run %s): %s\n", id, res.Target, res.RunID, args[1])
			// Say what the rating replaces in the statistics.
			if scores, err := st.Scores(a.ctx, res.RunID); err == nil {
				if g, ok := report.LatestScores(scores)[id][report.ScorerSuite]; ok {
					verdict := ""
					if g.Pass != nil && sc.Pass == nil {
						verdict = " (its " + map[bool]string{true: "pass", false: "fail"}[*g.Pass] + " stands: a 1-5 rating has no verdict)"
					}
					fmt.Fprintf(a.env.Stdout, "it overrides the suite's grade %s in every statistic%s\n", report.ScoreText(g.Value), verdict)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&note, "note", "m", "", "why: a note kept with the score")
	return cmd
}
