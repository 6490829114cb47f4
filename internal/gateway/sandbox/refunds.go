package sandbox

// TypeRefund marks a refund (TYPE 00014) in Refunds.
const TypeRefund = "00014"

// addRefund records an approved refund as a transaction of its own: its
// NUMTRANS, the original transaction it refunds (RefundOf) and the
// REFERENCE it was sent with, so that a lookup (TYPE 00011, by REFERENCE
// and amount) finds it as it finds a charge. Journal lines written before
// refunds carried their transaction have none: nothing is added for them.
func (st *state) addRefund(e entry) {
	if e.Tx == nil {
		return
	}
	tx := *e.Tx
	tx.RefundOf = e.Key
	st.refunds = append(st.refunds, &tx)
	if tx.Reference != "" {
		st.byRef[tx.Reference] = append(st.byRef[tx.Reference], &tx)
	}
}

// Refunds returns a copy of the approved refunds, oldest first: the
// sandbox's own record of the money it gave back, which tests compare with
// the books.
func (s *Sandbox) Refunds() []Transaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Transaction, len(s.st.refunds))
	for i, tx := range s.st.refunds {
		out[i] = *tx
	}
	return out
}
