package report

import (
	"fmt"
	"path/filepath"
	"sort"
	"testing"

	"github.com/x12claims/claims/x12/codes"
	"github.com/x12claims/claims/x12/x12test"
	"github.com/x12claims/claims/x12/x277"
	"github.com/x12claims/claims/x12/x835"
)

// codeUse is one code found in a file.
type codeUse struct {
	List codes.List
	Code string
}

// knownUnknown lists the codes of the corpus that are deliberately not in
// the code tables, with the reason. Anything else the corpus uses must
// have a description.
var knownUnknown = map[codeUse]string{
	// malformed/xlate-staedi__invalid999.edi is a deliberately invalid 999:
	// its "IK5*Q" is not an acknowledgment code of element 717.
	{codes.AckCode, "Q"}: "deliberately invalid IK501 in a malformed test file",
}

// usedCodes returns every code a report's sets use, by table.
func usedCodes(r *Report) []codeUse {
	var out []codeUse
	add := func(l codes.List, c string) {
		if c != "" {
			out = append(out, codeUse{l, c})
		}
	}
	adjust := func(as []x835.Adjustment) {
		for _, a := range as {
			add(codes.AdjustmentGroup, a.Group)
			add(codes.CARC, a.Reason)
		}
	}
	statuses := func(sts []x277.Status) {
		for _, s := range sts {
			for _, c := range s.Codes {
				add(codes.ClaimStatusCategory, c.Category)
				add(codes.ClaimStatus, c.Status)
				add(codes.EntityIdentifier, c.Entity)
			}
		}
	}
	for _, s := range r.Sets {
		if rem := s.Remittance; rem != nil {
			for _, c := range rem.Claims {
				add(codes.ClaimPaymentStatus, c.Status)
				adjust(c.Adjustments)
				for _, rm := range append(append([]string{}, c.InpatientRemarks...), c.OutpatientRemarks...) {
					add(codes.RARC, rm)
				}
				for _, l := range c.Lines {
					adjust(l.Adjustments)
					for _, rm := range l.Remarks {
						add(codes.RARC, rm)
					}
				}
			}
			for _, p := range rem.ProviderAdjustments {
				add(codes.PLBReason, p.Reason)
			}
		}
		if a := s.Ack; a != nil {
			add(codes.AckCode, a.Status)
			for _, g := range a.GroupErrors {
				add(codes.GroupError, g)
			}
			for _, sr := range a.Sets {
				add(codes.AckCode, sr.Status)
				for _, e := range sr.Errors {
					add(codes.TransactionSetError, e)
				}
				for _, se := range sr.Segments {
					add(codes.SegmentSyntaxError, se.Code)
					for _, e := range se.Elements {
						add(codes.ElementSyntaxError, e.Code)
					}
				}
			}
		}
		if a := s.ClaimAck; a != nil {
			for _, src := range a.Sources {
				for _, rc := range src.Receivers {
					statuses(rc.Statuses)
					for _, p := range rc.Providers {
						statuses(p.Statuses)
						for _, pt := range p.Patients {
							for _, c := range pt.Claims {
								statuses(c.Statuses)
								for _, l := range c.Lines {
									statuses(l.Statuses)
								}
							}
						}
					}
				}
			}
		}
		if a := s.TA1; a != nil {
			add(codes.TA1Ack, a.Code)
			add(codes.TA1Note, a.Note)
		}
	}
	return out
}

// TestCorpusCodes fails when a code used in a response file of the corpus
// has no description and is not in knownUnknown.
func TestCorpusCodes(t *testing.T) {
	missing := map[string][]string{}
	for _, dir := range []string{"835", "999", "277ca", "ta1", "malformed", "other"} {
		for _, f := range x12test.CorpusFiles(t, dir) {
			r, _ := build(t, f)
			for _, u := range usedCodes(r) {
				if _, ok := codes.Lookup(u.List, u.Code); ok {
					continue
				}
				if _, ok := knownUnknown[u]; ok {
					continue
				}
				k := fmt.Sprintf("%v %s", u.List, u.Code)
				missing[k] = append(missing[k], filepath.Base(f))
			}
		}
	}
	var keys []string
	for k := range missing {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Errorf("code %s has no description (used in %v); add it to its table or to knownUnknown with the reason", k, missing[k])
	}
}

// TestSampleCodes does the same for our own fixtures; the deliberately
// unknown 277CA category Q9 must show as "unknown code Q9".
func TestSampleCodes(t *testing.T) {
	for _, path := range samples {
		r, _ := build(t, path)
		for _, u := range usedCodes(r) {
			_, ok := codes.Lookup(u.List, u.Code)
			if u == (codeUse{codes.ClaimStatusCategory, "Q9"}) {
				if ok || codes.Describe(u.List, u.Code) != "unknown code Q9" {
					t.Errorf("Q9 should be unknown")
				}
				continue
			}
			if !ok {
				t.Errorf("%s: %v code %s has no description", path, u.List, u.Code)
			}
		}
	}
}
