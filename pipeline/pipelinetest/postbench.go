package pipelinetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12/x835"
)

// PostingBenchClaims is the number of claim payments in each remittance
// BenchPosting posts.
const PostingBenchClaims = 2000

// BenchPosting measures 835 posting end to end on a store, for claims of
// one and of three service lines: each iteration delivers one 835 file
// paying PostingBenchClaims claims (a payment, CO-45 and PR-2 per line)
// and runs Collect, which downloads the file, records it, parses it,
// checks all three balancing levels and posts it in one transaction. It
// reports claim payments per second. Seeding the claims is not timed.
// open returns a fresh, empty store.
func BenchPosting(b *testing.B, open func(testing.TB) pipeline.Store) {
	for _, lines := range []int{1, 3} {
		b.Run(fmt.Sprintf("lines=%d", lines), func(b *testing.B) { benchPosting(b, open(b), lines) })
	}
}

func benchPosting(b *testing.B, s pipeline.Store, lines int) {
	h := NewHarness(b, s)
	ctx := context.Background()
	for i := range b.N {
		b.StopTimer()
		claims := seedClaims(b, h, fmt.Sprintf("B%d-", i), PostingBenchClaims, lines)
		clps := make([]*x835.Claim, len(claims))
		for k, c := range claims {
			lines := make([]Line, len(c.Lines))
			for j, l := range c.Lines {
				allowed := l.Charge * 80 / 100
				co := l.Charge - allowed
				pr := allowed / 5
				lines[j] = Line{Paid: (allowed - pr).String(), Adj: []x835.Adjustment{
					{Group: "CO", Reason: "45", Amount: co}, {Group: "PR", Reason: "2", Amount: pr}}}
			}
			clps[k] = CLP(c, "1", lines...)
		}
		name := fmt.Sprintf("bench-%d.835", i)
		h.Remote.Respond(name, h.File835(Remit(fmt.Sprintf("BENCH%d", i), paidDate, clps)))
		b.StartTimer()
		rep, err := h.P.Collect(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Responses.RemitsPosted != 1 || rep.Responses.ClaimsPaid != PostingBenchClaims {
			b.Fatalf("posted %d remittances, %d claims; want 1 and %d", rep.Responses.RemitsPosted, rep.Responses.ClaimsPaid, PostingBenchClaims)
		}
	}
	b.ReportMetric(float64(PostingBenchClaims*b.N)/b.Elapsed().Seconds(), "claims/s")
}

// seedClaims creates n submitted claims of 1 to 3 lines, with their
// submissions and charges, in one transaction.
func seedClaims(tb testing.TB, h *Harness, prefix string, n, lines int) []*pipeline.Claim {
	tb.Helper()
	out := make([]*pipeline.Claim, n)
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		var es []pipeline.LedgerEntry
		for k := range n {
			enc := Encounter(fmt.Sprintf("%s%d", prefix, k), []string{"125.00", "40.00", "65.50"}[:lines]...)
			c := &pipeline.Claim{EncounterID: enc.ID, Kind: enc.Kind, State: pipeline.StateSubmitted, PayerID: HarnessPayerID,
				PayerName: "Test Payer", Clearinghouse: "sim", TotalCharge: enc.TotalCharge, Submissions: 1,
				PCN: fmt.Sprintf("%s%d-1", prefix, k), Data: enc.Claim, CreatedAt: h.Now, UpdatedAt: h.Now, FirstSubmittedAt: h.Now}
			for j, l := range enc.Lines {
				c.Lines = append(c.Lines, pipeline.ClaimLine{LineNo: j + 1, ControlNumber: fmt.Sprintf("%s%d-L%d", prefix, k, j+1),
					Procedure: l.Procedure, Charge: l.Charge, Units: l.Units, ServiceDate: l.ServiceDate})
			}
			if err := tx.CreateClaim(ctx, c); err != nil {
				return err
			}
			if err := tx.CreateSubmission(ctx, &pipeline.Submission{ClaimID: c.ID, Version: 1, PCN: c.PCN, Frequency: "1", CreatedAt: h.Now}); err != nil {
				return err
			}
			for _, l := range c.Lines {
				es = append(es, pipeline.LedgerEntry{ClaimID: c.ID, LineID: l.ID, Kind: pipeline.EntryCharge, Charge: l.Charge, At: h.Now})
			}
			out[k] = c
		}
		return tx.AddEntries(ctx, es)
	})
	return out
}
