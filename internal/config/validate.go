package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/fees"
	"github.com/inpctl/inpctl/internal/money"
	"github.com/inpctl/inpctl/internal/schedule"
	"github.com/inpctl/inpctl/internal/school"
)

var codeRe = regexp.MustCompile(`^\d{2}$`)

// fieldErrs collects "key: problem" messages.
type fieldErrs []string

func (f *fieldErrs) add(key, format string, args ...any) {
	*f = append(*f, key+": "+fmt.Sprintf(format, args...))
}

// Validate checks every value and names the key of each invalid one
// (exit 2). It also loads the time zone into c.Location.
func (c *Config) Validate() error {
	var errs fieldErrs
	if u := strings.TrimSpace(c.DB.URL); u != "" {
		if !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
			errs.add("db.url", "must be a postgres:// URL (a SQLite file is given as database)")
		} else {
			c.Database = u
		}
	}
	switch c.OperatorRole {
	case "", "lecture", "scolarite", "comptabilite":
	default:
		errs.add("operator_role", "%q is not a role (lecture, scolarite or comptabilite; empty: every role)", c.OperatorRole)
	}
	c.validateSchools(&errs)
	if strings.TrimSpace(c.Database) == "" {
		errs.add("database", "must not be empty")
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil || c.Timezone == "" {
		errs.add("timezone", "%q is not a time zone (e.g. Europe/Paris)", c.Timezone)
	} else {
		c.Location = loc
	}
	if !fees.ValidYear(c.AcademicYear) {
		errs.add("academic_year", "%q is not an academic year (e.g. 2025-2026)", c.AcademicYear)
	}
	if c.Issuer.Name == "" {
		errs.add("issuer.name", "must not be empty")
	}
	if c.Issuer.PaymentTermsDays < 0 || c.Issuer.PaymentTermsDays > 60 {
		// L441-10: at most 60 days after the invoice date.
		errs.add("issuer.payment_terms_days", "must be between 0 (the default, 30) and 60 days (art. L441-10 du Code de commerce), not %d", c.Issuer.PaymentTermsDays)
	}
	c.validateNumbering(&errs)
	c.validateCatalogue(&errs)
	c.validateSchedule(&errs)
	c.validateGateway(&errs)
	c.validateMail(&errs)
	c.validateServe(&errs)
	c.validateFileNames(&errs)
	c.validateCardNumbers(&errs)
	c.validateAccounting(&errs)
	c.validateOutput(&errs)
	if len(errs) > 0 {
		return fault.New(fault.Usage, "config %s: %s", c.Source, strings.Join(errs, "; ")).
			WithHint("see config.example.yaml for every key and its format")
	}
	return nil
}

func (c *Config) validateNumbering(errs *fieldErrs) {
	n := c.Numbering
	for key, v := range map[string]int64{
		"numbering.order_start": n.OrderStart, "numbering.invoice_start": n.InvoiceStart,
		"numbering.credit_note_start": n.CreditNoteStart, "numbering.payment_start": n.PaymentStart,
	} {
		if v < 1 {
			errs.add(key, "must be a whole number of at least 1, got %d", v)
		}
	}
	if n.InvoicePrefix == n.CreditNotePrefix {
		errs.add("numbering.credit_note_prefix", "must differ from numbering.invoice_prefix so the two series cannot be confused")
	}
}

func (c *Config) validateCatalogue(errs *fieldErrs) {
	codes := map[string]bool{}
	for i, e := range c.Catalogue.Codes {
		key := fmt.Sprintf("catalogue.codes[%d]", i)
		if !codeRe.MatchString(e.Code) {
			errs.add(key+".code", "%q is not a two-digit fee code", e.Code)
		}
		if codes[e.Code] {
			errs.add(key+".code", "code %s is listed twice", e.Code)
		}
		codes[e.Code] = true
		if e.Label == "" {
			errs.add(key+".label", "must not be empty")
		}
	}
	if len(c.Catalogue.Programmes) == 0 {
		errs.add("catalogue.programmes", "at least one programme is needed")
	}
	seen := map[string]bool{}
	for i, p := range c.Catalogue.Programmes {
		key := fmt.Sprintf("catalogue.programmes[%d]", i)
		if p.ID == "" || strings.ContainsAny(p.ID, " ,;") {
			errs.add(key+".id", "%q is not a programme id (e.g. ING-GC-3A)", p.ID)
		}
		if seen[p.ID] {
			errs.add(key+".id", "programme %s is listed twice", p.ID)
		}
		seen[p.ID] = true
		if p.Label == "" || p.Session == "" {
			errs.add(key, "programme %s needs a label and a session", p.ID)
		}
		allowed := map[string]bool{}
		for _, code := range p.Codes {
			if !codes[code] {
				errs.add(key+".codes", "code %q is not in catalogue.codes", code)
			}
			allowed[code] = true
		}
		for year, tariffs := range p.Tariffs {
			if !fees.ValidYear(year) {
				errs.add(key+".tariffs", "%q is not an academic year", year)
			}
			for code, amount := range tariffs {
				tkey := fmt.Sprintf("%s.tariffs.%s.%s", key, year, code)
				if !allowed[code] {
					errs.add(tkey, "code %s is not allowed for %s", code, p.ID)
				}
				if _, err := money.Parse(amount); err != nil {
					errs.add(tkey, "%v", err)
				}
			}
			for code := range allowed {
				if _, ok := tariffs[code]; !ok {
					errs.add(key+".tariffs."+year, "no tariff for code %s", code)
				}
			}
		}
	}
}

