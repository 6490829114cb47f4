package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/fault"
	"github.com/inpctl/inpctl/internal/store"
	"github.com/spf13/cobra"
)

// commandRoles is the office role each command that opens the books needs
// (issue 22): read-only commands need lecture, which every office role
// includes. TestEveryCommandHasARole keeps it whole.
var commandRoles = map[string]string{
	"student import":    store.RoleScolarite,
	"dossier set-code":  store.RoleScolarite,
	"dossier validate":  store.RoleScolarite,
	"dossier reject":    store.RoleScolarite,
	"dossier set-payer": store.RoleComptabilite, // it may cancel and reissue invoices
	"schedule request":  store.RoleComptabilite,
	"schedule approve":  store.RoleComptabilite,
	"schedule reject":   store.RoleComptabilite,
	"schedule cancel":   store.RoleComptabilite,
	"schedule exempt":   store.RoleComptabilite,
	"schedule unblock":  store.RoleComptabilite,
	"pay link":          store.RoleComptabilite,
	"pay ipn":           store.RoleComptabilite,
	"pay simulate":      store.RoleComptabilite,
	"charge":            store.RoleComptabilite,
	"charge reconcile":  store.RoleComptabilite,
	"reconcile":         store.RoleComptabilite,
	"reconcile paybox":  store.RoleLecture, // compares the back office's export with the books
	"payment record":    store.RoleComptabilite,
	"payment unpaid":    store.RoleComptabilite,
	"payment void":      store.RoleComptabilite,
	"payment allocate":  store.RoleComptabilite,
	"refund":            store.RoleComptabilite,
	"invoice issue":     store.RoleComptabilite,
	"credit-note issue": store.RoleComptabilite,
	"journal":           store.RoleComptabilite, // a closed period's numbers are recorded
	"mail send":         store.RoleComptabilite,
	"mail retry":        store.RoleComptabilite,
	"serve":             store.RoleComptabilite,
	"init":              store.RoleOwner,
	"fees load":         store.RoleOwner,
	"db copy":           store.RoleOwner,
	"db roles":          store.RoleLecture,
	"rehearse":          store.RoleOwner,

	"student list": store.RoleLecture, "student show": store.RoleLecture,
	"dossier list": store.RoleLecture, "dossier show": store.RoleLecture,
	"schedule list": store.RoleLecture, "schedule show": store.RoleLecture,
	"payment list": store.RoleLecture, "invoice list": store.RoleLecture, "invoice show": store.RoleLecture,
	"invoice render": store.RoleLecture, "credit-note list": store.RoleLecture,
	"account list": store.RoleLecture, "account show": store.RoleLecture, "account export": store.RoleLecture,
	"account statement": store.RoleLecture, "report summary": store.RoleLecture, "report instalments": store.RoleLecture,
	"report refunds": store.RoleLecture, "mail list": store.RoleLecture, "mail show": store.RoleLecture,
	"mail preview": store.RoleLecture, "fees list": store.RoleLecture, "db check": store.RoleLecture,
	"db backup": store.RoleLecture,
}

// roleOf is the role the command at path ("inpctl refund") needs; a
// command that is not listed needs the owner's, so that a new command is
// never open to every role by mistake.
func roleOf(path string) string {
	if r, ok := commandRoles[strings.TrimPrefix(path, "inpctl ")]; ok {
		return r
	}
	return store.RoleOwner
}

// checkRole refuses, before anything is done, a command the connected role
// may not run (exit 5, naming the role it needs). On PostgreSQL the
// database says who we are; on SQLite the config's operator_role does, as
// an advice (empty: every role).
func (e *Env) checkRole(ctx context.Context, db *store.DB, advisory string) error {
	need := roleOf(e.auditCommand)
	if need == store.RoleLecture && !store.IsURL(db.Path()) && advisory == "" {
		return nil
	}
	who, err := db.WhoAmI(ctx)
	if err != nil {
		return err
	}
	if !store.IsURL(db.Path()) {
		if advisory == "" || advisory == need || need == store.RoleLecture {
			return nil
		}
		return fault.New(fault.Conflict, "%s needs the %s role; the config's operator_role is %s", e.auditCommand, need, advisory).
			WithHint("on SQLite the roles are advisory: a clerk of the %s office runs it", need)
	}
	if who.Has(need) {
		return nil
	}
	has := "no inpctl role"
	if len(who.Roles) > 0 {
		has = "the role(s) " + strings.Join(who.Roles, ", ")
	}
	return fault.New(fault.Conflict, "%s needs the %s role; %s connects with %s", e.auditCommand, need, who.User, has).
		WithHint("ask the database's owner: GRANT inpctl_%s TO %s (inpctl db roles --print-sql)", need, who.User)
}

func newDBRolesCmd(env *Env) *cobra.Command {
	var print bool
	cmd := &cobra.Command{
		Use:   "roles [--print-sql]",
		Short: "Show the office roles, or print the SQL that creates them on PostgreSQL",
		Long: `The offices' roles: lecture (show, list, report, db check), scolarite (students, dossiers,
codes, validation) and comptabilite (plans, charges, payments, refunds, credit notes, exemptions,
journal, serve), each including lecture; the database's owner runs init, fees load and db copy.

On PostgreSQL the database enforces them: --print-sql prints the script (roles inpctl_lecture,
inpctl_scolarite, inpctl_comptabilite and their privileges, and a role inpctl_school_CODE for each
school of the config) for the owner to run once; each clerk logs in as a role of their own, member
of one office role and of the role of each school they work for (row-level security shows them
only those schools' rows). A command the connected role may not run
fails before it does anything (exit 5), and the database refuses the writes of another role even
to a program that is not inpctl. On SQLite the roles are advisory: the config's operator_role.

Without --print-sql: who this connection is and the roles it may act in.` + exitDoc("0   shown"),
		Example: "  inpctl db roles\n  inpctl db roles --print-sql | psql -f - postgres://owner@db.example.org/inpctl",
		Args:    noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			ctx := c.Context()
			db, err := env.Store(ctx)
			if err != nil {
				return err
			}
			if print {
				cfg, err := env.Config()
				if err != nil {
					return err
				}
				var schools []string
				for _, sc := range cfg.Schools {
					schools = append(schools, sc.Code)
				}
				s, err := db.RolesSQL(ctx, schools)
				if err != nil {
					return err
				}
				_, err = fmt.Fprint(env.cleanOut(), s)
				return err
			}
			who, err := db.WhoAmI(ctx)
			if err != nil {
				return err
			}
			if !store.IsURL(db.Path()) {
				cfg, err := env.Config()
				if err != nil {
					return err
				}
				role := cfg.OperatorRole
				if role == "" {
					role = "every role (operator_role is not set)"
				}
				env.Infof("SQLite: the roles are advisory; this config acts as %s", role)
				return nil
			}
			env.Infof("%s (owner: %v), roles: %s", who.User, who.Owner, strings.Join(who.Roles, ", "))
			return nil
		},
	}
	cmd.Flags().BoolVar(&print, "print-sql", false, "print the SQL that creates the roles and their privileges")
	return cmd
}
