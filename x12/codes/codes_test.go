package codes

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestEmbeddedTables loads every embedded table and checks what the parser
// guarantees plus the data conventions: a header with name, element, source
// and a valid as-of date, unique codes, descriptions present, valid dates,
// sorted order.
func TestEmbeddedTables(t *testing.T) {
	c, err := parseCatalog(dataFS, "data")
	if err != nil {
		t.Fatalf("parseCatalog(embedded data) error:\n%v", err)
	}
	for _, l := range allLists() {
		t.Run(l.String(), func(t *testing.T) {
			tb := c.byList[l]
			if tb == nil {
				t.Fatalf("table %v not loaded", l)
			}
			m := tb.meta
			if m.Name == "" || m.Element == "" || m.Source == "" {
				t.Errorf("meta = %+v, want name, element and source", m)
			}
			if _, err := time.Parse(dateLayout, m.AsOf); err != nil {
				t.Errorf("as-of %q: %v", m.AsOf, err)
			}
			if len(tb.entries) == 0 {
				t.Fatalf("no entries")
			}
			seen := make(map[string]bool)
			for i, e := range tb.entries {
				if seen[e.Code] {
					t.Errorf("duplicate code %q", e.Code)
				}
				seen[e.Code] = true
				if strings.TrimSpace(e.Description) == "" {
					t.Errorf("code %q: empty description", e.Code)
				}
				for _, d := range []string{e.Start, e.Stop} {
					if d == "" {
						continue
					}
					if _, err := time.Parse(dateLayout, d); err != nil {
						t.Errorf("code %q: date %q: %v", e.Code, d, err)
					}
				}
				if e.Start != "" && e.Stop != "" && e.Stop < e.Start {
					t.Errorf("code %q: stop %s before start %s", e.Code, e.Stop, e.Start)
				}
				if e.Stop != "" && !strings.HasPrefix(e.Notes, "Deactivated") {
					t.Errorf("code %q has stop date %s but notes %q do not start with \"Deactivated\"", e.Code, e.Stop, e.Notes)
				}
				if got := tb.byCode[e.Code]; got != i {
					t.Errorf("index of %q = %d, want %d", e.Code, got, i)
				}
				if i > 0 && compareCodes(tb.entries[i-1].Code, e.Code) >= 0 {
					t.Errorf("codes out of order: %q before %q", tb.entries[i-1].Code, e.Code)
				}
			}
		})
	}
}

func TestTableMeta(t *testing.T) {
	tests := []struct {
		list        List
		wantPartial bool
		minRows     int
	}{
		{CARC, false, 400},
		{RARC, true, 150},
		{ClaimStatusCategory, true, 40},
		{ClaimStatus, true, 200},
		{EntityIdentifier, true, 28},
		{AdjustmentGroup, false, 5},
		{ClaimPaymentStatus, false, 10},
		{PLBReason, false, 41},
		{SegmentSyntaxError, false, 13},
		{ElementSyntaxError, false, 18},
		{AckCode, false, 7},
		{TransactionSetError, false, 25},
		{GroupError, false, 20},
		{TA1Ack, false, 3},
		{TA1Note, false, 32},
	}
	if len(tests) != len(allLists()) {
		t.Fatalf("test covers %d lists, package defines %d", len(tests), len(allLists()))
	}
	for _, tt := range tests {
		m := Info(tt.list)
		if m.Partial != tt.wantPartial {
			t.Errorf("Info(%v).Partial = %v, want %v", tt.list, m.Partial, tt.wantPartial)
		}
		if got := len(All(tt.list)); got < tt.minRows {
			t.Errorf("len(All(%v)) = %d, want at least %d", tt.list, got, tt.minRows)
		}
	}
}

