package encounters

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/x12claims/claims/x12"
)

// agree checks that decodeFast (segmentio) and decodeStd (encoding/json)
// agree on line: when decodeFast takes a line, encoding/json must take it
// too and decode the same encounter, with the same JSON (its digest at
// intake). A line decodeFast refuses goes to decodeStd, which decides, so
// it is not a disagreement. It reports whether decodeFast took the line.
func agree(t *testing.T, line []byte) bool {
	t.Helper()
	if !utf8.Valid(line) {
		return false // decode refuses it before either decoder
	}
	fast, ok := decodeFast(line)
	if !ok {
		return false
	}
	std, rerr := NewJSONL("t.jsonl", nil).decodeStd(1, line)
	if rerr != nil {
		t.Fatalf("segmentio takes a line encoding/json refuses (%v):\n%s", rerr, line)
	}
	if !reflect.DeepEqual(fast, std) {
		t.Fatalf("the decoders disagree on\n%s\nsegmentio:     %#v\nencoding/json: %#v", line, fast, std)
	}
	a, err1 := json.Marshal(fast)
	b, err2 := json.Marshal(std)
	if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
		t.Fatalf("the decoded encounters encode differently (%v, %v):\n%s\n%s", err1, err2, a, b)
	}
	return true
}

// sampleLines returns the encounter lines of the sample files.
func sampleLines(t testing.TB) [][]byte {
	t.Helper()
	var out [][]byte
	names, err := filepath.Glob(filepath.Join("..", "..", "samples", "*.jsonl"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, MaxLineBytes)
		for sc.Scan() {
			if l := bytes.TrimSpace(sc.Bytes()); len(l) > 0 && l[0] != '#' {
				out = append(out, bytes.Clone(sc.Bytes()))
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func FuzzJSONLDecodersAgree(f *testing.F) {
	f.Add([]byte(encLine))
	for _, l := range sampleLines(f) {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		agree(t, line)
	})
}

// TestJSONLDecodersAgreeOnSamples: segmentio takes every sample encounter
// (so that the fast path is the common one) and decodes it as
// encoding/json does, its lines without room to spare.
func TestJSONLDecodersAgreeOnSamples(t *testing.T) {
	for i, line := range sampleLines(t) {
		if !agree(t, line) {
			t.Errorf("sample line %d: segmentio refuses it:\n%s", i+1, line)
		}
		if enc, _ := decodeFast(line); enc != nil && cap(enc.Lines) > len(enc.Lines)+1 {
			t.Errorf("sample line %d: room for %d lines, %d used", i+1, cap(enc.Lines), len(enc.Lines))
		}
	}
}

// TestJSONLStrictness decodes lines as Encounters does (JSONL.decode)
// and checks the outcome, whether segmentio took the line or left it to
// encoding/json, and that the two decoders agree. The outcomes are those
// of encoding/json alone, before segmentio.
func TestJSONLStrictness(t *testing.T) {
	r := func(old, new string) string {
		if !strings.Contains(encLine, old) {
			t.Fatalf("fragment %q not in the test line", old)
		}
		return strings.Replace(encLine, old, new, 1)
	}
	const ptrs = `"diagnosis_pointers":[1,2]`
	tests := []struct {
		name  string
		line  string
		fast  bool   // segmentio takes the line; else encoding/json decides
		field string // want RecordError.Field
		cause error  // want errors.Is; nil: the line decodes
	}{
		// Decoded, by segmentio.
		{"minimal", `{"id":"A"}`, true, "", nil},
		{"white space around and inside", " \t{ \"id\" : \"A\" ,\r\"diagnoses\" : [ \"x\" , \"y\" ] } \t", true, "", nil},
		{"keys in another case", r(`"total_charge"`, `"TOTAL_Charge"`), true, "", nil},
		{"key in another case, Kelvin sign", r(`"frequency":"1"`, "\"frequency\":\"1\",\"\u212aind\":\"institutional\""), true, "", nil},
		{"escaped key", r(`"id"`, `"\u0069d"`), true, "", nil},
		{"escapes in a string", r(`"Kit"`, `"K\u00e9\ud83d\ude00it\/\"\\"`), true, "", nil},
		{"lone surrogate", r(`"Kit"`, `"K\ud800it"`), true, "", nil},
		{"U+2028, DEL and HTML characters", r(`"Kit"`, "\"<K\u2028\x7fi&t>\""), true, "", nil},
		{"escaped amount and date", r(`"total_charge":"160.00","place_of_service":"11"`, `"total_charge":"\u0031\u0036\u0030.00","place_of_service":"11","onset_date":"2026\u002d01-02"`), true, "", nil},
		{"date as CCYYMMDD", r(`"birth_date":"1970-01-31"`, `"birth_date":"19700131"`), true, "", nil},
		{"empty date", r(`"birth_date":"1970-01-31"`, `"birth_date":""`), true, "", nil},
		{"negative amount", r(`"total_charge":"160.00"`, `"total_charge":"-160.00"`), true, "", nil},
		{"null amount, date, list, pointer and kind", r(`"frequency":"1","total_charge":"160.00"`, `"kind":null,"frequency":"1","total_charge":null,"onset_date":null,"pay_to_address":null,"note":null,"diagnoses":null`), true, "", nil},
		{"null bool and list item", r(ptrs, `"diagnosis_pointers":[null,2],"emergency":null`), true, "", nil},
		{"-0 and the int64 range", r(ptrs, `"diagnosis_pointers":[-0,9223372036854775807,-9223372036854775808]`), true, "", nil},
		{"empty lists", r(ptrs, `"diagnosis_pointers":[],"modifiers":[]`), true, "", nil},
		{"repeated keys: the last one, merged", r(`"place_of_service":"11"`, `"id":"X","lines":[{"procedure":"1","units":"3","modifiers":["a","b","c"],"diagnosis_pointers":[4,5,6]},{"emergency":true},{}],"subscriber":{"group_number":"G","first_name":"Z"},"patient":{"suffix":"JR"},"diagnoses":["A","B","C"],"place_of_service":"11"`), true, "", nil},
		{"null", ` null `, true, "id", ErrMissingID},
		{"empty object", `{}`, true, "id", ErrMissingID},
		{"null id", r(`"id":"ENC-1"`, `"id":null`), true, "id", ErrMissingID},

		// Decoded by encoding/json only: segmentio folds a key outside
		// ASCII differently.
		{"key in another case, long s", r(`"subscriber"`, "\"\u017fubscriber\""), false, "", nil},

		// Refused by both: encoding/json explains.
		{"unknown field", `{"id":"A","zz":1}`, false, "zz", ErrUnknownField},
		{"unknown nested field", `{"id":"A","payer":{"zz":{}}}`, false, "payer.zz", ErrUnknownField},
		{"Go field name", `{"id":"A","TotalCharge":"1.00"}`, false, "TotalCharge", ErrUnknownField},
		{"embedded struct name", `{"id":"A","Claim":{}}`, false, "Claim", ErrUnknownField},
		{"empty key", `{"id":"A","":1}`, false, `""`, ErrUnknownField},
		{"amount as a number", r(`"total_charge":"160.00"`, `"total_charge":160.00`), false, "total_charge", ErrWrongType},
		{"amount as true", r(`"total_charge":"160.00"`, `"total_charge":true`), false, "total_charge", ErrWrongType},
		{"amount as an object", r(`"total_charge":"160.00"`, `"total_charge":{}`), false, "total_charge", ErrWrongType},
		{"empty amount", r(`"total_charge":"160.00"`, `"total_charge":""`), false, "total_charge", x12.ErrBadAmount},
		{"amount with three decimals", `{"id":"A","total_charge":"1.005"}`, false, "total_charge", x12.ErrBadAmount},
		{"amount out of range", `{"id":"A","total_charge":"99999999999999999999.00"}`, false, "total_charge", x12.ErrBadAmount},
		{"amount with a space", `{"id":"A","total_charge":" 1.00"}`, false, "total_charge", x12.ErrBadAmount},
		{"date as a list", r(`"birth_date":"1970-01-31"`, `"birth_date":[]`), false, "subscriber.birth_date", ErrWrongType},
		{"no such day", `{"id":"A","onset_date":"2026-02-30"}`, false, "onset_date", x12.ErrBadDate},
		{"pointer 1.0", r(ptrs, `"diagnosis_pointers":[1.0,2]`), false, "lines[0].diagnosis_pointers[0]", ErrWrongType},
		{"pointer 1e0", r(ptrs, `"diagnosis_pointers":[1e0,2]`), false, "lines[0].diagnosis_pointers[0]", ErrWrongType},
		{"pointer out of range", r(ptrs, `"diagnosis_pointers":[-9223372036854775809,2]`), false, "lines[0].diagnosis_pointers[0]", ErrWrongType},
		{"pointer as a string", r(ptrs, `"diagnosis_pointers":["1",2]`), false, "lines[0].diagnosis_pointers[0]", ErrWrongType},
		{"pointers as an object", r(ptrs, `"diagnosis_pointers":{}`), false, "lines[0].diagnosis_pointers", ErrWrongType},
		{"bool as a number", r(ptrs, ptrs+`,"emergency":1`), false, "lines[0].emergency", ErrWrongType},
		{"bool as a string", r(ptrs, ptrs+`,"emergency":"true"`), false, "lines[0].emergency", ErrWrongType},
		{"a list", `[]`, false, "", ErrWrongType},
		{"a string", `"x"`, false, "", ErrWrongType},
		{"a number", `1`, false, "", ErrWrongType},
		{"true", `true`, false, "", ErrWrongType},
		{"number with a plus", r(ptrs, `"diagnosis_pointers":[+1,2]`), false, "", ErrSyntax},
		{"number with a leading zero", r(ptrs, `"diagnosis_pointers":[01,2]`), false, "", ErrSyntax},
		{"number without digits", r(ptrs, `"diagnosis_pointers":[-,2]`), false, "", ErrSyntax},
		{"number ending in a point", r(ptrs, `"diagnosis_pointers":[1.,2]`), false, "", ErrSyntax},
		{"number starting with a point", r(ptrs, `"diagnosis_pointers":[.5,2]`), false, "", ErrSyntax},
		{"NaN", r(ptrs, `"diagnosis_pointers":[NaN,2]`), false, "", ErrSyntax},
		{"True", r(ptrs, ptrs+`,"emergency":True`), false, "", ErrSyntax},
		{"tru", r(ptrs, ptrs+`,"emergency":tru`), false, "", ErrSyntax},
		{"nul", r(ptrs, `"diagnosis_pointers":nul`), false, "", ErrSyntax},
		{"trailing comma in a list", r(ptrs, `"diagnosis_pointers":[1,2,]`), false, "", ErrSyntax},
		{"trailing comma in an object", encLine[:len(encLine)-1] + ",}", false, "", ErrSyntax},
		{"two commas", r(`"frequency":"1",`, `"frequency":"1",,`), false, "", ErrSyntax},
		{"bad escape", r(`"Kit"`, `"K\xit"`), false, "", ErrSyntax},
		{"short \\u escape", r(`"Kit"`, `"K\u12"`), false, "", ErrSyntax},
		{"\\U escape", r(`"Kit"`, `"K\U0041"`), false, "", ErrSyntax},
		{"raw tab in a string", r(`"Kit"`, "\"K\tit\""), false, "", ErrSyntax},
		{"raw NUL in a string", r(`"Kit"`, "\"K\x00it\""), false, "", ErrSyntax},
		{"single quotes", `{'id':"A"}`, false, "", ErrSyntax},
		{"key without colon", `{"id" "A"}`, false, "", ErrSyntax},
		{"number as key", `{1:"A"}`, false, "", ErrSyntax},
		{"form feed before", "\f" + encLine, false, "", ErrSyntax},
		{"unclosed", `{"id":"A"`, false, "", ErrSyntax},
		{"nested too deep", `{"id":"A","payer":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`, false, "", ErrSyntax},
		{"data after", encLine + "x", false, "", ErrSyntax},
		{"a second object after", encLine + encLine, false, "", ErrSyntax},
		{"a brace after", encLine + "}", false, "", ErrSyntax},
		{"form feed after", encLine + "\f", false, "", ErrSyntax},
		{"vertical tab after", encLine + "\v", false, "", ErrSyntax},
		{"no-break space after", encLine + "\u00a0", false, "", ErrSyntax},
		{"NUL after", encLine + "\x00", false, "", ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := []byte(tt.line)
			if fast := agree(t, line); fast != tt.fast {
				t.Errorf("segmentio took the line: %v, want %v", fast, tt.fast)
			}
			enc, rerr := NewJSONL("t.jsonl", nil).decode(1, line)
			switch {
			case tt.cause == nil && rerr != nil:
				t.Fatalf("error %v, want an encounter", rerr)
			case tt.cause == nil:
				if enc == nil {
					t.Fatal("no encounter and no error")
				}
			case rerr == nil:
				t.Fatalf("encounter %q, want an error wrapping %v", enc.ID, tt.cause)
			case rerr.Field != tt.field || !errors.Is(rerr, tt.cause):
				t.Errorf("error %v (field %q), want field %q and %v", rerr, rerr.Field, tt.field, tt.cause)
			}
		})
	}
}

// TestJSONLDataAfterColumn: segmentio refuses data after the encounter,
// and encoding/json reports where the encounter ends, after any white
// space before it.
func TestJSONLDataAfterColumn(t *testing.T) {
	_, rerr := NewJSONL("t.jsonl", nil).decode(1, []byte("  "+encLine+"  x"))
	want := fmt.Sprintf("ends at column %d", 2+len(encLine))
	if rerr == nil || !strings.Contains(rerr.Error(), want) || rerr.EncounterID != "ENC-1" {
		t.Errorf("got %v, want encounter ENC-1 and %q", rerr, want)
	}
}
