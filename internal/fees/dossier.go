package fees

import "strings"

// DossierStatus is where a student's dossier stands for one academic year.
type DossierStatus string

// The dossier statuses of SPEC §3.
const (
	DossierPending   DossierStatus = "pending"   // imported, no code yet
	DossierDeclared  DossierStatus = "declared"  // a code is set, not yet checked
	DossierValidated DossierStatus = "validated" // code checked against the documents
	DossierRejected  DossierStatus = "rejected"  // refused; a new code may be declared
)

// DossierStatuses returns every dossier status.
func DossierStatuses() []DossierStatus {
	return []DossierStatus{DossierPending, DossierDeclared, DossierValidated, DossierRejected}
}

// Facts is what the dossier rules need to know about a student and their
// dossier.
type Facts struct {
	StudentID  string
	Programme  string // programme id, e.g. ING-GC-3A
	Apprentice bool   // under an apprenticeship contract (also implied by the programme)
	ExtraEU    bool   // national of a country outside the European Union
	Exchange   bool   // incoming exchange student under a convention
	Proof      string // reference of the supporting document, "" if none
	Status     DossierStatus
	Code       string // the code currently on the dossier, "" if none
}

var dossierNext = map[DossierStatus][]DossierStatus{
	DossierPending:  {DossierDeclared},
	DossierDeclared: {DossierDeclared, DossierValidated, DossierRejected},
	// A validated dossier whose code changes (with a reason) is declared
	// again and must be validated again.
	DossierValidated: {DossierDeclared},
	DossierRejected:  {DossierDeclared},
}

// CheckDossierTransition is the dossier state machine: it returns nil when
// a dossier may go from one status to the other, an *ErrDossierTransition
// otherwise.
//
//	pending   → declared
//	declared  → declared (new code) | validated | rejected
//	validated → declared (code changed, with a reason)
//	rejected  → declared (new code)
func CheckDossierTransition(from, to DossierStatus) error {
	for _, s := range []DossierStatus{from, to} {
		if _, ok := dossierNext[s]; !ok {
			return &ErrUnknownStatus{Status: s}
		}
	}
	for _, s := range dossierNext[from] {
		if s == to {
			return nil
		}
	}
	return &ErrDossierTransition{From: from, To: to}
}

// CheckDeclare says whether the student may declare code (dossier set-code).
// It refuses an unknown code (*ErrUnknownCode) or programme
// (*ErrUnknownProgramme), any code but 01 for an apprentice
// (*ErrApprenticeCode), a code the programme does not allow
// (*ErrCodeNotAllowed), and a change of code on a validated dossier without
// a reason (*ErrReasonRequired). A pending, declared or rejected dossier can
// be (re)declared freely, and re-declaring the validated code is a no-op.
// An extra-EU student may declare a code other than 05: that is refused at
// validation, as in the seed.
func CheckDeclare(c Catalogue, f Facts, code string, reason string) error {
	if _, ok := dossierNext[f.Status]; !ok {
		return &ErrUnknownStatus{Status: f.Status}
	}
	if _, err := checkCode(c, f, code); err != nil {
		return err
	}
	if f.Status == DossierValidated && code != f.Code && strings.TrimSpace(reason) == "" {
		return &ErrReasonRequired{StudentID: f.StudentID, Code: code, Current: f.Code}
	}
	return nil
}

// CheckProgrammeChange says whether a student's programme may go from
// `from` to `to` in an import, given code, the fee code on their dossier of
// the year ("" if none): once a code is set the programme is fixed, since
// the code was chosen for it and a new programme would change what they owe
// (*ErrProgrammeFixed). Changing the code first (dossier set-code) or
// keeping the programme is the way out.
func CheckProgrammeChange(studentID, year, from, to, code string) error {
	if from == to || code == "" {
		return nil
	}
	return &ErrProgrammeFixed{StudentID: studentID, Year: year, Code: code, From: from, To: to}
}

// CheckValidate says whether the student's dossier may be validated with
// code. The dossier must be declared (*ErrBadStatus); the code rules of
// CheckDeclare apply again (the catalogue may have changed); an extra-EU
// student who is not on exchange, in a diploma programme, must use 05
// (*ErrExtraEUCode); and a code that needs a proof needs one
// (*ErrProofRequired). Apprentices are exempt from the 05 rule: they must
// use 01, whatever their nationality.
func CheckValidate(c Catalogue, f Facts, code string) error {
	if f.Status != DossierDeclared {
		if _, ok := dossierNext[f.Status]; !ok {
			return &ErrUnknownStatus{Status: f.Status}
		}
		return &ErrBadStatus{StudentID: f.StudentID, Code: code, Status: f.Status, Want: DossierDeclared, Action: "validated"}
	}
	p, err := checkCode(c, f, code)
	if err != nil {
		return err
	}
	if f.ExtraEU && !f.Exchange && p.Diploma && !isApprentice(f, p) && code != CodeExtraEU {
		return &ErrExtraEUCode{StudentID: f.StudentID, Code: code, Programme: p.ID,
			Want: CodeExtraEU, WantLabel: label(c, CodeExtraEU)}
	}
	if c.Codes[code].NeedsProof && strings.TrimSpace(f.Proof) == "" {
		return &ErrProofRequired{StudentID: f.StudentID, Code: code, Label: label(c, code)}
	}
	return nil
}

// CheckReject says whether the student's dossier may be rejected: only a
// declared dossier can be (a validated one must have its code changed with
// dossier set-code --reason instead), and a reason is required
// (*ErrBadStatus, *ErrRejectReason).
func CheckReject(f Facts, reason string) error {
	if f.Status != DossierDeclared {
		if _, ok := dossierNext[f.Status]; !ok {
			return &ErrUnknownStatus{Status: f.Status}
		}
		return &ErrBadStatus{StudentID: f.StudentID, Code: f.Code, Status: f.Status, Want: DossierDeclared, Action: "rejected"}
	}
	if strings.TrimSpace(reason) == "" {
		return &ErrRejectReason{StudentID: f.StudentID, Code: f.Code}
	}
	return nil
}

// checkCode applies the rules on the code itself, in the order that gives
// the most useful message: the code and programme exist, an apprentice uses
// 01, the programme allows the code.
func checkCode(c Catalogue, f Facts, code string) (Programme, error) {
	if _, ok := c.Codes[code]; !ok {
		return Programme{}, &ErrUnknownCode{StudentID: f.StudentID, Code: code, Known: c.CodeIDs()}
	}
	p, ok := c.Programmes[f.Programme]
	if !ok {
		return Programme{}, &ErrUnknownProgramme{StudentID: f.StudentID, Programme: f.Programme, Known: c.ProgrammeIDs()}
	}
	if isApprentice(f, p) && code != CodeForApprentice {
		return p, &ErrApprenticeCode{StudentID: f.StudentID, Code: code,
			Want: CodeForApprentice, WantLabel: label(c, CodeForApprentice)}
	}
	if !p.Allows(code) {
		return p, &ErrCodeNotAllowed{StudentID: f.StudentID, Code: code, Programme: p.ID, Allowed: p.Codes}
	}
	return p, nil
}

func isApprentice(f Facts, p Programme) bool { return f.Apprentice || p.Apprenticeship }

// label returns the label of code, or the code itself if the catalogue
// lacks it.
func label(c Catalogue, code string) string {
	if l := c.Codes[code].Label; l != "" {
		return l
	}
	return code
}
