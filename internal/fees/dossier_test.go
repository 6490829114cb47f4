package fees

import (
	"errors"
	"reflect"
	"testing"

	"github.com/inpctl/inpctl/internal/fault"
)

func isType[T error](err error) bool {
	var e T
	return errors.As(err, &e)
}

const (
	labelExtraEU = "Etudiants internationaux extra-communautaires en formation diplômante"
	allCodes     = "01, 02, 05, 07, 08, 14, 20, 25, 42, 43"
)

func facts(programme string, status DossierStatus) Facts {
	return Facts{StudentID: "22104567", Programme: programme, Status: status}
}

type ruleCase struct {
	name  string
	f     Facts
	code  string
	arg   string // reason for CheckDeclare and CheckReject
	want  string // "" = allowed
	check func(error) bool
	kind  fault.Kind
}

func runRules(t *testing.T, tests []ruleCase, fn func(Facts, string, string) error) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := fn(tt.f, tt.code, tt.arg)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("allowed, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("message\n got %q\nwant %q", err, tt.want)
			}
			if !tt.check(err) {
				t.Errorf("error type %T", err)
			}
			if got := fault.KindOf(err); got != tt.kind {
				t.Errorf("kind %v, want %v", got, tt.kind)
			}
		})
	}
}

func TestCheckDeclare(t *testing.T) {
	apprentice := facts("ING-GC-3A", DossierPending)
	apprentice.Apprentice = true
	extraEU := facts("ING-GC-3A", DossierPending)
	extraEU.ExtraEU = true
	validated := facts("ING-GC-3A", DossierValidated)
	validated.Code = "01"
	tests := []ruleCase{
		{name: "non-boursier 3A", f: facts("ING-GC-3A", DossierPending), code: "01"},
		{name: "boursier without proof: declaring is fine", f: facts("ING-GC-3A", DossierPending), code: "02"},
		{name: "re-declare a declared dossier", f: facts("ING-GC-3A", DossierDeclared), code: "14"},
		{name: "re-declare a rejected dossier", f: facts("ING-GC-3A", DossierRejected), code: "02"},
		{name: "extra-EU declares 01", f: extraEU, code: "01"},
		{name: "extra-EU declares 05", f: extraEU, code: "05"},
		{name: "5A declares 08", f: facts("ING-GC-5A", DossierPending), code: "08"},
		{name: "apprentice in the apprenticeship programme", f: facts("ING-GE-APP-3A", DossierPending), code: "01"},
		{name: "validated, same code again", f: validated, code: "01"},
		{name: "validated, new code with a reason", f: validated, code: "02", arg: "bourse obtenue en octobre"},
		{
			name: "code the programme does not allow", f: facts("ING-GC-3A", DossierPending), code: "08",
			want:  "student 22104567: code 08 is not allowed for ING-GC-3A; allowed codes: 01, 02, 05, 07, 14",
			check: isType[*ErrCodeNotAllowed], kind: fault.Conflict,
		},
		{
			name: "master code in an engineering programme", f: facts("ING-INFO-3A", DossierPending), code: "42",
			want:  "student 22104567: code 42 is not allowed for ING-INFO-3A; allowed codes: 01, 02, 05, 07, 14",
			check: isType[*ErrCodeNotAllowed], kind: fault.Conflict,
		},
		{
			name: "unknown code", f: facts("ING-GC-3A", DossierPending), code: "99",
			want:  "student 22104567: code 99 is not a fee code; known codes: " + allCodes,
			check: isType[*ErrUnknownCode], kind: fault.Usage,
		},
		{
			name: "unknown programme", f: facts("ING-XX-9A", DossierPending), code: "01",
			want:  "student 22104567: programme ING-XX-9A is not in the fee catalogue; known programmes: FC-EXAMPLE, ING-GC-3A, ING-GC-4A, ING-GC-5A, ING-GE-APP-3A, ING-INFO-3A, MS-EXAMPLE",
			check: isType[*ErrUnknownProgramme], kind: fault.NotFound,
		},
		{
			name: "apprentice tries 02", f: apprentice, code: "02",
			want:  "student 22104567: code 02 is refused for an apprentice; apprentices must use code 01 (Etudiant non boursier)",
			check: isType[*ErrApprenticeCode], kind: fault.Conflict,
		},
		{
			name: "apprenticeship programme implies apprentice", f: facts("ING-GE-APP-3A", DossierDeclared), code: "02",
			want:  "student 22104567: code 02 is refused for an apprentice; apprentices must use code 01 (Etudiant non boursier)",
			check: isType[*ErrApprenticeCode], kind: fault.Conflict,
		},
		{
			name: "validated, new code without a reason", f: validated, code: "02", arg: "  ",
			want:  "student 22104567: dossier is validated with code 01; changing it to 02 needs a reason (--reason)",
			check: isType[*ErrReasonRequired], kind: fault.Conflict,
		},
		{
			name: "unknown status", f: facts("ING-GC-3A", "archived"), code: "01",
			want: `"archived" is not a dossier status`, check: isType[*ErrUnknownStatus], kind: fault.Failure,
		},
	}
	c := ExampleCatalogue()
	runRules(t, tests, func(f Facts, code, reason string) error { return CheckDeclare(c, f, code, reason) })
}

