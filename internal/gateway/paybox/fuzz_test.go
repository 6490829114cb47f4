package paybox

import (
	"testing"

	"github.com/inpctl/inpctl/internal/gateway"
)

// FuzzParseResponse: any answer parses without panicking, an approval is
// only ever a success code for our NUMQUESTION, and nothing that looks like
// a card number reaches the Result.
func FuzzParseResponse(f *testing.F) {
	for _, s := range []string{
		"NUMTRANS=0720248861&NUMAPPEL=0713790302&NUMQUESTION=0000790217&SITE=1999888&RANG=99&AUTORISATION=XXXXXX&CODEREPONSE=00000&COMMENTAIRE=Demande trait\xe9e avec succ\xe8s",
		"NUMTRANS=0000000000&NUMAPPEL=0000000000&NUMQUESTION=0000000000&SITE=1999888&RANG=99&AUTORISATION=&CODEREPONSE=00014",
		"NUMTRANS=0000617104&NUMAPPEL=0000981593&NUMQUESTION=0000095720&SITE=1999888&RANG=99&AUTORISATION=XXXXXX&CODEREPONSE=00000&COMMENTAIRE=Demande traitée avec succès&REFABONNE=95720&PORTEUR=SLDLrcsLMPC        ",
		"CODEREPONSE=00015&COMMENTAIRE=PAYBOX : Transaction non trouv%E9e",
		"CODEREPONSE=00000&PORTEUR=1111222233334444&COMMENTAIRE=carte 1111 2222 3333 4444",
		"CODEREPONSE=001R1&NUMQUESTION=95720",
		"<html>500</html>", "", "&&&===", "CODEREPONSE=%zz", "NUMQUESTION=-1&CODEREPONSE=00000",
	} {
		f.Add([]byte(s), int64(95720))
	}
	f.Fuzz(func(t *testing.T, body []byte, nq int64) {
		nq = 1 + (nq&0x7fffffffffffffff)%maxNumQ // the client only sends 1..2147483647
		res := interpret(parseResponse(body), nq)
		if res.Outcome == gateway.Approved && res.Code != "00000" && res.Code != "00100" {
			t.Fatalf("approved with code %q", res.Code)
		}
		for _, s := range []string{res.Token, res.Text, res.NumTrans, res.NumAppel, res.Authorisation, res.Detail} {
			if redactPAN(s) != s {
				t.Fatalf("card number in result: %q", s)
			}
		}
	})
}
