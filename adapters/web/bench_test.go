package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
	"github.com/x12claims/claims/x12"
)

// BenchmarkQueuePage measures GET /queue (page 1, 50 rows) end to end
// through the handler, signed in, over a SQLite store with 10,000 open
// work items, each about its own claim.
//
//	go test -bench BenchmarkQueuePage -run '^$' ./adapters/web
func BenchmarkQueuePage(b *testing.B) {
	const items = 10000
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	h := newHarness(b, clk)
	categories := []string{"claim data", "eligibility", "provider data", "coding"}
	err := h.Store.InTx(ctx, func(tx pipeline.Tx) error {
		for i := range items {
			enc := pipelinetest.Encounter(fmt.Sprintf("B%05d", i), "100.00", "25.50")
			svc := x12.DateOf(time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%120))
			var lines []pipeline.ClaimLine
			for j := range enc.Claim.Lines {
				l := &enc.Claim.Lines[j]
				l.ServiceDate = svc
				l.ControlNumber = fmt.Sprintf("B%05d-L%d", i, j+1)
				lines = append(lines, pipeline.ClaimLine{LineNo: j + 1, ControlNumber: l.ControlNumber, Procedure: l.Procedure,
					Charge: l.Charge, Units: l.Units, ServiceDate: l.ServiceDate, Active: true})
			}
			c := &pipeline.Claim{EncounterID: enc.ID, Kind: enc.Claim.Kind, State: pipeline.StateHeld, PayerID: enc.Claim.Payer.ID,
				PayerName: enc.Claim.Payer.Name, Clearinghouse: "sim", TotalCharge: enc.TotalCharge, Data: enc.Claim, Lines: lines,
				CreatedAt: clk.Now()}
			if err := tx.CreateClaim(ctx, c); err != nil {
				return err
			}
			reason := pipeline.Reason{Code: "npi-check-digit", Text: "the billing NPI's check digit is wrong",
				Field: "billing_provider.npi", Severity: "error"}
			w := &pipeline.WorkItem{Key: pipeline.ClaimKey(pipeline.SourceScrubber, c.ID), Source: pipeline.SourceScrubber,
				ClaimID: c.ID, Version: 1, EncounterID: enc.ID, PayerID: c.PayerID, Category: categories[i%len(categories)],
				Code: reason.Code, Summary: fmt.Sprintf("claim %d: held, 1 problem(s) to fix before it can be sent", c.ID),
				Reasons: []pipeline.Reason{reason}, CreatedAt: clk.Now().Add(-time.Duration(i%30) * 24 * time.Hour)}
			if _, err := tx.OpenWorkItem(ctx, w); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("fill the store: %v", err)
	}
	if err := h.P.AddUser(ctx, billerUser, pipeline.RoleBiller, password, "setup"); err != nil {
		b.Fatal(err)
	}
	e := &env{t: b, H: h, P: h.P, Clock: clk}
	c := newClient(b, e.server(nil))
	c.login(billerUser)
	r := c.get("/queue")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, fmt.Sprintf("%d items", items)) ||
		strings.Count(r.Body, `class="claim-link"`) != 50 {
		b.Fatalf("the queue page: %d, %d rows\n%.1000s", r.StatusCode, strings.Count(r.Body, `class="claim-link"`), r.Body)
	}
	c.URLs, c.Locations = nil, nil
	b.ReportAllocs()
	for b.Loop() {
		if r := c.get("/queue"); r.StatusCode != http.StatusOK {
			b.Fatalf("GET /queue: %d", r.StatusCode)
		}
	}
}
