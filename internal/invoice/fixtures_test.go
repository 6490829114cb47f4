package invoice

import (
	"fmt"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/money"
)

// The fixtures are fictitious: a made-up student and the school's public
// address.
var (
	paris  = time.FixedZone("CEST", 2*3600) // Europe/Paris in summer, without tzdata
	school = Party{
		Name:    "Clermont Auvergne INP",
		Address: []string{"Campus des Cézeaux", "2 avenue Blaise Pascal", "63178 Aubière Cedex"},
		SIRET:   "130 026 065 00017",
	}
	camille = Party{
		Name:    "Camille Exemple",
		Address: []string{"12 rue des Gras", "63000 Clermont-Ferrand"},
	}
	session = "P2225_Y3_3A - Ingénieur Polytech - spécialité Génie Civil 3ème année"
)

func day(y int, m time.Month, d int) clock.Date { return clock.Date{Year: y, Month: m, Day: d} }

// paidInvoice is invoice 9201: 628,00 € paid online by card on 24/06/2025.
func paidInvoice() Document {
	return Document{
		Kind: Invoice, Number: "9201", Date: day(2025, 6, 24), Libelle: "Paiement en ligne",
		Session: session, Issuer: school, Client: camille,
		Lines: []Line{{Designation: "Droits de scolarité", Inscrits: 1, Qty: 1, AmountHT: 62800}},
		HT:    62800, TVA: 0, TTC: 62800,
		AsOf:     day(2025, 6, 24),
		Payments: []Payment{{Date: day(2025, 6, 24), Method: "Carte bancaire", Ref: "PBX 600012345", Amount: 62800}},
		StillDue: 0,
		IssuedAt: time.Date(2025, 6, 24, 10, 15, 0, 0, paris),
	}
}

// planInvoice is a 3 770,00 € invoice on a 3× plan after the first debit.
func planInvoice() Document {
	d := paidInvoice()
	d.Number = "9202"
	d.Lines = []Line{
		{Designation: "Droits de scolarité", Inscrits: 1, Qty: 1, AmountHT: 377000},
		{Designation: "Frais de dossier (remise étudiant)", Inscrits: 1, Qty: 2, DiscountPct: 1250, VATPct: 2000, AmountHT: 3500},
	}
	d.HT, d.TVA, d.TTC = 380500, 700, 381200
	d.AsOf = day(2025, 9, 10)
	d.Payments = []Payment{{Date: day(2025, 9, 10), Method: "Prélèvement carte", Ref: "PBX 600099999", Amount: 127066}}
	d.StillDue = 254134
	d.NextDues = []Due{{Date: day(2025, 10, 10), Amount: 127067}, {Date: day(2025, 11, 10), Amount: 127067}}
	return d
}

// creditedInvoice is planInvoice after a 100,00 € credit note.
func creditedInvoice() Document {
	d := planInvoice()
	d.Number = "9204"
	d.Credited = 10000
	d.StillDue -= 10000
	return d
}

// unpaidInvoice is issued but nothing was received yet.
func unpaidInvoice() Document {
	d := paidInvoice()
	d.Number = "9203"
	d.Libelle = ""
	d.Payments = nil
	d.StillDue = d.TTC
	return d
}

// creditNote cancels invoice 9201.
func creditNote() Document {
	d := paidInvoice()
	d.Kind = CreditNote
	d.Number = "A-0001"
	d.RefInvoice = "9201"
	d.Reason = "Changement de code tarifaire (boursier)"
	d.Libelle = ""
	d.VATMention = "* Non soumis à la TVA (art. 261-4-4° du CGI)"
	return d
}

// seedStatement is the seed's position after a full payment.
func seedStatement() Statement {
	return Statement{
		AsOf: day(2025, 6, 24), Issuer: school, Client: camille, StudentID: "22104567",
		Programme: "Ingénieur Polytech - spécialité Génie Civil 3ème année", Session: "P2225_Y3_3A",
		Sections: []Section{
			{Title: "Commandes", Head: []string{"Date", "N°", "Solde", "Blocage", "HT", "TVA", "TTC", "Financé TTC", "Facturé TTC"},
				Rows:  [][]string{{"24/06/2025", "9357", "24/06/2025", "", "618,00", "0,00", "618,00", "", "618,00"}},
				Total: []string{"", "", "", "", "618,00", "0,00", "618,00", "", "618,00"}},
			{Title: "Factures", Head: []string{"Date", "N°", "Solde", "HT", "TVA", "TTC", "Avoir TTC", "Réglé TTC", "Remboursé TTC"},
				Rows:  [][]string{{"24/06/2025", "9196", "24/06/2025", "618,00", "0,00", "618,00", "0,00", "618,00", "0,00"}},
				Total: []string{"", "", "", "618,00", "0,00", "618,00", "0,00", "618,00", "0,00"}},
			{Title: "Règlements", Head: []string{"Date", "TTC", "Affecté TTC", "Impayé"},
				Rows:  [][]string{{"24/06/2025", "618,00", "618,00", "-"}},
				Total: []string{"", "618,00", "618,00", "0,00"}},
			{Title: "Avoirs", Head: []string{"Date", "N°", "TTC"}},
			{Title: "Remboursements", Head: []string{"Date", "TTC"}},
		},
		Summary: [4]Figure{{"Débit", 61800}, {"Crédit", 61800}, {"Solde", 0}, {"Position", 0}},
	}
}

// longStatement has far too many rows for one page.
func longStatement() Statement {
	s := seedStatement()
	for i := range 80 {
		r := fmt.Sprintf("%02d/%02d/2025", i%28+1, i%12+1)
		amt := money.Cents(10000 + i).Format()
		s.Sections[2].Rows = append(s.Sections[2].Rows, []string{r, amt, amt, "-"})
		s.Sections[1].Rows = append(s.Sections[1].Rows,
			[]string{r, fmt.Sprint(9300 + i), "", amt, "0,00", amt, "0,00", "0,00", "0,00"})
	}
	s.Notes = []string{"Prochain prélèvement : 10/10/2025, 400,67 €.", "Dernier prélèvement : 10/11/2025, 400,67 €."}
	return s
}
