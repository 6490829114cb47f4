package cli

import (
	"context"
	"strconv"

	"github.com/inpctl/inpctl/internal/billing"
	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/money"
)

var cardExpiringCols = []Col[billing.CardExpiring]{
	{Head: "N° étudiant", Cell: func(r billing.CardExpiring) string { return r.StudentID }},
	{Head: "Nom", Cell: func(r billing.CardExpiring) string { return r.LastName }},
	{Head: "Prénom", Cell: func(r billing.CardExpiring) string { return r.FirstName }},
	{Head: "Carte valable jusqu'au", Cell: func(r billing.CardExpiring) string { return frDate(r.ValidTo) }},
	{Head: "Prélèvement après", Cell: func(r billing.CardExpiring) string { return frDate(r.FirstDue) }},
	{Head: "Échéance", Cell: func(r billing.CardExpiring) string { return strconv.Itoa(r.Seq) }, Right: true},
	{Head: "Montant", Money: func(r billing.CardExpiring) money.Cents { return r.Amount }, Right: true},
	{Head: "Prélèvements touchés", Cell: func(r billing.CardExpiring) string { return strconv.Itoa(r.Debits) }, Right: true},
}

func runCardsExpiring(ctx context.Context, o *accountListOpts) error {
	var before clock.Date
	if o.before != "" {
		d, err := clock.ParseDate(o.before)
		if err != nil {
			return fault.New(fault.Usage, "--before %v", err)
		}
		before = d
	}
	db, err := o.env.Store(ctx)
	if err != nil {
		return err
	}
	dues, err := db.CardDues(ctx)
	if err != nil {
		return err
	}
	rows := billing.CardsExpiring(dues, before)
	return Print(o.env.Printer(), rows, cardExpiringCols, "no stored card expires before a debit to come")
}
