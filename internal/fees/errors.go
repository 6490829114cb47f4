package fees

import (
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
)

// Every error type below unwraps to a *fault.Error that carries only its
// Kind and Hint, so that fault.KindOf and fault.HintOf classify it (and cli
// picks the exit status) while errors.As still finds the precise type. Each
// dossier rule has its own type carrying the student, the code and what
// would be accepted.
func classify(k fault.Kind, hint string) error { return &fault.Error{Kind: k, Hint: hint} }

// who prefixes a message with the student it is about, when there is one.
func who(studentID string) string {
	if studentID == "" {
		return ""
	}
	return "student " + studentID + ": "
}

// ErrUnknownCode is returned for a code that is not in the catalogue.
type ErrUnknownCode struct {
	StudentID, Code string
	Known           []string // the codes of the catalogue
}

// Error returns the message.
func (e *ErrUnknownCode) Error() string {
	return fmt.Sprintf("%scode %s is not a fee code; known codes: %s", who(e.StudentID), e.Code, strings.Join(e.Known, ", "))
}

// Unwrap classifies e as a usage error (a bad argument).
func (e *ErrUnknownCode) Unwrap() error {
	return classify(fault.Usage, "inpctl fees list shows the codes")
}

// ErrUnknownProgramme is returned for a programme that is not in the catalogue.
type ErrUnknownProgramme struct {
	StudentID, Programme string
	Known                []string // the programmes of the catalogue
}

// Error returns the message.
func (e *ErrUnknownProgramme) Error() string {
	return fmt.Sprintf("%sprogramme %s is not in the fee catalogue; known programmes: %s",
		who(e.StudentID), e.Programme, strings.Join(e.Known, ", "))
}

// Unwrap classifies e as not found.
func (e *ErrUnknownProgramme) Unwrap() error { return classify(fault.NotFound, "") }

// ErrCodeNotAllowed refuses a code the student's programme does not allow.
type ErrCodeNotAllowed struct {
	StudentID, Code, Programme string
	Allowed                    []string // the codes the programme allows
}

// Error returns the message.
func (e *ErrCodeNotAllowed) Error() string {
	return fmt.Sprintf("%scode %s is not allowed for %s; allowed codes: %s",
		who(e.StudentID), e.Code, e.Programme, strings.Join(e.Allowed, ", "))
}

// Unwrap classifies e as a refusal by a business rule.
func (e *ErrCodeNotAllowed) Unwrap() error { return classify(fault.Conflict, "") }

// ErrProgrammeFixed refuses a programme change for a student whose dossier
// of the year already has a fee code.
type ErrProgrammeFixed struct {
	StudentID, Year, Code string
	From, To              string // the stored programme, the one asked for
}

// Error returns the message.
func (e *ErrProgrammeFixed) Error() string {
	return fmt.Sprintf("programme: student %s has fee code %s for %s in %s; changing the programme to %s would change what they owe",
		e.StudentID, e.Code, e.Year, e.From, e.To)
}

// Unwrap classifies e as a refusal by a business rule.
func (e *ErrProgrammeFixed) Unwrap() error {
	return classify(fault.Conflict, "change the fee code first (inpctl dossier set-code) or keep the programme")
}

// ErrApprenticeCode refuses any code but 01 for an apprentice.
type ErrApprenticeCode struct {
	StudentID, Code string
	Want, WantLabel string // the code apprentices must use: 01
}

// Error returns the message.
func (e *ErrApprenticeCode) Error() string {
	return fmt.Sprintf("%scode %s is refused for an apprentice; apprentices must use code %s (%s)",
		who(e.StudentID), e.Code, e.Want, e.WantLabel)
}

// Unwrap classifies e as a refusal by a business rule.
func (e *ErrApprenticeCode) Unwrap() error { return classify(fault.Conflict, "") }

// ErrReasonRequired refuses to change the code of a validated dossier
// without a reason.
type ErrReasonRequired struct {
	StudentID, Code string
	Current         string // the validated code
}

// Error returns the message.
func (e *ErrReasonRequired) Error() string {
	return fmt.Sprintf("%sdossier is validated with code %s; changing it to %s needs a reason (--reason)",
		who(e.StudentID), e.Current, e.Code)
}

// Unwrap classifies e as a refusal, with a hint.
func (e *ErrReasonRequired) Unwrap() error {
	return classify(fault.Conflict, fmt.Sprintf("inpctl dossier set-code %s %s --reason TEXT", e.StudentID, e.Code))
}

// ErrRejectReason refuses to reject a dossier without a reason.
type ErrRejectReason struct{ StudentID, Code string }

// Error returns the message.
func (e *ErrRejectReason) Error() string {
	return fmt.Sprintf("%srejecting the dossier (code %s) needs a reason (--reason)", who(e.StudentID), e.Code)
}

