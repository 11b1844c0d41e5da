package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/x12claims/claims/x12/x837"
)

// BuildReport counts what Build did.
type BuildReport struct {
	Files  int `json:"files"`  // 837 files built
	Claims int `json:"claims"` // claims placed in them
	Held   int `json:"held"`   // claims the builder refused (held with the reason)
}

// maxClaimsPerRun bounds how many ready claims one Build takes.
const maxClaimsPerRun = 1 << 20

// Build places every ready claim in an 837 file: one file per
// clearinghouse and kind (and payer, where the clearinghouse wants that),
// each with one interchange. For each file it takes ISA13, GS06 and the
// ST02s from persistent sequences (committed first, so a number is never
// used twice), writes the file to the outbox (temporary name, fsync,
// rename), and then, in one transaction, records the batch, a submission
// per claim (CLM01 with its version suffix, ST02 and segment range) and
// moves the claims to batched. A crash before that commit leaves an
// unreferenced file and unused numbers; the claims stay ready.
func (p *Pipeline) Build(ctx context.Context) (BuildReport, error) {
	var rep BuildReport
	var ready []*Claim
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		ready, err = tx.ClaimsInState(ctx, StateReady, maxClaimsPerRun)
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("build: %w", err)
	}
	var errs []error
	for _, g := range p.groups(ready) {
		if err := p.buildFile(ctx, g, &rep); err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			errs = append(errs, fmt.Errorf("build %s %s file: %w", g.partner.Name, g.kind, err))
		}
	}
	return rep, errors.Join(errs...)
}

// fileGroup is the claims that go in one file.
type fileGroup struct {
	partner *Partner
	kind    x837.Kind
	payerID string
	claims  []*Claim
}

func (p *Pipeline) groups(claims []*Claim) []*fileGroup {
	byKey := map[string]*fileGroup{}
	var out []*fileGroup
	for _, c := range claims {
		pt := p.byName[c.Clearinghouse]
		if pt == nil {
			continue // not configured any more; stays ready
		}
		kind := c.Kind
		if kind == "" {
			kind = x837.Professional
		}
		key := pt.Name + "|" + string(kind)
		payer := ""
		if pt.SplitByPayer {
			payer = c.PayerID
			key += "|" + payer
		}
		g := byKey[key]
		if g == nil {
			g = &fileGroup{partner: pt, kind: kind, payerID: payer}
			byKey[key] = g
			out = append(out, g)
		}
		g.claims = append(g.claims, c)
	}
	for _, g := range out {
		// Claims sharing a billing provider and subscriber share HL
		// loops; sorting keeps the file small.
		slices.SortStableFunc(g.claims, func(a, b *Claim) int {
			if c := strings.Compare(a.Data.BillingProvider.NPI, b.Data.BillingProvider.NPI); c != 0 {
				return c
			}
			if c := strings.Compare(a.Data.Subscriber.MemberID, b.Data.Subscriber.MemberID); c != 0 {
				return c
			}
			return int(a.ID - b.ID)
		})
	}
	return out
}

// PCN returns CLM01 for a claim's submission version: "C<claim>-<version>",
// at most 17 characters for any realistic claim ID.
func PCN(claimID int64, version int) string {
	return "C" + strconv.FormatInt(claimID, 10) + "-" + strconv.Itoa(version)
}

// numbers are the control numbers of one file.
type numbers struct {
	isa13, gs06 string
	st02        []string
}

func (p *Pipeline) allocate(ctx context.Context, pt *Partner, sets int) (numbers, error) {
	var n numbers
	key := pt.SenderID + ":" + pt.ReceiverID
	err := p.store.InTx(ctx, func(tx Tx) error {
		isa, err := tx.NextSequence(ctx, "isa13:"+key)
		if err != nil {
			return err
		}
		if isa > 999999999 {
			return fmt.Errorf("ISA13 sequence for %s exhausted", key)
		}
		gs, err := tx.NextSequence(ctx, "gs06:"+key)
		if err != nil {
			return err
		}
		n = numbers{isa13: fmt.Sprintf("%09d", isa), gs06: strconv.FormatInt(gs, 10)}
		for range sets {
			st, err := tx.NextSequence(ctx, "st02:"+key)
			if err != nil {
				return err
			}
			n.st02 = append(n.st02, fmt.Sprintf("%04d", st))
		}
		return nil
	})
	return n, err
}