// validateSchedule reads the schedule section as ScheduleRules does and
// reports what schedule's own Validate refuses, under the key of the rule.
func (c *Config) validateSchedule(errs *fieldErrs) {
	rules, retry, bad := c.scheduleRules()
	for _, b := range bad {
		errs.add(b.key, "%v", b.err)
	}
	if len(bad) == 0 {
		var re *schedule.ErrRules
		if err := rules.Validate(); errors.As(err, &re) {
			errs.add("schedule."+re.Rule, "%s", re.Msg)
		}
	}
	var rp *schedule.ErrRetryPolicy
	if err := retry.Validate(); errors.As(err, &rp) {
		errs.add("schedule."+rp.Rule, "%s", rp.Msg)
	}
}

// ScheduleRules are the plan rules and the retry policy of the config, as
// schedule uses them; an error names the key that cannot be read (config
// check, which every command runs first, reports them all).
func (c Config) ScheduleRules() (schedule.Rules, schedule.RetryPolicy, error) {
	rules, retry, bad := c.scheduleRules()
	if len(bad) > 0 {
		return rules, retry, fault.New(fault.Usage, "%s: %v", bad[0].key, bad[0].err).
			WithHint("correct it in the config file; inpctl config check lists every problem")
	}
	return rules, retry, nil
}

type keyErr struct {
	key string
	err error
}

func (c Config) scheduleRules() (schedule.Rules, schedule.RetryPolicy, []keyErr) {
	s := c.Schedule
	var bad []keyErr
	first, err := money.Parse(s.Plans.Five.FirstAmount)
	if err != nil {
		bad = append(bad, keyErr{"schedule.plans.five.first_amount", err})
	}
	min, err := money.Parse(s.Plans.Five.MinTotal)
	if err != nil {
		bad = append(bad, keyErr{"schedule.plans.five.min_total", err})
	}
	return schedule.Rules{FirstAmount5x: first, MinTotal5x: min, DebitDay: s.DebitDay},
		schedule.RetryPolicy{MaxAttempts: s.Retry.MaxAttempts, Gaps: s.Retry.GapsDays}, bad
}

func (c *Config) validateGateway(errs *fieldErrs) {
	g := c.Gateway
	switch g.Kind {
	case "sandbox":
	case "paybox":
		for key, u := range map[string]string{"gateway.paybox.url": g.Paybox.URL, "gateway.paybox.hosted_url": g.Paybox.HostedURL} {
			if pu, err := url.Parse(u); err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
				errs.add(key, "%q is not an http(s) URL", u)
			}
		}
		if g.Paybox.BackupURL != "" {
			if pu, err := url.Parse(g.Paybox.BackupURL); err != nil || pu.Host == "" {
				errs.add("gateway.paybox.backup_url", "%q is not a URL", g.Paybox.BackupURL)
			}
		}
	default:
		errs.add("gateway.kind", "%q is not a gateway kind (sandbox or paybox)", g.Kind)
	}
	if !digits(g.Paybox.Site, 7, 7) {
		errs.add("gateway.paybox.site", "%q is not a 7-digit Paybox site number", g.Paybox.Site)
	}
	if !digits(g.Paybox.Rang, 2, 3) {
		errs.add("gateway.paybox.rang", "%q is not a 2- or 3-digit rang", g.Paybox.Rang)
	}
	if !digits(g.Paybox.Identifiant, 1, 9) {
		errs.add("gateway.paybox.identifiant", "%q is not a Paybox identifiant (1 to 9 digits)", g.Paybox.Identifiant)
	}
	if g.Paybox.Timeout <= 0 || g.Paybox.Timeout > 5*time.Minute {
		errs.add("gateway.paybox.timeout", "must be a duration between 1s and 5m (e.g. 30s)")
	}
	if k := g.Paybox.HMACKey.Reveal(); k != "" && !hexKey(k) {
		// Never echo the value of a secret, not even a wrong one.
		errs.add("gateway.paybox.hmac_key", "is not a hex key of at least 40 hex digits")
	}
	if len(g.Paybox.PublicKeys) == 0 {
		errs.add("gateway.paybox.public_keys", "at least one Paybox public key is needed to verify notifications")
	}
}