// TestRequiredCodes checks that the codes the project primer and the shared
// corpus rely on are present.
func TestRequiredCodes(t *testing.T) {
	required := map[List]string{
		// Primer 8.3 plus the CARCs found in the shared corpus (42, 94, 142,
		// 210, 251, A2, A7).
		CARC: "1 2 3 4 5 6 7 8 9 11 16 18 19 20 22 23 24 26 27 29 31 32 35 39 42 45 49 50 51 55 56 58 59 94 96 97 100 " +
			"107 109 119 129 131 133 140 142 146 150 151 167 170 177 181 182 183 184 185 187 189 197 198 199 200 " +
			"204 206 207 208 209 210 222 226 227 234 236 242 243 251 252 253 A1 A2 A7 B7 B9 B11 B13 B15 B20",
		RARC:                "M15 MA02 MA04 MA18 MA130 N14 N130 N206 N386",
		ClaimStatusCategory: "A0 A1 A2 A3 A4 A5 A6 A7 A8 D0 E0 E1 E2 E3 E4 F0 F1 F2 F3 F4 F5 P0 P1 P2 P3 P4 P5 R0 R1 R3 R4 R5 R16",
		ClaimStatus: "0 1 3 16 17 19 20 21 23 24 26 27 33 35 54 78 85 88 91 97 109 116 125 126 128 145 153 158 164 " +
			"187 188 400 453 454 455 562",
		EntityIdentifier:    "85 82 77 DN DK DQ IL QC PR 40 41 87 PE 71 72 ZZ 1P 2B 36 GP P3 PW 45 QB TT 74 GB AY",
		AdjustmentGroup:     "CO CR OA PI PR",
		ClaimPaymentStatus:  "1 2 3 4 19 20 21 22 23 25",
		PLBReason:           "50 51 72 90 AH AM AP B2 B3 BD BN C5 CR CS CT CV CW DM E3 FB FC GO HM IP IR IS J1 L3 L6 LE LS OA OB PI PL RA RE SL TL WO WU",
		SegmentSyntaxError:  "1 2 3 4 5 6 7 8 I4 I6 I7 I8 I9",
		ElementSyntaxError:  "1 2 3 4 5 6 7 8 9 10 12 13 I6 I9 I10 I11 I12 I13",
		AckCode:             "A E M P R W X",
		TransactionSetError: "1 2 3 4 5 6 7 18 19 23 I5 I6",
		GroupError:          "1 2 3 4 5 6 19",
		TA1Ack:              "A E R",
		TA1Note:             "000 001 002 003 004 005 006 007 008 009 010 011 012 013 014 015 016 017 018 019 020 021 022 023 024 025 026 027 028 029 030 031",
	}
	for l, codes := range required {
		for _, code := range strings.Fields(codes) {
			if _, ok := Lookup(l, code); !ok {
				t.Errorf("Lookup(%v, %q) not found", l, code)
			}
		}
	}
}

// TestKnownMeanings pins meanings that public code often gets wrong (primer
// sections 7.3 and 8.5).
func TestKnownMeanings(t *testing.T) {
	tests := []struct {
		list    List
		code    string
		want    string // substring the description must contain
		notWant string // substring it must not contain
	}{
		{ClaimStatus, "453", "modifier", ""},
		{ClaimStatus, "454", "Procedure code", "modifier"},
		{ClaimStatus, "562", "National Provider Identifier", "tax"},
		{ClaimStatus, "128", "tax ID", ""},
		{ClaimStatus, "21", "Missing or invalid", ""},
		{ClaimStatus, "400", "out of balance", ""},
		{ClaimStatusCategory, "A1", "received", "accepted into"},
		{ClaimStatusCategory, "A2", "accepted into the adjudication system", ""},
		{ClaimStatusCategory, "A3", "rejected", "forwarded"},
		{CARC, "45", "fee schedule", ""},
		{CARC, "97", "another service", ""},
		{CARC, "22", "coordination of benefits", "paid"},
		{CARC, "253", "Sequestration", ""},
		{AckCode, "P", "Partially accepted", ""},
		{TA1Note, "025", "Duplicate", ""},
	}
	for _, tt := range tests {
		got := Describe(tt.list, tt.code)
		if !strings.Contains(got, tt.want) {
			t.Errorf("Describe(%v, %q) = %q, want it to contain %q", tt.list, tt.code, got, tt.want)
		}
		if tt.notWant != "" && strings.Contains(got, tt.notWant) {
			t.Errorf("Describe(%v, %q) = %q, want it not to contain %q", tt.list, tt.code, got, tt.notWant)
		}
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		list List
		code string
		want string
	}{
		{CARC, "1", "Deductible amount."},
		{CARC, "ZZZ9", "unknown code ZZZ9"},
		{RARC, "ZZZ9", "unknown code ZZZ9"},
		{TA1Note, "0", "unknown code 0"}, // TA105 codes are three digits
		{CARC, " 1", "unknown code  1"},  // no trimming: the code is echoed as given
		{List(0), "1", "unknown code 1"},
		{List(99), "A1", "unknown code A1"},
		{CARC, "", "unknown code "},
	}
	for _, tt := range tests {
		if got := Describe(tt.list, tt.code); got != tt.want {
			t.Errorf("Describe(%v, %q) = %q, want %q", tt.list, tt.code, got, tt.want)
		}
	}
}

