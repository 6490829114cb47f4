package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"go/format"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/inpctl/inpctl"
)

var update = flag.Bool("update", false, "rewrite builtin_gen.go from config.example.yaml")

// decodeExample is what loadViper decodes from the built-in example before
// the environment and validation.
func decodeExample(t *testing.T) Config {
	t.Helper()
	v, err := readViper(inpctl.ExampleConfig, BuiltIn)
	if err != nil {
		t.Fatal(err)
	}
	c, err := decode(v, BuiltIn)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestBuiltInGenerated: builtin_gen.go is config.example.yaml as Viper
// decodes it (run with -update after editing config.example.yaml).
func TestBuiltInGenerated(t *testing.T) {
	want := decodeExample(t)
	sum := sha256.Sum256(inpctl.ExampleConfig)
	if *update {
		src := generateBuiltIn(want, hex.EncodeToString(sum[:]))
		if err := os.WriteFile("builtin_gen.go", src, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if builtInSHA256 != hex.EncodeToString(sum[:]) || !builtInCurrent() {
		t.Fatal("builtin_gen.go is stale: run go test ./internal/config -run TestBuiltInGenerated -update")
	}
	got := builtInConfig()
	got.Source = BuiltIn
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("builtInConfig() differs from the decoded example:\n got %#v\nwant %#v", got, want)
	}
}

// TestLoadBuiltInSameAsViper: with the built-in example, Load gives what
// the Viper path gives, result or error, whatever the environment.
func TestLoadBuiltInSameAsViper(t *testing.T) {
	for _, env := range [][]string{
		nil,
		{"INPCTL_OPERATOR=bench", "HOME=/root", "INPCTL_NOW=2026-06-30T09:00:00+02:00"},
		{"INPCTL_DB=/tmp/x.db", "INPCTL_DATABASE=/tmp/y.db"},
		{"INPCTL_DATABASE=/tmp/y.db", "INPCTL_DB=/tmp/x.db", "INPCTL_CONFIG="},
		{"INPCTL_DB="},
		{"INPCTL_TIMEZONE=Mars/Olympus"},
		{"INPCTL_TIMEZONE=America/New_York", "INPCTL_ACADEMIC_YEAR=2026-2027", "INPCTL_ISSUER_NAME=École"},
		{"INPCTL_GATEWAY_KIND=paybox"},
		{"INPCTL_GATEWAY_KIND=paybox", "INPCTL_GATEWAY_PAYBOX_URL=http://127.0.0.1:9/PPPS.php", "INPCTL_GATEWAY_PAYBOX_HOSTED_URL=http://127.0.0.1:9/h"},
		{"INPCTL_GATEWAY_PAYBOX_HMAC_KEY=0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"},
		{"INPCTL_GATEWAY_PAYBOX_HMAC_KEY=nothex"},
		{"INPCTL_GATEWAY_PAYBOX_SITE=12", "INPCTL_GATEWAY_PAYBOX_RANG=1"},
		{"INPCTL_NUMBERING_INVOICE_PREFIX=F", "INPCTL_NUMBERING_CREDIT_NOTE_PREFIX=F"},
		{"INPCTL_SCHEDULE_DEBIT_DAY=12"},
		{"INPCTL_SCHEDULE_DEBIT_DAY=x"},
		{"INPCTL_SCHEDULE_PLANS_FIVE_FIRST_AMOUNT=abc"},
		{"INPCTL_GATEWAY_PAYBOX_TIMEOUT=2s"},
		{"INPCTL_GATEWAY_PAYBOX_PUBLIC_KEYS="},
		{"INPCTL_SCHEDULE_RETRY_GAPS_DAYS=3,7"},
		{"INPCTL_ISSUER_ADDRESS=1 rue X,63000 Clermont"},
		{"INPCTL_CATALOGUE_CODES=x"},
		{"INPCTL_NO_SUCH_KEY=1"},
		{"INPCTL_OPERATOR=a", "INPCTL_TEST_CRASH=1", "inpctl_db=lower"},
	} {
		t.Run(strings.Join(env, " "), func(t *testing.T) {
			got, gotErr := Load("", env)
			want, wantErr := loadViper("", env)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
				t.Fatalf("Load:\n %#v, %v\nViper path:\n %#v, %v", got, gotErr, want, wantErr)
			}
		})
	}
}

// envTextFields maps the INPCTL_ variables that name a text key (kind
// string: Secret too) to that field of Config, as applyEnv resolves them
// for the built-in example (whose keys are the struct keys plus the two
// catalogue lists).
func envTextFields() map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for name, key := range envKeys([]string{"catalogue.codes", "catalogue.programmes"}) {
		if strings.HasSuffix(key, "public_keys") || strings.HasSuffix(key, "gaps_days") || strings.HasSuffix(key, "address") {
			continue // applyEnv sets these as lists
		}
		if f, ok := fieldOfKey(reflect.TypeOf(Config{}), key); ok && f.Type.Kind() == reflect.String {
			out[name] = f
		}
	}
	return out
}

