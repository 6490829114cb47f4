package paybox

import (
	"strings"
	"sync"
	"unicode"

	"github.com/inpctl/inpctl/internal/pan"
)

// Address is the buyer's billing address sent for 3-D Secure v2
// (PBX_BILLING). Values may contain accents; they are transliterated to
// ASCII and cut to the lengths of docs/paybox.md §3.8.
type Address struct {
	FirstName, LastName string
	Address1, Address2  string
	ZipCode, City       string
	// Country is a name (French or English), an ISO 3166 alpha-2 or
	// alpha-3 code, or a 3-digit numeric code; unknown values give an
	// empty CountryCode.
	Country string
}

// Known reports whether a is an address worth sending: a street line and a
// postcode or a city. Without one PBX_BILLING is left out rather than sent
// with names alone (nothing is invented; docs/paybox-decisions.md).
func (a Address) Known() bool {
	return strings.TrimSpace(a.Address1) != "" && (strings.TrimSpace(a.ZipCode) != "" || strings.TrimSpace(a.City) != "")
}

// xml renders the PBX_BILLING document.
func (a Address) xml() string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><Billing><Address>`)
	for _, e := range []struct {
		tag, val string
		max      int
	}{
		{"FirstName", a.FirstName, 22}, {"LastName", a.LastName, 22},
		{"Address1", a.Address1, 50}, {"Address2", a.Address2, 50},
		{"ZipCode", a.ZipCode, 10}, {"City", a.City, 50},
		{"CountryCode", CountryCode(a.Country), 3},
	} {
		b.WriteString("<" + e.tag + ">" + xmlEscape(ascii(e.val, e.max)) + "</" + e.tag + ">")
	}
	b.WriteString(`</Address></Billing>`)
	return b.String()
}

// translit maps the non-ASCII letters of French and neighbouring languages
// to ASCII.
var translit = strings.NewReplacer(
	"Œ", "OE", "œ", "oe", "Æ", "AE", "æ", "ae", "ß", "ss", "Ø", "O", "ø", "o",
	"Đ", "D", "đ", "d", "Ł", "L", "ł", "l", "’", "'", "‘", "'", "–", "-", "—", "-",
)

// ascii strips accents (é → e, ç → c, Œ → OE), replaces other non-ASCII
// characters and control characters with spaces, collapses spaces, and cuts
// the result to max bytes.
func ascii(s string, max int) string {
	s = translit.Replace(s)
	var b strings.Builder
	for _, r := range s {
		r = baseLetter(r)
		switch {
		case r < 0x80 && unicode.IsPrint(r):
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
			// combining accent after a decomposed letter: drop it
		default:
			b.WriteByte(' ')
		}
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	if len(out) > max {
		out = strings.TrimSpace(out[:max])
	}
	return out
}

// latinBase lists, for each Latin-1 supplement and Latin Extended-A letter
// from U+00C0, the ASCII letter it is based on ('.' = none).
const latinBase = "AAAAAAACEEEEIIII" + "DNOOOOO.OUUUUYTs" + "aaaaaaaceeeeiiii" + "dnooooo.ouuuuyty" +
	"AaAaAaCcCcCcCcDd" + "DdEeEeEeEeEeGgGg" + "GgGgHhHhIiIiIiIi" + "IiIiJjKkkLlLlLlL" +
	"lLlNnNnNnnNnOoOo" + "OoOoRrRrRrSsSsSs" + "SsTtTtTtUuUuUuUu" + "UuUuWwYyYZzZzZzs"

func baseLetter(r rune) rune {
	if r < 0xC0 || r >= 0xC0+rune(len(latinBase)) {
		return r
	}
	if c := latinBase[r-0xC0]; c != '.' {
		return rune(c)
	}
	return r
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

func xmlEscape(s string) string { return xmlEscaper.Replace(s) }

// countries maps common country names and codes (upper-case, accents
// stripped) to ISO 3166-1 numeric codes.
// The table is built at the first CountryCode: most commands never send a
// card holder's address, and package init built it for every one.
var countries = sync.OnceValue(func() map[string]string {
	countries := map[string]string{}
	for _, c := range [...]struct{ num, a2, a3, names string }{
		{"250", "FR", "FRA", "FRANCE"}, {"056", "BE", "BEL", "BELGIQUE|BELGIUM"},
		{"756", "CH", "CHE", "SUISSE|SWITZERLAND"}, {"442", "LU", "LUX", "LUXEMBOURG"},
		{"492", "MC", "MCO", "MONACO"}, {"276", "DE", "DEU", "ALLEMAGNE|GERMANY"},
		{"724", "ES", "ESP", "ESPAGNE|SPAIN"}, {"380", "IT", "ITA", "ITALIE|ITALY"},
		{"620", "PT", "PRT", "PORTUGAL"}, {"826", "GB", "GBR", "ROYAUME-UNI|ROYAUME UNI|UNITED KINGDOM|UK"},
		{"372", "IE", "IRL", "IRLANDE|IRELAND"}, {"528", "NL", "NLD", "PAYS-BAS|PAYS BAS|NETHERLANDS"},
		{"040", "AT", "AUT", "AUTRICHE|AUSTRIA"}, {"616", "PL", "POL", "POLOGNE|POLAND"},
		{"642", "RO", "ROU", "ROUMANIE|ROMANIA"}, {"300", "GR", "GRC", "GRECE|GREECE"},
		{"752", "SE", "SWE", "SUEDE|SWEDEN"}, {"208", "DK", "DNK", "DANEMARK|DENMARK"},
		{"578", "NO", "NOR", "NORVEGE|NORWAY"}, {"246", "FI", "FIN", "FINLANDE|FINLAND"},
		{"804", "UA", "UKR", "UKRAINE"}, {"792", "TR", "TUR", "TURQUIE|TURKEY|TURKIYE"},
		{"840", "US", "USA", "ETATS-UNIS|ETATS UNIS|UNITED STATES"}, {"124", "CA", "CAN", "CANADA"},
		{"076", "BR", "BRA", "BRESIL|BRAZIL"}, {"484", "MX", "MEX", "MEXIQUE|MEXICO"},
		{"170", "CO", "COL", "COLOMBIE|COLOMBIA"}, {"504", "MA", "MAR", "MAROC|MOROCCO"},
		{"012", "DZ", "DZA", "ALGERIE|ALGERIA"}, {"788", "TN", "TUN", "TUNISIE|TUNISIA"},
		{"818", "EG", "EGY", "EGYPTE|EGYPT"}, {"686", "SN", "SEN", "SENEGAL"},
		{"384", "CI", "CIV", "COTE D'IVOIRE|COTE D IVOIRE|IVORY COAST"}, {"120", "CM", "CMR", "CAMEROUN|CAMEROON"},
		{"466", "ML", "MLI", "MALI"}, {"854", "BF", "BFA", "BURKINA FASO"}, {"204", "BJ", "BEN", "BENIN"},
		{"768", "TG", "TGO", "TOGO"}, {"562", "NE", "NER", "NIGER"}, {"266", "GA", "GAB", "GABON"},
		{"178", "CG", "COG", "CONGO"}, {"180", "CD", "COD", "RDC|REPUBLIQUE DEMOCRATIQUE DU CONGO"},
		{"324", "GN", "GIN", "GUINEE|GUINEA"}, {"478", "MR", "MRT", "MAURITANIE|MAURITANIA"},
		{"450", "MG", "MDG", "MADAGASCAR"}, {"480", "MU", "MUS", "MAURICE|MAURITIUS"},
		{"422", "LB", "LBN", "LIBAN|LEBANON"}, {"156", "CN", "CHN", "CHINE|CHINA"},
		{"704", "VN", "VNM", "VIETNAM|VIET NAM"}, {"356", "IN", "IND", "INDE|INDIA"},
		{"392", "JP", "JPN", "JAPON|JAPAN"}, {"410", "KR", "KOR", "COREE DU SUD|SOUTH KOREA"},
		{"364", "IR", "IRN", "IRAN"}, {"760", "SY", "SYR", "SYRIE|SYRIA"},
	} {
		for _, k := range append([]string{c.num, c.a2, c.a3}, strings.Split(c.names, "|")...) {
			countries[k] = c.num
		}
	}
	return countries
})

// CountryCode returns the ISO 3166-1 numeric code of a country name or
// code, or "" if the country is not in the table.
func CountryCode(country string) string {
	k := strings.ToUpper(ascii(country, 60))
	if pan.Digits(k, 3, 3) {
		return k
	}
	return countries()[k]
}
