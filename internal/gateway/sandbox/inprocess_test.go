package sandbox

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/gateway"
	"github.com/inpctl/inpctl/internal/gateway/paybox"
)

func TestNewInProcess(t *testing.T) {
	key, _ := paybox.DecodeKey(TestKeyHex)
	c, sb, err := NewInProcess(Options{Now: func() time.Time { return day1 }},
		paybox.Config{Site: TestSite, Rang: TestRang, Identifiant: TestIdentifiant, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	res, err := c.Register(context.Background(), gateway.RegisterRequest{RefAbonne: "S", NumQuestion: 1, Amount: 100,
		PAN: CardLoseAnswer, DateVal: "1229", When: day1})
	if err != nil || res.Outcome != gateway.Approved {
		t.Fatalf("%+v %v", res, err)
	}
	res, _ = c.Charge(context.Background(), gateway.ChargeRequest{Reference: "R", NumQuestion: 2, Amount: 100,
		RefAbonne: "S", Token: res.Token, DateVal: res.DateVal, Recurring: true, When: day1})
	if res.Outcome != gateway.Unknown {
		t.Fatalf("a lost in-process answer must be Unknown: %+v", res)
	}
}

func TestServeLoopbackOnly(t *testing.T) {
	sb, _ := New(Options{})
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:80", "nohost"} {
		if err := Serve(context.Background(), addr, sb, nil); err == nil {
			t.Errorf("Serve(%q) accepted", addr)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, "127.0.0.1:0", sb, func(a string) { ready <- a }) }()
	addr := <-ready
	resp, err := http.Get("http://" + addr + "/load.html")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v", err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if conn, err := net.Dial("tcp", addr); err == nil {
		conn.Close()
		t.Fatal("still listening after ctx ended")
	}
}
