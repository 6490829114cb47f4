package store

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// SealFormat is the format of a seal file; a new layout would be a new name.
const SealFormat = "inpctl-seal/1"

// Seal is what db check --seal writes (JSON): the state of every chain of
// the books at a date, signed with the seal key (Ed25519), which is kept
// outside the database. Series are sorted by name. Signature is over
// SignedBytes, never over the JSON text, so that the file may be
// re-indented.
type Seal struct {
	Format    string        `json:"format"`     // SealFormat
	SealedAt  string        `json:"sealed_at"`  // RFC 3339, when the books were sealed
	Database  string        `json:"database"`   // the database file sealed, for the reader
	Series    []SeriesState `json:"series"`     // each chain: links, last hash, total in cents
	PublicKey string        `json:"public_key"` // hex: the key that signed (checked, never trusted)
	Signature string        `json:"signature"`  // base64 Ed25519 signature of SignedBytes
}

// NewSeal is the seal of state at now, not yet signed.
func NewSeal(state BooksState, database string, now time.Time) Seal {
	series := append([]SeriesState(nil), state.Series...)
	sort.Slice(series, func(i, j int) bool { return series[i].Name < series[j].Name })
	return Seal{Format: SealFormat, SealedAt: now.Format(time.RFC3339), Database: database, Series: series}
}

// SignedBytes is the canonical encoding that the signature covers: one
// line per field, text quoted, the series in order of name.
func (s Seal) SignedBytes() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "format %s\nsealed_at %s\ndatabase %s\npublic_key %s\n",
		strconv.Quote(s.Format), strconv.Quote(s.SealedAt), strconv.Quote(s.Database), strconv.Quote(s.PublicKey))
	for _, x := range s.Series {
		fmt.Fprintf(&b, "series %s %d %s %d\n", strconv.Quote(x.Name), x.Count, strconv.Quote(x.Head), x.TotalCents)
	}
	return b.Bytes()
}

// Sign signs the seal with key.
func (s *Seal) Sign(key ed25519.PrivateKey) {
	s.PublicKey = hex.EncodeToString(key.Public().(ed25519.PublicKey))
	s.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, s.SignedBytes()))
}

// Marshal is the seal file's content.
func (s Seal) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	return append(b, '\n'), err
}

// ParseSeal reads a seal file's content.
func ParseSeal(b []byte) (Seal, error) {
	var s Seal
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&s); err != nil {
		return s, fmt.Errorf("not a seal file: %w", err)
	}
	if s.Format != SealFormat {
		return s, fmt.Errorf("not a seal file of this inpctl (format %q, want %q)", s.Format, SealFormat)
	}
	return s, nil
}

// SealMarks are the counts a seal asks CheckBooks to recompute the chains at.
func (s Seal) SealMarks() map[string]int64 {
	m := map[string]int64{}
	for _, x := range s.Series {
		m[x.Name] = x.Count
	}
	return m
}

// VerifySeal checks the seal's signature with pub, the public half of the
// configured seal key: the key written in the file is only compared, never
// trusted (anyone can sign a forged seal with a key of their own). Any
// problem is an E022 finding.
func VerifySeal(s Seal, pub ed25519.PublicKey) []Finding {
	sig, err := base64.StdEncoding.DecodeString(s.Signature)
	switch {
	case s.PublicKey != hex.EncodeToString(pub):
		return []Finding{{Code: "E022", Message: fmt.Sprintf("the seal of %s was signed by another key (%.16s…), not by the configured seal key (%.16s…)",
			s.SealedAt, s.PublicKey, hex.EncodeToString(pub))}}
	case err != nil || !ed25519.Verify(pub, s.SignedBytes(), sig):
		return []Finding{{Code: "E022", Message: fmt.Sprintf("the seal of %s does not verify with the seal key: the seal file was changed", s.SealedAt)}}
	}
	return nil
}

// Against compares a verified seal with the books as CheckBooks
// recomputed them at the seal's counts (E021): every series sealed is
// still there, with at least its sealed rows, and its first rows still
// give the sealed head and total. Rows written since are not its concern.
func (s Seal) Against(state BooksState) []Finding {
	var out []Finding
	now := map[string]SeriesState{}
	for _, x := range state.Series {
		now[x.Name] = x
	}
	for _, x := range s.Series {
		cur, known := now[x.Name]
		at, reached := state.At[x.Name]
		switch {
		case !known:
			out = append(out, Finding{Code: "E021", Message: fmt.Sprintf("%s: sealed on %s with %d rows, the series is gone", x.Name, s.SealedAt, x.Count)})
		case x.Count == 0:
		case cur.Count < x.Count || !reached:
			out = append(out, Finding{Code: "E021", Message: fmt.Sprintf("%s: sealed on %s with %d rows, %d are there: sealed rows were removed", x.Name, s.SealedAt, x.Count, cur.Count)})
		case at.Head != x.Head:
			out = append(out, Finding{Code: "E021", Message: fmt.Sprintf("%s: its first %d rows are not those sealed on %s (head %.12s…, sealed %.12s…): a sealed row was changed, removed or inserted", x.Name, x.Count, s.SealedAt, at.Head, x.Head)})
		case at.TotalCents != x.TotalCents:
			out = append(out, Finding{Code: "E021", Message: fmt.Sprintf("%s: its first %d rows total %d cents, %d were sealed on %s", x.Name, x.Count, at.TotalCents, x.TotalCents, s.SealedAt)})
		}
	}
	return out
}
