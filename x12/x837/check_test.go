package x837

import "testing"

func TestValidNPI(t *testing.T) {
	for _, tc := range []struct {
		npi  string
		want bool
	}{
		{"1234567893", true},  // CMS example: base 123456789, check digit 3
		{"1234567890", false}, // wrong check digit
		{"2020202026", true},
		{"1122334455", true},
		{"3234567893", false}, // first digit must be 1 or 2
		{"123456789", false},
		{"12345678931", false},
		{"12345678a3", false},
		{"", false},
	} {
		if got := ValidNPI(tc.npi); got != tc.want {
			t.Errorf("ValidNPI(%q) = %v, want %v", tc.npi, got, tc.want)
		}
	}
	if got := NPICheckDigit("123456789"); got != 3 {
		t.Errorf("NPICheckDigit(123456789) = %d, want 3", got)
	}
	if got := NPICheckDigit("12345"); got != -1 {
		t.Errorf("NPICheckDigit(12345) = %d, want -1", got)
	}
	// Every base gets exactly one valid check digit.
	for _, base := range []string{"104567890", "150011223", "199999999", "200000000"} {
		n := 0
		for d := '0'; d <= '9'; d++ {
			if ValidNPI(base + string(d)) {
				n++
				if int(d-'0') != NPICheckDigit(base) {
					t.Errorf("%s%c valid but NPICheckDigit says %d", base, d, NPICheckDigit(base))
				}
			}
		}
		if n != 1 {
			t.Errorf("base %s has %d valid check digits, want 1", base, n)
		}
	}
}

func TestICD10(t *testing.T) {
	for _, tc := range []struct {
		in, norm string
		valid    bool
	}{
		{"E11.9", "E119", true},
		{"e11.9", "E119", true},
		{"Z00.00", "Z0000", true},
		{"S72.001A", "S72001A", true},
		{"I10", "I10", true},
		{"U07.1", "U071", true},
		{"4019", "4019", false}, // ICD-9
		{"E1", "E1", false},
		{"E11.90001", "E1190001", false}, // too long
		{"E11-9", "E11-9", false},
	} {
		got := NormalizeICD10(tc.in)
		if got != tc.norm {
			t.Errorf("NormalizeICD10(%q) = %q, want %q", tc.in, got, tc.norm)
		}
		if v := ValidICD10(got); v != tc.valid {
			t.Errorf("ValidICD10(%q) = %v, want %v", got, v, tc.valid)
		}
	}
	if ValidICD10("E11.9") {
		t.Error("ValidICD10 accepts a dot; the dot is never transmitted")
	}
	for code, want := range map[string]bool{"027034Z": true, "0270I4Z": false, "02703": false} {
		if got := ValidICD10PCS(code); got != want {
			t.Errorf("ValidICD10PCS(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestFieldShapes(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func(string) bool
		in   string
		want bool
	}{
		{"zip5", ValidZIP, "62704", true},
		{"zip9", ValidZIP, "627041234", true},
		{"zip hyphen", ValidZIP, "62704-1234", false},
		{"zip4", ValidZIP, "6270", false},
		{"zip9 only", ValidZIP9, "62704", false},
		{"zip9 ok", ValidZIP9, "627041234", true},
		{"taxonomy", ValidTaxonomy, "207Q00000X", true},
		{"taxonomy no X", ValidTaxonomy, "203BF0100Y", false},
		{"taxonomy short", ValidTaxonomy, "207Q0000X", false},
		{"taxonomy lower", ValidTaxonomy, "207q00000X", false},
		{"pos", ValidPlaceOfService, "11", true},
		{"pos telehealth home", ValidPlaceOfService, "10", true},
		{"pos unassigned", ValidPlaceOfService, "30", false},
		{"state", ValidState, "IL", true},
		{"state lower", ValidState, "il", false},
		{"cpt", ValidProcedureCode, "99213", true},
		{"hcpcs", ValidProcedureCode, "J1885", true},
		{"cpt dotted", ValidProcedureCode, "992.3", false},
		{"revenue", ValidRevenueCode, "0450", true},
		{"revenue short", ValidRevenueCode, "450", false},
	} {
		if got := tc.f(tc.in); got != tc.want {
			t.Errorf("%s(%q) = %v, want %v", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestValidUnits(t *testing.T) {
	for in, want := range map[string]bool{"1": true, "2.5": true, "0.125": true, "12345678": true,
		"0": false, "1.2345": false, "123456789": false, "-1": false, "1e3": false, "": false} {
		if got := validUnits(in); got != want {
			t.Errorf("validUnits(%q) = %v, want %v", in, got, want)
		}
	}
}
