package x837

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/x12"
)

// wantLoc is an expected scrubber problem with its X12 location.
type wantLoc struct {
	rule, field, loc string
}

// TestInpatientRules checks the 837I inpatient and coding rules on the
// final inpatient stay of institutional.json (type of bill 111): each
// problem names the field path and the X12 location.
func TestInpatientRules(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(c *Claim)
		want   []wantLoc
	}{
		{"clean final inpatient", func(c *Claim) {}, nil},
		{"no admission date or hour", func(c *Claim) { c.Institutional.AdmissionDate, c.Institutional.AdmissionHour = x12.Date{}, "" },
			[]wantLoc{{RuleInpatient, "institutional.admission_date", "2300 DTP03"}, {RuleInpatient, "institutional.admission_hour", "2300 DTP02"}}},
		{"no admission hour", func(c *Claim) { c.Institutional.AdmissionHour = "" },
			[]wantLoc{{RuleInpatient, "institutional.admission_hour", "2300 DTP02"}}},
		{"admission hour without date", func(c *Claim) { c.Institutional.AdmissionDate = x12.Date{} },
			[]wantLoc{{RuleInpatient, "institutional.admission_date", "2300 DTP03"}}},
		{"outpatient admission hour without date", func(c *Claim) {
			c.Institutional.FacilityType, c.Institutional.AdmissionDate = "13", x12.Date{}
		}, []wantLoc{{RuleRequired, "institutional.admission_date", "2300 DTP03"}}},
		{"bad admission hour", func(c *Claim) { c.Institutional.AdmissionHour = "2460" },
			[]wantLoc{{RuleFormat, "institutional.admission_hour", "2300 DTP03"}}},
		{"admission hour with a colon", func(c *Claim) { c.Institutional.AdmissionHour = "19:30" },
			[]wantLoc{{RuleDelimiter, "institutional.admission_hour", "2300 DTP03"}, {RuleFormat, "institutional.admission_hour", "2300 DTP03"}}},
		{"no admission type", func(c *Claim) { c.Institutional.AdmissionType = "" },
			[]wantLoc{{RuleInpatient, "institutional.admission_type", "2300 CL101"}}},
		{"no admission source", func(c *Claim) { c.Institutional.AdmissionSource = "" },
			[]wantLoc{{RuleInpatient, "institutional.admission_source", "2300 CL102"}}},
		{"no admitting diagnosis", func(c *Claim) { c.Institutional.AdmittingDiagnosis = "" },
			[]wantLoc{{RuleInpatient, "institutional.admitting_diagnosis", "2300 HI01-2"}}},
		{"final without discharge hour", func(c *Claim) { c.Institutional.DischargeHour = "" },
			[]wantLoc{{RuleInpatient, "institutional.discharge_hour", "2300 DTP03"}}},
		{"last interim without discharge hour", func(c *Claim) { c.Frequency, c.Institutional.DischargeHour = "4", "" },
			[]wantLoc{{RuleInpatient, "institutional.discharge_hour", "2300 DTP03"}}},
		{"default frequency is final", func(c *Claim) { c.Frequency, c.Institutional.DischargeHour = "", "" },
			[]wantLoc{{RuleInpatient, "institutional.discharge_hour", "2300 DTP03"}}},
		{"interim needs no discharge hour", func(c *Claim) { c.Frequency, c.Institutional.DischargeHour = "2", "" }, nil},
		{"bad discharge hour", func(c *Claim) { c.Institutional.DischargeHour = "930" },
			[]wantLoc{{RuleFormat, "institutional.discharge_hour", "2300 DTP03"}}},
		{"outpatient needs none of them", func(c *Claim) {
			in := c.Institutional
			in.FacilityType = "13"
			in.AdmissionDate, in.AdmissionHour, in.DischargeHour, in.AdmissionType, in.AdmissionSource, in.AdmittingDiagnosis = x12.Date{}, "", "", "", "", ""
		}, nil},
		{"bad POA", func(c *Claim) { c.Institutional.PresentOnAdmission[2] = "X" },
			[]wantLoc{{RuleCode, "institutional.present_on_admission[2]", "2300 HI01-9"}}},
		{"POA of the second external cause", func(c *Claim) { c.Institutional.PresentOnAdmission[3] = "E" },
			[]wantLoc{{RuleCode, "institutional.present_on_admission[3]", "2300 HI02-9"}}},
		{"more POA than diagnoses", func(c *Claim) {
			c.Institutional.PresentOnAdmission = append(c.Institutional.PresentOnAdmission, "Y")
		}, []wantLoc{{RuleCode, "institutional.present_on_admission", "2300 HI"}}},
		{"external cause as principal", func(c *Claim) { c.Diagnoses[0], c.Diagnoses[1] = c.Diagnoses[1], c.Diagnoses[0] },
			[]wantLoc{{RuleExternalCause, "diagnoses[0]", "2300 HI01-2"}}},
		{"13 external causes", func(c *Claim) {
			for range 12 {
				c.Diagnoses = append(c.Diagnoses, "W19XXXA")
			}
			c.Institutional.PresentOnAdmission = nil
		}, []wantLoc{{RuleDiagnosesMax, "diagnoses", "2300 HI"}}},
		{"bad DRG", func(c *Claim) { c.Institutional.DRG = "48-1" },
			[]wantLoc{{RuleFormat, "institutional.drg", "2300 HI01-2"}}},
		{"other procedures without principal", func(c *Claim) {
			c.Institutional.PrincipalProcedure, c.Institutional.PrincipalProcedureDate = "", x12.Date{}
		}, []wantLoc{{RuleProcedureOrder, "institutional.principal_procedure", "2300 HI01-2"}}},
		{"bad other procedure", func(c *Claim) { c.Institutional.OtherProcedures[1].Code = "99213" },
			[]wantLoc{{RuleFormat, "institutional.other_procedures[1].code", "2300 HI02-2"}}},
		{"other procedure without date", func(c *Claim) { c.Institutional.OtherProcedures[1].Date = x12.Date{} },
			[]wantLoc{{RuleRequired, "institutional.other_procedures[1].date", "2300 HI02-4"}}},
		{"other procedure in the future", func(c *Claim) { c.Institutional.OtherProcedures[0].Date = day(2027, time.January, 2) },
			[]wantLoc{{RuleDateFuture, "institutional.other_procedures[0].date", "2300 HI01-4"}}},
		{"25 other procedures", func(c *Claim) {
			for len(c.Institutional.OtherProcedures) < 25 {
				c.Institutional.OtherProcedures = append(c.Institutional.OtherProcedures, c.Institutional.OtherProcedures[0])
			}
		}, []wantLoc{{RuleDiagnosesMax, "institutional.other_procedures", "2300 HI"}}},
		{"span backwards", func(c *Claim) { c.Institutional.OccurrenceSpans[1].To = day(2026, time.January, 11) },
			[]wantLoc{{RuleDateOrder, "institutional.occurrence_spans[1].to", "2300 HI02-4"}}},
		{"span without end", func(c *Claim) { c.Institutional.OccurrenceSpans[0].To = x12.Date{} },
			[]wantLoc{{RuleRequired, "institutional.occurrence_spans[0].to", "2300 HI01-4"}}},
		{"bad occurrence code", func(c *Claim) { c.Institutional.Occurrences[0].Code = "1" },
			[]wantLoc{{RuleFormat, "institutional.occurrences[0].code", "2300 HI01-2"}}},
		{"occurrence without date", func(c *Claim) { c.Institutional.Occurrences[1].Date = x12.Date{} },
			[]wantLoc{{RuleRequired, "institutional.occurrences[1].date", "2300 HI02-4"}}},
		{"bad value code", func(c *Claim) { c.Institutional.ValueCodes[1].Code = "a1" },
			[]wantLoc{{RuleFormat, "institutional.value_codes[1].code", "2300 HI02-2"}}},
		{"value code amount too large", func(c *Claim) { c.Institutional.ValueCodes[0].Amount = x12.MustAmount("100000000") },
			[]wantLoc{{RuleLength, "institutional.value_codes[0].amount", "2300 HI01-5"}}},
		{"surgery without operating physician", func(c *Claim) { c.Institutional.OperatingPhysician = nil },
			[]wantLoc{{RuleOperatingRequired, "institutional.operating_physician", "2310B NM1"}}},
		{"non-surgical procedure needs no operating physician", func(c *Claim) {
			in := c.Institutional
			in.OperatingPhysician, in.PrincipalProcedure, in.OtherProcedures = nil, "BW03ZZZ", in.OtherProcedures[1:]
		}, nil},
		{"operating physician is an organization", func(c *Claim) { c.Institutional.OperatingPhysician.Organization = "BONE CLINIC" },
			[]wantLoc{{RulePersonOrOrganization, "institutional.operating_physician.organization", "2310B NM102"}}},
		{"other operating physician NPI", func(c *Claim) { c.Institutional.OtherOperatingPhysician.NPI = "1555666770" },
			[]wantLoc{{RuleNPICheckDigit, "institutional.other_operating_physician.npi", "2310C NM109"}}},
		{"delimiter in a value code", func(c *Claim) { c.Institutional.ValueCodes[0].Code = "8*" },
			[]wantLoc{{RuleDelimiter, "institutional.value_codes[0].code", "2300 HI01-2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fixture(t, "institutional.json", 2)
			tc.mutate(c)
			var got []wantLoc
			ps := c.Validate(ValidateOptions{Today: testToday})
			for _, p := range ps {
				if p.Severity == SeverityError {
					got = append(got, wantLoc{p.Rule, p.Field, p.Location()})
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				var msgs []string
				for _, p := range ps {
					msgs = append(msgs, p.Rule+": "+p.Error())
				}
				t.Errorf("problems:\n got %v\nwant %v\n%s", got, tc.want, strings.Join(msgs, "\n"))
			}
		})
	}
}

// TestExternalCausesInABN checks that external-cause codes go in HI*ABN
// on an 837I, with their POA indicators, and stay with the other
// diagnoses on an 837P.
func TestExternalCausesInABN(t *testing.T) {
	inst := fixture(t, "institutional.json", 2)
	var buf bytes.Buffer
	if _, err := WriteFile(&buf, testEnvelope(Institutional), func(yield func(*Claim) bool) { yield(inst) }); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"HI*ABN:W01XXXA:::::::Y*ABN:Y92009~", "HI*ABF:I10:::::::Y*ABF:E119:::::::N~", "HI*ABK:S72001A:::::::Y~"} {
		if !strings.Contains(out, want) {
			t.Errorf("837I lacks %s", want)
		}
	}
	if strings.Contains(out, "ABF:W01") || strings.Contains(out, "ABF:Y92") {
		t.Error("837I sends an external cause as ABF")
	}
	prof := fixture(t, "professional.json", 0)
	prof.Diagnoses = append(prof.Diagnoses, "W01.XXXA")
	buf.Reset()
	if _, err := WriteFile(&buf, testEnvelope(Professional), func(yield func(*Claim) bool) { yield(prof) }); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "ABF:W01XXXA") {
		t.Error("837P does not send the external cause as ABF")
	}
}

