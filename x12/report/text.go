package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/x12claims/claims/x12/codes"
	"github.com/x12claims/claims/x12/ta1"
	"github.com/x12claims/claims/x12/x277"
	"github.com/x12claims/claims/x12/x835"
	"github.com/x12claims/claims/x12/x999"
)

// WriteText prints the report for people: for each set its totals,
// claims, adjustments and statuses with the meaning of every code (an
// unknown code shows as "unknown code X"), balancing errors and warnings.
// Patient names and member ids are not printed; claims are named by
// their patient control number. It returns the first write error.
func (r *Report) WriteText(w io.Writer) error {
	t := &textWriter{w: bufio.NewWriter(w)}
	t.printf("File %s: %d transaction set(s)\n", r.File, len(r.Sets))
	for _, s := range r.Sets {
		t.printf("\n")
		switch {
		case s.Remittance != nil:
			t.remittance(s)
		case s.Ack != nil:
			t.ack("999 implementation acknowledgment", s.Ack, s.Totals.(*AckTotals))
		case s.Ack997 != nil:
			t.ack("997 functional acknowledgment", s.Ack997.As999(), s.Totals.(*AckTotals))
		case s.ClaimAck != nil:
			t.claimAck(s)
		case s.TA1 != nil:
			t.ta1(s.TA1)
		case s.Set == Kind837:
			ct := s.Totals.(*ClaimTotals)
			t.printf("837 claims, set %s (%s): %d claim(s), total charge %s\n", s.ControlNumber, s.Guide, ct.ClaimCount, ct.TotalCharge)
		default:
			t.printf("Transaction set %s %s (%s): not supported\n", s.Set, s.ControlNumber, s.Guide)
		}
		for _, w := range s.Warnings {
			t.printf("  warning: %s\n", w)
		}
	}
	if len(r.Warnings) > 0 {
		t.printf("\nWarnings:\n")
		for _, w := range r.Warnings {
			t.printf("  %s\n", w)
		}
	}
	if len(r.Errors) > 0 {
		t.printf("\nErrors:\n")
		for _, e := range r.Errors {
			t.printf("  %s\n", e)
		}
	}
	if t.err != nil {
		return t.err
	}
	return t.w.Flush()
}