func (p *Pipeline) buildFile(ctx context.Context, g *fileGroup, rep *BuildReport) error {
	pt := g.partner
	per := pt.maxPerSet()
	sets := (len(g.claims) + per - 1) / per
	nums, err := p.allocate(ctx, pt, sets)
	if err != nil {
		return err
	}
	now := p.now()
	name := fileName(pt, g.kind, nums.isa13, now)
	path := filepath.Join(p.outbox, name)
	af, err := createAtomic(path)
	if err != nil {
		return err
	}
	env := x837.Envelope{
		Kind:              g.kind,
		SenderQualifier:   pt.SenderQualifier,
		SenderID:          pt.SenderID,
		ReceiverQualifier: pt.ReceiverQualifier,
		ReceiverID:        pt.ReceiverID,
		SenderCode:        pt.AppSender,
		ReceiverCode:      pt.AppReceiver,
		Usage:             pt.Usage,
		AckRequested:      pt.AckRequested == "1",
		ISA13:             nums.isa13,
		GS06:              nums.gs06,
		ST02:              func(n int) string { return nums.st02[n-1] },
		BatchID:           "B" + nums.isa13,
		Created:           now,
		Submitter: x837.Submitter{Name: pt.SubmitterName, ETIN: pt.SenderID, ContactName: pt.SubmitterContact,
			Phone: pt.SubmitterPhone, Email: pt.SubmitterEmail},
		Receiver:        x837.Receiver{Name: pt.ReceiverName, ID: pt.ReceiverID},
		MaxClaimsPerSet: per,
	}
	b, err := x837.NewBuilder(af, env)
	if err != nil {
		af.Abort()
		return err
	}
	type placed struct {
		claim     *Claim
		ref       x837.ClaimRef
		freq, icn string
	}
	var written []placed
	refused := map[*Claim]error{}
	for _, c := range g.claims {
		data := c.Data // the builder does not change claims
		data.PatientControlNumber = PCN(c.ID, c.Version)
		// Decided again now: the claim may have been adjudicated since
		// the version was made.
		data.Frequency, data.PayerClaimNumber = frequencyFor(c, c.VersionKind, &data)
		ref, err := b.Add(&data)
		if err != nil {
			if errors.Is(err, x837.ErrUnwritable) {
				refused[c] = err
				continue
			}
			af.Abort()
			return err
		}
		written = append(written, placed{claim: c, ref: ref, freq: data.Frequency, icn: data.PayerClaimNumber})
	}
	if len(written) == 0 {
		af.Abort()
		return p.holdRefused(ctx, refused, rep)
	}
	setRefs, err := b.Close()
	if err != nil {
		af.Abort()
		return err
	}
	if err := af.Commit(); err != nil {
		return err
	}
	p.crashPoint("submit:build-written")
	batch := &Batch{Clearinghouse: pt.Name, Kind: g.kind, PayerID: g.payerID, SenderID: pt.SenderID, ReceiverID: pt.ReceiverID,
		ISA13: nums.isa13, GS06: nums.gs06, FileName: name, LocalPath: path, SHA256: af.SHA256(), Size: af.Size(),
		State: BatchBuilt, CreatedAt: now}
	for _, s := range setRefs {
		batch.Sets = append(batch.Sets, BatchSet{ST02: s.ST02, Claims: s.Claims})
	}
	err = p.store.InTx(ctx, func(tx Tx) error {
		if err := tx.CreateBatch(ctx, batch); err != nil {
			return err
		}
		for _, w := range written {
			s := &Submission{ClaimID: w.claim.ID, Version: w.claim.Version, PCN: w.ref.PCN, Frequency: w.freq,
				BatchID: batch.ID, SetControl: w.ref.ST02, SegFrom: w.ref.SegFrom, SegTo: w.ref.SegTo, CreatedAt: now}
			if err := tx.CreateSubmission(ctx, s); err != nil {
				return err
			}
			f8 := ""
			if w.icn != "" {
				f8 = ", REF*F8 " + w.icn
			}
			ev := Event{ClaimID: w.claim.ID, SubmissionID: s.ID, At: now, Kind: "batched", SetControl: s.SetControl, Version: s.Version,
				Detail: fmt.Sprintf("%s as %s (frequency %s%s), ISA13 %s GS06 %s ST02 %s segments %d-%d",
					name, s.PCN, s.Frequency, f8, nums.isa13, nums.gs06, s.SetControl, s.SegFrom, s.SegTo)}
			if err := tx.MoveClaim(ctx, w.claim.ID, w.claim.Version, StateReady, StateBatched, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		os.Remove(path)
		if errors.Is(err, ErrConflict) {
			return fmt.Errorf("a claim of %s was corrected while the file was built: the file was discarded, and its claims stay queued for the next run: %w", name, err)
		}
		return err
	}
	p.crashPoint("submit:build-recorded")
	rep.Files++
	rep.Claims += len(written)
	return p.holdRefused(ctx, refused, rep)
}

// holdRefused holds claims the builder could not write, at the version
// it read (a version corrected meanwhile is left to the next build). The
// scrubber should have caught them; this is the safety net.
func (p *Pipeline) holdRefused(ctx context.Context, refused map[*Claim]error, rep *BuildReport) error {
	for c, cause := range refused {
		err := p.store.InTx(ctx, func(tx Tx) error {
			reasons := []Reason{{Code: "unwritable", Text: cause.Error(), Severity: "error"}}
			if err := tx.MoveClaim(ctx, c.ID, c.Version, StateReady, StateHeld, Event{ClaimID: c.ID, At: p.now(), Kind: "build-refused",
				Version: c.Version, Detail: cause.Error()}); err != nil {
				return err
			}
			_, err := tx.OpenWorkItem(ctx, scrubItem(c, reasons, p.now()))
			return err
		})
		if errors.Is(err, ErrConflict) {
			continue // corrected meanwhile: the next build takes the new version
		}
		if err != nil {
			return err
		}
		rep.Held++
	}
	return nil
}

// fileName expands the partner's file name pattern.
func fileName(pt *Partner, kind x837.Kind, isa13 string, now time.Time) string {
	pat := pt.FileName
	if pat == "" {
		pat = "{sender}_{date}_{isa13}_{kind}.x12"
	}
	k := "837P"
	if kind == x837.Institutional {
		k = "837I"
	}
	r := strings.NewReplacer("{sender}", safeName(pt.SenderID), "{receiver}", safeName(pt.ReceiverID),
		"{date}", now.Format("20060102"), "{time}", now.Format("150405"), "{isa13}", isa13, "{kind}", k)
	return r.Replace(pat)
}

// safeName keeps letters, digits, '-' and '_' (clearinghouses reject
// spaces and punctuation in file names).
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return -1
	}, s)
}