// digits reports whether s is from min to max ASCII digits (what ^\d{min,max}$
// matches; compiling those regexps on every Load cost more than the check).
func digits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// hexKey reports whether k is hex digits in pairs, at least 40 of them
// (^([0-9A-Fa-f]{2}){20,}$).
func hexKey(k string) bool {
	if len(k) < 40 || len(k)%2 != 0 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// IsLoopbackURL reports whether u's host is a loopback address or localhost.
func IsLoopbackURL(u string) bool {
	pu, err := url.Parse(u)
	if err != nil {
		return false
	}
	host := pu.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// TestClockAllowed reports whether INPCTL_NOW may be honoured: only with the
// sandbox, or when every Paybox URL that is set (Direct, backup and the
// hosted payment page) is on a loopback address (a test double), never
// with a real Paybox host (SPEC §11): a payment link made with a test
// clock must not send a payer to the real page.
func (c Config) TestClockAllowed() bool {
	if c.Gateway.Kind == "sandbox" {
		return true
	}
	p := c.Gateway.Paybox
	if !IsLoopbackURL(p.URL) {
		return false
	}
	for _, u := range []string{p.BackupURL, p.HostedURL} {
		if u != "" && !IsLoopbackURL(u) {
			return false
		}
	}
	return true
}

// validateSchools checks the schools and fills in the defaults: a config
// without schools has one, its school (school.Default when it names none),
// issuing as the top-level issuer; a config without school works on its
// first school. Each school's issuer, numbering and catalogue are checked
// as the top-level ones are, and no two schools share a document prefix:
// a number must say which school issued it.
func (c *Config) validateSchools(errs *fieldErrs) {
	if len(c.Schools) == 0 {
		code := c.School
		if code == "" {
			code = school.Default
		}
		c.Schools = []School{{Code: code, Name: c.Issuer.Name}}
	}
	if c.School == "" {
		c.School = c.Schools[0].Code
	}
	seen := map[string]bool{}
	// a series' prefix → the school that numbers with it
	type series struct{ what, prefix string }
	prefixes := map[series]string{}
	for i, s := range c.Schools {
		key := fmt.Sprintf("schools[%d]", i)
		if !school.ValidCode(s.Code) {
			errs.add(key+".code", "%q is not a school code (a lower-case letter, then letters, digits or _; at most 31)", s.Code)
		}
		if seen[s.Code] {
			errs.add(key+".code", "%q is listed twice", s.Code)
		}
		seen[s.Code] = true
		sc, err := c.ForSchool(s.Code)
		if err != nil {
			continue
		}
		var sub fieldErrs
		if sc.Issuer.Name == "" {
			sub.add("issuer.name", "must not be empty")
		}
		sc.validateNumbering(&sub)
		if len(s.Catalogue.Codes) > 0 || len(s.Catalogue.Programmes) > 0 {
			sc.validateCatalogue(&sub)
		}
		for _, e := range sub {
			*errs = append(*errs, key+" ("+s.Code+") "+e)
		}
		n := sc.Numbering
		for what, p := range map[string]string{"order": n.OrderPrefix, "invoice": n.InvoicePrefix, "credit_note": n.CreditNotePrefix, "payment": n.PaymentPrefix} {
			if other, ok := prefixes[series{what, p}]; ok && other != s.Code {
				errs.add(key+".numbering."+what+"_prefix", "%q is school %s's too: each school numbers its %ss with a prefix of its own", p, other, strings.ReplaceAll(what, "_", " "))
			}
			prefixes[series{what, p}] = s.Code
		}
	}
	if !seen[c.School] {
		errs.add("school", "%q is none of the schools (%s)", c.School, strings.Join(schoolCodes(c.Schools), ", "))
	}
}

func schoolCodes(ss []School) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Code
	}
	return out
}
