// Package config loads and validates inpctl's configuration: the only user
// of Viper (always viper.New(), never the global instance).
//
// Load reads a YAML file (or the embedded example), applies INPCTL_*
// environment overrides, decodes with UnmarshalExact so unknown keys are
// errors, and Validate names the key of every invalid value. config imports
// money, clock, fault, fees and schedule (types only) and viper.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// Config is the effective configuration.
type Config struct {
	Database string `mapstructure:"database" json:"database" yaml:"database"`
	// DB.URL, when set, is a postgres:// URL and takes the place of
	// Database (which may also hold such a URL).
	DB           DB     `mapstructure:"db" json:"db,omitempty" yaml:"db,omitempty"`
	Timezone     string `mapstructure:"timezone" json:"timezone" yaml:"timezone"`
	AcademicYear string `mapstructure:"academic_year" json:"academic_year" yaml:"academic_year"`
	Operator     string `mapstructure:"operator" json:"operator" yaml:"operator"`
	// OperatorRole is the office role of this config's clerk on SQLite,
	// where roles are advisory (lecture, scolarite, comptabilite; empty:
	// every role). On PostgreSQL the database's roles decide.
	OperatorRole string `mapstructure:"operator_role" json:"operator_role,omitempty" yaml:"operator_role,omitempty"`
	// School is the school the commands work on (--school,
	// INPCTL_SCHOOL): the code of one of Schools. After Load, the config's
	// Issuer, Numbering and Catalogue are that school's (ForSchool).
	School string `mapstructure:"school" json:"school" yaml:"school"`
	// Schools are the schools of these books (issue 22). A school that
	// gives no issuer, numbering or catalogue of its own uses the
	// top-level ones.
	Schools    []School   `mapstructure:"schools" json:"schools" yaml:"schools"`
	Issuer     Issuer     `mapstructure:"issuer" json:"issuer" yaml:"issuer"`
	Numbering  Numbering  `mapstructure:"numbering" json:"numbering" yaml:"numbering"`
	Catalogue  Catalogue  `mapstructure:"catalogue" json:"catalogue" yaml:"catalogue"`
	Schedule   Schedule   `mapstructure:"schedule" json:"schedule" yaml:"schedule"`
	Gateway    Gateway    `mapstructure:"gateway" json:"gateway" yaml:"gateway"`
	Mail       Mail       `mapstructure:"mail" json:"mail" yaml:"mail"`
	Serve      Serve      `mapstructure:"serve" json:"serve" yaml:"serve"`
	Accounting Accounting `mapstructure:"accounting" json:"accounting" yaml:"accounting"`
	Output     Output     `mapstructure:"output" json:"output" yaml:"output"`
	Seal       Seal       `mapstructure:"seal" json:"seal" yaml:"seal"`

	// Source is where the config came from: a path, or "built-in example".
	Source string `mapstructure:"-" json:"-" yaml:"-"`
	// Location is Timezone loaded by Validate.
	Location *time.Location `mapstructure:"-" json:"-" yaml:"-"`
}

// DB selects a database server (issue 22): db.url, or INPCTL_DB_URL.
type DB struct {
	URL string `mapstructure:"url" json:"url,omitempty" yaml:"url,omitempty"`
}

// School is one school of the books: Polytech Clermont, and the others
// the config names. Its code is what every row of the books carries.
type School struct {
	Code      string    `mapstructure:"code" json:"code" yaml:"code"`
	Name      string    `mapstructure:"name" json:"name" yaml:"name"`
	Issuer    Issuer    `mapstructure:"issuer" json:"issuer,omitempty" yaml:"issuer,omitempty"`
	Numbering Numbering `mapstructure:"numbering" json:"numbering,omitempty" yaml:"numbering,omitempty"`
	Catalogue Catalogue `mapstructure:"catalogue" json:"catalogue,omitempty" yaml:"catalogue,omitempty"`
}

// ForSchool returns the config of the school code ("" for the config's
// school): its code in School, and its issuer, numbering and catalogue,
// when it gives them, in the place of the top-level ones. A code the
// config does not list is a usage error naming the ones it does.
func (c Config) ForSchool(code string) (Config, error) {
	if code == "" {
		code = c.School
	}
	for _, s := range c.Schools {
		if s.Code != code {
			continue
		}
		c.School = s.Code
		if s.Issuer.Name != "" {
			c.Issuer = s.Issuer
		}
		if s.Numbering != (Numbering{}) {
			c.Numbering = s.Numbering
		}
		if len(s.Catalogue.Codes) > 0 || len(s.Catalogue.Programmes) > 0 {
			c.Catalogue = s.Catalogue
		}
		return c, nil
	}
	return c, fault.New(fault.Usage, "config %s has no school %q (its schools: %s)", c.Source, code, strings.Join(schoolCodes(c.Schools), ", ")).
		WithHint("give --school one of the codes under schools:, or add the school to the config")
}

