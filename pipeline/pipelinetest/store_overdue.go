package pipelinetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
)

var overdueTests = []storeTest{
	{"Overdue/BatchesAndClaims", func(t *testing.T, _ *suite, s pipeline.Store) {
		now := norm(t1)
		hoursAgo := func(h int) time.Time { return now.Add(-time.Duration(h) * time.Hour) }
		n := 0
		batch := func(ch string, st pipeline.BatchState, uploaded time.Time) *pipeline.Batch {
			n++
			b := sampleBatch(fmt.Sprint(n), fmt.Sprint(n), st)
			b.Clearinghouse, b.FileName, b.UploadedAt = ch, fmt.Sprintf("837P_%d.x12", n), uploaded
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				must(t, "CreateBatch", tx.CreateBatch(ctx, b))
			})
			return b
		}
		claim := func(enc string, st pipeline.ClaimState, version int) *pipeline.Claim {
			c := sampleClaim(enc, st)
			c.Version = version
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				must(t, "CreateClaim", tx.CreateClaim(ctx, c))
			})
			return c
		}
		send := func(c *pipeline.Claim, version int, b *pipeline.Batch) *pipeline.Submission {
			sub := &pipeline.Submission{ClaimID: c.ID, Version: version, PCN: fmt.Sprintf("%s-%d-%d", c.EncounterID, version, b.ID),
				Frequency: "1", BatchID: b.ID, SetControl: "0001", SegFrom: 1, SegTo: 9, CreatedAt: b.CreatedAt}
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				must(t, "CreateSubmission", tx.CreateSubmission(ctx, sub))
			})
			return sub
		}

		// b1: sent 10 hours ago, nothing answered: overdue after 5 hours.
		b1 := batch("sim", pipeline.BatchUploaded, hoursAgo(10))
		send(claim("A", pipeline.StateSubmitted, 1), 1, b1)
		send(claim("B", pipeline.StateSubmitted, 1), 1, b1)
		// b2: as old, but the 999 moved one claim: answered.
		b2 := batch("sim", pipeline.BatchUploaded, hoursAgo(10))
		send(claim("C", pipeline.StateSubmitted, 1), 1, b2)
		d := claim("D", pipeline.StateAckAccepted, 1)
		subD := send(d, 1, b2)
		j := claim("J", pipeline.StateAccepted, 1)
		subJ := send(j, 1, b2)
		// b3: sent an hour ago.
		b3 := batch("sim", pipeline.BatchUploaded, hoursAgo(1))
		send(claim("E", pipeline.StateSubmitted, 1), 1, b3)
		// b4: another clearinghouse's.
		b4 := batch("other", pipeline.BatchUploaded, hoursAgo(10))
		send(claim("F", pipeline.StateSubmitted, 1), 1, b4)
		b4k := batch("other", pipeline.BatchUploaded, hoursAgo(10))
		k := claim("K", pipeline.StateAckAccepted, 1)
		subK := send(k, 1, b4k)
		// b5: built, not uploaded.
		b5 := batch("sim", pipeline.BatchBuilt, time.Time{})
		send(claim("G", pipeline.StateBatched, 1), 1, b5)
		// b6 sent version 1 of H, which is at version 2 now (sent in
		// b7, two hours ago): b6 waits for nothing, b7 for its 999.
		b6 := batch("sim", pipeline.BatchUploaded, hoursAgo(10))
		b7 := batch("sim", pipeline.BatchUploaded, hoursAgo(2))
		h := claim("H", pipeline.StateSubmitted, 2)
		send(h, 1, b6)
		send(h, 2, b7)
		// I was sent 10 hours ago, and again an hour ago (b8): its
		// latest submission counts.
		b8 := batch("sim", pipeline.BatchUploaded, hoursAgo(1))
		i := claim("I", pipeline.StateAckAccepted, 2)
		send(i, 1, b1)
		subI := send(i, 2, b8)
		// L's latest submission is in a file not uploaded yet.
		l := claim("L", pipeline.StateAckAccepted, 2)
		send(l, 1, b2)
		send(l, 2, b5)

		want := func(c *pipeline.Claim, sub *pipeline.Submission, b *pipeline.Batch) pipeline.OverdueClaim {
			return pipeline.OverdueClaim{ClaimID: c.ID, Version: c.Version, PayerID: c.PayerID, SubmissionID: sub.ID, PCN: sub.PCN,
				BatchID: b.ID, FileName: b.FileName, UploadedAt: b.UploadedAt}
		}
		est := time.FixedZone("EST", -5*3600)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, tc := range []struct {
				ch     string
				before time.Time
				want   []*pipeline.Batch
			}{
				{"sim", hoursAgo(5), []*pipeline.Batch{b1}},
				{"sim", hoursAgo(5).In(est), []*pipeline.Batch{b1}},
				{"sim", hoursAgo(10), nil}, // before, not at
				{"sim", now, []*pipeline.Batch{b1, b7, b3}},
				{"other", now, []*pipeline.Batch{b4}},
				{"none", now, nil},
			} {
				got, err := tx.OverdueBatches(ctx, tc.ch, tc.before)
				must(t, "OverdueBatches", err)
				Same(t, fmt.Sprintf("OverdueBatches(%s, %v)", tc.ch, tc.before), got, tc.want)
			}
			for _, tc := range []struct {
				ch     string
				state  pipeline.ClaimState
				before time.Time
				want   []pipeline.OverdueClaim
			}{
				{"sim", pipeline.StateAckAccepted, hoursAgo(5), []pipeline.OverdueClaim{want(d, subD, b2)}},
				{"sim", pipeline.StateAckAccepted, hoursAgo(5).In(est), []pipeline.OverdueClaim{want(d, subD, b2)}},
				{"sim", pipeline.StateAckAccepted, now, []pipeline.OverdueClaim{want(d, subD, b2), want(i, subI, b8)}},
				{"sim", pipeline.StateAccepted, now, []pipeline.OverdueClaim{want(j, subJ, b2)}},
				{"sim", pipeline.StateAccepted, hoursAgo(10), nil},
				{"other", pipeline.StateAckAccepted, now, []pipeline.OverdueClaim{want(k, subK, b4k)}},
				{"sim", pipeline.StatePaid, now, nil},
			} {
				got, err := tx.OverdueClaims(ctx, tc.ch, tc.state, tc.before)
				must(t, "OverdueClaims", err)
				Same(t, fmt.Sprintf("OverdueClaims(%s, %s, %v)", tc.ch, tc.state, tc.before), got, tc.want)
			}
		})

		// A 999 moves A: b1 is answered. Correcting E (version 2, not
		// sent yet) leaves b3 waiting for nothing.
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			a, err := tx.SubmissionByPCN(ctx, "A-1-"+fmt.Sprint(b1.ID))
			must(t, "SubmissionByPCN", err)
			must(t, "MoveClaim", tx.MoveClaim(ctx, a.ClaimID, 1, pipeline.StateSubmitted, pipeline.StateAckAccepted,
				pipeline.Event{Kind: "999"}))
			e, err := tx.SubmissionByPCN(ctx, "E-1-"+fmt.Sprint(b3.ID))
			must(t, "SubmissionByPCN", err)
			c, err := tx.GetClaim(ctx, e.ClaimID)
			must(t, "GetClaim", err)
			c.Data.PriorAuthorization = "AUTH-2"
			must(t, "ReviseClaim", tx.ReviseClaim(ctx, c, &pipeline.ClaimVersion{Version: 2, Kind: pipeline.VersionCorrection, Frequency: "7",
				Data: c.Data, TotalCharge: c.TotalCharge, Actor: "kim"}, 1))
		})
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.OverdueBatches(ctx, "sim", now)
			must(t, "OverdueBatches", err)
			Same(t, "overdue batches after a 999 and a correction", got, []*pipeline.Batch{b7})
		})
	}},
}