func TestLookup(t *testing.T) {
	e, ok := Lookup(CARC, "42")
	if !ok {
		t.Fatalf("Lookup(CARC, \"42\") not found")
	}
	want := Entry{Code: "42", Start: "1995-01-01", Stop: "2007-06-01"}
	if e.Code != want.Code || e.Start != want.Start || e.Stop != want.Stop {
		t.Errorf("Lookup(CARC, \"42\") = %+v, want code %s start %s stop %s", e, want.Code, want.Start, want.Stop)
	}
	if !strings.Contains(e.Notes, "use 45") {
		t.Errorf("Lookup(CARC, \"42\").Notes = %q, want it to point to 45", e.Notes)
	}
	if _, ok := Lookup(CARC, "a1"); ok {
		t.Errorf("Lookup(CARC, \"a1\") found, want codes to match exactly")
	}
	if got, ok := Lookup(List(0), "1"); ok || got != (Entry{}) {
		t.Errorf("Lookup(List(0), \"1\") = %+v, %v, want zero entry, false", got, ok)
	}
}

func TestCategoryVerdict(t *testing.T) {
	tests := []struct {
		category string
		want     Verdict
	}{
		{"A0", Pending},
		{"A1", Pending}, // received is not accepted
		{"A2", Accepted},
		{"A5", Accepted},
		{"A3", Rejected},
		{"A4", Rejected},
		{"A6", Rejected},
		{"A7", Rejected},
		{"A8", Rejected},
		{"E0", Exception},
		{"E4", Exception},
		{"P1", Informational},
		{"F2", Informational},
		{"R4", Informational},
		{"D0", Informational},
		{"ZZ", Review},
		{"", Review},
		{"a2", Review},
		{"A9", Review},
	}
	for _, tt := range tests {
		if got := CategoryVerdict(tt.category); got != tt.want {
			t.Errorf("CategoryVerdict(%q) = %v, want %v", tt.category, got, tt.want)
		}
	}
	if got := CategoryVerdict("A1"); got == Accepted {
		t.Errorf("CategoryVerdict(\"A1\") = %v, want anything but accepted", got)
	}
	// Every category in the table has a verdict and is never Review.
	for _, e := range All(ClaimStatusCategory) {
		if got := CategoryVerdict(e.Code); got == Review {
			t.Errorf("CategoryVerdict(%q) = review for a listed category", e.Code)
		}
	}
}

func TestAllIsSortedCopy(t *testing.T) {
	first := All(CARC)
	if len(first) == 0 {
		t.Fatalf("All(CARC) is empty")
	}
	wantHead := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}
	for i, code := range wantHead {
		if first[i].Code != code {
			t.Errorf("All(CARC)[%d].Code = %q, want %q", i, first[i].Code, code)
		}
	}
	codes := make([]string, len(first))
	for i, e := range first {
		codes[i] = e.Code
	}
	if i, j := slices.Index(codes, "308"), slices.Index(codes, "A0"); i < 0 || j < 0 || i > j {
		t.Errorf("All(CARC): index of 308 = %d, A0 = %d, want 308 before A0", i, j)
	}
	if i, j := slices.Index(codes, "B9"), slices.Index(codes, "B10"); i < 0 || j < 0 || i > j {
		t.Errorf("All(CARC): index of B9 = %d, B10 = %d, want B9 before B10", i, j)
	}
	first[0].Description = "changed"
	if got := All(CARC)[0].Description; got == "changed" {
		t.Errorf("All returned the table itself, want a copy")
	}
	if got := Describe(CARC, "1"); got == "changed" {
		t.Errorf("changing All's result changed Describe")
	}
	if got := All(List(0)); got != nil {
		t.Errorf("All(List(0)) = %v, want nil", got)
	}
}