// Issuer is who issues invoices.
type Issuer struct {
	Name        string   `mapstructure:"name" json:"name" yaml:"name"`
	Address     []string `mapstructure:"address" json:"address" yaml:"address"`
	SIRET       string   `mapstructure:"siret" json:"siret" yaml:"siret"`
	VATMention  string   `mapstructure:"vat_mention" json:"vat_mention" yaml:"vat_mention"`
	LibelleCard string   `mapstructure:"libelle_card" json:"libelle_card" yaml:"libelle_card"`
	// An invoice to a business (a financed order's payer) is due
	// payment_terms_days after its date (default 30) and prints
	// business_mentions (default: no discount, the late-payment penalty
	// rate and the 40 € indemnity, citing the Code de commerce).
	PaymentTermsDays int      `mapstructure:"payment_terms_days" json:"payment_terms_days,omitempty" yaml:"payment_terms_days,omitempty"`
	BusinessMentions []string `mapstructure:"business_mentions" json:"business_mentions,omitempty" yaml:"business_mentions,omitempty"`
}

// Numbering holds the prefixes and first numbers of the document series.
type Numbering struct {
	OrderPrefix      string `mapstructure:"order_prefix" json:"order_prefix" yaml:"order_prefix"`
	OrderStart       int64  `mapstructure:"order_start" json:"order_start" yaml:"order_start"`
	InvoicePrefix    string `mapstructure:"invoice_prefix" json:"invoice_prefix" yaml:"invoice_prefix"`
	InvoiceStart     int64  `mapstructure:"invoice_start" json:"invoice_start" yaml:"invoice_start"`
	CreditNotePrefix string `mapstructure:"credit_note_prefix" json:"credit_note_prefix" yaml:"credit_note_prefix"`
	CreditNoteStart  int64  `mapstructure:"credit_note_start" json:"credit_note_start" yaml:"credit_note_start"`
	PaymentPrefix    string `mapstructure:"payment_prefix" json:"payment_prefix" yaml:"payment_prefix"`
	PaymentStart     int64  `mapstructure:"payment_start" json:"payment_start" yaml:"payment_start"`
}

// Catalogue is the fee catalogue as written in the file.
type Catalogue struct {
	Codes      []CodeEntry      `mapstructure:"codes" json:"codes" yaml:"codes"`
	Programmes []ProgrammeEntry `mapstructure:"programmes" json:"programmes" yaml:"programmes"`
}

// CodeEntry is one fee code.
type CodeEntry struct {
	Code       string `mapstructure:"code" json:"code" yaml:"code"`
	Label      string `mapstructure:"label" json:"label" yaml:"label"`
	NeedsProof bool   `mapstructure:"needs_proof" json:"needs_proof" yaml:"needs_proof"`
	Financed   bool   `mapstructure:"financed" json:"financed" yaml:"financed"`
}

// ProgrammeEntry is one programme with its tariffs (year → code → amount text).
type ProgrammeEntry struct {
	ID             string                       `mapstructure:"id" json:"id" yaml:"id"`
	Label          string                       `mapstructure:"label" json:"label" yaml:"label"`
	Session        string                       `mapstructure:"session" json:"session" yaml:"session"`
	Sessions       map[string]string            `mapstructure:"sessions" json:"sessions,omitempty" yaml:"sessions,omitempty"` // academic year → session name, for other years than academic_year
	Diploma        bool                         `mapstructure:"diploma" json:"diploma" yaml:"diploma"`
	Apprenticeship bool                         `mapstructure:"apprenticeship" json:"apprenticeship" yaml:"apprenticeship"`
	Codes          []string                     `mapstructure:"codes" json:"codes" yaml:"codes"`
	Tariffs        map[string]map[string]string `mapstructure:"tariffs" json:"tariffs" yaml:"tariffs"`
}

