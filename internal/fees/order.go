package fees

import "github.com/inpctl/inpctl/internal/money"

// Designation is the designation of the one order line of a dossier.
const Designation = "Droits de scolarité"

// Line is one order line.
type Line struct {
	Designation string
	Qty         int
	UnitHT      money.Cents // unit price before tax
	VATRate     int         // basis points: 2000 = 20 %; tuition fees are 0
	DiscountPct int         // whole percent, 0 to 100
}

// HT returns the line amount before tax: quantity × unit price, less the
// discount (rounded half away from zero to the cent).
func (l Line) HT() money.Cents {
	gross := money.Cents(l.Qty) * l.UnitHT
	return gross - divRound(gross*money.Cents(l.DiscountPct), 100)
}

// TVA returns the line's VAT, rounded half away from zero to the cent.
func (l Line) TVA() money.Cents { return divRound(l.HT()*money.Cents(l.VATRate), 10000) }

// Totals are an order's totals. Financed is the part of TTC paid by a third
// party (the seed's "Financé TTC"): all of it for code 42, nothing otherwise.
type Totals struct {
	HT, TVA, TTC, Financed money.Cents
}

// SumLines returns the HT, TVA and TTC totals of lines (Financed is 0: it
// depends on the code, see OrderFor).
func SumLines(lines []Line) Totals {
	var t Totals
	for _, l := range lines {
		t.HT += l.HT()
		t.TVA += l.TVA()
	}
	t.TTC = t.HT + t.TVA
	return t
}

// OrderFor returns what a dossier with code costs in programme for the
// academic year: one line "Droits de scolarité", quantity 1, unit price the
// tariff, VAT 0, and its totals. A zero-amount order (02, 07, 08) has one
// line at 0,00 € and needs no payment. It fails as Catalogue.Tariff does.
func OrderFor(c Catalogue, programme, year, code string) ([]Line, Totals, error) {
	if _, ok := c.Codes[code]; !ok {
		return nil, Totals{}, &ErrUnknownCode{Code: code, Known: c.CodeIDs()}
	}
	tariff, err := c.Tariff(programme, year, code)
	if err != nil {
		return nil, Totals{}, err
	}
	lines := []Line{{Designation: Designation, Qty: 1, UnitHT: tariff}}
	t := SumLines(lines)
	if c.Codes[code].Financed {
		t.Financed = t.TTC
	}
	return lines, t, nil
}

// divRound returns n/d rounded half away from zero (d > 0).
func divRound(n, d money.Cents) money.Cents {
	if n < 0 {
		return -divRound(-n, d)
	}
	return (n + d/2) / d
}