type textWriter struct {
	w   *bufio.Writer
	err error
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

func describe(l codes.List, code string) string {
	if code == "" {
		return "(none)"
	}
	return code + " (" + strings.TrimSuffix(codes.Describe(l, code), ".") + ")"
}

func (t *textWriter) remittance(s *Set) {
	r := s.Remittance
	tot := s.Totals.(*x835.Totals)
	p := r.Payment
	t.printf("835 remittance, set %s (interchange %s, group %s)\n", r.SetControl, r.ISA13, r.GS06)
	t.printf("  Payment %s %s by %s", p.Amount, creditDebit(p.CreditDebit), p.Method)
	if !p.Date.IsZero() {
		t.printf(" on %s", p.Date)
	}
	t.printf(", trace %s\n", p.Trace)
	t.printf("  Payer %s", r.Payer.Name)
	if r.Payer.ID != "" {
		t.printf(" (%s %s)", r.Payer.IDQualifier, r.Payer.ID)
	}
	t.printf("; payee %s (%s %s)\n", r.Payee.Name, r.Payee.IDQualifier, r.Payee.ID)
	t.printf("  Totals: %d claim(s), charged %s, paid %s, provider adjustments %s, payment %s\n",
		tot.ClaimCount, tot.TotalCharge, tot.TotalPaid, tot.PLBTotal, tot.PaymentAmount)
	for _, c := range r.Claims {
		t.printf("  Claim %d, PCN %s: %s; charge %s, paid %s, patient responsibility %s",
			c.Ordinal, c.PatientControlNumber, describe(codes.ClaimPaymentStatus, c.Status), c.Charge, c.Paid, c.PatientResponsibility)
		if c.PayerClaimNumber != "" {
			t.printf("; payer claim %s", c.PayerClaimNumber)
		}
		t.printf("\n")
		t.adjustments("    ", c.Adjustments)
		for _, rm := range append(append([]string{}, c.InpatientRemarks...), c.OutpatientRemarks...) {
			t.printf("    remark %s\n", describe(codes.RARC, rm))
		}
		for _, l := range c.Lines {
			pr := l.Procedure.Qualifier + ":" + l.Procedure.Code
			if len(l.Procedure.Modifiers) > 0 {
				pr += ":" + strings.Join(l.Procedure.Modifiers, ":")
			}
			t.printf("    Line %s", pr)
			if l.ControlNumber != "" {
				t.printf(" (line %s)", l.ControlNumber)
			}
			t.printf(": charge %s, paid %s", l.Charge, l.Paid)
			if l.Allowed != nil {
				t.printf(", allowed %s", *l.Allowed)
			}
			if l.Original != nil {
				t.printf(", submitted as %s:%s", l.Original.Qualifier, l.Original.Code)
			}
			if !l.ServiceDate.IsZero() {
				t.printf(", service %s", l.ServiceDate)
			}
			t.printf("\n")
			t.adjustments("      ", l.Adjustments)
			for _, rm := range l.Remarks {
				t.printf("      remark %s\n", describe(codes.RARC, rm))
			}
		}
	}
	for _, a := range r.ProviderAdjustments {
		t.printf("  Provider adjustment %s", describe(codes.PLBReason, a.Reason))
		if a.Reference != "" {
			t.printf(" ref %s", a.Reference)
		}
		t.printf(": %s (provider %s, %s)\n", a.Amount, a.ProviderID, a.FiscalDate)
	}
	if len(s.BalancingErrors) == 0 {
		t.printf("  Balancing: balanced at line, claim and transaction level\n")
	} else {
		t.printf("  Balancing: %d error(s)\n", len(s.BalancingErrors))
		for _, e := range s.BalancingErrors {
			t.printf("    %s: %s\n", e.Rule, e)
		}
	}
}

func creditDebit(c string) string {
	switch c {
	case "C":
		return "credit"
	case "D":
		return "debit"
	}
	return c
}

func (t *textWriter) adjustments(indent string, as []x835.Adjustment) {
	for _, a := range as {
		t.printf("%s%s-%s %s: %s\n", indent, a.Group, a.Reason, a.Amount, codes.Describe(codes.CARC, a.Reason))
	}
}

// ack prints a 999, or a 997 read as one (its codes are the 999's less
// the I codes).
func (t *textWriter) ack(title string, a *x999.Ack, tot *AckTotals) {
	t.printf("%s, set %s: for group %s %s", title, a.SetControl, a.FunctionalID, a.GroupControl)
	if a.GroupVersion != "" {
		t.printf(" (%s)", a.GroupVersion)
	}
	t.printf("\n")
	t.printf("  Group: %s; %d included, %d received, %d accepted, %d rejected\n",
		describe(codes.AckCode, a.Status), a.SetsIncluded, a.SetsReceived, tot.SetsAccepted, tot.SetsRejected)
	for _, g := range a.GroupErrors {
		t.printf("  group error %s\n", describe(codes.GroupError, g))
	}
	for _, sr := range a.Sets {
		t.printf("  Set %s %s: %s\n", sr.SetID, sr.Control, describe(codes.AckCode, sr.Status))
		for _, e := range sr.Errors {
			t.printf("    set error %s\n", describe(codes.TransactionSetError, e))
		}
		for _, se := range sr.Segments {
			t.printf("    Segment %s at position %d", se.SegmentID, se.Position)
			if se.Loop != "" {
				t.printf(" in loop %s", se.Loop)
			}
			t.printf(": %s", describe(codes.SegmentSyntaxError, se.Code))
			if bu := se.BusinessUnit; bu != nil {
				t.printf(" [%s %s]", bu.Name, bu.Reference)
			}
			t.printf("\n")
			for _, c := range se.Contexts {
				t.printf("      because of %s at position %d\n", c.SegmentID, c.Position)
			}
			for _, e := range se.Elements {
				t.printf("      Element %d", e.Position)
				if e.Component > 0 {
					t.printf("-%d", e.Component)
				}
				if e.Reference != "" {
					t.printf(" (data element %s)", e.Reference)
				}
				t.printf(": %s", describe(codes.ElementSyntaxError, e.Code))
				if e.BadData != "" {
					t.printf(", bad data %q", e.BadData)
				}
				t.printf("\n")
			}
		}
	}
}

func statusText(st x277.Status) string {
	var parts []string
	for _, c := range st.Codes {
		p := codes.Describe(codes.ClaimStatusCategory, c.Category) + " [" + c.Category + "] — " +
			codes.Describe(codes.ClaimStatus, c.Status) + " [" + c.Status + "]"
		if c.Entity != "" {
			p += " — entity: " + codes.Describe(codes.EntityIdentifier, c.Entity) + " [" + c.Entity + "]"
		}
		parts = append(parts, p)
	}
	s := strings.Join(parts, "; ")
	if st.Action != "" {
		s += " (action " + st.Action + ")"
	}
	if st.Message != "" {
		s += ": " + st.Message
	}
	return s
}

func (t *textWriter) claimAck(s *Set) {
	a := s.ClaimAck
	c := s.Totals.(*x277.Counts)
	t.printf("277CA claim acknowledgment, set %s (%s), reference %s of %s\n", a.SetControl, a.Version, a.Reference, a.Date)
	t.printf("  Totals: %d claim(s): %d accepted, %d rejected, %d pending, %d to review\n", c.Claims, c.Accepted, c.Rejected, c.Pending, c.Review)
	for _, src := range a.Sources {
		t.printf("  From %s %s\n", describe(codes.EntityIdentifier, src.Party.Entity), src.Party.LastName)
		for _, r := range src.Receivers {
			t.printf("  To %s (%s), batch %s\n", r.Party.LastName, r.Party.ID, r.Trace)
			for _, st := range r.Statuses {
				t.printf("    batch status: %s\n", statusText(st))
			}
			for _, p := range r.Providers {
				t.printf("    Billing provider %s %s", p.Party.IDQualifier, p.Party.ID)
				if len(p.Statuses) > 0 {
					t.printf(": %s", p.Verdict())
				}
				t.printf("\n")
				for _, st := range p.Statuses {
					t.printf("      provider status: %s\n", statusText(st))
				}
				for _, pt := range p.Patients {
					for _, cl := range pt.Claims {
						t.printf("      Claim PCN %s: %s", cl.PatientControlNumber, cl.Verdict())
						if cl.PayerClaimNumber != "" {
							t.printf("; payer claim %s", cl.PayerClaimNumber)
						}
						t.printf("\n")
						for _, st := range cl.Statuses {
							t.printf("        %s\n", statusText(st))
						}
						for _, l := range cl.Lines {
							t.printf("        Line %s:%s", l.Procedure.Qualifier, l.Procedure.Code)
							if l.ControlNumber != "" {
								t.printf(" (line %s)", l.ControlNumber)
							}
							t.printf(": %s\n", l.Verdict())
							for _, st := range l.Statuses {
								t.printf("          %s\n", statusText(st))
							}
						}
					}
				}
			}
		}
	}
}

func (t *textWriter) ta1(a *ta1.Ack) {
	verdict := "not accepted"
	if a.Accepted() {
		verdict = "accepted"
	}
	t.printf("TA1 for interchange %s (%s %s): %s, %s; note %s\n", a.ControlNumber, a.Date, a.Time,
		describe(codes.TA1Ack, a.Code), verdict, describe(codes.TA1Note, a.Note))
}
