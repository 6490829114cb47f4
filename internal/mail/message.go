package mail

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"
)

// Message is one e-mail ready for a transport: addresses, the rendered
// notice, a stable Message-ID and the attached documents.
type Message struct {
	From        string // "Name <address>" or an address
	To          string // the student's address
	ToName      string
	Subject     string
	Text, HTML  string
	MessageID   string // without the angle brackets
	Date        time.Time
	Attachments []Attachment
}

// Attachment is one attached file.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// MessageID derives a notice's Message-ID from its outbox key and the
// sender's domain: the same notice always has the same one, so a message
// sent twice (a crash between the server's answer and the commit) is a
// duplicate that mail readers recognise, never a second notice.
func MessageID(key, from string) string {
	sum := sha256.Sum256([]byte(key))
	domain := "inpctl.invalid"
	if a, err := netmail.ParseAddress(from); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok && d != "" {
			domain = d
		}
	}
	return "notice." + hex.EncodeToString(sum[:16]) + "@" + domain
}

// CheckAddress says why s is not an address a notice can go to, or nil.
// A bare address is wanted (the import's e-mail column): a local part,
// an @, and a domain with a dot.
func CheckAddress(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return fmt.Errorf("no e-mail address")
	}
	a, err := netmail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return fmt.Errorf("%q is not an e-mail address", s)
	}
	local, domain, _ := strings.Cut(a.Address, "@")
	if local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.ContainsAny(domain, "[]") {
		return fmt.Errorf("%q is not an e-mail address", s)
	}
	return nil
}
