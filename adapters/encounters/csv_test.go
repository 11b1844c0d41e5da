package encounters

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
)

// testCols is the header of the CSV tests.
var testCols = []string{"encounter_id", "total_charge", "dx1", "dx2", "patient_last_name", "patient_birth_date",
	"relationship", "subscriber_last_name", "member_id", "payer_name", "payer_id", "billing_npi",
	"line_procedure", "line_modifiers", "line_charge", "line_units", "line_service_date", "line_dx_pointers"}

func csvHeader() string { return strings.Join(testCols, ",") + "\n" }

// csvRow is a valid row of encounter id (first line 99213 at 135.00, of a
// 160.00 total) with some columns overridden: csvRow("E1", "line_charge",
// "25.00").
func csvRow(t *testing.T, id string, kv ...string) string {
	t.Helper()
	vals := map[string]string{
		"encounter_id": id, "total_charge": "160.00", "dx1": "E11.9", "dx2": "I10",
		"patient_last_name": "Doe", "patient_birth_date": "2015-05-05", "relationship": "19",
		"subscriber_last_name": "Doe", "member_id": "M1", "payer_name": "Payer", "payer_id": "P1",
		"billing_npi": "1234567893", "line_procedure": "99213", "line_modifiers": "25", "line_charge": "135.00",
		"line_units": "1", "line_service_date": "2026-09-02", "line_dx_pointers": "1:2",
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if _, ok := vals[kv[i]]; !ok {
			t.Fatalf("no test column %q", kv[i])
		}
		vals[kv[i]] = kv[i+1]
	}
	out := make([]string, len(testCols))
	for i, c := range testCols {
		out[i] = vals[c]
	}
	return strings.Join(out, ",") + "\n"
}

// secondLine is the 36415 line that completes an encounter's total.
func secondLine(t *testing.T, id string, kv ...string) string {
	t.Helper()
	base := []string{"line_procedure", "36415", "line_modifiers", "", "line_charge", "25.00", "line_dx_pointers", "1"}
	return csvRow(t, id, append(base, kv...)...)
}

func readCSV(t *testing.T, in string) []result {
	t.Helper()
	return collect(t, NewCSV("batch.csv", strings.NewReader(in)))
}