func TestCheckValidate(t *testing.T) {
	withProof := func(f Facts, proof string) Facts { f.Proof = proof; return f }
	declared := facts("ING-GC-3A", DossierDeclared)
	extraEU := declared
	extraEU.ExtraEU = true
	exchange := extraEU
	exchange.Exchange = true
	extraEUMaster := facts("MS-EXAMPLE", DossierDeclared)
	extraEUMaster.ExtraEU = true
	extraEUApprentice := facts("ING-GE-APP-3A", DossierDeclared)
	extraEUApprentice.ExtraEU = true
	apprentice := declared
	apprentice.Apprentice = true
	tests := []ruleCase{
		{name: "non-boursier 3A", f: declared, code: "01"},
		{name: "boursier with proof", f: withProof(declared, "attestation CROUS 2025"), code: "02"},
		{name: "extra-EU with 05", f: extraEU, code: "05"},
		{name: "exchange extra-EU with 07 and a convention", f: withProof(exchange, "convention Erasmus+ 2025"), code: "07"},
		{name: "5A with 08 and a contract", f: withProof(facts("ING-GC-5A", DossierDeclared), "contrat signé 2025-09-01"), code: "08"},
		{name: "extra-EU in a mastère spécialisé", f: extraEUMaster, code: "43"},
		{name: "extra-EU apprentice uses 01", f: extraEUApprentice, code: "01"},
		{name: "césure", f: declared, code: "14"},
		{
			name: "boursier without proof", f: declared, code: "02",
			want:  "student 22104567: code 02 (Etudiant Boursier) needs a proof before validation; record it with --proof",
			check: isType[*ErrProofRequired], kind: fault.Conflict,
		},
		{
			name: "blank proof", f: withProof(declared, " "), code: "02",
			want:  "student 22104567: code 02 (Etudiant Boursier) needs a proof before validation; record it with --proof",
			check: isType[*ErrProofRequired], kind: fault.Conflict,
		},
		{
			name: "5A with 08 and no contract", f: facts("ING-GC-5A", DossierDeclared), code: "08",
			want:  "student 22104567: code 08 (Etudiants de 3ème Année ayant signé un contrat de professionnalisation) needs a proof before validation; record it with --proof",
			check: isType[*ErrProofRequired], kind: fault.Conflict,
		},
		{
			name: "extra-EU with 01", f: extraEU, code: "01",
			want:  "student 22104567: code 01 cannot be validated: an extra-EU student in the diploma programme ING-GC-3A must use code 05 (" + labelExtraEU + ")",
			check: isType[*ErrExtraEUCode], kind: fault.Conflict,
		},
		{
			name: "extra-EU with 02 and a proof", f: withProof(extraEU, "attestation"), code: "02",
			want:  "student 22104567: code 02 cannot be validated: an extra-EU student in the diploma programme ING-GC-3A must use code 05 (" + labelExtraEU + ")",
			check: isType[*ErrExtraEUCode], kind: fault.Conflict,
		},
		{
			name: "pending", f: facts("ING-GC-3A", DossierPending), code: "01",
			want:  "student 22104567: dossier is pending; only a declared dossier can be validated",
			check: isType[*ErrBadStatus], kind: fault.Conflict,
		},
		{
			name: "already validated", f: facts("ING-GC-3A", DossierValidated), code: "01",
			want:  "student 22104567: dossier is validated; only a declared dossier can be validated",
			check: isType[*ErrBadStatus], kind: fault.Conflict,
		},
		{
			name: "apprentice with 02", f: withProof(apprentice, "attestation"), code: "02",
			want:  "student 22104567: code 02 is refused for an apprentice; apprentices must use code 01 (Etudiant non boursier)",
			check: isType[*ErrApprenticeCode], kind: fault.Conflict,
		},
		{
			name: "code no longer allowed", f: declared, code: "08",
			want:  "student 22104567: code 08 is not allowed for ING-GC-3A; allowed codes: 01, 02, 05, 07, 14",
			check: isType[*ErrCodeNotAllowed], kind: fault.Conflict,
		},
	}
	c := ExampleCatalogue()
	runRules(t, tests, func(f Facts, code, _ string) error { return CheckValidate(c, f, code) })
}

