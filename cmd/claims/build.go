package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/x12claims/claims/adapters/encounters"
	"github.com/x12claims/claims/adapters/store/sqlite"
	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12/x837"
)

type buildOptions struct {
	encounters, out, dir string
	// clearinghouse names the configured clearinghouse whose identity
	// the file carries (with --config).
	clearinghouse string
	// partner holds the identity flags; only those given are applied.
	partner pipeline.Partner
}

func newBuildCmd(s *streams, g *globals) *cobra.Command {
	o := buildOptions{}
	cmd := &cobra.Command{
		Use:   "build --encounters FILE --out FILE (--config FILE | identity flags)",
		Short: "Scrub encounters and build 837 files offline, without sending them",
		Long: `build reads encounters (JSON Lines or CSV), scrubs them, and writes the clean
ones as an 837 file. Control numbers (ISA13, GS06, ST02) come from persistent
sequences in the store in --dir, so they are never reused. It prints which
encounters were held back and why, and the warnings of those that were built
(a warning does not hold a claim). It exits 1 when an encounter was held.

The file's identity (the submitter and receiver of loops 1000A/1000B and the
ISA/GS sender and receiver) comes from a configuration's clearinghouse
(--config, with --clearinghouse NAME when it lists several) or from the flags;
a flag overrides the configuration. The sender ID, receiver ID, submitter
name, a submitter phone or email, and the receiver name are required: a
missing one is an error that names its flag and configuration key. Only the
identity is read from the configuration: the store stays in --dir, never the
configuration's, so an offline build does not touch the production store.

Professional and institutional claims go in separate files: when both are
present the institutional file is written beside --out with "_837I" added to
its name.`,
		Example: `  claims build --encounters samples/encounters.jsonl --out /tmp/claims.x12 --config claims.yaml --clearinghouse availity
  claims build --encounters today.csv --out today.x12 --sender-id MYPRACTICE --receiver-id 030240928 \
      --submitter-name "My Practice" --submitter-phone 3035550100 --receiver-name AVAILITY --usage P`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pt, err := buildIdentity(cmd.Flags().Changed, g.config, o)
			if err != nil {
				return err
			}
			o.partner = *pt
			o.dir = g.dirOr("./claims-build")
			return runBuild(cmd.Context(), o, s)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.encounters, "encounters", "", "encounter file (.jsonl or .csv)")
	f.StringVar(&o.out, "out", "", "output 837 file")
	f.StringVar(&o.clearinghouse, "clearinghouse", "", "with --config: the clearinghouse whose identity the file carries")
	f.StringVar(&o.partner.SenderQualifier, "sender-qualifier", "ZZ", "ISA05")
	f.StringVar(&o.partner.SenderID, "sender-id", "", "ISA06, and the submitter ETIN (1000A NM109)")
	f.StringVar(&o.partner.ReceiverQualifier, "receiver-qualifier", "ZZ", "ISA07")
	f.StringVar(&o.partner.ReceiverID, "receiver-id", "", "ISA08, and the receiver ID in loop 1000B")
	f.StringVar(&o.partner.ReceiverName, "receiver-name", "", "receiver name (1000B)")
	f.StringVar(&o.partner.SubmitterName, "submitter-name", "", "submitter name (1000A)")
	f.StringVar(&o.partner.SubmitterContact, "submitter-contact", "", "submitter contact name (1000A PER02)")
	f.StringVar(&o.partner.SubmitterPhone, "submitter-phone", "", "submitter phone, ten digits (1000A PER)")
	f.StringVar(&o.partner.SubmitterEmail, "submitter-email", "", "submitter email (1000A PER)")
	f.StringVar(&o.partner.Usage, "usage", "T", "ISA15: T test or P production")
	cmd.MarkFlagRequired("encounters")
	cmd.MarkFlagRequired("out")
	return cmd
}

func runBuild(ctx context.Context, o buildOptions, s *streams) error {
	done := func() {}
	src, closer, err := encounters.Open(o.encounters, func(r io.Reader, size int64) io.Reader {
		r, done = withProgress(s, "intake "+filepath.Base(o.encounters), r, size)
		return r
	})
	if err != nil {
		return err
	}
	defer closer.Close()
	defer func() { done() }()
	store, err := sqlite.Open(ctx, filepath.Join(o.dir, "claims.db"))
	if err != nil {
		return err
	}
	defer store.Close()
	pt := o.partner
	pt.Name = "offline"
	p, err := pipeline.New(pipeline.Options{Store: store, Partners: []*pipeline.Partner{&pt}, Dir: o.dir})
	if err != nil {
		return err
	}
	in, err := p.Intake(ctx, src)
	if err != nil {
		return err
	}
	printIntake(s.out, &in)
	before, err := builtBatches(ctx, store)
	if err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, b := range before {
		seen[b.ID] = true
	}
	rep, err := p.Build(ctx)
	if err != nil {
		return err
	}
	after, err := builtBatches(ctx, store)
	if err != nil {
		return err
	}
	var fresh []*pipeline.Batch
	for _, b := range after {
		if !seen[b.ID] {
			fresh = append(fresh, b)
		}
	}
	var outs []string
	for _, b := range fresh {
		dst := o.out
		if b.Kind == x837.Institutional && len(fresh) > 1 {
			ext := filepath.Ext(o.out)
			dst = strings.TrimSuffix(o.out, ext) + "_837I" + ext
		}
		if err := copyFile(b.LocalPath, dst); err != nil {
			return err
		}
		outs = append(outs, fmt.Sprintf("%s (%d claims, ISA13 %s)", dst, claimsIn(b), b.ISA13))
	}
	fmt.Fprintf(s.out, "%d encounter(s) read: %d built into %d file(s), %d held, %d already built before\n",
		in.Read, rep.Claims, rep.Files, in.Held+rep.Held, in.Unchanged)
	for _, o := range outs {
		fmt.Fprintln(s.out, "wrote", o)
	}
	if in.Held+rep.Held > 0 {
		return errAttention // a held encounter needs a person: exit 1
	}
	return nil
}

func claimsIn(b *pipeline.Batch) int {
	n := 0
	for _, s := range b.Sets {
		n += s.Claims
	}
	return n
}

// builtBatches returns the batches built and not yet sent, oldest first.
func builtBatches(ctx context.Context, store pipeline.Store) ([]*pipeline.Batch, error) {
	var bs []*pipeline.Batch
	err := store.InTx(ctx, func(tx pipeline.Tx) error {
		var err error
		bs, err = tx.BatchesInState(ctx, pipeline.BatchBuilt)
		return err
	})
	return bs, err
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("write %s: %w", dst, err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
