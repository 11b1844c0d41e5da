package pipelinetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12/x835"
)

// PostingStatements checks that posting an 835 sends the store a number
// of statements that does not grow with the claims of a chunk: on a
// database server each statement is a round trip, and a statement per
// claim made a 100,000-claim night take minutes. count returns how many
// statements the store s has sent so far (a test wraps the database
// connection to count them).
//
// At two sizes (small and 4× small claims, in one transaction set and
// one chunk each), it applies an 835 that pays eight claims in ten,
// denies one (a work item each) and names no claim we sent in one
// (unapplied cash), then one that reverses every
// other claim and pays it again (reversals linked to the payments they
// reverse), with a clock that ticks between calls (events at different
// times). The second size may send at most a few more statements than
// the first.
func PostingStatements(t *testing.T, s pipeline.Store, count func() int64) {
	t.Helper()
	var mu sync.Mutex
	clock := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	h := NewHarnessWith(t, s, func(o *pipeline.Options) {
		o.PostChunk = 5000
		o.Now = func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			clock = clock.Add(time.Microsecond)
			return clock
		}
	})
	const small = 100
	var sent [2][2]int64 // [size][file]
	denied := 0
	for k, n := range []int{small, 4 * small} {
		prefix := fmt.Sprintf("ST%d-", n)
		SeedClaims(h, prefix, n, 3)
		first := func(i int) *x835.Claim {
			switch i % 10 {
			case 0:
				return deniedClaim(prefix, i)
			case 4: // matches no claim: unapplied cash
				return BigClaim("NONE-"+prefix, i)
			}
			return BigClaim(prefix, i)
		}
		// Claim payment j of the second 835: the reversal (even j) and
		// the new payment (odd j) of claim 2(j/2)+1.
		second := func(j int) *x835.Claim {
			c := BigClaim(prefix, 2*(j/2)+1)
			if j%2 == 0 {
				return Reversal(c)
			}
			return c
		}
		for f, file := range []struct {
			claims int
			claim  func(int) *x835.Claim
			want   pipeline.ResponseReport
		}{
			{n, first, pipeline.ResponseReport{ClaimsPaid: n - 2*n/10, ClaimsDenied: n / 10, PaymentsUnapplied: n / 10}},
			{n, second, pipeline.ResponseReport{ClaimsPaid: n / 2, ClaimsReversed: n / 2}},
		} {
			h.Receive835(fmt.Sprintf("%s%d.835", prefix, f), file.claims, file.claims, file.claim)
			before := count()
			rep, err := h.P.ApplyPending(context.Background())
			if err != nil {
				t.Fatalf("ApplyPending: %v", err)
			}
			sent[k][f] = count() - before
			if rep.RemitsPosted != 1 || rep.ClaimsPaid != file.want.ClaimsPaid || rep.ClaimsDenied != file.want.ClaimsDenied ||
				rep.ClaimsReversed != file.want.ClaimsReversed || rep.PaymentsUnapplied != file.want.PaymentsUnapplied {
				t.Fatalf("835 %d of %d claims: %d posted, %d paid, %d denied, %d reversed, %d unapplied; want 1, %d, %d, %d, %d",
					f+1, n, rep.RemitsPosted, rep.ClaimsPaid, rep.ClaimsDenied, rep.ClaimsReversed, rep.PaymentsUnapplied,
					file.want.ClaimsPaid, file.want.ClaimsDenied, file.want.ClaimsReversed, file.want.PaymentsUnapplied)
			}
		}
		denied += n / 10
		if got := len(h.Work(pipeline.SourceDenial)); got != denied {
			t.Fatalf("%d denial items open, want %d", got, denied)
		}
	}
	const slack = 10 // ID reservations and chunked reads may differ by a few
	for f := range 2 {
		t.Logf("835 %d: %d statements for %d claims, %d for %d", f+1, sent[0][f], small, sent[1][f], 4*small)
		if sent[1][f] > sent[0][f]+slack {
			t.Errorf("835 %d: %d statements for %d claims, %d for %d: posting sends statements per claim", f+1,
				sent[0][f], small, sent[1][f], 4*small)
		}
	}
}

// deniedClaim is BigClaim(prefix, i) denied: nothing paid, each line's
// charge adjusted away (CO-50, not medically necessary).
func deniedClaim(prefix string, i int) *x835.Claim {
	c := BigClaim(prefix, i)
	c.Status, c.Paid, c.PatientResponsibility = "4", 0, 0
	for _, l := range c.Lines {
		l.Paid = 0
		l.Adjustments = []x835.Adjustment{{Group: "CO", Reason: "50", Amount: l.Charge}}
		l.Remarks = nil
	}
	return c
}
