package csvin

import (
	"strings"
	"testing"
)

// TestHostileCellsRefused: a control character, an over-long value or a
// card number in any cell is refused with file:line: field, the row set
// aside; the number is masked.
func TestHostileCellsRefused(t *testing.T) {
	cases := []struct{ data, want string }{
		{"id,last_name\n1,\"Dur\x1b[2Jand\"\n", "s.csv:2: last_name: holds a control character (U+001B)"},
		{"id,last_name\n1,Dur\x00and\n", "s.csv:2: last_name: holds a control character (U+0000)"},
		{"id,last_name\n1,Dur\u009band\n", "s.csv:2: last_name: holds a control character (U+009B)"},
		{"id,last_name\n1,Dur\tand\n", "s.csv:2: last_name: holds a control character (U+0009)"},
		{"id,last_name\n1,\"Du\nrand\"\n", "s.csv:2: last_name: holds a control character (U+000A)"},
		{"id,last_name\n1,ok\n2," + strings.Repeat("é", 101) + "\n", "s.csv:3: last_name: is 101 characters long: at most 100"},
		{"id,notes\n1," + strings.Repeat("x", 501) + "\n", "s.csv:2: notes: is 501 characters long: at most 500"},
		{"id,email\n1," + strings.Repeat("a", 250) + "@b.fr\n", "s.csv:2: email: is 255 characters long: at most 254"},
		{"id,notes\n1,VIR 22104567 1111222233334444\n", "s.csv:2: notes: holds a card number (****4444)"},
		{"id,address\n1,\"12 rue X\n4012 0010 3714 1112\"\n", "s.csv:2: address: holds a card number (****1112)"},
		{"id,name\n1,SIRET 12345678200002\n", "s.csv:2: name: holds a card number (****0002)"},
	}
	for _, c := range cases {
		_, err := Parse("s.csv", []byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: want %q, got %v", c.data, c.want, err)
			continue
		}
		if strings.Contains(err.Error(), "1111222233334444") || strings.Contains(err.Error(), "\x1b") {
			t.Errorf("the message repeats the hostile content: %q", err)
		}
	}
}

// TestGoodCellsKept: what real files hold passes: a multi-line address, a
// valid SIRET in a siret column, long but sane values.
func TestGoodCellsKept(t *testing.T) {
	data := "id,last_name,address,siret\n1," + strings.Repeat("é", 100) + ",\"12 rue X\r\nBât. B\",123 456 782 00002\n"
	f, err := Parse("s.csv", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 1 || f.Records[0].Get("siret") != "123 456 782 00002" {
		t.Fatalf("records %+v", f.Records)
	}
	if _, err := Parse("s.csv", []byte("id,siret\n1,4012001037141112\n")); err == nil {
		t.Error("a card number that is no SIRET passes in a siret column")
	}
}