func TestCSVMapsColumns(t *testing.T) {
	in := "Encounter_ID , kind,total_charge,dx1,dx2,dx3,patient_last_name,patient_first_name,patient_birth_date,patient_gender," +
		"patient_address1,patient_city,patient_state,patient_zip,relationship,subscriber_last_name,subscriber_first_name," +
		"member_id,group_number,payer_name,payer_id,filing_indicator,billing_npi,billing_organization,billing_zip," +
		"rendering_npi,rendering_last_name,referring_npi,facility_name,facility_zip,facility_type,statement_from,patient_status," +
		"reason_for_visit,attending_npi,line_procedure,line_modifiers,line_revenue_code,line_charge,line_units," +
		"line_service_date,line_dx_pointers\n" +
		// A: the patient is the subscriber; rendering, referring, facility; two lines.
		"A,,160.00,E11.9,I10,,Doe,Jan,1970-01-31,F,1 Elm St,Town,CO,80521,18,,,M1,G7,Payer,P1,CI,1234567893,Clinic,805211234," +
		"1234567893,Smith,1234567893,North,805241234,,,,,,99213,25:RT,,135.00,1,2026-09-02,1:2\n" +
		"A,,160.00,E11.9,I10,,Doe,Jan,1970-01-31,F,1 Elm St,Town,CO,80521,18,,,M1,G7,Payer,P1,CI,1234567893,Clinic,805211234," +
		"1234567893,Smith,1234567893,North,805241234,,,,,,36415,,,25.00,1,2026-09-02,1\n" +
		// B: a dependent child.
		"B,,85.00,J06.9,,,Doe,Kit,2015-05-05,M,,,,,19,Doe,Jan,M1,,Payer,P1,,1234567893,Clinic,,,,,,,,,,,,99212,,,85.00,1,2026-09-03,1\n" +
		// C: institutional.
		"C,institutional,325.00,R07.9,,,Roe,Al,1960-02-02,M,,,,,,,,M2,,Payer,P1,,1234567893,Hospital,,,,,,,13,2026-09-04,01," +
		"R07.9:I10,1234567893,G0463,,0510,325.00,1,2026-09-04,\n"
	got := readCSV(t, in)
	if s := summaries(got); !slices.Equal(s, []string{"A", "B", "C"}) {
		t.Fatalf("got %q, want A B C; errors %v", s, errorsOf(got))
	}
	a, b, c := got[0].enc, got[1].enc, got[2].enc
	checks := []struct {
		name      string
		got, want any
	}{
		{"A patient is subscriber", a.Patient == nil, true},
		{"A subscriber name", a.Subscriber.FirstName, "Jan"},
		{"A subscriber address", a.Subscriber.Address != nil && a.Subscriber.Address.ZIP == "80521", true},
		{"A group", a.Subscriber.GroupNumber, "G7"},
		{"A diagnoses", strings.Join(a.Diagnoses, ","), "E11.9,I10"},
		{"A total", a.TotalCharge, x12.Amount(16000)},
		{"A lines", len(a.Lines), 2},
		{"A line 0 modifiers", strings.Join(a.Lines[0].Modifiers, ","), "25,RT"},
		{"A line 0 pointers", len(a.Lines[0].DiagnosisPointers) == 2 && a.Lines[0].DiagnosisPointers[1] == 2, true},
		{"A line 1 charge", a.Lines[1].Charge, x12.Amount(2500)},
		{"A line 1 no modifiers", a.Lines[1].Modifiers == nil, true},
		{"A billing zip", a.BillingProvider.Address != nil && a.BillingProvider.Address.ZIP == "805211234", true},
		{"A rendering", a.RenderingProvider != nil && a.RenderingProvider.LastName == "Smith", true},
		{"A referring", a.ReferringProvider != nil && a.ReferringProvider.NPI == "1234567893", true},
		{"A facility", a.ServiceFacility != nil && a.ServiceFacility.Address.ZIP == "805241234", true},
		{"A not institutional", a.Institutional == nil, true},
		{"A filing", a.Payer.FilingIndicator, "CI"},
		{"B patient", b.Patient != nil && b.Patient.FirstName == "Kit" && b.Patient.Relationship == "19", true},
		{"B patient has no address", b.Patient != nil && b.Patient.Address == nil, true},
		{"B subscriber", b.Subscriber.FirstName, "Jan"},
		{"B member", b.Subscriber.MemberID, "M1"},
		{"B no rendering", b.RenderingProvider == nil && b.ReferringProvider == nil && b.ServiceFacility == nil, true},
		{"C kind", string(c.Kind), "institutional"},
		{"C institutional", c.Institutional != nil && c.Institutional.FacilityType == "13" && c.Institutional.PatientStatus == "01", true},
		{"C reason for visit", c.Institutional != nil && strings.Join(c.Institutional.ReasonForVisit, ",") == "R07.9,I10", true},
		{"C attending", c.Institutional != nil && c.Institutional.AttendingProvider != nil, true},
		{"C revenue code", c.Lines[0].RevenueCode, "0510"},
		{"C no pointers", c.Lines[0].DiagnosisPointers == nil, true},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s: got %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

// TestCSVBadRows puts a bad encounter B (rows 4 and 5) between good ones
// and checks the error's line, ID and column, that B's other row is
// dropped with it, and that reading goes on.
func TestCSVBadRows(t *testing.T) {
	tests := []struct {
		name    string
		row4    []string // overrides for B's first row
		row5    []string // overrides for B's second row
		raw5    string   // replaces B's second row when set
		line    int
		column  string
		cause   error
		noValue string
	}{
		{"bad line charge", nil, []string{"line_charge", "25.5.0"}, "", 5, "line_charge", x12.ErrBadAmount, "25.5.0"},
		{"amount with three decimals", []string{"line_charge", "135.001"}, nil, "", 4, "line_charge", x12.ErrBadAmount, ""},
		{"bad total", []string{"total_charge", "$160"}, []string{"total_charge", "$160"}, "", 4, "total_charge", x12.ErrBadAmount, "$160"},
		{"bad service date", []string{"line_service_date", "09/02/2026"}, nil, "", 4, "line_service_date", x12.ErrBadDate, "09/02"},
		{"no such day", nil, []string{"line_service_date", "2026-02-29"}, "", 5, "line_service_date", x12.ErrBadDate, "2026-02-29"},
		{"bad birth date", []string{"patient_birth_date", "2015-5-5"}, []string{"patient_birth_date", "2015-5-5"}, "", 4, "patient_birth_date", x12.ErrBadDate, "2015-5-5"},
		{"too many columns", nil, nil, "B,160.00,E11.9,I10,Doe,2015-05-05,19,Doe,M1,Payer,P1,1234567893,36415,,25.00,1,2026-09-02,1,extra\n", 5, "", ErrSyntax, "extra"},
		{"too few columns", nil, nil, "B,160.00,E11.9\n", 5, "", ErrSyntax, ""},
		{"encounter column differs", nil, []string{"member_id", "M2"}, "", 5, "member_id", ErrInconsistent, "M2"},
		{"diagnosis gap", []string{"dx1", ""}, []string{"dx1", ""}, "", 4, "dx1", ErrInconsistent, ""},
		{"self with subscriber columns", []string{"relationship", "18"}, []string{"relationship", "18"}, "", 4, "relationship", ErrInconsistent, ""},
		{"pointer not a number", nil, []string{"line_dx_pointers", "1:b"}, "", 5, "line_dx_pointers", ErrBadValue, ""},
		{"empty modifier", []string{"line_modifiers", "25::59"}, nil, "", 4, "line_modifiers", ErrBadValue, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row5 := tt.raw5
			if row5 == "" {
				row5 = secondLine(t, "B", tt.row5...)
			}
			in := csvHeader() + csvRow(t, "A") + secondLine(t, "A") + csvRow(t, "B", tt.row4...) + row5 + csvRow(t, "C")
			got := readCSV(t, in)
			if len(got) != 3 || got[0].enc == nil || got[2].enc == nil || got[1].err == nil {
				t.Fatalf("got %q, want A, an error, C", summaries(got))
			}
			var re *pipeline.RecordError
			if !errors.As(got[1].err, &re) {
				t.Fatalf("error %v (%T) is not a *pipeline.RecordError", got[1].err, got[1].err)
			}
			if re.Source != "batch.csv" || re.Line != tt.line || re.EncounterID != "B" || re.Field != tt.column {
				t.Errorf("got source %q line %d id %q column %q, want batch.csv line %d id B column %q",
					re.Source, re.Line, re.EncounterID, re.Field, tt.line, tt.column)
			}
			if !errors.Is(re, tt.cause) {
				t.Errorf("error %q does not wrap %v", re, tt.cause)
			}
			if tt.noValue != "" && strings.Contains(re.Error(), tt.noValue) {
				t.Errorf("error %q repeats the input value %q", re, tt.noValue)
			}
		})
	}
}

func TestCSVGrouping(t *testing.T) {
	row, second := func(id string) string { return csvRow(t, id) }, func(id string) string { return secondLine(t, id) }
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"header only", csvHeader(), nil},
		{"blank lines skipped", csvHeader() + "\n" + row("A") + "\n\n" + second("A") + "\n", []string{"A"}},
		{"CRLF and byte order mark", "\uFEFF" + strings.ReplaceAll(csvHeader()+row("A")+second("A"), "\n", "\r\n"), []string{"A"}},
		{"no final newline", csvHeader() + row("A") + strings.TrimSuffix(second("A"), "\n"), []string{"A"}},
		{"rows not together", csvHeader() + row("A") + row("B") + second("A") + row("C"),
			[]string{"A", "B", "err line 4 A encounter_id", "C"}},
		{"rows not together, two of them", csvHeader() + row("A") + row("B") + row("A") + second("A") + row("C"),
			[]string{"A", "B", "err line 4 A encounter_id", "C"}},
		{"same encounter twice", csvHeader() + row("A") + second("A") + row("B") + row("A") + second("A"),
			[]string{"A", "B", "err line 5 A encounter_id"}},
		{"empty encounter id", csvHeader() + row("A") + csvRow(t, "") + row("B"),
			[]string{"A", "err line 3 encounter_id", "B"}},
		{"empty encounter id inside an encounter", csvHeader() + row("A") + csvRow(t, "") + second("A"),
			[]string{"A", "err line 3 encounter_id", "err line 4 A encounter_id"}},
		// A row with a quoting error may belong to the encounter before
		// or after it: both are dropped.
		{"unreadable row between encounters", csvHeader() + row("A") + "B,\"x\"y,\n" + row("B") + row("C"),
			[]string{"err line 3 A", "err line 3 B", "C"}},
		{"unreadable row inside an encounter", csvHeader() + row("A") + "A,\"x\"y,\n" + second("A") + row("C"),
			[]string{"err line 3 A", "C"}},
		{"unreadable first row", csvHeader() + "A,x\"y,\n" + row("A") + row("C"),
			[]string{"err line 2 A", "C"}},
		{"unreadable last row", csvHeader() + row("A") + "\"A,x\n", []string{"err line 3 A"}},
		{"unreadable only row", csvHeader() + "\"A,x\n", []string{"err line 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summaries(readCSV(t, tt.in))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCSVHeader(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   string // in the error
	}{
		{"empty file", "", "no header row"},
		{"no header row", csvRow(t, "Z"), "is the header row missing"},
		{"unknown columns are not quoted unless they look like names", csvHeader()[:len(csvHeader())-1] + ",Jane Doe,x1,x2,x3,x4,x5,x6\n",
			`unknown columns column 19, "x1" (column 20), "x2" (column 21), "x3" (column 22), "x4" (column 23), and 2 more`},
		{"unknown column", csvHeader()[:len(csvHeader())-1] + ",patient_ssn\n", `unknown columns "patient_ssn"`},
		{"repeated column", csvHeader()[:len(csvHeader())-1] + ",dx1\n", "repeated columns dx1"},
		{"missing required", strings.Replace(csvHeader(), "member_id,", "", 1), "missing required columns member_id"},
		{"several problems", "encounter_id,foo,encounter_id\n", "missing required columns total_charge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.header
			if in != "" {
				in += csvRow(t, "A")
			}
			got := readCSV(t, in)
			if len(got) != 1 || summary(got[0]) != "fatal" {
				t.Fatalf("got %q, want one fatal error", summaries(got))
			}
			if !errors.Is(got[0].err, ErrHeader) {
				t.Errorf("got %v, want ErrHeader", got[0].err)
			}
			if !strings.Contains(got[0].err.Error(), tt.want) {
				t.Errorf("got %q, want it to contain %q", got[0].err, tt.want)
			}
		})
	}
}

