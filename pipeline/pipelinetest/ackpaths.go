package pipelinetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/ta1"
	"github.com/x12claims/claims/x12/x277"
	"github.com/x12claims/claims/x12/x835"
)

// RunAckPaths checks that acknowledgments applied in bulk end as they do
// one claim at a time. It tells one story of TA1s, 999s and 277CAs —
// accepted, rejected and pended claims, statuses for claims we never
// sent, payer claim numbers given or not, claims named twice in a set,
// a claim rejected through its provider, a late 277CA for a paid claim,
// a 277CA's number for a claim that has an 835's, a corrected claim
// accepted, a 277CA applied twice, and a crash after
// the first set of a file — on fresh stores with Options.AckChunk 1 (one
// by one), 2 and 3 (chunks that split the repeated claims) and the
// default, and fails unless every claim's state, version, payer claim
// number and history, every work item and every collect report come out
// the same. Every store adapter runs it; open returns a fresh, empty
// store.
func RunAckPaths(t *testing.T, open func(t *testing.T) pipeline.Store) {
	var ref *ackOutcome
	for _, chunk := range []int{1, 2, 3, 0} {
		got := ackStory(t, open(t), chunk)
		if ref == nil {
			ref = got
			continue
		}
		Same(t, fmt.Sprintf("outcome with AckChunk %d against one by one", chunk), got, ref)
	}
}

// ackOutcome is what applying the responses leaves, in a form two
// stores can be compared by: no row IDs but claims'.
type ackOutcome struct {
	Claims  map[string]ackClaim
	Work    []ackWork
	Reports []pipeline.ResponseReport
}

type ackClaim struct {
	ID                     int64
	PCN                    string
	State                  pipeline.ClaimState
	Version                int
	PayerClaimNumber       string
	PayerClaimSource       string
	Events                 []pipeline.Event // IDs zeroed
	OpenItems, ClosedItems int
}

type ackWork struct {
	Key, Source, Code, Category, Summary, ClosedBy, Note string
	Status                                               pipeline.WorkStatus
	ClaimID, InboundFileID                               int64
	Version, Segment                                     int
	Reasons                                              []pipeline.Reason
}

// errCrash is what the failpoint panics with to stop a run mid-file.
type errCrash struct{}

