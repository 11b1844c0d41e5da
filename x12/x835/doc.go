// Package x835 reads and writes the HIPAA 5010 835 health care claim
// payment/advice (005010X221A1) and checks its balancing.
//
// Remittance is the typed model of one transaction set (ST..SE): the
// payment (BPR/TRN), payer and payee (1000A/1000B), claims (2100 CLP) with
// their service lines (2110 SVC), and provider-level adjustments (PLB).
//
// Two ways to read:
//
//   - Read loads every 835 transaction set of a stream.
//   - Parser streams a huge 835 claim by claim: NextRemittance returns the
//     header of the next set (payment, payer, payee) and Next returns its
//     claims one at a time, then io.EOF at the end of the set, when the
//     PLB adjustments and running Totals are complete.
//
// Parsing never rejects on business rules and never changes an amount.
// Segments the guide does not know are skipped and recorded as warnings
// with their position; a segment of the 835 guide where the guide allows
// none (an SVC before any CLP, a second BPR, ...), an amount that is not
// an exact decimal, and a broken envelope are positioned errors (*x12.Error).
//
// Balancing is a separate step (Remittance.Balance, Claim.Balance,
// Totals.Balance) that reports each imbalance as a *BalanceError carrying
// the stated and the computed figure. Write produces an 835 from the model,
// and SetWriter writes one set claim by claim (the writer's side of
// Parser), so that an 835 of any size is written in bounded memory.
package x835
