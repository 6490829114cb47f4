package paybox

import (
	"bytes"
	"fmt"
	"maps"
	"strings"
	"testing"
)

// parseResponseBefore is parseResponse as it was before it took its
// substrings from one copy of the body: every field converted on its own.
func parseResponseBefore(body []byte) map[string]string {
	m := make(map[string]string)
	body = bytes.TrimRight(body, "\r\n\x00")
	for _, part := range bytes.Split(body, []byte("&")) {
		k, v, _ := bytes.Cut(part, []byte("="))
		name := strings.ToUpper(strings.TrimSpace(toUTF8(k)))
		if name == "" {
			continue
		}
		if _, seen := m[name]; !seen {
			m[name] = toUTF8(percentDecode(v))
		}
	}
	return m
}

// FuzzParseResponseAsBefore: the faster parse reads every answer as the
// field-by-field one did, Latin-1, UTF-8, escapes and repeats included.
func FuzzParseResponseAsBefore(f *testing.F) {
	for _, s := range []string{
		"NUMTRANS=0720248861&NUMAPPEL=0713790302&NUMQUESTION=0000790217&SITE=1999888&RANG=99&AUTORISATION=XXXXXX&CODEREPONSE=00000&COMMENTAIRE=Demande trait\xe9e avec succ\xe8s",
		"NUMTRANS=0000617104&CODEREPONSE=00000&COMMENTAIRE=Demande traitée avec succès&PORTEUR=SLDLrcsLMPC        \r\n",
		"CODEREPONSE=00015&COMMENTAIRE=PAYBOX : Transaction non trouv%E9e", "COMMENTAIRE=trait%C3%A9e&x=\xe9",
		"codereponse=00001&CODEREPONSE=00000& nom =v&=x&&", "\xe9t\xe9=\xe9&\xc3\xa9t\xc3\xa9=ok", "CODEREPONSE=%zz&A=100 %",
		"", "&&&===", "\x00\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if got, want := parseResponse(body), parseResponseBefore(body); !maps.Equal(got, want) {
			t.Fatalf("parseResponse(%q)\n= %q\nwant %q", body, got, want)
		}
	})
}

// TestZeroPad10: amounts and question numbers are written as %010d wrote
// them.
func TestZeroPad10(t *testing.T) {
	for _, n := range []int64{0, 1, 61800, 2147483647, 9999999999, 12345678901, -1, -61800} {
		if got, want := zeroPad10(n), fmt.Sprintf("%010d", n); got != want {
			t.Errorf("zeroPad10(%d) = %q, want %q", n, got, want)
		}
	}
}
