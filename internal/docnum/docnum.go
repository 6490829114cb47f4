// Package docnum says what a document number looks like: the format of the
// numbers of each series (invoices, orders, credit notes, payments, the REFERENCE of a Paybox
// call, the PBX_CMD of a hosted-page request), given the series' prefix
// and the position store took from it. store takes the position in the
// issuing transaction, so a series has no gap, and stores the string with
// its position; the format is written here once (issue 21: it was a
// Sprintf in each store file). It imports nothing of the project.
package docnum

import "fmt"

// CreditNote is the number of a credit note (avoir): the prefix and six
// digits, AV000001.
func CreditNote(prefix string, n int64) string { return fmt.Sprintf("%s%06d", prefix, n) }

// Payment is the number of a payment (règlement): the prefix and six
// digits, REG000001.
func Payment(prefix string, n int64) string { return fmt.Sprintf("%s%06d", prefix, n) }

// Reference is the REFERENCE of a Paybox call (a card debit or refund): the
// prefix and eight digits.
func Reference(prefix string, n int64) string { return fmt.Sprintf("%s%08d", prefix, n) }

// PayRequest is the PBX_CMD of a hosted-page request: the references'
// prefix, P and eight digits, so that it never equals a Reference.
func PayRequest(prefix string, n int64) string { return fmt.Sprintf("%sP%08d", prefix, n) }

// Invoice is the number of an invoice (facture): the prefix and the plain
// position, FA1, FA1234567.
func Invoice(prefix string, n int64) string { return fmt.Sprintf("%s%d", prefix, n) }

// Order is the number of an order (commande): the prefix and six digits,
// CMD000001.
func Order(prefix string, n int64) string { return fmt.Sprintf("%s%06d", prefix, n) }