// Schedule holds the instalment rules.
type Schedule struct {
	DebitDay int `mapstructure:"debit_day" json:"debit_day" yaml:"debit_day"`
	Plans    struct {
		Five struct {
			FirstAmount string `mapstructure:"first_amount" json:"first_amount" yaml:"first_amount"`
			MinTotal    string `mapstructure:"min_total" json:"min_total" yaml:"min_total"`
		} `mapstructure:"five" json:"five" yaml:"five"`
	} `mapstructure:"plans" json:"plans" yaml:"plans"`
	Retry struct {
		MaxAttempts int   `mapstructure:"max_attempts" json:"max_attempts" yaml:"max_attempts"`
		GapsDays    []int `mapstructure:"gaps_days" json:"gaps_days" yaml:"gaps_days"`
	} `mapstructure:"retry" json:"retry" yaml:"retry"`
}

// Gateway selects and configures the card gateway.
type Gateway struct {
	Kind         string `mapstructure:"kind" json:"kind" yaml:"kind"`
	SandboxState string `mapstructure:"sandbox_state" json:"sandbox_state" yaml:"sandbox_state"`
	Paybox       Paybox `mapstructure:"paybox" json:"paybox" yaml:"paybox"`
}

// Paybox configures the real Paybox client.
type Paybox struct {
	URL         string        `mapstructure:"url" json:"url" yaml:"url"`
	BackupURL   string        `mapstructure:"backup_url" json:"backup_url" yaml:"backup_url"`
	HostedURL   string        `mapstructure:"hosted_url" json:"hosted_url" yaml:"hosted_url"`
	IPNURL      string        `mapstructure:"ipn_url" json:"ipn_url" yaml:"ipn_url"`
	Site        string        `mapstructure:"site" json:"site" yaml:"site"`
	Rang        string        `mapstructure:"rang" json:"rang" yaml:"rang"`
	Identifiant string        `mapstructure:"identifiant" json:"identifiant" yaml:"identifiant"`
	Timeout     time.Duration `mapstructure:"timeout" json:"timeout" yaml:"timeout"`
	HMACKeyFile string        `mapstructure:"hmac_key_file" json:"hmac_key_file" yaml:"hmac_key_file"`
	HMACKey     Secret        `mapstructure:"hmac_key" json:"hmac_key" yaml:"hmac_key"` // environment only
	PublicKeys  []string      `mapstructure:"public_keys" json:"public_keys" yaml:"public_keys"`
}

// Secret is a string that never prints: %v, %s and JSON show "***".
type Secret string

// String hides the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "***"
}

// GoString hides the secret.
func (s Secret) GoString() string { return s.String() }

// MarshalText hides the secret.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Reveal returns the secret itself, for the one place that needs it.
func (s Secret) Reveal() string { return string(s) }

// BuiltIn is the Source of the embedded example configuration.
const BuiltIn = "built-in example (config.example.yaml)"

