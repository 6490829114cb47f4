package invoice

import (
	"fmt"
	"strings"
	"time"

	"github.com/inpctl/inpctl/internal/clock"
	"github.com/inpctl/inpctl/internal/money"
)

// Statement is a student's account position at AsOf (SPEC §8), with the
// sections of the school's "Ma position de compte" screen. Cells come
// formatted by the caller, who knows each section's columns.
type Statement struct {
	AsOf      clock.Date
	Issuer    Party
	Client    Party
	StudentID string
	Programme string // "Ingénieur Polytech - spécialité Génie Civil 3ème année"
	Session   string // "P2225_Y3_3A"
	Sections  []Section
	// Summary is Débit, Crédit, Solde and Position, in that order.
	Summary [4]Figure
	Notes   []string // e.g. the next scheduled debits
}

// Section is one table of a Statement: "Commandes", "Factures",
// "Règlements", "Avoirs", "Remboursements".
type Section struct {
	Title string
	Head  []string
	Rows  [][]string
	Total []string // optional total row, one cell per column
}

// Figure is one amount of a Statement's summary.
type Figure struct {
	Label  string
	Amount money.Cents
}

// BuildStatement returns the page model of s. It is pure, and the model
// fits one page: when the sections have too many rows, the longest ones are
// cut and a note says how many rows are not shown (totals still count them).
func BuildStatement(s Statement) Model {
	title := "Position de compte au " + s.AsOf.French()
	m := Model{
		Title:     title,
		Created:   s.AsOf.Time(time.UTC),
		Issuer:    issuerLines(s.Issuer),
		Recipient: nonEmpty(append([]string{s.Client.Name}, s.Client.Address...)...),
		Footer:    strings.Join(nonEmpty(s.Issuer.Name, siret(s.Issuer.SIRET), title), " · "),
	}
	var fs []Pair
	for _, p := range []Pair{
		{Label: "N° étudiant", Value: s.StudentID}, {Label: "Nom", Value: s.Client.Name},
		{Label: "Formation", Value: s.Programme}, {Label: "Session", Value: s.Session},
	} {
		if p.Value != "" {
			fs = append(fs, p)
		}
	}
	m.Blocks = append(m.Blocks, text(StyleTitle, title), Block{Style: StyleFields, Pairs: fs})

	tail := summaryBlocks(s)
	budget := bottomY - headerHeight(m) - heights(m.Blocks) - heights(tail)
	m.Blocks = append(m.Blocks, sectionBlocks(s.Sections, budget)...)
	m.Blocks = append(m.Blocks, tail...)
	return m
}

// summaryBlocks are the Débit/Crédit/Solde/Position table and the notes.
func summaryBlocks(s Statement) []Block {
	t := &Table{Align: "rrrr", Weights: []int{16, 16, 16, 16}}
	row := make([]string, 4)
	for i, f := range s.Summary {
		t.Head = append(t.Head, f.Label)
		row[i] = f.Amount.String()
	}
	t.Rows = [][]string{row}
	bs := []Block{text(StyleHeading, "Synthèse"), {Style: StyleTable, Table: t}}
	if len(s.Notes) > 0 {
		bs = append(bs, text(StyleText, s.Notes...))
	}
	return bs
}

// sectionBlocks draws each section as a heading with its row count and a
// table, cutting rows so that the whole fits in budget points.
func sectionBlocks(secs []Section, budget float64) []Block {
	shown := fitRows(secs, budget)
	var bs []Block
	for i, sec := range secs {
		bs = append(bs, text(StyleHeading, fmt.Sprintf("%s (%d)", sec.Title, len(sec.Rows))))
		if len(sec.Rows) == 0 {
			continue
		}
		t := &Table{Head: sec.Head, Align: alignOf(sec), Rows: sec.Rows[:shown[i]], Foot: sec.Total}
		bs = append(bs, Block{Style: StyleTable, Table: t})
		if cut := len(sec.Rows) - shown[i]; cut > 0 {
			bs = append(bs, text(StyleNote, fmt.Sprintf(
				"… et %d autres lignes non affichées ; le total les inclut.", cut)))
		}
	}
	return bs
}

// fitRows returns how many rows of each section to show: all of them when
// they fit, otherwise the same cap for the longest sections, as high as the
// budget allows (a cut section also needs a line for its note).
func fitRows(secs []Section, budget float64) []int {
	fixed := 0.0
	most := 0
	for _, s := range secs {
		fixed += gapHeading + lineHeading
		if len(s.Rows) > 0 {
			fixed += rowH + gapTable
			if s.Total != nil {
				fixed += rowH
			}
		}
		most = max(most, len(s.Rows))
	}
	shown := make([]int, len(secs))
	for limit := most; limit >= 0; limit-- {
		used := fixed
		for i, s := range secs {
			shown[i] = min(len(s.Rows), limit)
			used += float64(shown[i]) * rowH
			if shown[i] < len(s.Rows) {
				used += gapNote + lineNote
			}
		}
		if used <= budget {
			break
		}
	}
	return shown
}

// alignOf right-aligns the columns whose cells are all amounts or counts,
// and the empty ones (their heads then line up with the amounts').
func alignOf(s Section) string {
	var b strings.Builder
	for c := range s.Head {
		numeric, seen := true, false
		check := func(row []string) {
			if c < len(row) && row[c] != "" && row[c] != "-" {
				seen = true
				numeric = numeric && isAmount(row[c])
			}
		}
		for _, row := range s.Rows {
			check(row)
		}
		check(s.Total)
		if numeric || !seen {
			b.WriteByte('r')
		} else {
			b.WriteByte('l')
		}
	}
	return b.String()
}

// isAmount reports whether s looks like "3 770,00", "618,00 €" or "12".
func isAmount(s string) bool {
	return strings.Trim(s, "0123456789,.-+ €\u00a0\u202f") == ""
}

func heights(bs []Block) float64 {
	h := 0.0
	for _, b := range bs {
		h += blockHeight(b)
	}
	return h
}
