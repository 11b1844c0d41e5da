package encounters

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x837"
)

// encLine is a valid one-line encounter; replace swaps a fragment of it to
// make a bad one.
const encLine = `{"id":"ENC-1","frequency":"1","total_charge":"160.00","place_of_service":"11",` +
	`"diagnoses":["E11.9","I10"],` +
	`"billing_provider":{"npi":"1234567893","organization":"Test Clinic","address":{"line1":"1 Main St","city":"Town","state":"CO","zip":"805211234"}},` +
	`"subscriber":{"last_name":"Doe","first_name":"Jan","birth_date":"1970-01-31","gender":"F","member_id":"M1"},` +
	`"patient":{"last_name":"Doe","first_name":"Kit","birth_date":"2015-05-05","relationship":"19"},` +
	`"payer":{"name":"Payer","id":"P1"},` +
	`"lines":[{"procedure":"99213","modifiers":["25"],"charge":"135.00","units":"1","service_date":"2026-09-02","diagnosis_pointers":[1,2]},` +
	`{"procedure":"36415","charge":"25.00","units":"1","service_date":"2026-09-02","diagnosis_pointers":[1]}]}`

func withID(id string) string { return strings.Replace(encLine, `"ENC-1"`, `"`+id+`"`, 1) }

func replace(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(encLine, old) {
		t.Fatalf("fragment %q not in the test line", old)
	}
	return strings.Replace(encLine, old, new, 1)
}