// ackStory tells the story on store s with Options.AckChunk chunk and
// returns its outcome.
func ackStory(t *testing.T, s pipeline.Store, chunk int) *ackOutcome {
	t.Helper()
	crashAt := ""
	h := NewHarnessWith(t, s, func(o *pipeline.Options) {
		o.AckChunk = chunk
		o.Failpoint = func(name string) {
			if name == crashAt {
				crashAt = ""
				panic(errCrash{})
			}
		}
	})
	out := &ackOutcome{Claims: map[string]ackClaim{}}
	collect := func(name string, data []byte) {
		t.Helper()
		out.Reports = append(out.Reports, h.Deliver(name, data).Responses)
	}
	var encs []*pipeline.Encounter
	for i := 1; i <= 13; i++ {
		encs = append(encs, Encounter(fmt.Sprintf("E%d", i), fmt.Sprintf("%d.00", 100+i)))
	}
	cs := h.Submit(encs...)
	c := func(i int) *pipeline.Claim { return cs[fmt.Sprintf("E%d", i)] }
	collect("a.ta1", h.fileTA1(c(1)))
	collect("a.999", h.File999(c(1), "A"))
	// E8 is paid before its 277CA comes: the 835's number stays.
	collect("a.835", h.File835(Remit("T1", paidDate, []*x835.Claim{CLP(c(8), "1", Line{Paid: "108.00"})})))

	// E13 has an 835's number while still acknowledged only (a
	// remittance that did not settle it): the 277CA moving it keeps
	// that number, in the chunk that moves others and gives them theirs.
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		_, err := tx.SetPayerClaimNumber(ctx, c(13).ID, "ICN-E13", "835")
		return err
	})

	accept := func(c *pipeline.Claim, number string) ack277 { return ack277{c.PCN, "A2", "20", "", "WQ", number} }
	reject := func(c *pipeline.Claim) ack277 { return ack277{c.PCN, "A7", "164", "IL", "U", ""} }
	pend := func(c *pipeline.Claim) ack277 { return ack277{c.PCN, "A1", "19", "", "WQ", ""} }
	first := [][]ack277{{
		accept(c(1), "N1"), accept(c(2), ""), accept(c(13), "N13-277"), reject(c(3)), pend(c(4)),
		{"NEVER-SENT", "A2", "20", "", "WQ", "N0"},
		accept(c(5), "N5"), accept(c(5), "N5B"), // named twice, the second number stands
		reject(c(6)), accept(c(6), "N6"), // rejected, then accepted in the same set
		reject(c(7)), accept(c(8), "N8-277"), accept(c(9), "N9"),
	}, {
		// Under a rejected provider: E10 pended is rejected with it,
		// E11 accepted stays accepted.
		{"provider-rejected", "A7", "562", "85", "U", ""}, pend(c(10)), accept(c(11), "N11"),
	}}
	collect("a.277", h.file277(first...))
	// The same statuses again, in a new interchange: nothing moves.
	collect("b.277", h.file277(first...))

	// E7 corrected and sent again; its acceptance closes its item.
	h.correct(c(7).ID, "subscriber.member_id=M777")
	h.SubmitQueued()
	c7 := h.Claim(c(7).ID)
	collect("c.999", h.File999(c7, "A"))
	// A file of two sets, the run stopped after the first: the next
	// run applies the second only.
	crashAt = "collect:277-applied"
	second := h.file277([]ack277{accept(c7, "N7"), accept(c(1), "N1-again")}, []ack277{accept(c(12), "N12"), reject(c(3))})
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(errCrash); !ok {
					panic(r)
				}
			}
		}()
		collect("d.277", second)
		t.Errorf("AckChunk %d: the run was not stopped after the first set", chunk)
	}()
	h.Now = h.Now.Add(pipeline.DefaultLease + time.Minute) // the stopped run's leases expire
	rep, err := h.P.Collect(context.Background())
	if err != nil {
		t.Fatalf("AckChunk %d: collect after the stop: %v", chunk, err)
	}
	out.Reports = append(out.Reports, rep.Responses)

	for _, e := range encs {
		cl := h.ClaimOf(e.ID)
		evs := h.Events(cl.ID)
		for i := range evs {
			evs[i].ID = 0
		}
		out.Claims[e.ID] = ackClaim{ID: cl.ID, PCN: cl.PCN, State: cl.State, Version: cl.Version, PayerClaimNumber: cl.PayerClaimNumber,
			PayerClaimSource: cl.PayerClaimSource, Events: evs,
			OpenItems: len(h.openItems(cl.ID)), ClosedItems: len(h.items(cl.ID, pipeline.WorkClosed))}
	}
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		items, err := tx.WorkItems(ctx, pipeline.WorkFilter{})
		for _, w := range items {
			out.Work = append(out.Work, ackWork{Key: w.Key, Source: string(w.Source), Code: w.Code, Category: w.Category,
				Summary: w.Summary, ClosedBy: w.ClosedBy, Note: w.Note, Status: w.Status, ClaimID: w.ClaimID,
				InboundFileID: w.InboundFileID, Version: w.Version, Segment: w.Segment, Reasons: w.Reasons})
		}
		return err
	})
	slices.SortFunc(out.Work, func(a, b ackWork) int { return strings.Compare(a.Key+string(a.Status), b.Key+string(b.Status)) })
	checkAckStory(t, chunk, out)
	return out
}

// checkAckStory checks what every path must reach, so that the paths
// agreeing on a wrong outcome still fails.
func checkAckStory(t *testing.T, chunk int, out *ackOutcome) {
	t.Helper()
	want := map[string]struct {
		state  pipeline.ClaimState
		number string
	}{
		"E1": {pipeline.StateAccepted, "N1-again"}, "E2": {pipeline.StateAccepted, ""}, "E3": {pipeline.StateRejected, ""},
		"E4": {pipeline.StateAckAccepted, ""}, "E5": {pipeline.StateAccepted, "N5B"}, "E6": {pipeline.StateRejected, "N6"},
		"E7": {pipeline.StateAccepted, "N7"}, "E8": {pipeline.StatePaid, "ICN" + out.Claims["E8"].PCN}, "E9": {pipeline.StateAccepted, "N9"},
		"E10": {pipeline.StateRejected, ""}, "E11": {pipeline.StateAccepted, "N11"}, "E12": {pipeline.StateAccepted, "N12"},
		"E13": {pipeline.StateAccepted, "ICN-E13"},
	}
	if src := out.Claims["E13"].PayerClaimSource; src != "835" {
		t.Errorf("AckChunk %d: E13's payer claim number is from %q, want the 835's kept", chunk, src)
	}
	for enc, w := range want {
		got := out.Claims[enc]
		if got.State != w.state || got.PayerClaimNumber != w.number {
			t.Errorf("AckChunk %d: %s is %s with payer claim number %q, want %s with %q", chunk, enc, got.State, got.PayerClaimNumber, w.state, w.number)
		}
	}
	if e7 := out.Claims["E7"]; e7.OpenItems != 0 || e7.ClosedItems != 1 {
		t.Errorf("AckChunk %d: E7 has %d open and %d closed items, want its rejection closed", chunk, e7.OpenItems, e7.ClosedItems)
	}
	var total pipeline.ResponseReport
	for _, r := range out.Reports {
		total.ClaimsAccepted += r.ClaimsAccepted
		total.ClaimsRejected += r.ClaimsRejected
		total.UnknownStatuses += r.UnknownStatuses
		total.AcksSkipped += r.AcksSkipped
	}
	// Accepted: E1, E2, E5, E9, E11, E13, and E12 after the stop (E7's
	// version 2 counted in the report of the stopped run).
	// Rejected: E3, E6, E7, E10 (E6 then stays rejected).
	if total.ClaimsAccepted != 7 || total.ClaimsRejected != 4 || total.UnknownStatuses != 2 || total.AcksSkipped != 1 {
		t.Errorf("AckChunk %d: reports add up to %+v", chunk, total)
	}
}

