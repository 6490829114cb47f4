package billing

import (
	"context"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/store"
)

// followForTest is what every payment path does after the money is
// allocated: the order's plan follows the rule (tests that write payments
// with raw store calls use it).
func (s *Service) followForTest(ctx context.Context, tx *store.Tx, orderID int64, day clock.Date) error {
	_, _, err := s.replan(ctx, tx, orderID, day)
	return err
}
