package codes_test

import (
	"fmt"

	"github.com/x12claims/claims/x12/codes"
)

func Example() {
	// An 835 line adjusted CO-45 with remark N130, and a 277CA status
	// composite A7:562:85 (billing provider NPI invalid).
	fmt.Println("CARC 45:", codes.Describe(codes.CARC, "45"))
	fmt.Println("RARC N130:", codes.Describe(codes.RARC, "N130"))
	fmt.Println("A7:", codes.Describe(codes.ClaimStatusCategory, "A7"), "->", codes.CategoryVerdict("A7"))
	fmt.Println("562:", codes.Describe(codes.ClaimStatus, "562"))
	fmt.Println("85:", codes.Describe(codes.EntityIdentifier, "85"))
	fmt.Println("A1 ->", codes.CategoryVerdict("A1"))
	fmt.Println(codes.Describe(codes.CARC, "ZZZ9"))

	e, _ := codes.Lookup(codes.CARC, "A2")
	fmt.Println("CARC A2 stopped on", e.Stop+":", e.Notes)

	m := codes.Info(codes.RARC)
	fmt.Println(m.Name, "partial:", m.Partial, "as of", m.AsOf)
	// Output:
	// CARC 45: The charge is above the fee schedule, maximum allowable, or contracted/legislated fee.
	// RARC N130: See the plan benefit documents or guidelines for restrictions on this service.
	// A7: Acknowledgement/rejected for invalid information: the information named in the status details is invalid. -> rejected
	// 562: The entity's National Provider Identifier (NPI).
	// 85: Billing provider.
	// A1 -> pending
	// unknown code ZZZ9
	// CARC A2 stopped on 2008-01-01: Deactivated; use 45 with group CO, or another specific code.
	// RARC partial: true as of 2026-08-17
}