// items returns a claim's work items in status st.
func (h *Harness) items(claimID int64, st pipeline.WorkStatus) []*pipeline.WorkItem {
	h.T.Helper()
	var items []*pipeline.WorkItem
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		var err error
		items, err = tx.WorkItems(ctx, pipeline.WorkFilter{Status: st, ClaimID: claimID})
		return err
	})
	return items
}

// fileTA1 writes a TA1 accepting the interchange that carried claim c.
func (h *Harness) fileTA1(c *pipeline.Claim) []byte {
	h.T.Helper()
	var b *pipeline.Batch
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		s, err := tx.SubmissionByPCN(ctx, c.PCN)
		if err != nil {
			return err
		}
		b, err = tx.GetBatch(ctx, s.BatchID)
		return err
	})
	isa, _ := h.envelope("")
	var buf bytes.Buffer
	err := ta1.WriteInterchange(&buf, isa, &ta1.Ack{ControlNumber: b.ISA13, Date: h.Now.Format("060102"), Time: h.Now.Format("1504"),
		Code: "A", Note: "000"})
	if err != nil {
		h.T.Fatalf("write TA1: %v", err)
	}
	return buf.Bytes()
}

// ack277 is one STC of a 277CA: for a claim (by PCN), or, with the PCN
// "provider-rejected", for the provider of the claims after it.
type ack277 struct {
	pcn, category, status, entity, action, payerClaimNumber string
}

// file277 writes a 277CA with one transaction set per list of statuses.
func (h *Harness) file277(sets ...[]ack277) []byte {
	h.T.Helper()
	isa, gs := h.envelope("HN")
	stc := func(a ack277) x277.Status {
		return x277.Status{Codes: []x277.StatusCode{{Category: a.category, Status: a.status, Entity: a.entity}},
			Date: x12.DateOf(h.Now), Action: a.action}
	}
	var acks []*x277.Acknowledgment
	for i, set := range sets {
		prov := &x277.Provider{Party: x277.Party{Entity: "85", EntityType: "2", LastName: "TEST CLINIC", IDQualifier: "XX", ID: HarnessNPI},
			Trace: "P1"}
		pat := &x277.Patient{Party: x277.Party{Entity: "QC", EntityType: "1", LastName: "DOE", FirstName: "PAT", IDQualifier: "MI", ID: "M1"}}
		prov.Patients = []*x277.Patient{pat}
		for _, a := range set {
			if a.pcn == "provider-rejected" {
				prov.Statuses = append(prov.Statuses, stc(a))
				continue
			}
			pat.Claims = append(pat.Claims, &x277.Claim{PatientControlNumber: a.pcn, Statuses: []x277.Status{stc(a)},
				PayerClaimNumber: a.payerClaimNumber, ServiceFrom: x12.Date{Year: 2026, Month: 11, Day: 2}})
		}
		acks = append(acks, &x277.Acknowledgment{SetControl: fmt.Sprintf("%04d", i+1), Reference: "B1", Date: x12.DateOf(h.Now), Time: "1000",
			Sources: []*x277.Source{{Party: x277.Party{Entity: "AY", EntityType: "2", LastName: "TEST CLEARINGHOUSE", IDQualifier: "46", ID: HarnessReceiver},
				Trace: "T1", ReceiptDate: x12.DateOf(h.Now), ProcessDate: x12.DateOf(h.Now),
				Receivers: []*x277.Receiver{{Party: x277.Party{Entity: "41", EntityType: "2", LastName: "TEST PRACTICE", IDQualifier: "46", ID: HarnessSender},
					Trace: "B1", Providers: []*x277.Provider{prov}}}}}})
	}
	var buf bytes.Buffer
	if err := x277.WriteInterchange(&buf, isa, gs, acks...); err != nil {
		h.T.Fatalf("write 277CA: %v", err)
	}
	return buf.Bytes()
}
