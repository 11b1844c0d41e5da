package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
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
	json    bool
}

// buildResult is what build prints with --json.
type buildResult struct {
	Intake *pipeline.IntakeReport `json:"intake"`
	Build  pipeline.BuildReport   `json:"build"`
	Held   int                    `json:"held"` // at intake and by the builder
	Files  []builtFile            `json:"files"`
}

// builtFile is an 837 file build wrote.
type builtFile struct {
	Path   string `json:"path"`
	Kind   string `json:"kind"` // professional or institutional
	Claims int    `json:"claims"`
	ISA13  string `json:"isa13"`
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
its name. A file holds at most 10,000 claims; the second file of a kind gets
"_2" added, the third "_3", and so on. Encounters are read, recorded and built
in batches, so memory stays the same however many there are: the clean claims
of a batch go into their files as soon as the batch is recorded, while the
next one is read. When reading the encounters fails part way, the files not
yet complete are discarded and their claims stay in the store, ready for the
next build.

Each file is built in the outbox of --dir and then moved to --out (copied
under a temporary name, synced, renamed, and removed from the outbox), also
when something failed. A file an earlier run built but did not deliver (it
was stopped in between) is delivered by the next run, to its --out.

With --json it prints one object: intake (what intake read, held and warned
about, with the reasons), build (files, claims), held (at intake and by the
builder) and files (each file delivered: its path, kind, claims and ISA13).`,
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
			o.dir, o.json = g.dirOr("./claims-build"), g.json
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
	in, rep, err := p.IntakeAndBuild(ctx, src)
	// The files recorded are delivered even when intake or another file
	// failed: their claims are batched, and no build writes them again.
	files, cerr := deliverBuilt(ctx, store, o.out)
	if err := errors.Join(err, cerr); err != nil {
		if !o.json {
			printWritten(s.out, files)
		}
		return err
	}
	if !o.json {
		printIntake(s.out, &in)
	}
	res := buildResult{Intake: &in, Build: rep, Held: in.Held + rep.Held, Files: files}
	if o.json {
		if err := writeJSON(s, res); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(s.out, "%d encounter(s) read: %d built into %d file(s), %d held, %d already built before\n",
			in.Read, rep.Claims, rep.Files, res.Held, in.Unchanged)
		printWritten(s.out, res.Files)
	}
	if in.Held+rep.Held > 0 {
		return errAttention // a held encounter needs a person: exit 1
	}
	return nil
}

// deliverBuilt copies the files store records as built that are still in
// the outbox (this run's, and any an earlier run recorded but stopped
// before it copied out) to out (see outName), and then removes each from
// the outbox, which so holds only the files not yet delivered. It returns
// those it copied, in the order built. A crash between a copy and its
// removal delivers that file again, to the next run's --out: a file is
// never lost.
func deliverBuilt(ctx context.Context, store pipeline.Store, out string) ([]builtFile, error) {
	built, err := builtBatches(ctx, store)
	if err != nil {
		return nil, err
	}
	var pending []*pipeline.Batch
	kinds := map[x837.Kind]int{}
	for _, b := range built {
		switch _, err := os.Stat(b.LocalPath); {
		case err == nil:
			pending = append(pending, b)
			kinds[b.Kind]++
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("built file %s: %w", b.FileName, err)
		}
	}
	files := []builtFile{}
	nth := map[x837.Kind]int{}
	for _, b := range pending {
		nth[b.Kind]++
		dst := outName(out, b.Kind, len(kinds) > 1, nth[b.Kind])
		if err := copyFile(b.LocalPath, dst); err != nil {
			return files, err
		}
		files = append(files, builtFile{Path: dst, Kind: string(b.Kind), Claims: claimsIn(b), ISA13: b.ISA13})
		if err := os.Remove(b.LocalPath); err != nil {
			return files, fmt.Errorf("built file %s, delivered to %s: %w", b.FileName, dst, err)
		}
	}
	return files, nil
}

func printWritten(w io.Writer, files []builtFile) {
	for _, f := range files {
		fmt.Fprintf(w, "wrote %s (%d claims, ISA13 %s)\n", f.Path, f.Claims, f.ISA13)
	}
}

// outName is where the nth file of a kind goes: --out, with "_837I"
// added for institutional claims when both kinds were built, and "_<n>"
// from the second file of a kind on (a file holds at most
// pipeline.DefaultMaxClaimsPerFile claims).
func outName(out string, kind x837.Kind, bothKinds bool, n int) string {
	ext := filepath.Ext(out)
	base := strings.TrimSuffix(out, ext)
	if kind == x837.Institutional && bothKinds {
		base += "_837I"
	}
	if n > 1 {
		base += "_" + strconv.Itoa(n)
	}
	return base + ext
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
	if err := writeAtomic(dst, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	}); err != nil {
		return fmt.Errorf("write %s: %w", dst, err)
	}
	return nil
}
