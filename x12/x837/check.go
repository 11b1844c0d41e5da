package x837

import "strings"

// Shared field checks. Other packages (intake, the work queue) may reuse
// them; none of them allocates.

// ValidNPI reports whether s is a well-formed National Provider
// Identifier: ten digits, the first 1 or 2, and a Luhn check digit
// computed over the number prefixed with 80840 (CMS NPI standard). It
// returns false for anything else, including the empty string.
func ValidNPI(s string) bool {
	if len(s) != 10 || (s[0] != '1' && s[0] != '2') {
		return false
	}
	// Luhn over "80840"+s: the prefix contributes the constant 24.
	sum := 24
	for i := 0; i < 10; i++ {
		c := s[9-i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// NPICheckDigit returns the check digit that completes the nine-digit NPI
// base, or -1 when base is not nine digits.
func NPICheckDigit(base string) int {
	if len(base) != 9 {
		return -1
	}
	sum := 24
	for i := 0; i < 9; i++ {
		c := base[8-i]
		if c < '0' || c > '9' {
			return -1
		}
		d := int(c - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10 - sum%10) % 10
}

// NormalizeICD10 returns an ICD-10 code as it is transmitted: upper case,
// without the dot and surrounding spaces. It does not validate.
func NormalizeICD10(code string) string {
	code = strings.TrimSpace(code)
	if strings.IndexByte(code, '.') < 0 && !hasLower(code) {
		return code
	}
	b := make([]byte, 0, len(code))
	for i := 0; i < len(code); i++ {
		c := code[i]
		if c == '.' {
			continue
		}
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

func hasLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			return true
		}
	}
	return false
}

// ValidICD10 reports whether code has the shape of an ICD-10-CM diagnosis
// code as sent in an 837: three to seven characters, no dot, a letter
// then a digit then a digit or letter, then up to four letters or digits
// ("E119", "S72001A", "Z00.00" is not valid because of the dot). It checks
// the shape only, not that the code exists.
func ValidICD10(code string) bool {
	n := len(code)
	if n < 3 || n > 7 {
		return false
	}
	if !isUpper(code[0]) || !isDigit(code[1]) || !(isDigit(code[2]) || isUpper(code[2])) {
		return false
	}
	for i := 3; i < n; i++ {
		if !isDigit(code[i]) && !isUpper(code[i]) {
			return false
		}
	}
	return true
}

// ValidICD10PCS reports whether code has the shape of an ICD-10-PCS
// procedure code: exactly seven letters or digits (the letters I and O are
// not used).
func ValidICD10PCS(code string) bool {
	if len(code) != 7 {
		return false
	}
	for i := 0; i < 7; i++ {
		c := code[i]
		if !isDigit(c) && !(isUpper(c) && c != 'I' && c != 'O') {
			return false
		}
	}
	return true
}

// ValidZIP reports whether zip is a US ZIP code of five or nine digits.
func ValidZIP(zip string) bool {
	return (len(zip) == 5 || len(zip) == 9) && allDigits(zip)
}

// ValidZIP9 reports whether zip is a nine-digit ZIP+4 code, as the billing
// provider and service facility addresses require.
func ValidZIP9(zip string) bool { return len(zip) == 9 && allDigits(zip) }

// ValidTaxonomy reports whether code has the shape of a NUCC health care
// provider taxonomy code: ten characters, nine letters or digits then X
// (e.g. "207Q00000X").
func ValidTaxonomy(code string) bool {
	if len(code) != 10 || code[9] != 'X' {
		return false
	}
	for i := 0; i < 9; i++ {
		if !isDigit(code[i]) && !isUpper(code[i]) {
			return false
		}
	}
	return true
}

// ValidPlaceOfService reports whether code is a CMS place of service code
// (two digits, from the published list).
func ValidPlaceOfService(code string) bool { return inSorted(placesOfService, code) }

// ValidState reports whether code is a US state, territory, military or
// Canadian province code as N402 accepts.
func ValidState(code string) bool { return inSorted(stateCodes, code) }

// ValidProcedureCode reports whether code has the shape of a CPT or HCPCS
// Level II code: five characters, letters and digits ("99213", "J1885",
// "0001U", "1234F").
func ValidProcedureCode(code string) bool {
	if len(code) != 5 {
		return false
	}
	for i := 0; i < 5; i++ {
		if !isDigit(code[i]) && !isUpper(code[i]) {
			return false
		}
	}
	return true
}

// ValidRevenueCode reports whether code is a four-digit NUBC revenue code.
func ValidRevenueCode(code string) bool { return len(code) == 4 && allDigits(code) }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// inSorted reports whether v is in the sorted list.
func inSorted(list []string, v string) bool {
	lo, hi := 0, len(list)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if list[m] < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(list) && list[lo] == v
}

// inSortedBytes is inSorted for a byte slice; it does not allocate.
func inSortedBytes(list []string, v []byte) bool {
	lo, hi := 0, len(list)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if list[m] < string(v) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(list) && list[lo] == string(v)
}
