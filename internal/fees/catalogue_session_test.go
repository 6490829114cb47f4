package fees

import "testing"

func TestSessionFor(t *testing.T) {
	gc := Programme{Session: "P2225_Y3_3A", SessionYear: "2025-2026"}
	ms := Programme{Session: "P2526_MS_EX", SessionYear: "2025-2026"}
	named := Programme{Session: "P2225_Y3_3A", SessionYear: "2025-2026", Sessions: map[string]string{"2024-2025": "P2124_Y3_3A"}}
	odd := Programme{Session: "GC3A", SessionYear: "2025-2026"}
	for _, c := range []struct {
		p          Programme
		year, want string
	}{
		{gc, "2025-2026", "P2225_Y3_3A"},
		{gc, "2024-2025", "P2224_Y3_3A"}, // the seed's 2024 invoice
		{gc, "2026-2027", "P2226_Y3_3A"},
		{ms, "2024-2025", "P2425_MS_EX"},
		{ms, "2025-2026", "P2526_MS_EX"},
		{named, "2024-2025", "P2124_Y3_3A"},
		{named, "2023-2024", "P2223_Y3_3A"},
		{odd, "2025-2026", "GC3A"},
		{odd, "2024-2025", ""}, // never another year's name
		{gc, "bad", ""},
	} {
		if got := c.p.SessionFor(c.year); got != c.want {
			t.Errorf("%s.SessionFor(%s) = %q, want %q", c.p.Session, c.year, got, c.want)
		}
	}
}
