package pipelinetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12/x835"
)

// PostingBenchClaims is the number of claim payments in each remittance
// BenchPosting posts.
const PostingBenchClaims = 2000

// BenchPosting measures 835 posting on a store, for claims of one and of
// three service lines. Each iteration posts one 835 transaction set
// paying PostingBenchClaims claims (a payment, CO-45 and PR-2 per line).
//
//   - post/lines=N times the posting alone (Pipeline.PostRemittances):
//     the three balancing levels, the batch read of the claims, planning,
//     and writing payments, ledger entries, history and state moves in one
//     transaction, committed.
//   - collect/lines=N times Collect end to end: it also downloads the file
//     from the clearinghouse, writes and fsyncs it, records it with its
//     SHA-256, and parses it.
//
// Both report claim payments per second, and the CPU time this process
// used per claim (not the database server's; unlike claims/s it hardly
// depends on other load). Seeding the claims and building the 835 are not
// timed, and their garbage is collected before the timer starts.
// open returns a fresh, empty store.
func BenchPosting(b *testing.B, open func(testing.TB) pipeline.Store) {
	for _, mode := range []string{"post", "collect"} {
		for _, lines := range []int{1, 3} {
			b.Run(fmt.Sprintf("%s/lines=%d", mode, lines), func(b *testing.B) { benchPosting(b, open(b), mode, lines) })
		}
	}
}

func benchPosting(b *testing.B, s pipeline.Store, mode string, lines int) {
	h := NewHarness(b, s)
	ctx := context.Background()
	var cpu time.Duration
	// Opening the store (a fresh schema, migrated) is not posting.
	b.ResetTimer()
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
		data := h.File835(Remit(fmt.Sprintf("BENCH%d", i), paidDate, clps))
		var rep pipeline.ResponseReport
		switch mode {
		case "post":
			rems, err := x835.Read(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			f := &pipeline.InboundFile{Clearinghouse: "bench", Name: name, SHA256: fmt.Sprintf("%064x", sha256.Sum256(data)),
				Size: int64(len(data)), Kind: "835", State: pipeline.InboundReceived, ReceivedAt: h.Now}
			h.tx(func(ctx context.Context, tx pipeline.Tx) error {
				_, err := tx.CreateInbound(ctx, f)
				return err
			})
			runtime.GC()
			b.StartTimer()
			c0 := cpuTime()
			if err := h.P.PostRemittances(ctx, f, rems, &rep); err != nil {
				b.Fatal(err)
			}
			cpu += cpuTime() - c0
		case "collect":
			h.Remote.Respond(name, data)
			runtime.GC()
			b.StartTimer()
			c0 := cpuTime()
			col, err := h.P.Collect(ctx)
			cpu += cpuTime() - c0
			if err != nil {
				b.Fatal(err)
			}
			rep = col.Responses
		}
		if rep.RemitsPosted != 1 || rep.ClaimsPaid != PostingBenchClaims {
			b.Fatalf("posted %d remittances, %d claims; want 1 and %d", rep.RemitsPosted, rep.ClaimsPaid, PostingBenchClaims)
		}
	}
	b.ReportMetric(float64(PostingBenchClaims*b.N)/b.Elapsed().Seconds(), "claims/s")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(PostingBenchClaims*b.N), "cpu-µs/claim")
	}
}

// seedClaims creates n submitted claims of 1 to 3 lines, with their
// submissions and charges, in one transaction.
func seedClaims(tb testing.TB, h *Harness, prefix string, n, lines int) []*pipeline.Claim {
	tb.Helper()
	return seedRange(tb, h, prefix, 0, n, lines)
}

// seedRange is seedClaims for claims from to from+n-1.
func seedRange(tb testing.TB, h *Harness, prefix string, from, n, lines int) []*pipeline.Claim {
	tb.Helper()
	out := make([]*pipeline.Claim, n)
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		var es []pipeline.LedgerEntry
		for i := range n {
			k := from + i
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
			out[i] = c
		}
		return tx.AddEntries(ctx, es)
	})
	return out
}
