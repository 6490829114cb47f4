package cli

import (
	"bytes"
	"testing"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	"pgregory.net/rapid"
)

// tablewriterTable is how writeTable printed before textTable: the
// reference that textTable must reproduce byte for byte.
func tablewriterTable(head []string, rows [][]string, foot []string, right []bool) string {
	var b bytes.Buffer
	aligns := make([]tw.Align, len(head))
	for i := range aligns {
		aligns[i] = tw.AlignLeft
		if right[i] {
			aligns[i] = tw.AlignRight
		}
	}
	t := tablewriter.NewTable(&b,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleLight),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.On, ShowFooterLine: tw.On},
			},
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithFooterAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: aligns}),
		tablewriter.WithFooterAlignmentConfig(tw.CellAlignment{PerColumn: aligns}),
		tablewriter.WithTrimSpace(tw.Off),
	)
	t.Header(toAny(head)...)
	for _, r := range rows {
		if err := t.Append(r); err != nil {
			panic(err)
		}
	}
	if foot != nil {
		t.Footer(toAny(foot)...)
	}
	if err := t.Render(); err != nil {
		panic(err)
	}
	return b.String()
}

func textTableString(head []string, rows [][]string, foot []string, right []bool) string {
	var b bytes.Buffer
	t := textTable{head: head, rows: rows, foot: foot, right: right}
	if err := t.render(&b); err != nil {
		panic(err)
	}
	return b.String()
}

// TestTextTableMatchesTablewriter: the tables inpctl prints did not change
// when tablewriter was replaced (issue 8).
func TestTextTableMatchesTablewriter(t *testing.T) {
	cases := []struct {
		head  []string
		rows  [][]string
		foot  []string
		right []bool
	}{
		{[]string{"Date", "N°", "TTC"}, [][]string{{"05/09/2025", "23699-4", "6 500,00 €"}, {"10/10/2025", "", "628,00 €"}},
			[]string{"Total", "", "7 128,00 €"}, []bool{false, false, true}},
		{[]string{"N° étudiant", "Nom"}, [][]string{{"22100008", "Lambert"}}, nil, []bool{false, false}},
		{[]string{"A", "B"}, [][]string{{"x", "3 refus successifs de la carte, dernier le 20/08/2025 : 00151 …"}}, nil, []bool{true, false}},
		{[]string{"Débit", "Crédit", "Solde", "Position"}, [][]string{{"6 500,00 €", "6 500,00 €", "0,00 €", "-12,00 €"}}, nil, []bool{true, true, true, true}},
		{[]string{"A", "B"}, [][]string{{"", ""}}, []string{"", ""}, []bool{false, true}},
		{[]string{"Nom", "Ville"}, [][]string{{"  padded  ", "中文"}}, nil, []bool{false, true}},
	}
	for _, c := range cases {
		want := tablewriterTable(c.head, c.rows, c.foot, c.right)
		if got := textTableString(c.head, c.rows, c.foot, c.right); got != want {
			t.Errorf("table %v:\ngot:\n%s\nwant:\n%s", c.head, got, want)
		}
	}
}

// TestTextTableMatchesTablewriterRapid compares the two on generated
// tables of the text inpctl prints (names, dates, amounts, accents).
func TestTextTableMatchesTablewriterRapid(t *testing.T) {
	text := rapid.StringOfN(rapid.SampledFrom([]rune("aZ09 ,.-/:'éÉàçÇœ€…—·°()\n中")), 0, 20, -1)
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 8).Draw(t, "cols")
		row := rapid.SliceOfN(text, n, n)
		// Headers and footers (constants, counts and totals) have no
		// newline; only the rows carry text from outside.
		fixed := rapid.SliceOfN(rapid.StringMatching(`[A-Za-z0-9 ,é°€-]{0,12}`), n, n)
		head := fixed.Draw(t, "head")
		rows := rapid.SliceOfN(row, 1, 6).Draw(t, "rows")
		var foot []string
		if rapid.Bool().Draw(t, "hasFoot") {
			foot = fixed.Draw(t, "foot")
		}
		right := rapid.SliceOfN(rapid.Bool(), n, n).Draw(t, "right")
		want := tablewriterTable(head, rows, foot, right)
		if got := textTableString(head, rows, foot, right); got != want {
			t.Fatalf("got:\n%q\nwant:\n%q", got, want)
		}
	})
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