// Unwrap classifies e as a usage error (a missing flag).
func (e *ErrRejectReason) Unwrap() error {
	return classify(fault.Usage, fmt.Sprintf("inpctl dossier reject %s --reason TEXT", e.StudentID))
}

// ErrBadStatus refuses an action the dossier's status does not allow.
type ErrBadStatus struct {
	StudentID, Code string
	Status          DossierStatus // what the dossier is
	Want            DossierStatus // what it must be for the action
	Action          string        // past participle: "validated", "rejected"
}

// Error returns the message.
func (e *ErrBadStatus) Error() string {
	return fmt.Sprintf("%sdossier is %s; only a %s dossier can be %s", who(e.StudentID), e.Status, e.Want, e.Action)
}

// Unwrap classifies e as a conflict, with a hint for the usual cases.
func (e *ErrBadStatus) Unwrap() error {
	hint := ""
	switch e.Status {
	case DossierPending, DossierRejected:
		hint = fmt.Sprintf("declare a code first: inpctl dossier set-code %s CODE", e.StudentID)
	case DossierValidated:
		hint = fmt.Sprintf("to change its code: inpctl dossier set-code %s CODE --reason TEXT", e.StudentID)
	}
	return classify(fault.Conflict, hint)
}

// ErrProofRequired refuses to validate a code that needs a supporting
// document when none was recorded.
type ErrProofRequired struct{ StudentID, Code, Label string }

// Error returns the message.
func (e *ErrProofRequired) Error() string {
	return fmt.Sprintf("%scode %s (%s) needs a proof before validation; record it with --proof",
		who(e.StudentID), e.Code, e.Label)
}

// Unwrap classifies e as a refusal, with a hint.
func (e *ErrProofRequired) Unwrap() error {
	return classify(fault.Conflict, fmt.Sprintf("inpctl dossier set-code %s %s --proof TEXT", e.StudentID, e.Code))
}

// ErrExtraEUCode refuses to validate any code but 05 for an extra-EU
// student (not on exchange) in a diploma programme.
type ErrExtraEUCode struct {
	StudentID, Code, Programme string
	Want, WantLabel            string // 05 and its label
}

// Error returns the message.
func (e *ErrExtraEUCode) Error() string {
	return fmt.Sprintf("%scode %s cannot be validated: an extra-EU student in the diploma programme %s must use code %s (%s)",
		who(e.StudentID), e.Code, e.Programme, e.Want, e.WantLabel)
}

// Unwrap classifies e as a refusal, with a hint.
func (e *ErrExtraEUCode) Unwrap() error {
	return classify(fault.Conflict, fmt.Sprintf("inpctl dossier set-code %s %s", e.StudentID, e.Want))
}

// ErrDossierTransition refuses a status change the dossier state machine
// does not allow.
type ErrDossierTransition struct{ From, To DossierStatus }

// Error returns the message.
func (e *ErrDossierTransition) Error() string {
	if e.From == e.To {
		return fmt.Sprintf("the dossier is already %s", e.From)
	}
	return fmt.Sprintf("a dossier that is %s cannot become %s", e.From, e.To)
}

// Unwrap classifies e as a conflict.
func (e *ErrDossierTransition) Unwrap() error { return classify(fault.Conflict, "") }

// ErrUnknownStatus is returned for a dossier status outside the state
// machine (a bug or a corrupt row, never user input).
type ErrUnknownStatus struct{ Status DossierStatus }

// Error returns the message.
func (e *ErrUnknownStatus) Error() string {
	return fmt.Sprintf("%q is not a dossier status", string(e.Status))
}

// Unwrap classifies e as an unexpected failure.
func (e *ErrUnknownStatus) Unwrap() error { return classify(fault.Failure, "") }

// ErrNoTariff is returned when a programme has no tariff for a code in an
// academic year.
type ErrNoTariff struct {
	Programme, Year, Code string
	Years                 []string // the years the programme has tariffs for
}

// Error returns the message.
func (e *ErrNoTariff) Error() string {
	known := strings.Join(e.Years, ", ")
	if known == "" {
		known = "none"
	}
	return fmt.Sprintf("no tariff for code %s in %s for %s; years with tariffs: %s", e.Code, e.Programme, e.Year, known)
}

// Unwrap classifies e as not found.
func (e *ErrNoTariff) Unwrap() error { return classify(fault.NotFound, "") }

// ErrCatalogue lists what is wrong with a catalogue.
type ErrCatalogue struct{ Problems []string }

// Error returns the message.
func (e *ErrCatalogue) Error() string {
	return "invalid fee catalogue: " + strings.Join(e.Problems, "; ")
}

// Unwrap classifies e as a usage (configuration) error.
func (e *ErrCatalogue) Unwrap() error { return classify(fault.Usage, "") }