// TestAdmissionDateFormat checks DTP*435: DT with the hour, D8 without.
func TestAdmissionDateFormat(t *testing.T) {
	c := fixture(t, "institutional.json", 2)
	for _, tc := range []struct{ hour, want string }{{"1930", "DTP*435*DT*202601121930~"}, {"", "DTP*435*D8*20260112~"}} {
		c.Institutional.AdmissionHour = tc.hour
		var buf bytes.Buffer
		if _, err := WriteFile(&buf, testEnvelope(Institutional), func(yield func(*Claim) bool) { yield(c) }); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), tc.want) {
			t.Errorf("hour %q: want %s", tc.hour, tc.want)
		}
	}
}

// TestValidateFileInpatient checks the file validator's 837I rules on
// edits of the golden file; the last claim (H2003-1, type of bill 111,
// CLM at segment 94) is the final inpatient stay.
func TestValidateFileInpatient(t *testing.T) {
	const clm = 94
	for _, tc := range []struct {
		name  string
		edits []string
		want  []fileProblem
	}{
		{"no discharge hour", []string{"DTP*096*TM*1115~\n", "", "SE*123*0001~", "SE*122*0001~"},
			[]fileProblem{{RuleInpatient, clm, "H2003-1", 0}}},
		{"admission without hour", []string{"DTP*435*DT*202601121930~", "DTP*435*D8*20260112~"},
			[]fileProblem{{RuleInpatient, clm, "H2003-1", 0}}},
		{"no admission date", []string{"DTP*435*DT*202601121930~\n", "", "SE*123*0001~", "SE*122*0001~"},
			[]fileProblem{{RuleInpatient, clm, "H2003-1", 0}}},
		{"no admission type or source", []string{"CL1*1*7*06~", "CL1***06~"},
			[]fileProblem{{RuleInpatient, clm, "H2003-1", 0}, {RuleInpatient, clm, "H2003-1", 0}}},
		{"no admitting diagnosis", []string{"HI*ABJ:S72001A~\n", "", "SE*123*0001~", "SE*122*0001~"},
			[]fileProblem{{RuleInpatient, clm, "H2003-1", 0}}},
		{"external cause as principal", []string{"HI*ABK:S72001A", "HI*ABK:W01XXXA"},
			[]fileProblem{{RuleExternalCause, clm + 6, "H2003-1", 0}}},
		{"bad DRG", []string{"HI*DR:481~", "HI*DR:48~"},
			[]fileProblem{{RuleFormat, clm + 9, "H2003-1", 0}}},
		{"other procedures without principal", []string{"HI*BBR:0QS704Z:D8:20260113~\n", "", "SE*123*0001~", "SE*122*0001~"},
			[]fileProblem{{RuleProcedureOrder, clm, "H2003-1", 0}}},
		{"bad procedure date", []string{"BBQ:3E0336Z:D8:20260112", "BBQ:3E0336Z:D8:20261312"},
			[]fileProblem{{RuleDateInvalid, clm + 12, "H2003-1", 0}}},
		{"span backwards", []string{"BI:M2:RD8:20260112-20260116", "BI:M2:RD8:20260116-20260112"},
			[]fileProblem{{RuleDateOrder, clm + 13, "H2003-1", 0}}},
		{"bad other procedure", []string{"BBQ:3E0336Z:D8", "BBQ:3E0I36Z:D8"},
			[]fileProblem{{RuleFormat, clm + 12, "H2003-1", 0}}},
		{"bad value code", []string{"HI*BE:80:::4", "HI*BE:800:::4"},
			[]fileProblem{{RuleFormat, clm + 15, "H2003-1", 0}}},
		{"bad occurrence code", []string{"HI*BH:01:D8", "HI*BH:1:D8"},
			[]fileProblem{{RuleFormat, clm + 14, "H2003-1", 0}}},
		{"bad POA", []string{"HI*ABF:I10:::::::Y", "HI*ABF:I10:::::::X"},
			[]fileProblem{{RuleCode, clm + 10, "H2003-1", 0}}},
		{"surgery without operating physician", []string{"NM1*72*1*BRANDVOLD*ASTRID****XX*1444555662~\nNM1*ZZ", "NM1*ZZ", "SE*123*0001~", "SE*122*0001~"},
			[]fileProblem{{RuleOperatingRequired, clm, "H2003-1", 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := edit(t, "institutional.x12", tc.edits...)
			ps, err := ValidateFile(bytes.NewReader(data), FileOptions{Today: testToday})
			if err != nil {
				t.Fatal(err)
			}
			var got []fileProblem
			for _, p := range ps {
				if p.Severity == SeverityError {
					got = append(got, fileProblem{p.Rule, p.Pos.Segment, p.Claim, p.Line})
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				var msgs []string
				for _, p := range ps {
					msgs = append(msgs, p.Rule+": "+p.Error())
				}
				t.Errorf("problems:\n got %v\nwant %v\n%s", got, tc.want, strings.Join(msgs, "\n"))
			}
		})
	}
}

// TestValidateFileExternalCauseInABF checks the warning for an external
// cause sent with the other diagnoses of an 837I.
func TestValidateFileExternalCauseInABF(t *testing.T) {
	data := edit(t, "institutional.x12", "HI*ABF:I10:::::::Y", "HI*ABF:V0001XA:::::::Y")
	ps, err := ValidateFile(bytes.NewReader(data), FileOptions{Today: testToday})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Rule != RuleExternalCause || ps[0].Severity != SeverityWarning || ps[0].Element != "HI01-1" {
		t.Errorf("got %v, want one external-cause warning at HI01-1", ps)
	}
}

// inpatientSetters extend FuzzScrubThenBuild's setters with the 837I
// inpatient and coding fields (the third institutional fixture uses them
// all).
var inpatientSetters = []func(c *Claim, v string){
	func(c *Claim, v string) {
		if in := c.Institutional; in != nil {
			in.AdmissionHour = v
		}
	},
	func(c *Claim, v string) {
		if in := c.Institutional; in != nil {
			in.DischargeHour = v
		}
	},
	func(c *Claim, v string) {
		if in := c.Institutional; in != nil {
			in.PresentOnAdmission = append(in.PresentOnAdmission, v)
		}
	},
	func(c *Claim, v string) {
		if in := c.Institutional; in != nil {
			in.DRG = v
		}
	},
	func(c *Claim, v string) {
		if in := c.Institutional; in != nil {
			in.OtherProcedures = append(in.OtherProcedures, CodeDate{Code: v, Date: day(2026, 1, 13)})
		}
	},
	func(c *Claim, v string) {
		if in := c.Institutional; in != nil {
			in.Occurrences = append(in.Occurrences, CodeDate{Code: v, Date: day(2026, 1, 13)})
		}
	},
	func(c *Claim, v string) {
		if in := c.Institutional; in != nil {
			in.OccurrenceSpans = append(in.OccurrenceSpans, CodeSpan{Code: v, From: day(2026, 1, 13), To: day(2026, 1, 14)})
		}
	},
	func(c *Claim, v string) {
		if in := c.Institutional; in != nil {
			in.ValueCodes = append(in.ValueCodes, ValueCode{Code: v, Amount: 1250})
		}
	},
	func(c *Claim, v string) { c.Diagnoses = append(c.Diagnoses, v) },
	func(c *Claim, v string) { c.Frequency = v },
	func(c *Claim, v string) {
		if in := c.Institutional; in != nil {
			in.OperatingPhysician = &Provider{NPI: v, LastName: "CUTTER", FirstName: "ALEX"}
		}
	},
}

func init() { setters = append(setters, inpatientSetters...) }