// fieldOfKey finds the field of t a dotted key names (by mapstructure tag).
func fieldOfKey(t reflect.Type, key string) (reflect.StructField, bool) {
	name, rest, nested := strings.Cut(key, ".")
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if strings.Split(f.Tag.Get("mapstructure"), ",")[0] != name {
			continue
		}
		if !nested {
			return f, true
		}
		if f.Type.Kind() != reflect.Struct {
			return reflect.StructField{}, false
		}
		sub, ok := fieldOfKey(f.Type, rest)
		if ok {
			sub.Index = append(append([]int{}, f.Index...), sub.Index...)
		}
		return sub, ok
	}
	return reflect.StructField{}, false
}

// TestSetEnvText: the generated setEnvText sets exactly the text field
// applyEnv would set, and refuses every other name.
func TestSetEnvText(t *testing.T) {
	text := envTextFields()
	names := []string{"INPCTL_NOPE", "INPCTL_SCHEDULE_DEBIT_DAY", "INPCTL_CATALOGUE_CODES", "INPCTL_GATEWAY_PAYBOX_TIMEOUT"}
	for name := range envKeys([]string{"catalogue.codes", "catalogue.programmes"}) {
		names = append(names, name)
	}
	for _, name := range names {
		var got, want Config
		ok := setEnvText(&got, name, "v")
		f, isText := text[name]
		if ok != isText {
			t.Errorf("setEnvText(%s) = %v, want %v", name, ok, isText)
			continue
		}
		if isText {
			reflect.ValueOf(&want).Elem().FieldByIndex(f.Index).SetString("v")
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("setEnvText(%s) set %#v", name, got)
		}
	}
}

// generateBuiltIn writes c as the Go source of builtInConfig.
func generateBuiltIn(c Config, sum string) []byte {
	var body bytes.Buffer
	assignFields(&body, "c", reflect.ValueOf(c))
	var b bytes.Buffer
	b.WriteString("// Code generated by \"go test ./internal/config -run TestBuiltInGenerated -update\"; DO NOT EDIT.\n\npackage config\n\n")
	if bytes.Contains(body.Bytes(), []byte("time.")) {
		b.WriteString("import \"time\"\n\n")
	}
	b.WriteString(`// builtInSHA256 is the SHA-256 of the config.example.yaml builtInConfig
// was decoded from.
const builtInSHA256 = "` + sum + `"

// builtInConfig is config.example.yaml as Viper decodes it (see builtin.go).
func builtInConfig() Config {
	var c Config
`)
	b.Write(body.Bytes())
	b.WriteString("\treturn c\n}\n\n")
	b.WriteString(`// setEnvText sets the text key the INPCTL_ variable name names to val, as
// applyEnv and decode do; it reports false for any other name.
func setEnvText(c *Config, name, val string) bool {
	switch name {
`)
	byField := map[string][]string{}
	for name, f := range envTextFields() {
		path, ft := "c", reflect.TypeOf(Config{})
		for _, i := range f.Index {
			path += "." + ft.Field(i).Name
			ft = ft.Field(i).Type
		}
		if ft.Name() != "string" {
			path += "\x00" + ft.Name()
		}
		byField[path] = append(byField[path], strconv.Quote(name))
	}
	paths := make([]string, 0, len(byField))
	for p := range byField {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		sort.Strings(byField[p])
		field, typ, named := strings.Cut(p, "\x00")
		val := "val"
		if named {
			val = typ + "(val)"
		}
		fmt.Fprintf(&b, "\tcase %s:\n\t\t%s = %s\n", strings.Join(byField[p], ", "), field, val)
	}
	b.WriteString("\tdefault:\n\t\treturn false\n\t}\n\treturn true\n}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		panic(fmt.Sprintf("%v\n%s", err, b.Bytes()))
	}
	return src
}

