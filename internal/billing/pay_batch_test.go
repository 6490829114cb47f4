package billing

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// A hosted page that fails for one student: the notifications of every
// other page that paid are kept, in the links' order, and the error names
// the student whose page failed.
func TestPayAllKeepsEveryPaidNotification(t *testing.T) {
	links := []PayLink{{StudentID: "A", URL: "a"}, {StudentID: "B", URL: "b"}, {StudentID: "C", URL: "c"}, {StudentID: "D", URL: "d"}}
	page := func(url, card string) (string, error) {
		if url == "b" {
			return "", errors.New("PAYBOX : PBX_HMAC does not verify")
		}
		return "ipn-" + url + "-" + card, nil
	}
	raws, err := payAll(links, "1111", page)
	if want := []string{"ipn-a-1111", "ipn-c-1111", "ipn-d-1111"}; !reflect.DeepEqual(raws, want) {
		t.Errorf("notifications = %q, want %q", raws, want)
	}
	if err == nil || !strings.Contains(err.Error(), "sandbox hosted page for B") {
		t.Errorf("err = %v, want one naming B", err)
	}
	if raws, err := payAll(links, "", func(url, _ string) (string, error) { return url, nil }); err != nil || len(raws) != 4 {
		t.Errorf("all paid: %q, %v", raws, err)
	}
}
