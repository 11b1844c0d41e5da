package x835

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/x12claims/claims/x12"
)

// FuzzParser streams any input claim by claim, as a posting job does, and
// checks what the stream promises: claims numbered 1, 2, ... in each set,
// running totals that add up the claims returned, io.EOF for good at the
// end of a set and of the input, the same fatal error again after one.
// A stream without errors, written again set by set with SetWriter, reads
// back with the same totals. Seeds are in testdata/fuzz.
func FuzzParser(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		p := NewParser(x12.NewReader(bytes.NewReader(data)))
		var sets []*Remittance
		var totals []Totals
		for {
			rem, err := p.NextRemittance()
			if err == io.EOF {
				break
			}
			if err != nil {
				if _, again := p.NextRemittance(); again != err {
					t.Fatalf("fatal error %v, then %v", err, again)
				}
				return
			}
			var sum Totals
			set := *rem
			set.Claims = nil
			for {
				c, err := p.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					return
				}
				sum.ClaimCount++
				sum.TotalCharge += c.Charge
				sum.TotalPaid += c.Paid
				if c.Ordinal != sum.ClaimCount {
					t.Fatalf("set %s: claim %d has ordinal %d", rem.SetControl, sum.ClaimCount, c.Ordinal)
				}
				set.Claims = append(set.Claims, c)
			}
			if _, err := p.Next(); err != io.EOF {
				t.Fatalf("set %s: Next after the end gave %v, want io.EOF", rem.SetControl, err)
			}
			got := p.Totals()
			if got.ClaimCount != sum.ClaimCount || got.TotalCharge != sum.TotalCharge || got.TotalPaid != sum.TotalPaid {
				t.Fatalf("set %s: running totals %+v, claims returned %+v", rem.SetControl, got, sum)
			}
			set.ProviderAdjustments = rem.ProviderAdjustments
			sets = append(sets, &set)
			totals = append(totals, got)
		}
		if len(p.Errors()) > 0 || len(sets) == 0 {
			return
		}
		var buf bytes.Buffer
		isa, gs := sampleEnvelope()
		gs.FunctionalID, gs.Version = "HP", Guide
		err := x12.WriteFile(&buf, isa, gs, func(w *x12.Writer) error {
			for _, r := range sets {
				sw, err := NewSetWriter(w, r)
				if err != nil {
					return err
				}
				for _, c := range r.Claims {
					if err := sw.Claim(c); err != nil {
						return err
					}
				}
				if err := sw.End(); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return // a value holding a delimiter of the sample envelope
		}
		again, err := Read(&buf)
		if err != nil && !errors.Is(err, ErrStructure) {
			t.Fatalf("reading the set written again: %v", err)
		}
		if err != nil {
			return
		}
		if len(again) != len(sets) {
			t.Fatalf("wrote %d sets, read %d back", len(sets), len(again))
		}
		for i, r := range again {
			if got := r.Totals(); got != totals[i] {
				t.Fatalf("set %d written again: totals %+v, were %+v", i, got, totals[i])
			}
		}
	})
}

// TestSetWriterIsWrite checks that writing a set claim by claim gives
// Write's bytes.
func TestSetWriterIsWrite(t *testing.T) {
	r := sampleRemittance()
	isa, gs := sampleEnvelope()
	gs.FunctionalID, gs.Version = "HP", Guide
	var whole, streamed bytes.Buffer
	if err := WriteInterchange(&whole, isa, gs, r); err != nil {
		t.Fatal(err)
	}
	err := x12.WriteFile(&streamed, isa, gs, func(w *x12.Writer) error {
		sw, err := NewSetWriter(w, r)
		if err != nil {
			return err
		}
		for _, c := range r.Claims {
			if err := sw.Claim(c); err != nil {
				return err
			}
		}
		return sw.End()
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(whole.Bytes(), streamed.Bytes()) {
		t.Fatalf("streamed:\n%s\nwhole:\n%s", streamed.Bytes(), whole.Bytes())
	}
}

// TestSegmentLimits: a claim payment, or a set outside its claims, with
// more segments than the parser keeps is a structural error, reported
// once, and what is past the limit is not kept.
func TestSegmentLimits(t *testing.T) {
	const head = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *251003*1200*^*00501*000000001*0*P*:~" +
		"GS*HP*PAYER*CLINIC*20251003*1200*1*X*005010X221A1~ST*835*0001~BPR*I*0*C*NON************20251003~TRN*1*T1*1999999999~" +
		"N1*PR*EXAMPLE PLAN~N1*PE*ACME CLINIC*XX*1234567893~"
	const tail = "SE*1*0001~GE*1*1~IEA*1*000000001~"
	for _, tc := range []struct {
		name, body, want string
	}{
		{"PLB", "LX*1~CLP*C1*1*0*0~NM1*QC*1*A~" + strings.Repeat("PLB*1234567893*20251231*L6*0~", MaxSetSegments), "outside its claims"},
		{"claim", "LX*1~CLP*C1*1*0*0~NM1*QC*1*A~" + strings.Repeat("CAS*CO*45*0~", MaxClaimSegments), "in one claim payment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rems, err := Read(strings.NewReader(head + tc.body + tail))
			if !errors.Is(err, ErrStructure) || !strings.Contains(err.Error(), tc.want) || strings.Count(err.Error(), "more than") != 1 {
				t.Fatalf("error %v; want one structural error about segments %s", err, tc.want)
			}
			if len(rems) != 1 {
				t.Fatalf("%d sets read", len(rems))
			}
			if n := len(rems[0].ProviderAdjustments); n >= MaxSetSegments {
				t.Errorf("%d PLB adjustments kept", n)
			}
			if c := rems[0].Claims; len(c) != 1 || len(c[0].Adjustments) >= MaxClaimSegments {
				t.Errorf("claims kept: %d", len(c))
			}
		})
	}
}
