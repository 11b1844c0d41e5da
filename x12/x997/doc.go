// Package x997 reads the 997 functional acknowledgment of X12 version 4010
// (and the 005010X230 997 some clearinghouses still send): the receiver's
// verdict on each transaction set of a functional group it received
// (AK2/AK5), the segments and elements in error (AK3/AK4), and the group
// verdict (AK9).
//
// Ack is the model of one 997 transaction set; Read loads every 997 set of
// a stream. Codes are kept as sent; they are the code lists of the 999
// (AK304 = IK304, AK403 = IK403, AK501 = IK501, AK502-AK506 = IK502-IK506,
// AK9 as in the 999), whose descriptions are in package codes; a code that
// is not on its list is kept with a warning. Ack.As999 gives the same
// acknowledgment as an x999.Ack, so that it can be applied like a 999.
package x997
