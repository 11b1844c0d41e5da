package pipelinetest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x12test"
	"github.com/x12claims/claims/x12/x835"
	"github.com/x12claims/claims/x12/x837"
)

// corpusHeld lists the corpus 835 sets that must be held for review, by
// file and ST02, with the reason: they are out of balance. Every other set
// must post.
var corpusHeld = map[string]string{
	"LinuxForHealth-x12__tertiary-payment.835 0001": "line level out of balance: the procedure code sits in its own element, so SVC02 reads 24599.00",
	"moov-io-x12__sample2.txt 1736":                 "claim level out of balance: CLP04 4000.00, lines and adjustments give 2998.00",
	"azoner-pyx12__835_simple.txt 40731":            "transaction level out of balance (a 4010 file): BPR02 5950.21, claims give 467.69",
}

// corpusUnapplied lists the corpus 835 sets that post with some claim
// payments kept as unapplied cash, and how many. Their CLP01 names several
// different claims (masked or example data): matching by patient control
// number sends the later CLPs to the claim the first one paid, which
// would credit it twice, so those are set aside.
var corpusUnapplied = map[string]int{
	"keironstoddart-edi-835-parser__emedny_sample.txt 1740":                 2, // CLP01 "PATIENT ACCOUNT NUMBER" names three claims
	"tastypackets-x12-parser__profee.edi 1740":                              2, // likewise
	"tastypackets-x12-parser__oneLine.edi 1740":                             1, // two claims; the second interchange repeats the remittance
	"kputnam-stupidedi__X221A1-pass-multiple-claims-single-check.edi 35681": 8, // CLP01 7722337 names all nine claims
}

// RunCorpusPosting posts every 835 of the shared corpus: for each file it
// first creates, in a fresh store, submitted claims whose patient control
// numbers, lines and charges match the file's CLPs, then delivers the
// file through the pipeline. Balanced remittances must post, in full but
// for the claim payments corpusUnapplied expects as unapplied cash, with
// the ledger agreeing with the file; the sets in corpusHeld must be held
// with nothing posted. It skips when the corpus is absent.
func RunCorpusPosting(t *testing.T, open func(t *testing.T) pipeline.Store) {
	for _, path := range x12test.CorpusFiles(t, "835") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			rems, err := x835.Read(strings.NewReader(string(data)))
			if err != nil {
				t.Fatalf("the corpus file must parse: %v", err)
			}
			// The harness receives the file as the party it is
			// addressed to, from its senders.
			h := NewHarnessWith(t, open(t), func(o *pipeline.Options) { addressTo(t, o.Partners[0], data) })
			claims := seedFromRemittances(t, h, rems)
			rep := h.Deliver(name, data)
			// ΣCLP04 of each distinct remittance that must post: a set
			// that repeats one (same trace, date and amount) is a
			// duplicate.
			var total x12.Amount
			posts, held, unapplied := 0, 0, 0
			seen := map[string]bool{}
			for _, r := range rems {
				key := name + " " + r.SetControl
				if _, ok := corpusHeld[key]; ok {
					held++
					continue
				}
				id := r.Payment.Trace + "|" + r.Payment.Date.String() + "|" + r.Payment.Amount.String()
				if seen[id] {
					continue
				}
				seen[id] = true
				posts++
				unapplied += corpusUnapplied[key]
				for _, c := range r.Claims {
					total += c.Paid
				}
			}
			wantCount(t, "remittances posted", rep.Responses.RemitsPosted, posts)
			wantCount(t, "remittances held", rep.Responses.RemitsHeld, held)
			wantCount(t, "claim payments unapplied", rep.Responses.PaymentsUnapplied, unapplied)
			paid := rep.Responses.AmountPaid
			if paid+rep.Responses.AmountUnapplied != total {
				t.Errorf("amount posted %s + unapplied %s, want ΣCLP04 of the posted sets %s", paid, rep.Responses.AmountUnapplied, total)
			}
			h.CheckLedger(claims, paid)
		})
	}
}

// seedFromRemittances creates one submitted claim per distinct CLP01,
// shaped like the first CLP that names it (its service lines, or one line
// for the claim charge), with charges posted as at upload.
func seedFromRemittances(t *testing.T, h *Harness, rems []*x835.Remittance) []*pipeline.Claim {
	t.Helper()
	seen := map[string]bool{}
	var out []*pipeline.Claim
	n := 0
	for _, r := range rems {
		for _, clp := range r.Claims {
			if seen[clp.PatientControlNumber] || clp.Status == "22" {
				continue
			}
			seen[clp.PatientControlNumber] = true
			n++
			c := &pipeline.Claim{EncounterID: fmt.Sprintf("CORPUS-%d", n), Kind: x837.Professional, State: pipeline.StateSubmitted,
				PayerID: r.Payer.ID, PayerName: r.Payer.Name, Clearinghouse: "sim", TotalCharge: clp.Charge,
				PCN: clp.PatientControlNumber, Submissions: 1, CreatedAt: h.Now, UpdatedAt: h.Now, FirstSubmittedAt: h.Now}
			for i, l := range clp.Lines {
				lcn := l.ControlNumber
				if lcn == "" {
					lcn = fmt.Sprintf("C%d-L%d", n, i+1)
				}
				proc := l.Procedure.Code
				if l.Original != nil && l.Original.Code != "" {
					proc = l.Original.Code
				}
				c.Lines = append(c.Lines, pipeline.ClaimLine{LineNo: i + 1, ControlNumber: lcn, Procedure: proc,
					RevenueCode: l.RevenueCode, Charge: l.Charge, Units: "1", ServiceDate: l.ServiceDate})
			}
			if len(c.Lines) == 0 {
				c.Lines = []pipeline.ClaimLine{{LineNo: 1, ControlNumber: fmt.Sprintf("C%d-L1", n), Procedure: "99999", Charge: clp.Charge, Units: "1"}}
			}
			h.tx(func(ctx context.Context, tx pipeline.Tx) error {
				if err := tx.CreateClaim(ctx, c); err != nil {
					return err
				}
				if err := tx.CreateSubmission(ctx, &pipeline.Submission{ClaimID: c.ID, Version: 1, PCN: clp.PatientControlNumber,
					Frequency: "1", CreatedAt: h.Now}); err != nil {
					return err
				}
				var es []pipeline.LedgerEntry
				for _, l := range c.Lines {
					es = append(es, pipeline.LedgerEntry{ClaimID: c.ID, LineID: l.ID, Kind: pipeline.EntryCharge, Charge: l.Charge, At: h.Now})
				}
				return tx.AddEntries(ctx, es)
			})
			out = append(out, c)
		}
	}
	return out
}

// addressTo makes the partner the one file data is addressed to, by its
// senders, in its usage: the corpus files come from many parties.
func addressTo(t *testing.T, pt *pipeline.Partner, data []byte) {
	t.Helper()
	r := x12.NewReader(bytes.NewReader(data))
	r.Mode = x12.CollectAll
	first := true
	for {
		seg, err := r.Next()
		if err != nil {
			break
		}
		if seg.ID() == "GS" && pt.AppSender == "" {
			pt.AppSender = r.Group().ReceiverCode
		}
		if seg.ID() != "ISA" {
			continue
		}
		h := r.Interchange()
		if first {
			pt.SenderID, pt.ReceiverID, pt.Usage, pt.AppSender = h.ReceiverID, h.SenderID, h.Usage, ""
			first = false
			continue
		}
		pt.ResponseSenders = append(pt.ResponseSenders, h.SenderID)
	}
	if first {
		t.Fatal("the corpus file has no ISA")
	}
}
