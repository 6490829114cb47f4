package sandbox

import (
	"fmt"
	"strings"
	"testing"
)

// TestWritePadded: the answer's numbers are written as %0*d wrote them.
func TestWritePadded(t *testing.T) {
	for _, n := range []int64{0, 1, 7, 32, 99, 123, 1000000001, 9999999999, 12345678901, -1, -32} {
		for _, w := range []int{2, 10} {
			var b strings.Builder
			writePadded(&b, n, w)
			if want := fmt.Sprintf("%0*d", w, n); b.String() != want {
				t.Errorf("writePadded(%d, %d) = %q, want %q", n, w, b.String(), want)
			}
		}
	}
}