// assignFields writes "path.Field = value" for each non-zero field of the
// struct v, going into struct fields (some are anonymous types).
func assignFields(b *bytes.Buffer, path string, v reflect.Value) {
	for i := 0; i < v.NumField(); i++ {
		f, fv := v.Type().Field(i), v.Field(i)
		if fv.IsZero() || f.Tag.Get("mapstructure") == "-" {
			continue
		}
		if f.Type.Kind() == reflect.Struct {
			assignFields(b, path+"."+f.Name, fv)
			continue
		}
		fmt.Fprintf(b, "\t%s.%s = %s\n", path, f.Name, goLiteral(fv))
	}
}

// goLiteral writes v as a Go expression of its type (the types of Config).
func goLiteral(v reflect.Value) string {
	t := v.Type()
	switch {
	case t == reflect.TypeOf(time.Duration(0)):
		return fmt.Sprintf("time.Duration(%d)", v.Int())
	case t.Kind() == reflect.String && t.Name() != "string":
		return t.Name() + "(" + strconv.Quote(v.String()) + ")"
	}
	switch t.Kind() {
	case reflect.String:
		return strconv.Quote(v.String())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Slice:
		if v.IsNil() {
			return "nil"
		}
		var parts []string
		for i := 0; i < v.Len(); i++ {
			parts = append(parts, goLiteral(v.Index(i)))
		}
		return typeName(t) + "{" + strings.Join(parts, ", ") + "}"
	case reflect.Map:
		if v.IsNil() {
			return "nil"
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		var parts []string
		for _, k := range keys {
			parts = append(parts, goLiteral(k)+": "+goLiteral(v.MapIndex(k)))
		}
		return typeName(t) + "{" + strings.Join(parts, ", ") + "}"
	case reflect.Struct:
		var parts []string
		for i := 0; i < v.NumField(); i++ {
			if fv := v.Field(i); !fv.IsZero() {
				parts = append(parts, t.Field(i).Name+": "+goLiteral(fv))
			}
		}
		return typeName(t) + "{\n" + strings.Join(parts, ",\n") + ",\n}"
	}
	panic("generateBuiltIn: no literal for " + t.String())
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice:
		return "[]" + typeName(t.Elem())
	case reflect.Map:
		return "map[" + typeName(t.Key()) + "]" + typeName(t.Elem())
	}
	if t.Name() == "" {
		panic("generateBuiltIn: anonymous type " + t.String())
	}
	return t.Name()
}

// TestDigitsAndHexKeyAreTheRegexps: the checks that replaced the regexps
// of validateGateway accept exactly what the regexps accepted.
func TestDigitsAndHexKeyAreTheRegexps(t *testing.T) {
	site, rang, ident := regexp.MustCompile(`^\d{7}$`), regexp.MustCompile(`^\d{2,3}$`), regexp.MustCompile(`^\d{1,9}$`)
	hexRe := regexp.MustCompile(`^([0-9A-Fa-f]{2}){20,}$`)
	key := strings.Repeat("0a", 20)
	for _, s := range []string{"", "1", "12", "123", "1234567", "12345678", "123456789", "1234567890", "12a", " 12", "12\n",
		"١٢٣", "1234567\n", key, key[:39], key + "F", key + "Ff", key + "g0", "\n" + key, key + "\n", strings.ToUpper(key)} {
		if digits(s, 7, 7) != site.MatchString(s) || digits(s, 2, 3) != rang.MatchString(s) || digits(s, 1, 9) != ident.MatchString(s) {
			t.Errorf("digits(%q) differs from the regexp", s)
		}
		if hexKey(s) != hexRe.MatchString(s) {
			t.Errorf("hexKey(%q) = %v, regexp %v", s, hexKey(s), hexRe.MatchString(s))
		}
	}
}
