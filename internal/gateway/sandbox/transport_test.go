package sandbox

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestInProcessTransport(t *testing.T) {
	x := newTB(t, Options{SlowDelay: time.Second})
	tok := strings.TrimSpace(x.register("S", CardLoseAnswer)["PORTEUR"])
	hc := &http.Client{Transport: InProcessTransport(x)}
	post := func(ctx context.Context, body string) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, "POST", "http://sandbox.invalid/PPPS.php", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return hc.Do(req)
	}
	body := x.signed(typeCharge, "MONTANT", "100", "DEVISE", "978", "REFERENCE", "R1", "REFABONNE", "S", "PORTEUR", tok, "DATEVAL", "1229")
	if _, err := post(context.Background(), body); !errors.Is(err, ErrAnswerLost) {
		t.Fatalf("lost answer: %v", err)
	}
	if len(x.Records()) != 1 {
		t.Fatal("the dropped charge was not recorded")
	}
	resp, err := post(context.Background(), x.signed(typeLookup, "MONTANT", "100", "DEVISE", "978", "REFERENCE", "R1"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "CODEREPONSE=00000") {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	// A context ending while the handler runs: the call returns, the
	// handler finishes on its own.
	slowTok := strings.TrimSpace(x.register("T", CardSlow)["PORTEUR"])
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = post(ctx, x.signed(typeCharge, "MONTANT", "100", "DEVISE", "978", "REFERENCE", "R2", "REFABONNE", "T", "PORTEUR", slowTok, "DATEVAL", "1229"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow: %v", err)
	}
	resp, err = hc.Get("http://sandbox.invalid/load.html")
	if err != nil || resp.StatusCode != 200 {
		t.Fatal(err)
	}
}
