// Package x999 reads and writes the 999 implementation acknowledgment
// (005010X231A1): the receiver's verdict on each transaction set of a
// functional group it received (AK2/IK5), the segments and elements in
// error (IK3/IK4 with their CTX context), and the group verdict (AK9).
//
// Ack is the model of one 999 transaction set. Read loads every 999 set of
// a stream; Write and WriteInterchange produce them (Ack.Tally fills AK9
// from the set responses). Codes are kept as sent; their descriptions are
// in package codes.
package x999
