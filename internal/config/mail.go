package config

import (
	"errors"
	"io/fs"
	"net/mail"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/spf13/viper"
)

// Mail configures the e-mail notices to students (issue 19).
type Mail struct {
	Host     string `mapstructure:"host" json:"host" yaml:"host"` // "" = no server: mail send refuses, mail preview works
	Port     int    `mapstructure:"port" json:"port" yaml:"port"`
	From     string `mapstructure:"from" json:"from" yaml:"from"`
	TLS      string `mapstructure:"tls" json:"tls" yaml:"tls"` // starttls, opportunistic, tls or none
	Username string `mapstructure:"username" json:"username" yaml:"username"`
	// PasswordEnv names the environment variable that holds the password;
	// PasswordFile is a file with it, readable only by its owner.
	PasswordEnv    string        `mapstructure:"password_env" json:"password_env" yaml:"password_env"`
	PasswordFile   string        `mapstructure:"password_file" json:"password_file" yaml:"password_file"`
	ConnectTimeout time.Duration `mapstructure:"connect_timeout" json:"connect_timeout" yaml:"connect_timeout"`
	Timeout        time.Duration `mapstructure:"timeout" json:"timeout" yaml:"timeout"`
	MaxAttempts    int           `mapstructure:"max_attempts" json:"max_attempts" yaml:"max_attempts"`
	Templates      string        `mapstructure:"templates" json:"templates" yaml:"templates"`
	// DebitUpcomingDays: a debit_upcoming notice goes this many days before a debit.
	DebitUpcomingDays int      `mapstructure:"debit_upcoming_days" json:"debit_upcoming_days" yaml:"debit_upcoming_days"`
	Signature         []string `mapstructure:"signature" json:"signature" yaml:"signature"`
	Contact           string   `mapstructure:"contact" json:"contact" yaml:"contact"`
	Notices           Notices  `mapstructure:"notices" json:"notices" yaml:"notices"`

	// Password is read from PasswordEnv by Load (never from a file of config).
	Password Secret `mapstructure:"-" json:"-" yaml:"-"`
}

// Notices turns each kind of notice on or off.
type Notices struct {
	PlanApproved    bool `mapstructure:"plan_approved" json:"plan_approved" yaml:"plan_approved"`
	PlanRejected    bool `mapstructure:"plan_rejected" json:"plan_rejected" yaml:"plan_rejected"`
	DebitUpcoming   bool `mapstructure:"debit_upcoming" json:"debit_upcoming" yaml:"debit_upcoming"`
	DebitFailed     bool `mapstructure:"debit_failed" json:"debit_failed" yaml:"debit_failed"`
	OrderBlocked    bool `mapstructure:"order_blocked" json:"order_blocked" yaml:"order_blocked"`
	PaymentReceived bool `mapstructure:"payment_received" json:"payment_received" yaml:"payment_received"`
	CreditNote      bool `mapstructure:"credit_note" json:"credit_note" yaml:"credit_note"`
	Refund          bool `mapstructure:"refund" json:"refund" yaml:"refund"`
	Exemption       bool `mapstructure:"exemption" json:"exemption" yaml:"exemption"`
}

// On reports whether notices of kind are sent.
func (n Notices) On(kind string) bool {
	return map[string]bool{"plan_approved": n.PlanApproved, "plan_rejected": n.PlanRejected, "debit_upcoming": n.DebitUpcoming,
		"debit_failed": n.DebitFailed, "order_blocked": n.OrderBlocked, "payment_received": n.PaymentReceived,
		"credit_note": n.CreditNote, "refund": n.Refund, "exemption": n.Exemption}[kind]
}

// setMailDefaults gives the mail section its defaults, so that a config
// file written before it (with no mail: section) still loads: no server,
// every notice on.
func setMailDefaults(v *viper.Viper) {
	for k, val := range map[string]any{"port": 587, "tls": "starttls", "password_env": defaultPasswordEnv, "connect_timeout": "10s",
		"timeout": "60s", "max_attempts": 10, "debit_upcoming_days": 3,
		"signature": []string{"Le service des affaires financières", "Clermont Auvergne INP"}} {
		v.SetDefault("mail."+k, val)
	}
	for _, k := range []string{"plan_approved", "plan_rejected", "debit_upcoming", "debit_failed", "order_blocked", "payment_received", "credit_note", "refund", "exemption"} {
		v.SetDefault("mail.notices."+k, true)
	}
}

