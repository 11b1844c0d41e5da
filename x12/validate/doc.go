// Package validate judges any X12 file a clearinghouse exchanges, ours or
// anyone's, and reports every problem with its position: what
// `claims validate` prints.
//
// Every file gets its envelopes checked (structure, counts, control
// numbers, every ISA element at its fixed width, ISA09 and GS04 real
// dates, ISA10 and GS05 real times). Then each transaction set is judged
// by the rules of its kind:
//
//   - 837P and 837I: the x837 file validator (structure, element usage,
//     lengths, code values and the claim rules a syntax validator misses).
//   - 835: its structure as x835 reads it, and balancing at line (SVC),
//     claim (CLP) and transaction (BPR) level, each placed at its segment.
//   - 999, 997, 277CA and TA1: their structure as our typed parsers read
//     them, and their code values (see codes.go): IK304, IK403, IK501,
//     IK502-IK506, AK901, AK905-AK909 and their 997 counterparts; the
//     277CA's STC status category, status and entity codes; TA104 and
//     TA105. The 835's CLP02, CAS01 and PLB reasons are checked too.
//   - Any other set (an 834, a 270) gets a notice, "no rules for set X;
//     envelope checked only", which is not an error.
//
// A code that is not on a complete list is an error; one that is not on a
// partial list (x12/codes says which lists hold only a selection, such as
// the claim status codes) is a warning: it may be valid and simply not in
// our table.
package validate
