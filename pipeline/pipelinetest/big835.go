package pipelinetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// Large 835s for the streaming-apply benchmark, the memory test and the
// measurement in the README: written claim by claim (x835.SetWriter), so
// that a file of any size is generated in bounded memory.

// Write835 writes to w an 835 file addressed to the harness's practice:
// claims claim payments, claim(i) giving the i-th (from 0), in balanced
// transaction sets of perSet claims each. claim is called twice per
// claim (BPR02, the set's total, comes before the claims) and must give
// the same amounts both times.
func (h *Harness) Write835(w io.Writer, claims, perSet int, claim func(i int) *x835.Claim) error {
	isa, gs := h.envelope("HP")
	gs.Version = x835.Guide
	return x12.WriteFile(w, isa, gs, func(xw *x12.Writer) error {
		for first, set := 0, 1; first < claims; first, set = first+perSet, set+1 {
			last := min(first+perSet, claims)
			r := Remit(fmt.Sprintf("BIG%s-%06d", isa.ControlNumber, set), paidDate, nil)
			r.SetControl = fmt.Sprintf("%04d", set%10000)
			for i := first; i < last; i++ {
				r.Payment.Amount += claim(i).Paid
			}
			sw, err := x835.NewSetWriter(xw, r)
			if err != nil {
				return err
			}
			for i := first; i < last; i++ {
				if err := sw.Claim(claim(i)); err != nil {
					return err
				}
			}
			if err := sw.End(); err != nil {
				return err
			}
		}
		return nil
	})
}

// BigClaim is the i-th claim payment of a large test 835: three service
// lines (99214, 93000, 36415) with a date, contractual and patient
// responsibility adjustments, line item control numbers and a remark
// code, about 600 bytes written. Its CLP01 is prefix, i and "-1", the
// PCN SeedClaims gives claim i made with the same prefix and three lines,
// so that it posts to that claim; with another prefix it matches none.
func BigClaim(prefix string, i int) *x835.Claim {
	pcn := fmt.Sprintf("%s%d-1", prefix, i)
	charges := []string{"125.00", "40.00", "65.50"}
	procs := []string{"99213", "36415", "85025"}
	c := &x835.Claim{PatientControlNumber: pcn, Status: "1", FilingIndicator: "CI", PayerClaimNumber: "ICN" + pcn,
		Names:         []x835.Name{{Entity: "QC", EntityType: "1", LastName: "PATIENT", FirstName: "TEST", IDQualifier: "MI", ID: fmt.Sprintf("W%09d", i)}},
		StatementFrom: x12.Date{Year: 2026, Month: 11, Day: 2}, StatementTo: x12.Date{Year: 2026, Month: 11, Day: 2}}
	for j := range 3 {
		charge := x12.MustAmount(charges[j])
		allowed := charge * 80 / 100
		pr := allowed / 5
		l := &x835.Line{Procedure: x835.Procedure{Qualifier: "HC", Code: procs[j]}, Charge: charge, Paid: allowed - pr, Units: "1",
			ServiceDate: x12.Date{Year: 2026, Month: 11, Day: 2}, ControlNumber: fmt.Sprintf("%s%d-L%d", prefix, i, j+1),
			Adjustments: []x835.Adjustment{{Group: "CO", Reason: "45", Amount: charge - allowed}, {Group: "PR", Reason: "2", Amount: pr}},
			Remarks:     []string{"N130"}}
		c.Charge += charge
		c.Paid += l.Paid
		c.PatientResponsibility += pr
		c.Lines = append(c.Lines, l)
	}
	return c
}

// SeedClaims creates n submitted claims of 1 to 3 lines, with their
// submissions and charges, in one transaction; claim k's PCN is prefix,
// k and "-1" (see BigClaim).
func SeedClaims(h *Harness, prefix string, n, lines int) []*pipeline.Claim {
	h.T.Helper()
	return seedClaims(h.T, h, prefix, n, lines)
}

// SeedMany is SeedClaims for many claims: it seeds them in
// transactions of 5,000 and keeps none in memory.
func SeedMany(h *Harness, prefix string, n, lines int) {
	h.T.Helper()
	for from := 0; from < n; from += 5000 {
		seedRange(h.T, h, prefix, from, min(5000, n-from), lines)
	}
}

// Receive835 writes an 835 of claims claim payments (see Write835) into
// the harness's inbox and records it as a received response file, ready
// for ApplyPending: the download is not part of what is measured.
func (h *Harness) Receive835(name string, claims, perSet int, claim func(i int) *x835.Claim) *pipeline.InboundFile {
	h.T.Helper()
	dir := filepath.Join(h.Dir, "inbox", "sim")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		h.T.Fatalf("inbox: %v", err)
	}
	path := filepath.Join(dir, name)
	fh, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		h.T.Fatalf("create %s: %v", name, err)
	}
	if err := h.Write835(fh, claims, perSet, claim); err != nil {
		fh.Close()
		h.T.Fatalf("write %s: %v", name, err)
	}
	fi, err := fh.Stat()
	if err == nil {
		err = fh.Close()
	}
	if err != nil {
		h.T.Fatalf("write %s: %v", name, err)
	}
	return h.Record(path, fi.Size())
}

// Record records the file at path (size bytes; the SHA-256 of its path
// stands for that of its content) as a received response file from the
// harness's clearinghouse.
func (h *Harness) Record(path string, size int64) *pipeline.InboundFile {
	h.T.Helper()
	f := &pipeline.InboundFile{Clearinghouse: "sim", Name: filepath.Base(path), SHA256: fmt.Sprintf("%x", sha256.Sum256([]byte(path))), Size: size,
		LocalPath: path, Kind: "unknown", State: pipeline.InboundReceived, ReceivedAt: h.Now}
	h.tx(func(ctx context.Context, tx pipeline.Tx) error {
		_, err := tx.CreateInbound(ctx, f)
		return err
	})
	return f
}

// HeapMeter samples the live Go heap (after a collection) each time the
// pipeline passes the crash point it watches: as Options.Failpoint, it
// gives the high-water mark of what applying a file keeps.
type HeapMeter struct {
	Point string
	Max   uint64 // bytes
	N     int    // samples taken
}

// Hook is the failpoint hook.
func (m *HeapMeter) Hook(name string) {
	if name != m.Point {
		return
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.Max = max(m.Max, ms.HeapAlloc)
	m.N++
}