func TestCheckReject(t *testing.T) {
	declared := facts("ING-GC-3A", DossierDeclared)
	declared.Code = "02"
	validated := declared
	validated.Status = DossierValidated
	tests := []ruleCase{
		{name: "declared with a reason", f: declared, arg: "attestation illisible"},
		{
			name: "declared without a reason", f: declared, arg: " ",
			want:  "student 22104567: rejecting the dossier (code 02) needs a reason (--reason)",
			check: isType[*ErrRejectReason], kind: fault.Usage,
		},
		{
			name: "validated", f: validated, arg: "erreur",
			want:  "student 22104567: dossier is validated; only a declared dossier can be rejected",
			check: isType[*ErrBadStatus], kind: fault.Conflict,
		},
		{
			name: "pending", f: facts("ING-GC-3A", DossierPending), arg: "erreur",
			want:  "student 22104567: dossier is pending; only a declared dossier can be rejected",
			check: isType[*ErrBadStatus], kind: fault.Conflict,
		},
		{
			name: "already rejected", f: facts("ING-GC-3A", DossierRejected), arg: "erreur",
			want:  "student 22104567: dossier is rejected; only a declared dossier can be rejected",
			check: isType[*ErrBadStatus], kind: fault.Conflict,
		},
	}
	runRules(t, tests, func(f Facts, _, reason string) error { return CheckReject(f, reason) })
}

func TestHints(t *testing.T) {
	c := ExampleCatalogue()
	err := CheckValidate(c, facts("ING-GC-3A", DossierDeclared), "02")
	if h := fault.HintOf(err); h != "inpctl dossier set-code 22104567 02 --proof TEXT" {
		t.Errorf("proof hint %q", h)
	}
	err = CheckReject(facts("ING-GC-3A", DossierValidated), "x")
	if h := fault.HintOf(err); h != "to change its code: inpctl dossier set-code 22104567 CODE --reason TEXT" {
		t.Errorf("status hint %q", h)
	}
	var e *ErrCodeNotAllowed
	err = CheckDeclare(c, facts("ING-GC-3A", DossierPending), "08", "")
	if !errors.As(err, &e) || e.StudentID != "22104567" || e.Code != "08" || !reflect.DeepEqual(e.Allowed, []string{"01", "02", "05", "07", "14"}) {
		t.Errorf("fields: %+v", e)
	}
}

func TestCheckDossierTransition(t *testing.T) {
	ok := map[[2]DossierStatus]bool{
		{DossierPending, DossierDeclared}:   true,
		{DossierDeclared, DossierDeclared}:  true,
		{DossierDeclared, DossierValidated}: true,
		{DossierDeclared, DossierRejected}:  true,
		{DossierValidated, DossierDeclared}: true,
		{DossierRejected, DossierDeclared}:  true,
	}
	for _, from := range DossierStatuses() {
		for _, to := range DossierStatuses() {
			err := CheckDossierTransition(from, to)
			if want := ok[[2]DossierStatus{from, to}]; want != (err == nil) {
				t.Errorf("%s → %s: err = %v, want allowed=%v", from, to, err, want)
			}
			if err != nil && (!isType[*ErrDossierTransition](err) || fault.KindOf(err) != fault.Conflict) {
				t.Errorf("%s → %s: %T", from, to, err)
			}
		}
	}
	msgs := map[[2]DossierStatus]string{
		{DossierValidated, DossierRejected}:  "a dossier that is validated cannot become rejected",
		{DossierPending, DossierValidated}:   "a dossier that is pending cannot become validated",
		{DossierValidated, DossierValidated}: "the dossier is already validated",
		{DossierRejected, DossierRejected}:   "the dossier is already rejected",
	}
	for pair, want := range msgs {
		if err := CheckDossierTransition(pair[0], pair[1]); err == nil || err.Error() != want {
			t.Errorf("%v: %v, want %q", pair, err, want)
		}
	}
	if err := CheckDossierTransition("archived", DossierDeclared); !isType[*ErrUnknownStatus](err) {
		t.Errorf("unknown status: %v", err)
	}
}

// TestCheckProgrammeChange: a programme is fixed once the dossier has a
// code; the same programme, or no code, passes.
func TestCheckProgrammeChange(t *testing.T) {
	for _, c := range []struct {
		from, to, code string
		refused        bool
	}{
		{"ING-GC-3A", "ING-INFO-3A", "01", true},
		{"ING-GC-3A", "ING-INFO-3A", "", false},
		{"ING-GC-3A", "ING-GC-3A", "01", false},
	} {
		err := CheckProgrammeChange("22100001", "2025-2026", c.from, c.to, c.code)
		var e *ErrProgrammeFixed
		if got := errors.As(err, &e); got != c.refused {
			t.Errorf("%s → %s with code %q: %v, refused %v", c.from, c.to, c.code, err, c.refused)
			continue
		}
		if c.refused {
			want := "programme: student 22100001 has fee code 01 for 2025-2026 in ING-GC-3A; changing the programme to ING-INFO-3A would change what they owe"
			if err.Error() != want || fault.KindOf(err) != fault.Conflict {
				t.Errorf("got %q (%v), want %q (conflict)", err, fault.KindOf(err), want)
			}
		}
	}
}
