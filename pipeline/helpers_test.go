package pipeline_test

import (
	"context"
	"iter"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/x12claims/claims/adapters/store/sqlite"
	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// openStore opens a real SQLite store in a temporary folder, closed when
// the test ends.
func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	s, _ := openStoreFile(t)
	return s
}

// openStoreFile is openStore that also returns the database file's path.
func openStoreFile(t testing.TB) (*sqlite.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state", "claims.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open SQLite store: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s, path
}

// newHarness returns a harness over a fresh SQLite store, with cheap
// password hashes and the options changed by edit (nil: none).
func newHarness(t testing.TB, edit func(*pipeline.Options)) *pipelinetest.Harness {
	t.Helper()
	return newHarnessOver(t, openStore(t), edit)
}

// newHarnessOver is newHarness over a given store (a wrapper of a real
// one, say).
func newHarnessOver(t testing.TB, s pipeline.Store, edit func(*pipeline.Options)) *pipelinetest.Harness {
	t.Helper()
	return pipelinetest.NewHarnessWith(t, s, func(o *pipeline.Options) {
		o.PasswordCost = bcrypt.MinCost
		if edit != nil {
			edit(o)
		}
	})
}

// auditLog returns every audit entry, newest first.
func auditLog(t testing.TB, h *pipelinetest.Harness, f pipeline.AuditFilter) []*pipeline.AuditEntry {
	t.Helper()
	if f.Limit == 0 {
		f.Limit = 10000
	}
	es, err := h.P.AuditLog(context.Background(), f)
	if err != nil {
		t.Fatalf("AuditLog: %v", err)
	}
	return es
}

// actions returns the actions of entries, in their order.
func actions(es []*pipeline.AuditEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Action
	}
	return out
}

// paidDate is the payment date of the cycle's 835.
var paidDate = x12.Date{Year: 2026, Month: 11, Day: 19}

// cycle is a submission and its responses: E1 accepted and paid in full
// by an 835, E2 and E3 rejected by the 277CA (A7:164:IL), E4 accepted
// by the 999 only (still in flight). All four went in one batch.
type cycle struct {
	h              *pipelinetest.Harness
	c1, c2, c3, c4 *pipeline.Claim
}

func runCycle(t testing.TB, h *pipelinetest.Harness) *cycle {
	t.Helper()
	cs := h.Submit(pipelinetest.Encounter("E1", "100.00", "20.00"), pipelinetest.Encounter("E2", "50.00"),
		pipelinetest.Encounter("E3", "70.00"), pipelinetest.Encounter("E4", "30.00"))
	cy := &cycle{h: h, c1: cs["E1"], c2: cs["E2"], c3: cs["E3"], c4: cs["E4"]}
	h.DeliverAll(
		pipelinetest.File{Name: "ack.999", Data: h.File999(cy.c1, "A")},
		pipelinetest.File{Name: "status.277", Data: h.File277([]*pipeline.Claim{cy.c1, cy.c2, cy.c3},
			map[int64]bool{cy.c2.ID: true, cy.c3.ID: true})},
		pipelinetest.File{Name: "pay.835", Data: h.File835(pipelinetest.Remit("T1", paidDate, []*x835.Claim{
			pipelinetest.CLP(cy.c1, "1", pipelinetest.Line{Paid: "100.00"}, pipelinetest.Line{Paid: "20.00"})}))},
	)
	for _, w := range []struct {
		c     *pipeline.Claim
		state pipeline.ClaimState
	}{{cy.c1, pipeline.StatePaid}, {cy.c2, pipeline.StateRejected}, {cy.c3, pipeline.StateRejected}, {cy.c4, pipeline.StateAckAccepted}} {
		if got := h.Claim(w.c.ID).State; got != w.state {
			t.Fatalf("after the responses claim %s is %s, want %s", w.c.EncounterID, got, w.state)
		}
	}
	return cy
}

// encounters is an EncounterSource over a slice.
type encounters []*pipeline.Encounter

func (s encounters) Encounters(ctx context.Context) iter.Seq2[*pipeline.Encounter, error] {
	return func(yield func(*pipeline.Encounter, error) bool) {
		for _, e := range s {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// intake takes encounters in without submitting them.
func intake(t testing.TB, h *pipelinetest.Harness, encs ...*pipeline.Encounter) {
	t.Helper()
	rep, err := h.P.Intake(context.Background(), encounters(encs))
	if err != nil || rep.Held > 0 {
		t.Fatalf("Intake: %+v, %v", rep, err)
	}
}
