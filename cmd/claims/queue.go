package main

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/x12claims/claims/pipeline"
)

func newQueueCmd(s *streams, g *globals) *cobra.Command {
	var status, source, payer, assignee, claim string
	var limit int
	cmd := &cobra.Command{
		Use:   "queue",
		Short: "List the work queue: what needs a person, oldest first",
		Long: `queue lists the work items: held and rejected claims, denials, unapplied and
unbalanced payments, failed uploads and unreadable or stray response files.
Each item says why, in words, with the code beside it, and what to do.

An item closes by itself when its cause is gone (the corrected claim is
accepted, the batch is uploaded, the payment is applied); "queue resolve"
closes one by hand, with a note.`,
		Example: `  claims queue
  claims queue --source 277ca --payer 60054
  claims queue --status all --json
  claims queue assign 17 ana
  claims queue resolve 17 --note "payer confirmed by phone: duplicate, no action"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := pipeline.WorkFilter{Source: pipeline.WorkSource(source), PayerID: payer, Assignee: assignee, Limit: limit}
			switch status {
			case "open", "closed":
				f.Status = pipeline.WorkStatus(status)
			case "all":
			default:
				return fmt.Errorf("--status %q: open, closed or all", status)
			}
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				var err error
				if claim != "" {
					if f.ClaimID, err = a.pipe.ResolveClaim(ctx, claim); err != nil {
						return explain(err)
					}
				}
				items, err := a.pipe.Queue(ctx, f)
				if err != nil {
					return explain(err)
				}
				if items == nil {
					items = []*pipeline.WorkItem{}
				}
				return g.print(s, struct {
					Items []*pipeline.WorkItem `json:"items"`
				}{items}, func() { writeQueue(s, items) })
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&status, "status", "open", "open, closed or all")
	fl.StringVar(&source, "source", "", "only items from this source: intake, scrubber, ta1, 999, 277ca, 835_denial, unmatched, out_of_balance, transport, inbound, overdue, cob")
	fl.StringVar(&payer, "payer", "", "only items about this payer ID")
	fl.StringVar(&assignee, "assignee", "", "only items assigned to this user")
	fl.StringVar(&claim, "claim", "", "only items about this claim (ID or CLM01)")
	fl.IntVar(&limit, "limit", 0, "at most this many items (0: all)")
	cmd.AddCommand(newQueueShowCmd(s, g), newQueueAssignCmd(s, g), newQueueResolveCmd(s, g))
	return cmd
}

func writeQueue(s *streams, items []*pipeline.WorkItem) {
	s, flush := safeStreams(s) // summaries can hold file content
	defer flush()
	if len(items) == 0 {
		fmt.Fprintln(s.out, "The work queue is empty.")
		return
	}
	t := newTable(s.out, "ITEM", "OPENED", "STATUS", "SOURCE", "CODE", "CLAIM", "PAYER", "ASSIGNEE", "WHAT")
	groups := map[string]int{}
	for _, w := range items {
		t.row(strconv.FormatInt(w.ID, 10), when(w.CreatedAt), string(w.Status), string(w.Source), clip(w.Code, 18),
			id(w.ClaimID), w.PayerID, w.Assignee, clip(w.Summary, 100))
		groups[string(w.Source)+" / "+w.Category]++
	}
	t.flush()
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(s.out, "\n%d item(s) by cause:\n", len(items))
	for _, k := range keys {
		fmt.Fprintf(s.out, "  %-50s %d\n", k, groups[k])
	}
}

func newQueueShowCmd(s *streams, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "show ITEM",
		Short:   "Show one work item with all its reasons",
		Example: "  claims queue show 17",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := parseID("item", args[0])
			if err != nil {
				return err
			}
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				w, err := a.pipe.Item(ctx, n)
				if err != nil {
					return explain(err)
				}
				return g.print(s, w, func() { writeItem(s, w) })
			})
		},
	}
}

func writeItem(s *streams, w *pipeline.WorkItem) {
	s, flush := safeStreams(s) // summaries and reasons can hold file content
	defer flush()
	fmt.Fprintf(s.out, "Work item %d (%s) — %s\n%s\n", w.ID, w.Source, w.Status, w.Summary)
	fmt.Fprintf(s.out, "Opened %s", when(w.CreatedAt))
	if w.Assignee != "" {
		fmt.Fprintf(s.out, ", assigned to %s", w.Assignee)
	}
	if w.Status == pipeline.WorkClosed {
		fmt.Fprintf(s.out, "; closed %s by %s: %s", when(w.ClosedAt), w.ClosedBy, w.Note)
	}
	fmt.Fprintln(s.out)
	if len(w.Reasons) > 0 {
		fmt.Fprintln(s.out, "Reasons:")
		printProblems(s.out, w.Reasons)
	}
}

func newQueueAssignCmd(s *streams, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "assign ITEM USER",
		Short:   "Assign an open work item to a user (\"\" unassigns it)",
		Example: "  claims queue assign 17 ana",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := parseID("item", args[0])
			if err != nil {
				return err
			}
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				w, err := a.pipe.AssignItem(ctx, n, args[1], g.user)
				if err != nil {
					return explain(err)
				}
				return g.print(s, w, func() { fmt.Fprintf(s.out, "work item %d assigned to %q\n", w.ID, w.Assignee) })
			})
		},
	}
}

func newQueueResolveCmd(s *streams, g *globals) *cobra.Command {
	var note string
	cmd := &cobra.Command{
		Use:   "resolve ITEM --note TEXT",
		Short: "Close a work item by hand, saying what was done",
		Long: `resolve closes an open work item whose cause the pipeline cannot see go away
(a payer's answer by phone, a stray file). Items about claims are also closed
by the pipeline itself when the cause is gone; resolving one does not change
the claim.`,
		Example: `  claims queue resolve 17 --note "duplicate of claim 12, no action"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := parseID("item", args[0])
			if err != nil {
				return err
			}
			return g.withApp(cmd, s, func(ctx context.Context, a *app) error {
				w, err := a.pipe.ResolveItem(ctx, n, note, g.user)
				if err != nil {
					return explain(err)
				}
				return g.print(s, w, func() { fmt.Fprintf(s.out, "work item %d closed by %s\n", w.ID, w.ClosedBy) })
			})
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "what was done (required)")
	return cmd
}
