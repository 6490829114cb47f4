package docnum

import "testing"

// TestFormats: each series' numbers, as the documents and Paybox show
// them (a change here renumbers nothing stored, but every new document).
func TestFormats(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Invoice("FA", 1), "FA1"},
		{Invoice("FA-2025-", 123456), "FA-2025-123456"},
		{Order("CMD", 1), "CMD000001"},
		{Order("CMD", 1234567), "CMD1234567"},
		{CreditNote("AV", 1), "AV000001"},
		{CreditNote("AV-2025-", 123456), "AV-2025-123456"},
		{CreditNote("AV", 1234567), "AV1234567"},
		{Payment("REG", 42), "REG000042"},
		{Reference("INP", 7), "INP00000007"},
		{PayRequest("INP", 7), "INPP00000007"},
		{PayRequest("", 1), "P00000001"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if Reference("INP", 5) == PayRequest("INP", 5) {
		t.Error("a hosted-page command equals a call's reference")
	}
}