func TestCSVFatalErrors(t *testing.T) {
	t.Run("line too long", func(t *testing.T) {
		in := csvHeader() + csvRow(t, "A") + secondLine(t, "A") + "B," + strings.Repeat("x", MaxLineBytes) + "\n" + csvRow(t, "C")
		got := readCSV(t, in)
		if s := summaries(got); !slices.Equal(s, []string{"fatal"}) {
			t.Fatalf("got %q, want just a fatal error", s)
		}
		if !errors.Is(got[0].err, ErrLineTooLong) {
			t.Errorf("got %v, want ErrLineTooLong", got[0].err)
		}
	})
	t.Run("read error", func(t *testing.T) {
		boom := errors.New("disk on fire")
		r := io.MultiReader(strings.NewReader(csvHeader()+csvRow(t, "A")+csvRow(t, "B")), iotest.ErrReader(boom))
		got := collect(t, NewCSV("t.csv", r))
		if s := summaries(got); !slices.Equal(s, []string{"A", "fatal"}) {
			t.Fatalf("got %q, want A then a fatal error", s)
		}
		if !errors.Is(got[1].err, boom) {
			t.Errorf("got %v, want it to wrap %v", got[1].err, boom)
		}
	})
	t.Run("second read", func(t *testing.T) {
		src := NewCSV("t.csv", strings.NewReader(csvHeader()+csvRow(t, "A")))
		collect(t, src)
		got := collect(t, src)
		if len(got) != 1 || !errors.Is(got[0].err, ErrConsumed) {
			t.Errorf("got %q, want one ErrConsumed", summaries(got))
		}
	})
	t.Run("stop early", func(t *testing.T) {
		src := NewCSV("t.csv", strings.NewReader(csvHeader()+csvRow(t, "A")+csvRow(t, "B")+"\"bad\n"))
		n := 0
		for range src.Encounters(t.Context()) {
			n++
			break
		}
		if n != 1 {
			t.Errorf("got %d items, want 1", n)
		}
	})
}

func TestLineLimiter(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		max     int
		wantErr bool
	}{
		{"short lines", "abc\nde\n", 3, false},
		{"exactly max with CR", "abc\r\nabc", 3, false},
		{"too long in the middle", "ab\nabcde\nab\n", 3, true},
		{"too long at the end", "ab\nabcdef", 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One byte at a time, so lines span reads.
			l := &lineLimiter{r: iotest.OneByteReader(strings.NewReader(tt.in)), max: tt.max}
			_, err := io.ReadAll(l)
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Errorf("got error %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrLineTooLong) {
				t.Errorf("got %v, want ErrLineTooLong", err)
			}
		})
	}
}
