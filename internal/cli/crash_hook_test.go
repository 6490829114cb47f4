package cli

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/inpctl/inpctl/internal/gateway"
)

// crashGateway returns, for the crash tests, a gateway wrapper that kills
// this process with SIGKILL the Nth time a point of a card debit or refund
// is reached (spec "point:N", from INPCTL_TEST_CRASH; nil when spec is
// empty). The points are where the flows' durable states change hands:
//
//	after-intent         a debit's intent is committed, the call not sent (before the Nth Charge)
//	after-answer         Paybox answered a debit, nothing recorded (after the Nth Charge)
//	refund-after-intent  a refund's intent is committed, the call not sent
//	refund-after-answer  Paybox answered a refund, nothing recorded
//
// Only the test binary's inpctl has it (script_test.go's TestMain): the
// production binary has no test hook (issue 21).
func crashGateway(spec string) func(gateway.Gateway) gateway.Gateway {
	if spec == "" {
		return nil
	}
	point, nth, _ := strings.Cut(spec, ":")
	n, _ := strconv.Atoi(nth)
	return func(gw gateway.Gateway) gateway.Gateway {
		return &crashingGateway{Gateway: gw, point: point, nth: int64(max(n, 1))}
	}
}

type crashingGateway struct {
	gateway.Gateway
	point string
	nth   int64
	hits  atomic.Int64
}

// at kills the process when p is the point, the Nth time.
func (g *crashingGateway) at(p string) {
	if p == g.point && g.hits.Add(1) >= g.nth {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
	}
}

func (g *crashingGateway) Charge(ctx context.Context, r gateway.ChargeRequest) (gateway.Result, error) {
	g.at("after-intent")
	res, err := g.Gateway.Charge(ctx, r)
	g.at("after-answer")
	return res, err
}

func (g *crashingGateway) Refund(ctx context.Context, r gateway.RefundRequest) (gateway.Result, error) {
	g.at("refund-after-intent")
	res, err := g.Gateway.Refund(ctx, r)
	g.at("refund-after-answer")
	return res, err
}
