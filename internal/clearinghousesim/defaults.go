package clearinghousesim

import "github.com/x12claims/claims/x12"

// The demo's sample payers (samples/encounters.jsonl and .csv).
const (
	PayerLarkspur   = "LRK60" // Larkspur Health Plan, commercial
	PayerBlueHarbor = "BHH47" // Blue Harbor Health
	PayerMedicaid   = "SKMD0" // State Medicaid
)

// NotEnrolledMember is the member ID the samples use for a claim that the
// 277CA must reject.
const NotEnrolledMember = "MHP000000000"

// baseFees returns a made-up reference fee per unit for every procedure
// code the samples bill; each payer pays a share of it (see
// DefaultConfig). The figures are fictitious.
func baseFees() map[string]string {
	return map[string]string{
		// Evaluation and management.
		"99203": "112.40", "99213": "92.15", "99214": "130.60", "99215": "183.20",
		"99392": "121.30", "99393": "120.80", "99396": "141.70", "99284": "176.90",
		// Facility visit, procedures, injections.
		"G0463": "129.50", "20610": "62.40", "17110": "118.30", "69210": "47.10", "J3301": "1.85",
		// Laboratory.
		"36415": "8.90", "80053": "14.40", "80061": "18.20", "83036": "13.30", "84443": "22.80",
		"84484": "13.00", "85025": "10.70", "81002": "3.50", "87804": "16.50", "87880": "16.60",
		// Radiology and cardiology.
		"71046": "32.10", "73610": "33.80", "93000": "17.40", "93005": "8.90",
		// Immunization, screening.
		"90460": "21.40", "90471": "21.40", "90656": "19.20", "90707": "74.10", "96127": "4.70", "99173": "3.40",
		// Physical therapy.
		"97110": "31.40", "97112": "36.10", "97140": "29.00", "97161": "103.80",
	}
}

// scaledFees returns the base fees scaled by rate, which may exceed 100 %
// (rounded half up to the cent).
func scaledFees(rate BasisPoints) map[string]x12.Amount {
	base := baseFees()
	out := make(map[string]x12.Amount, len(base))
	for code, fee := range base {
		out[code] = x12.Amount(mulDivHalfUp(int64(x12.MustAmount(fee)), int64(rate), 10000))
	}
	return out
}

// DefaultConfig returns the configuration of the demo: the simulator
// "CLAIMSIM" with the three sample payers, served from root. With the
// sample encounters it rejects the claim of member MHP000000000 in the
// 277CA, denies CPT 97110 at Blue Harbor Health (CO-50, N386), and applies
// deductibles to three members, one of whom (MHP517204839) has two
// claims, so the deductible spans them.
//
//   - Larkspur Health Plan (LRK60): 125 % of the reference fees, 70 % of
//     charge when a code has no fee, 20 % coinsurance, paid by check.
//   - Blue Harbor Health (BHH47): 115 %, 65 %, 10 % coinsurance, 97110 not
//     covered, paid by ACH.
//   - State Medicaid (SKMD0): 80 %, 50 %, no coinsurance, paid by check.
//
// The clock is time.Now; set Config.Now for reproducible output.
func DefaultConfig(root string) Config {
	return Config{
		Root:        root,
		ID:          "CLAIMSIM",
		Name:        "X12 Claims Simulator Clearinghouse",
		NotEnrolled: []string{NotEnrolledMember},
		Payers: []Payer{
			{
				ID: PayerLarkspur, Name: "Larkspur Health Plan", TIN: "860412275",
				Address:     Address{Line1: "1800 Larkspur Plaza", City: "Denver", State: "CO", ZIP: "80202"},
				ContactName: "EDI Support", ContactPhone: "3035550110", ContactURL: "www.larkspurhealthplan.example",
				Method: "CHK", FilingIndicator: "CI",
				FeeSchedule: scaledFees(12500), DefaultAllowed: Percent(70), Coinsurance: Percent(20),
				Deductibles: map[string]x12.Amount{
					"MHP482913056": x12.MustAmount("150.00"),
					"MHP517204839": x12.MustAmount("120.00"),
				},
			},
			{
				ID: PayerBlueHarbor, Name: "Blue Harbor Health", TIN: "930218846",
				Address:     Address{Line1: "55 Harborview Drive", City: "Portland", State: "OR", ZIP: "97201"},
				ContactName: "Provider EDI", ContactPhone: "5035550188", ContactURL: "www.blueharbor.example",
				Method: "ACH", FilingIndicator: "BL",
				Bank:        &Bank{SenderDFI: "123000220", SenderAccount: "4410078823", ReceiverDFI: "102000021", ReceiverAccount: "7755001346"},
				FeeSchedule: scaledFees(11500), DefaultAllowed: Percent(65), Coinsurance: Percent(10),
				NotCovered: []string{"97110"},
				Deductibles: map[string]x12.Amount{
					"XHB884120397": x12.MustAmount("50.00"),
				},
			},
			{
				ID: PayerMedicaid, Name: "State Medicaid", TIN: "846000021",
				Address:     Address{Line1: "1570 Grant Street", City: "Denver", State: "CO", ZIP: "80203"},
				ContactName: "Medicaid EDI Unit", ContactPhone: "3035550177",
				Method: "CHK", FilingIndicator: "MC",
				FeeSchedule: scaledFees(8000), DefaultAllowed: Percent(50), Coinsurance: 0,
			},
		},
	}
}
