package config

import (
	"os"
	"strings"
	"testing"
)

// loadEdited loads config.example.yaml with old replaced by new.
func loadEdited(t *testing.T, old, new string) error {
	t.Helper()
	base, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(base), old) {
		t.Fatalf("config.example.yaml has no %q", old)
	}
	_, err = Load(writeConfig(t, strings.Replace(string(base), old, new, 1), 0o600), nil)
	return err
}

// TestPrefixThatLeavesTheFolderRefused: a numbering prefix becomes part of
// a PDF's file name; a separator or ".." is refused at load (and so by
// config check), naming the key.
func TestPrefixThatLeavesTheFolderRefused(t *testing.T) {
	cases := map[string]string{
		`invoice_prefix: ""`:       `invoice_prefix: "../../x/"`,
		`credit_note_prefix: "AV"`: `credit_note_prefix: 'AV\'`,
	}
	for old, new := range cases {
		err := loadEdited(t, old, new)
		key := "numbering." + strings.SplitN(old, ":", 2)[0]
		if err == nil || !strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), "file name") {
			t.Errorf("%s: want an error naming %s, got %v", new, key, err)
		}
	}
	if err := loadEdited(t, `invoice_prefix: ""`, `invoice_prefix: "F.2025-"`); err != nil {
		t.Errorf("a plain prefix is refused: %v", err)
	}
	if err := loadEdited(t, `invoice_prefix: ""`, `invoice_prefix: "F..2025-"`); err == nil {
		t.Error(`".." is accepted in a prefix`)
	}
}

// TestCardNumberInConfigRefused: a card number in a config value that is
// printed or logged is refused, masked; a valid SIRET in issuer.siret is
// not (the key tells them apart), the same digits elsewhere are.
func TestCardNumberInConfigRefused(t *testing.T) {
	err := loadEdited(t, `operator: ""`, `operator: "caisse 1111 2222 3333 4444"`)
	if err == nil || !strings.Contains(err.Error(), "operator: holds a card number (****4444)") || strings.Contains(err.Error(), "1111") {
		t.Errorf("card number in operator: %v", err)
	}
	if err := loadEdited(t, `siret: "000 000 000 00000"`, `siret: "123 456 782 00002"`); err != nil {
		t.Errorf("a valid SIRET in issuer.siret is refused: %v", err)
	}
	err = loadEdited(t, `operator: ""`, `operator: "12345678200002"`)
	if err == nil || !strings.Contains(err.Error(), "operator: holds a card number") {
		t.Errorf("SIRET digits outside issuer.siret: %v", err)
	}
	err = loadEdited(t, `siret: "000 000 000 00000"`, `siret: "4012001037141112"`)
	if err == nil || !strings.Contains(err.Error(), "issuer.siret: holds a card number") {
		t.Errorf("a card number that is no SIRET in issuer.siret: %v", err)
	}
}