func TestJSONLDecodesAllFields(t *testing.T) {
	src := NewJSONL("t.jsonl", strings.NewReader(encLine+"\n"))
	got := collect(t, src)
	if len(got) != 1 || got[0].err != nil {
		t.Fatalf("got %v, want one encounter", summaries(got))
	}
	e := got[0].enc
	checks := []struct {
		name      string
		got, want any
	}{
		{"id", e.ID, "ENC-1"},
		{"kind", e.Kind, x837.Kind("")},
		{"total", e.TotalCharge, x12.Amount(16000)},
		{"diagnoses", strings.Join(e.Diagnoses, ","), "E11.9,I10"},
		{"billing zip", e.BillingProvider.Address.ZIP, "805211234"},
		{"subscriber birth", e.Subscriber.BirthDate, x12.Date{Year: 1970, Month: time.January, Day: 31}},
		{"member", e.Subscriber.MemberID, "M1"},
		{"patient relationship", e.Patient.Relationship, "19"},
		{"patient first name", e.Patient.FirstName, "Kit"},
		{"lines", len(e.Lines), 2},
		{"line 0 charge", e.Lines[0].Charge, x12.Amount(13500)},
		{"line 0 modifiers", strings.Join(e.Lines[0].Modifiers, ":"), "25"},
		{"line 0 pointers", len(e.Lines[0].DiagnosisPointers), 2},
		{"line 1 date", e.Lines[1].ServiceDate, x12.Date{Year: 2026, Month: time.September, Day: 2}},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestJSONLLines(t *testing.T) {
	long := `{"id":"L","x":"` + strings.Repeat("a", MaxLineBytes) + `"}`
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{"empty file", "", nil},
		{"one without final newline", withID("A"), []string{"A"}},
		{"blank and comment lines skipped", "# header\n\n   \n\t# indented comment\n" + withID("A") + "\n\n" + withID("B") + "\n",
			[]string{"A", "B"}},
		{"CRLF line endings", withID("A") + "\r\n" + withID("B") + "\r\n", []string{"A", "B"}},
		{"byte order mark", "\uFEFF" + withID("A") + "\n", []string{"A"}},
		{"surrounding spaces", "  " + withID("A") + "  \n", []string{"A"}},
		{"duplicate id", withID("A") + "\n" + withID("B") + "\n" + withID("A") + "\n" + withID("C"),
			[]string{"A", "B", "err line 3 A id", "C"}},
		{"line too long, then goes on", withID("A") + "\n" + long + "\n" + withID("B") + "\n",
			[]string{"A", "err line 2", "B"}},
		{"line of exactly the limit is read", withID("A") + strings.Repeat(" ", MaxLineBytes-len(withID("A"))) + "\n" + withID("B"),
			[]string{"A", "B"}},
		{"too long last line without newline", withID("A") + "\n" + long, []string{"A", "err line 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summaries(collect(t, NewJSONL("t.jsonl", strings.NewReader(tt.input))))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestJSONLBadLines puts each bad line between two good ones, on line 4,
// and checks the error's line, encounter ID, field and cause, and that
// reading goes on.
func TestJSONLBadLines(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		id      string // want EncounterID
		field   string // want Field
		cause   error  // want errors.Is
		noValue string // must not appear in the message
	}{
		{"unknown top-level field", replace(t, `"frequency":"1"`, `"frequency":"1","bogus":true`), "ENC-1", "bogus", ErrUnknownField, ""},
		{"unknown field in a line", replace(t, `"procedure":"36415"`, `"procedure":"36415","chrage":"1"`), "ENC-1", "lines[1].chrage", ErrUnknownField, ""},
		{"unknown field in an embedded person", replace(t, `"first_name":"Kit"`, `"first_name":"Kit","nickname":"K"`), "ENC-1", "patient.nickname", ErrUnknownField, ""},
		{"unknown field in an address", replace(t, `"line1":"1 Main St"`, `"line1":"1 Main St","line3":"x"`), "ENC-1", "billing_provider.address.line3", ErrUnknownField, ""},
		{"odd unknown key is quoted", replace(t, `"frequency":"1"`, `"frequency":"1","a b":1`), "ENC-1", `"a b"`, ErrUnknownField, ""},
		{"amount with three decimals", replace(t, `"charge":"25.00"`, `"charge":"25.005"`), "ENC-1", "lines[1].charge", x12.ErrBadAmount, "25.005"},
		{"amount as a JSON number", replace(t, `"total_charge":"160.00"`, `"total_charge":160.00`), "ENC-1", "total_charge", ErrWrongType, ""},
		{"amount with a currency sign", replace(t, `"charge":"135.00"`, `"charge":"$135.00"`), "ENC-1", "lines[0].charge", x12.ErrBadAmount, "$135"},
		{"no such day", replace(t, `"service_date":"2026-09-02","diagnosis_pointers":[1]`, `"service_date":"2026-02-30","diagnosis_pointers":[1]`), "ENC-1", "lines[1].service_date", x12.ErrBadDate, "2026-02-30"},
		{"date in US form", replace(t, `"birth_date":"1970-01-31"`, `"birth_date":"01/31/1970"`), "ENC-1", "subscriber.birth_date", x12.ErrBadDate, "1970"},
		{"birth date of an embedded person", replace(t, `"birth_date":"2015-05-05"`, `"birth_date":"2015-13-05"`), "ENC-1", "patient.birth_date", x12.ErrBadDate, "2015-13"},
		{"member id as a number", replace(t, `"member_id":"M1"`, `"member_id":12345`), "ENC-1", "subscriber.member_id", ErrWrongType, "12345"},
		{"pointer as a string", replace(t, `"diagnosis_pointers":[1,2]`, `"diagnosis_pointers":[1,"2"]`), "ENC-1", "lines[0].diagnosis_pointers[1]", ErrWrongType, ""},
		{"pointer with a fraction", replace(t, `"diagnosis_pointers":[1]`, `"diagnosis_pointers":[1.5]`), "ENC-1", "lines[1].diagnosis_pointers[0]", ErrWrongType, ""},
		{"diagnoses as a string", replace(t, `"diagnoses":["E11.9","I10"]`, `"diagnoses":"E11.9"`), "ENC-1", "diagnoses", ErrWrongType, "E11.9"},
		{"diagnosis as a number", replace(t, `"diagnoses":["E11.9","I10"]`, `"diagnoses":["E11.9",10]`), "ENC-1", "diagnoses[1]", ErrWrongType, ""},
		{"lines as an object", replace(t, `"lines":[`, `"lines":{"a":[`) + "}", "ENC-1", "lines", ErrWrongType, ""},
		{"patient as a string", replace(t, `"patient":{"last_name":"Doe","first_name":"Kit","birth_date":"2015-05-05","relationship":"19"}`, `"patient":"Kit Doe"`), "ENC-1", "patient", ErrWrongType, "Kit"},
		{"id as a number", replace(t, `"id":"ENC-1"`, `"id":7`), "", "id", ErrWrongType, ""},
		{"missing id", replace(t, `"id":"ENC-1",`, ``), "", "id", ErrMissingID, ""},
		{"empty id", withID(""), "", "id", ErrMissingID, ""},
		{"id with a trailing space", withID("ENC-1 "), "", "id", ErrMissingID, ""},
		{"id with a control character", withID(`ENC\u00071`), "", "id", ErrMissingID, ""},
		{"truncated line", encLine[:200], "ENC-1", "", ErrSyntax, ""},
		{"syntax error after the id", replace(t, `"place_of_service":"11"`, `"place_of_service":11x`), "ENC-1", "", ErrSyntax, ""},
		{"syntax error before the id", `{,"id":"ENC-1"}`, "", "", ErrSyntax, ""},
		{"two encounters on a line", encLine + " " + withID("ENC-9"), "ENC-1", "", ErrSyntax, ""},
		{"a list, not an object", `[1,2]`, "", "", ErrWrongType, ""},
		{"a string, not an object", `"ENC-1"`, "", "", ErrWrongType, ""},
		{"null", `null`, "", "id", ErrMissingID, ""},
		{"invalid UTF-8", replace(t, `"Kit"`, "\"K\xffit\""), "", "", ErrEncoding, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := "# comment\n" + withID("GOOD-1") + "\n\n" + tt.line + "\n" + withID("GOOD-2") + "\n"
			got := collect(t, NewJSONL("batch.jsonl", strings.NewReader(in)))
			if len(got) != 3 || got[0].enc == nil || got[2].enc == nil || got[1].err == nil {
				t.Fatalf("got %q, want GOOD-1, an error, GOOD-2", summaries(got))
			}
			var re *pipeline.RecordError
			if !errors.As(got[1].err, &re) {
				t.Fatalf("error %v (%T) is not a *pipeline.RecordError", got[1].err, got[1].err)
			}
			if re.Source != "batch.jsonl" || re.Line != 4 || re.EncounterID != tt.id || re.Field != tt.field {
				t.Errorf("got source %q line %d id %q field %q, want batch.jsonl line 4 id %q field %q",
					re.Source, re.Line, re.EncounterID, re.Field, tt.id, tt.field)
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

func TestJSONLReadErrorEndsIteration(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader(withID("A")+"\n"), iotest.ErrReader(boom))
	got := collect(t, NewJSONL("t.jsonl", r))
	if s := summaries(got); !slices.Equal(s, []string{"A", "fatal"}) {
		t.Fatalf("got %q, want A then a fatal error", s)
	}
	if !errors.Is(got[1].err, boom) {
		t.Errorf("got %v, want it to wrap %v", got[1].err, boom)
	}
}

func TestJSONLContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := NewJSONL("t.jsonl", strings.NewReader(withID("A")+"\n"+withID("B")+"\n"))
	var got []string
	for enc, err := range src.Encounters(ctx) {
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("got %v, want context.Canceled", err)
			}
			got = append(got, "cancelled")
			continue
		}
		got = append(got, enc.ID)
		cancel()
	}
	if !slices.Equal(got, []string{"A", "cancelled"}) {
		t.Errorf("got %q, want A then cancelled", got)
	}
}

func TestJSONLStopEarlyAndReuse(t *testing.T) {
	src := NewJSONL("t.jsonl", strings.NewReader(withID("A")+"\n"+withID("B")+"\n"))
	for range src.Encounters(context.Background()) {
		break
	}
	got := collect(t, src)
	if len(got) != 1 || !errors.Is(got[0].err, ErrConsumed) {
		t.Errorf("second read: got %q, want one ErrConsumed", summaries(got))
	}
}
