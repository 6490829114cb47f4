package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/inpctl/inpctl"
	"go.yaml.in/yaml/v3"
)

// FuzzConfigLoad feeds YAML to Load, alone and appended to the example
// configuration (so that most inputs get past validation and reach deep
// keys). Load must never panic, and when it accepts a document, every key
// of that document must name a field of Config: unknown keys are errors.
func FuzzConfigLoad(f *testing.F) {
	for _, seed := range []string{
		"",
		"timezone: Europe/Paris\n",
		"foo_bar: 1\n",
		"Database: other.db\n",
		"gateway.kind: sandbox\n",
		"gateway.flavour: x\n",
		"source: x\nlocation: y\n",
		"  extra: 1\n",
		"    url: http://127.0.0.1:1/PPPS.php\n    colour: blue\n",
		"schedule:\n  retry:\n    gaps_days: [3, 7]\n    jitter: 1\n",
		"catalogue: {programmes: [{id: X, bogus: 1}]}\n",
		"a: &x {b: 1}\n<<: *x\n",
		"issuer:\n  name: X\n  address: one line\n",
		"? [a, b]\n: c\n",
		"1: 2\ntrue: false\n",
		"numbering: {invoice_start: 9200, invoice_prefixe: F}\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		checkLoad(t, dir, "alone.yaml", data)
		whole := append(append(bytes.Clone(inpctl.ExampleConfig), '\n'), data...)
		checkLoad(t, dir, "example.yaml", whole)
	})
}

// TestLoadRefusesUnknownKeysWithoutValue holds what FuzzConfigLoad found:
// an unknown key whose value is empty (null, {}, or a mapping of such) is
// accepted, because Viper drops it before UnmarshalExact can see it. So a
// typo such as "public_key:" under gateway.paybox passes silently. The
// last cases are the same inside a mapping that also has a key that is not
// a string (null, a number): YAML decodes it as map[any]any.
func TestLoadRefusesUnknownKeysWithoutValue(t *testing.T) {
	for _, tail := range []string{"foo_bar:\n", "foo_bar: ~\n", "foo_bar: {}\n", "    public_key:\n", "000:\n 000:",
		"  ?\n", "  1:\n  colour:\n", "    ?\n    timeout_s:\n"} {
		t.Run(strings.TrimSpace(tail), func(t *testing.T) {
			checkLoad(t, t.TempDir(), "c.yaml", append(append(bytes.Clone(inpctl.ExampleConfig), '\n'), tail...))
		})
	}
}

// checkLoad loads data from a private file and, if Load accepts it,
// asserts that every key of the document is a key of Config.
func checkLoad(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path, nil); err != nil {
		return
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("Load accepted a document that YAML cannot read: %v\n%s", err, shown(data))
	}
	if bad := unknownKeys("", doc, reflect.TypeOf(Config{})); len(bad) > 0 {
		t.Fatalf("Load accepted unknown key(s) %v in\n%s", bad, shown(data))
	}
}

// shown quotes data, or its end when it starts with the example config.
func shown(data []byte) string {
	if rest, ok := bytes.CutPrefix(data, inpctl.ExampleConfig); ok {
		return fmt.Sprintf("config.example.yaml + %q", rest)
	}
	return fmt.Sprintf("%q", data)
}

// unknownKeys lists the keys of v (decoded YAML) that name no field of t,
// matching as Viper and mapstructure do: keys are case-insensitive and a
// dotted key is a path.
func unknownKeys(path string, v any, t reflect.Type) []string {
	switch val := v.(type) {
	case map[string]any:
		var out []string
		for k, e := range val {
			out = append(out, keyUnder(path, k, e, t)...)
		}
		return out
	case map[any]any:
		var out []string
		for k, e := range val {
			out = append(out, keyUnder(path, fmt.Sprint(k), e, t)...)
		}
		return out
	case []any:
		if t.Kind() != reflect.Slice {
			return nil
		}
		var out []string
		for i, e := range val {
			out = append(out, unknownKeys(fmt.Sprintf("%s[%d]", path, i), e, t.Elem())...)
		}
		return out
	}
	return nil
}

// keyUnder checks key k with value e in a mapping decoded into t.
func keyUnder(path, k string, e any, t reflect.Type) []string {
	full := k
	if path != "" {
		full = path + "." + k
	}
	switch t.Kind() {
	case reflect.Map:
		if strings.Contains(k, ".") {
			return nil // Viper would split it into a path of map keys: any is fine
		}
		return unknownKeys(full, e, t.Elem())
	case reflect.Slice:
		// Weak decoding turns a single mapping into a one-element list.
		return keyUnder(path, k, e, t.Elem())
	case reflect.Struct:
		ft, ok := fieldPath(t, strings.Split(strings.ToLower(k), "."))
		if !ok {
			return []string{full}
		}
		return unknownKeys(full, e, ft)
	}
	return nil
}

// fieldPath follows segs through struct fields (by mapstructure tag) and
// map keys, and returns the type reached.
func fieldPath(t reflect.Type, segs []string) (reflect.Type, bool) {
	for _, seg := range segs {
		switch t.Kind() {
		case reflect.Map:
			t = t.Elem()
			continue
		case reflect.Struct:
		default:
			return nil, false
		}
		found := false
		for i := range t.NumField() {
			fld := t.Field(i)
			tag, _, _ := strings.Cut(fld.Tag.Get("mapstructure"), ",")
			if tag == "" {
				tag = strings.ToLower(fld.Name)
			}
			if tag != "-" && tag == seg {
				t, found = fld.Type, true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return t, true
}