func TestListString(t *testing.T) {
	tests := []struct {
		list List
		want string
	}{
		{CARC, "CARC"},
		{ClaimStatusCategory, "ClaimStatusCategory"},
		{TA1Note, "TA1Note"},
		{List(0), "List(0)"},
		{List(99), "List(99)"},
	}
	for _, tt := range tests {
		if got := tt.list.String(); got != tt.want {
			t.Errorf("List(%d).String() = %q, want %q", int(tt.list), got, tt.want)
		}
	}
	if got := Info(List(0)); got != (Meta{}) {
		t.Errorf("Info(List(0)) = %+v, want zero Meta", got)
	}
}

func TestVerdictString(t *testing.T) {
	tests := []struct {
		v    Verdict
		want string
	}{
		{Review, "review"},
		{Accepted, "accepted"},
		{Rejected, "rejected"},
		{Pending, "pending"},
		{Informational, "informational"},
		{Exception, "exception"},
		{Verdict(42), "Verdict(42)"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("Verdict(%d).String() = %q, want %q", int(tt.v), got, tt.want)
		}
	}
	var zero Verdict
	if zero != Review {
		t.Errorf("zero Verdict = %v, want review", zero)
	}
}

func TestCompareCodes(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1", "2", -1},
		{"2", "10", -1},
		{"10", "2", 1},
		{"308", "A0", -1},
		{"B9", "B10", -1},
		{"M15", "MA01", -1},
		{"MA130", "N1", -1},
		{"000", "001", -1},
		{"01", "1", -1}, // equal value: plain string order breaks the tie
		{"A1", "A1", 0},
		{"F3", "F3F", -1},
		{"I10", "I6", 1},
		{"99999999999999999999999", "100000000000000000000000", -1},
	}
	for _, tt := range tests {
		if got := compareCodes(tt.a, tt.b); sign(got) != tt.want {
			t.Errorf("compareCodes(%q, %q) = %d, want sign %d", tt.a, tt.b, got, tt.want)
		}
		if got := compareCodes(tt.b, tt.a); sign(got) != -tt.want {
			t.Errorf("compareCodes(%q, %q) = %d, want sign %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

const goodHeader = "# table: T\n# element: 1\n# source: S\n# as-of: 2026-01-02\n# partial: no\n"

func TestParseTableErrors(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		wantErr string // substring of the error; "" means no error
	}{
		{"valid", goodHeader + "code\tdescription\tstart\tstop\tnotes\n1\tOne.\t2000-01-01\t2001-01-01\t\n", ""},
		{"trailing fields omitted", goodHeader + "code\tdescription\tstart\tstop\tnotes\n1\tOne.\n", ""},
		{"free comments", "# a note: with a colon\n" + goodHeader + "code\tdescription\n# row comment\n\n1\tOne.\n", ""},
		{"missing source", "# table: T\n# element: 1\n# as-of: 2026-01-02\n# partial: no\ncode\tdescription\n1\tOne.\n", `"source" is missing`},
		{"missing as-of", "# table: T\n# element: 1\n# source: S\n# partial: no\ncode\tdescription\n1\tOne.\n", `"as-of" is missing`},
		{"bad as-of", "# table: T\n# element: 1\n# source: S\n# as-of: 2026-13-01\n# partial: no\ncode\tdescription\n1\tOne.\n", "as-of date"},
		{"bad partial", "# table: T\n# element: 1\n# source: S\n# as-of: 2026-01-02\n# partial: maybe\ncode\tdescription\n1\tOne.\n", "partial must be"},
		{"unknown header", goodHeader + "# owner: me\ncode\tdescription\n1\tOne.\n", "unknown header field"},
		{"repeated header", goodHeader + "# table: U\ncode\tdescription\n1\tOne.\n", "given twice"},
		{"no column line", goodHeader, "no column line"},
		{"no rows", goodHeader + "code\tdescription\n", "no codes"},
		{"no description column", goodHeader + "code\tnotes\n1\tx\n", "no description column"},
		{"unknown column", goodHeader + "code\tdescription\tcolour\n1\tOne.\tred\n", "unknown column"},
		{"duplicate code", goodHeader + "code\tdescription\n1\tOne.\n1\tUno.\n", "duplicate code"},
		{"empty description", goodHeader + "code\tdescription\n1\t\n", "empty description"},
		{"padded description", goodHeader + "code\tdescription\n1\t One.\n", "white space"},
		{"empty code", goodHeader + "code\tdescription\n\tOne.\n", "empty code"},
		{"code with space", goodHeader + "code\tdescription\nA 1\tOne.\n", "white space"},
		{"too many fields", goodHeader + "code\tdescription\n1\tOne.\textra\n", "fields, but only"},
		{"bad start date", goodHeader + "code\tdescription\tstart\n1\tOne.\t01/01/1995\n", "start date"},
		{"bad stop date", goodHeader + "code\tdescription\tstart\tstop\n1\tOne.\t\t2001-02-30\n", "stop date"},
		{"stop before start", goodHeader + "code\tdescription\tstart\tstop\n1\tOne.\t2001-01-01\t2000-01-01\n", "before start"},
		{"bad verdict", goodHeader + "code\tdescription\tverdict\nA1\tOne.\tmaybe\n", "verdict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTable("test.tsv", strings.NewReader(tt.data))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("parseTable error = %v, want none", err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("parseTable error = nil, want one containing %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("parseTable error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseTableReportsEveryError(t *testing.T) {
	data := goodHeader + "code\tdescription\tstart\n1\t\n1\tOne.\n2\tTwo.\tbad\n"
	_, err := parseTable("test.tsv", strings.NewReader(data))
	if err == nil {
		t.Fatalf("parseTable error = nil, want errors")
	}
	for _, want := range []string{"test.tsv:7: code \"1\" has an empty description", "test.tsv:8: duplicate code", "test.tsv:9: code \"2\": start date"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("parseTable error = %v, want it to contain %q", err, want)
		}
	}
}

func TestParseCatalogFiles(t *testing.T) {
	// A catalog built from the embedded files plus a stray one, minus one.
	fsys := fstest.MapFS{}
	err := fs.WalkDir(dataFS, "data", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(dataFS, p)
		fsys[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	delete(fsys, "data/"+TA1Note.file())
	fsys["data/stray.tsv"] = &fstest.MapFile{Data: []byte(goodHeader + "code\tdescription\n1\tOne.\n")}
	_, err = parseCatalog(fsys, "data")
	if err == nil {
		t.Fatalf("parseCatalog error = nil, want missing and stray file errors")
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("parseCatalog error = %v, want it to wrap fs.ErrNotExist for the missing file", err)
	}
	if !strings.Contains(err.Error(), "stray.tsv: data file belongs to no List") {
		t.Errorf("parseCatalog error = %v, want it to report stray.tsv", err)
	}

	// The category table must carry verdicts.
	fsys = fstest.MapFS{}
	for _, l := range allLists() {
		fsys["data/"+l.file()] = &fstest.MapFile{Data: []byte(goodHeader + "code\tdescription\n1\tOne.\n")}
	}
	if _, err := parseCatalog(fsys, "data"); err == nil || !strings.Contains(err.Error(), "needs a verdict column") {
		t.Errorf("parseCatalog error = %v, want a missing verdict column error", err)
	}
}

func BenchmarkLookup(b *testing.B) {
	b.ReportAllocs()
	tables() // load outside the timed loop
	for b.Loop() {
		if _, ok := Lookup(CARC, "45"); !ok {
			b.Fatal("CARC 45 not found")
		}
	}
}
