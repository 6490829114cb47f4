package config

import (
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/inpctl/inpctl/internal/pan"
	"github.com/inpctl/inpctl/internal/siret"
)

// notText are the keys whose values are not text a person reads or that
// inpctl logs: file paths and keys. Every other string of the config is
// checked for card numbers.
var notText = map[string]bool{
	"database": true, "gateway.sandbox_state": true,
	"gateway.paybox.hmac_key_file": true, "gateway.paybox.hmac_key": true, "gateway.paybox.public_keys": true,
	"seal.key_file": true,
}

// validateCardNumbers refuses a card number (package pan) in any text
// value: labels, names, mentions and prefixes end up in documents, numbers
// and the audit log, where a card number must never be. issuer.siret holds
// a SIRET, which passes the Luhn check like a card number: it is told
// apart by its key, and skipped only when it is a valid SIRET.
func (c *Config) validateCardNumbers(errs *fieldErrs) {
	walkStrings(reflect.ValueOf(*c), "", func(key, v string) {
		if notText[key] || key == "issuer.siret" && siret.Valid(v) {
			return
		}
		if ms := pan.Find(v); len(ms) > 0 {
			errs.add(key, "holds a card number (%s): card numbers must never be written into inpctl", ms[0].Masked())
		}
	})
}

// walkStrings calls fn with the dotted key and value of every string
// reachable from v (struct fields by mapstructure tag, list items as
// key[i], map entries as key.name in sorted order).
func walkStrings(v reflect.Value, key string, fn func(key, v string)) {
	switch v.Kind() {
	case reflect.String:
		fn(key, v.String())
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			tag, _, _ := strings.Cut(t.Field(i).Tag.Get("mapstructure"), ",")
			if tag == "" || tag == "-" || !t.Field(i).IsExported() {
				continue
			}
			walkStrings(v.Field(i), join(key, tag), fn)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkStrings(v.Index(i), key+"["+strconv.Itoa(i)+"]", fn)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			walkStrings(v.MapIndex(k), join(key, k.String()), fn)
		}
	}
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// validateFileNames refuses, in the values that become part of a file
// name (the invoice and credit-note numbers name their PDFs FACTURE-<N>.pdf
// and AVOIR-<N>.pdf), a path separator, "..", or a control character: a
// prefix such as "../../x/" would write outside the output folder.
func (c *Config) validateFileNames(errs *fieldErrs) {
	for _, kv := range [][2]string{
		{"numbering.invoice_prefix", c.Numbering.InvoicePrefix},
		{"numbering.credit_note_prefix", c.Numbering.CreditNotePrefix},
	} {
		if bad := fileNameProblem(kv[1]); bad != "" {
			errs.add(kv[0], "%q %s: it becomes part of a file name", kv[1], bad)
		}
	}
}

// fileNameProblem says what makes s unfit inside a file name, or "".
func fileNameProblem(s string) string {
	switch {
	case strings.ContainsAny(s, `/\`):
		return "holds a path separator"
	case strings.Contains(s, ".."):
		return `holds ".."`
	case strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }) >= 0:
		return "holds a control character"
	}
	return ""
}
