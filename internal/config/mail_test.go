package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
)

func TestMailDefaults(t *testing.T) {
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	m := c.Mail
	if m.Host != "" || m.Port != 587 || m.TLS != "starttls" || m.DebitUpcomingDays != 3 || m.ConnectTimeout != 10*time.Second ||
		m.PasswordEnv != "INPCTL_MAIL_PASSWORD" || len(m.Signature) != 2 {
		t.Fatalf("mail defaults: %+v", m)
	}
	for _, k := range []string{"plan_approved", "plan_rejected", "debit_upcoming", "debit_failed", "order_blocked", "payment_received", "credit_note", "refund", "exemption"} {
		if !m.Notices.On(k) {
			t.Errorf("notices.%s is off by default", k)
		}
	}
	if m.Notices.On("newsletter") {
		t.Error("an unknown kind is on")
	}
}

// A config file written before the mail section still loads, with its
// defaults: no server, every notice on.
func TestMailSectionOptional(t *testing.T) {
	base, _ := os.ReadFile("../../config.example.yaml")
	body, _, _ := strings.Cut(string(base), "\n# E-mail notices to students")
	c, err := Load(writeConfig(t, body, 0o600), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Mail.Host != "" || c.Mail.Port != 587 || c.Mail.TLS != "starttls" || !c.Mail.Notices.On("refund") || c.Mail.DebitUpcomingDays != 3 {
		t.Fatalf("defaults of a file without mail: %+v", c.Mail)
	}
}

func TestMailValidation(t *testing.T) {
	for env, want := range map[string]string{
		"INPCTL_MAIL_TLS=ssl":                  "mail.tls",
		"INPCTL_MAIL_PORT=0":                   "mail.port",
		"INPCTL_MAIL_FROM=nobody":              "mail.from",
		"INPCTL_MAIL_TIMEOUT=0s":               "mail.timeout",
		"INPCTL_MAIL_DEBIT_UPCOMING_DAYS=0":    "mail.debit_upcoming_days",
		"INPCTL_MAIL_TEMPLATES=/no/such/dir":   "mail.templates",
		"INPCTL_MAIL_NOTICES_REFUND=sometimes": "mail.notices.refund",
	} {
		_, err := Load("", []string{env})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: want an error naming %s, got %v", env, want, err)
		}
	}
	c, err := Load("", []string{"INPCTL_MAIL_NOTICES_REFUND=false", "INPCTL_MAIL_HOST=smtp.example.org"})
	if err != nil || c.Mail.Notices.On("refund") || c.Mail.Host != "smtp.example.org" {
		t.Fatalf("override: %v %+v", err, c.Mail)
	}
}

// The password comes from the variable password_env names (not a config
// key, so not refused as one), or from a private file; never printed.
func TestMailPassword(t *testing.T) {
	c, err := Load("", []string{"INPCTL_MAIL_USERNAME=inpctl", "INPCTL_MAIL_PASSWORD=s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := c.MailPassword(); err != nil || p != "s3cret" || c.Mail.Password.String() != "***" {
		t.Fatalf("from the environment: %q %v", p, err)
	}
	c, err = Load("", []string{"INPCTL_MAIL_USERNAME=inpctl", "INPCTL_MAIL_PASSWORD_ENV=SMTP_PASS", "SMTP_PASS=other"})
	if p, _ := c.MailPassword(); err != nil || p != "other" {
		t.Fatalf("from a named variable: %q %v", p, err)
	}
	c, _ = Load("", []string{"INPCTL_MAIL_USERNAME=inpctl"})
	if _, err := c.MailPassword(); fault.KindOf(err) != fault.Usage {
		t.Fatalf("no password: %v", err)
	}
	file := filepath.Join(t.TempDir(), "smtp-password")
	os.WriteFile(file, []byte("from-file\n"), 0o644)
	c, err = Load("", []string{"INPCTL_MAIL_USERNAME=inpctl", "INPCTL_MAIL_PASSWORD_FILE=" + file})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.MailPassword(); err == nil || !strings.Contains(err.Error(), "readable by other users") {
		t.Fatalf("a 0644 file: %v", err)
	}
	os.Chmod(file, 0o600)
	if p, err := c.MailPassword(); err != nil || p != "from-file" {
		t.Fatalf("a 0600 file: %q %v", p, err)
	}
	if os.Getuid() == 0 { // only root can give a file to someone else
		os.Chown(file, 65534, 65534)
		if _, err := c.MailPassword(); err == nil || !strings.Contains(err.Error(), "not owned by the user") {
			t.Fatalf("a file of another user: %v", err)
		}
	}
	if c, _ := Load("", nil); func() string { p, _ := c.MailPassword(); return p }() != "" {
		t.Fatal("no username: no password is read")
	}
}