// defaultPasswordEnv is where the SMTP password is looked for by default.
const defaultPasswordEnv = "INPCTL_MAIL_PASSWORD"

// mailPasswordEnv is the variable mail.password_env names (after the
// environment's own override of that key): it is a secret, not a key.
func mailPasswordEnv(v *viper.Viper, environ []string) string {
	if e := lookupEnv(environ, "INPCTL_MAIL_PASSWORD_ENV"); e != "" {
		return e
	}
	if e := v.GetString("mail.password_env"); e != "" {
		return e
	}
	return defaultPasswordEnv
}

func lookupEnv(environ []string, name string) string {
	if name == "" {
		return ""
	}
	for _, kv := range environ {
		if k, val, ok := strings.Cut(kv, "="); ok && k == name {
			return val
		}
	}
	return ""
}

func (c *Config) validateMail(errs *fieldErrs) {
	m := c.Mail
	if m.Host != "" || m.From != "" {
		if a, err := mail.ParseAddress(m.From); err != nil || !strings.Contains(a.Address, "@") {
			errs.add("mail.from", "%q is not an e-mail address (e.g. \"Affaires financières <finances@example.org>\")", m.From)
		}
	}
	if m.Port < 1 || m.Port > 65535 {
		errs.add("mail.port", "must be a TCP port from 1 to 65535, got %d", m.Port)
	}
	switch m.TLS {
	case "starttls", "opportunistic", "tls", "none":
	default:
		errs.add("mail.tls", "%q is not a TLS policy (starttls, opportunistic, tls or none)", m.TLS)
	}
	if m.ConnectTimeout < time.Second || m.ConnectTimeout > 5*time.Minute {
		errs.add("mail.connect_timeout", "must be a duration between 1s and 5m (e.g. 10s)")
	}
	if m.Timeout < time.Second || m.Timeout > 10*time.Minute {
		errs.add("mail.timeout", "must be a duration between 1s and 10m (e.g. 60s)")
	}
	if m.MaxAttempts < 1 || m.MaxAttempts > 50 {
		errs.add("mail.max_attempts", "must be from 1 to 50, got %d", m.MaxAttempts)
	}
	if m.DebitUpcomingDays < 1 || m.DebitUpcomingDays > 28 {
		errs.add("mail.debit_upcoming_days", "must be from 1 to 28 days, got %d", m.DebitUpcomingDays)
	}
	if m.Templates != "" {
		if fi, err := os.Stat(m.Templates); err != nil || !fi.IsDir() {
			errs.add("mail.templates", "%q is not a folder", m.Templates)
		}
	}
	if m.PasswordEnv != "" && strings.ContainsAny(m.PasswordEnv, "= ") {
		errs.add("mail.password_env", "%q is not an environment variable name", m.PasswordEnv)
	}
	if m.Username == "" && m.PasswordFile != "" {
		errs.add("mail.password_file", "is set but mail.username is empty: AUTH needs both")
	}
}

// MailPassword returns the SMTP password: from the variable mail.password_env
// names, else from mail.password_file, which must be a regular file owned
// by the user running inpctl and readable by no one else. "" when AUTH is
// not configured (no username).
func (c Config) MailPassword() (string, error) {
	m := c.Mail
	if m.Username == "" {
		return "", nil
	}
	if p := m.Password.Reveal(); p != "" {
		return p, nil
	}
	if m.PasswordFile == "" {
		return "", fault.New(fault.Usage, "mail.username is set but no SMTP password was given").
			WithHint("set %s, or mail.password_file (chmod 600)", orDefault(m.PasswordEnv, defaultPasswordEnv))
	}
	fi, err := os.Stat(m.PasswordFile)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fault.New(fault.Usage, "mail.password_file %s does not exist", m.PasswordFile)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); err == nil && ok && int(st.Uid) != os.Getuid() {
		return "", fault.New(fault.Usage, "mail.password_file %s is not owned by the user running inpctl", m.PasswordFile).
			WithHint("chown it to this user and chmod 600 %s", m.PasswordFile)
	}
	b, err := readPrivateFile(m.PasswordFile, "mail.password_file")
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