// Find returns the config file to use: explicit, $INPCTL_CONFIG,
// ./inpctl.yaml, the user config folder, or "" for the built-in example.
func Find(explicit string, getenv func(string) string) string {
	if explicit != "" {
		return explicit
	}
	if p := getenv("INPCTL_CONFIG"); p != "" {
		return p
	}
	if _, err := os.Stat("inpctl.yaml"); err == nil {
		return "inpctl.yaml"
	}
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		if home := getenv("HOME"); home != "" {
			dir = filepath.Join(home, ".config")
		}
	}
	if dir != "" {
		p := filepath.Join(dir, "inpctl", "config.yaml")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// Load reads the config at path ("" = built-in example), applies the
// environment (environ as os.Environ gives it) and validates the result.
func Load(path string, environ []string) (Config, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	setMailDefaults(v)
	setAccountingDefaults(v)
	setOutputDefaults(v)
	raw, source, err := readRaw(path)
	if err != nil {
		return Config{}, err
	}
	if err := v.MergeConfigMap(raw); err != nil {
		return Config{}, fault.Wrap(fault.Usage, err, "config %s", source)
	}
	if v.IsSet("gateway.paybox.hmac_key") {
		// Checked before the environment is applied: only a file can trip it.
		return Config{}, fault.New(fault.Usage, "config %s: gateway.paybox.hmac_key must not be in a config file", source).
			WithHint("give the key in INPCTL_GATEWAY_PAYBOX_HMAC_KEY, or in a file of its own (gateway.paybox.hmac_key_file, chmod 600)")
	}
	passwordEnv := mailPasswordEnv(v, environ)
	if err := applyEnv(v, environ, passwordEnv); err != nil {
		return Config{}, err
	}
	var c Config
	if err := v.UnmarshalExact(&c); err != nil {
		return Config{}, fault.New(fault.Usage, "config %s: %s", source, cleanDecodeError(err)).
			WithHint("see config.example.yaml for every key")
	}
	c.Source = source
	c.Mail.Password = Secret(lookupEnv(environ, c.Mail.PasswordEnv))
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// readRaw returns the configuration file at path as a map, its keys
// checked, or the built-in configuration when path is "". The YAML is
// parsed once: the map is checked for unknown keys and given to viper
// (ReadConfig would parse it again, 1 ms of every command). The built-in
// one is not parsed at all: builtInRaw is config.example.yaml as a Go
// value (TestBuiltInRawIsTheExample keeps the two equal and its keys
// known), which saves every command that runs on it the 0.4 ms that
// yaml.Unmarshal takes on those 13 kB of comments and keys.
func readRaw(path string) (map[string]any, string, error) {
	if path == "" {
		return builtInRaw(), BuiltIn, nil
	}
	data, err := readPrivateFile(path, "config file")
	if err != nil {
		return nil, path, err
	}
	var raw map[string]any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, path, fault.Wrap(fault.Usage, err, "config %s is not valid YAML", path)
	}
	if err := checkKeys(raw, path); err != nil {
		return nil, path, err
	}
	return raw, path, nil
}

// applyEnv sets every INPCTL_* variable that names a known key. INPCTL_DB is
// an alias of database. An INPCTL_ variable naming no key is an error, so a
// typo never passes silently.
func applyEnv(v *viper.Viper, environ []string, passwordEnv string) error {
	var keys []string // listed at the first INPCTL_ variable: most environments have none or one
	notKeys := map[string]bool{"INPCTL_NOW": true, "INPCTL_CONFIG": true, "INPCTL_TEST_CRASH": true, "INPCTL_TEST_PG": true, "INPCTL_TEST_NOTIFY_WAIT": true, passwordEnv: true}
	for _, kv := range environ {
		name, val, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "INPCTL_") || notKeys[name] {
			continue
		}
		if keys == nil {
			keys = append(v.AllKeys(), configKeys()...)
		}
		key, ok := envKey(name, keys)
		if !ok {
			return fault.New(fault.Usage, "environment variable %s names no config key", name).
				WithHint("variables are INPCTL_ + the key with dots as underscores, e.g. INPCTL_GATEWAY_KIND")
		}
		if strings.HasSuffix(key, "public_keys") || strings.HasSuffix(key, "gaps_days") || strings.HasSuffix(key, "address") {
			v.Set(key, strings.Split(val, ","))
			continue
		}
		v.Set(key, val)
	}
	return nil
}

// envKey returns the key the INPCTL_ variable name sets: one of the two
// aliases, or the key whose name upper-cased with dots as underscores
// follows INPCTL_ (the last of keys if two read the same). It compares in
// place: building every key's variable name (a map of ~300 names, each
// upper-cased) cost more than the rest of applyEnv.
func envKey(name string, keys []string) (string, bool) {
	switch name {
	case "INPCTL_DB":
		return "database", true
	case "INPCTL_GATEWAY_PAYBOX_HMAC_KEY":
		return "gateway.paybox.hmac_key", true
	}
	want := strings.TrimPrefix(name, "INPCTL_")
	key, ok := "", false
	for _, k := range keys {
		if namesKey(want, k) {
			key, ok = k, true
		}
	}
	return key, ok
}

// namesKey reports whether want is k upper-cased with its dots as
// underscores.
func namesKey(want, k string) bool {
	for i := 0; i < len(k); i++ {
		if k[i] >= utf8.RuneSelf { // not ASCII: upper-casing may change its length
			return want == strings.ToUpper(strings.ReplaceAll(k, ".", "_"))
		}
	}
	if len(want) != len(k) {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '.':
			c = '_'
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		if c != want[i] {
			return false
		}
	}
	return true
}

// configKeys is structKeys of Config, listed once for the process.
var configKeys = sync.OnceValue(func() []string { return structKeys(reflect.TypeOf(Config{}), "") })

// checkKeys refuses any key of the YAML that names no config key, even
// one with an empty value (viper drops those silently before decoding).
func checkKeys(raw map[string]any, source string) error {
	known := map[string]bool{}
	for _, k := range configKeys() {
		for p := k; p != ""; {
			known[p] = true
			i := strings.LastIndexByte(p, '.')
			if i < 0 {
				break
			}
			p = p[:i]
		}
	}
	known["catalogue"], known["catalogue.codes"], known["catalogue.programmes"] = true, true, true
	known["accounting.accounts.revenue_by_code"] = true // fee code → account: checked by validateAccounting
	var unknown []string
	var walk func(m map[string]any, prefix string)
	walk = func(m map[string]any, prefix string) {
		for k, v := range m {
			key := prefix + strings.ToLower(k)
			if !known[key] {
				unknown = append(unknown, key)
				continue
			}
			if key != "catalogue.codes" && key != "catalogue.programmes" && key != "accounting.accounts.revenue_by_code" {
				if sub := asMap(v); sub != nil {
					walk(sub, key+".")
				}
			}
		}
	}
	walk(raw, "")
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fault.New(fault.Usage, "config %s: unknown key %s", source, strings.Join(unknown, ", ")).
			WithHint("see config.example.yaml for every key")
	}
	return nil
}

// asMap returns a YAML mapping with its keys as text (a mapping with a
// null or number key decodes with non-string keys), or nil.
func asMap(v any) map[string]any {
	switch m := v.(type) {
	case map[string]any:
		return m
	case map[any]any:
		out := make(map[string]any, len(m))
		for k, val := range m {
			out[fmt.Sprint(k)] = val
		}
		return out
	}
	return nil
}

// structKeys lists the dotted keys of every scalar or list field of t (by
// mapstructure tag), so an environment variable can set a key that the
// config file leaves out. Maps (the tariffs) are not settable this way.
func structKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		key := prefix + tag
		switch {
		case f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Duration(0)):
			keys = append(keys, structKeys(f.Type, key+".")...)
		case f.Type.Kind() == reflect.Map, key == "catalogue.codes", key == "catalogue.programmes":
		default:
			keys = append(keys, key)
		}
	}
	return keys
}

// readPrivateFile reads a file that may hold or lead to secrets and refuses
// it when group or others can read it.
func readPrivateFile(path, what string) ([]byte, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fault.New(fault.Usage, "%s %s does not exist", what, path)
	}
	if err != nil {
		return nil, fault.Wrap(fault.Usage, err, "%s %s", what, path)
	}
	if fi.IsDir() {
		return nil, fault.New(fault.Usage, "%s %s is a directory", what, path)
	}
	if uid, bad := ownerProblem(fi); bad {
		return nil, fault.New(fault.Usage, "%s %s belongs to another user (uid %d), not to the user running inpctl (uid %d)", what, path, uid, os.Geteuid()).
			WithHint("chown $(id -u) %s (and chmod 600)", path)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fault.New(fault.Usage, "%s %s is readable by other users (mode %04o)", what, path, fi.Mode().Perm()).
			WithHint("chmod 600 %s", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fault.Wrap(fault.Usage, err, "read %s %s", what, path)
	}
	return b, nil
}

// Compiled at first use, not at package init: most commands never use it.
var invalidKeysRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`'([^']*)' has invalid keys: ([^\n;]+)`) })

// cleanDecodeError turns mapstructure's multi-line message into one line
// that still names each key.
func cleanDecodeError(err error) string {
	msg := err.Error()
	msg = strings.ReplaceAll(msg, "decoding failed due to the following error(s):\n\n", "")
	msg = invalidKeysRe().ReplaceAllStringFunc(msg, func(m string) string {
		sub := invalidKeysRe().FindStringSubmatch(m)
		var keys []string
		for _, k := range strings.Split(sub[2], ", ") {
			if sub[1] != "" {
				k = sub[1] + "." + k
			}
			keys = append(keys, k)
		}
		return "unknown key " + strings.Join(keys, ", ")
	})
	msg = strings.ReplaceAll(msg, "\n", "; ")
	return strings.TrimSpace(msg)
}

// HMACKey returns the Paybox HMAC key (hex) from the environment or the key
// file, refusing a key file others can read or another user owns. The key
// never leaves this function except to the gateway client. Before the key
// is returned the process gives up core dumps (see noCoreDumps): a crash
// must not write the key to disk.
func (c Config) HMACKey() (string, error) {
	if err := noCoreDumps(); err != nil {
		return "", fault.Wrap(fault.Failure, err, "disable core dumps before loading the Paybox key")
	}
	if k := c.Gateway.Paybox.HMACKey.Reveal(); k != "" {
		return k, nil
	}
	if c.Gateway.Paybox.HMACKeyFile == "" {
		return "", fault.New(fault.Usage, "no Paybox HMAC key").
			WithHint("set INPCTL_GATEWAY_PAYBOX_HMAC_KEY or gateway.paybox.hmac_key_file (chmod 600)")
	}
	b, err := readPrivateFile(c.Gateway.Paybox.HMACKeyFile, "key file")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}
