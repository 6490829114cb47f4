package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/inpctl/inpctl/internal/school"
)

// The roles of the offices (issue 22). On PostgreSQL the database enforces
// them: each is a NOLOGIN role whose privileges RolesSQL grants, and a
// clerk's login role is a member of one. On SQLite they are advisory (the
// config's operator_role). inpctl checks the role a command needs before it
// does anything (cli), and the database refuses what the role may not do
// even when something else tries.
const (
	RoleLecture      = "lecture"      // show, list, report, check
	RoleScolarite    = "scolarite"    // students, dossiers, codes, validation
	RoleComptabilite = "comptabilite" // plans, charges, payments, refunds, credit notes, exemptions, journal
	RoleOwner        = "owner"        // migrations, the catalogue, db copy
)

// Roles are the office roles.
var Roles = []string{RoleLecture, RoleScolarite, RoleComptabilite}

// pgRole is the PostgreSQL role of an office role.
func pgRole(role string) string { return "inpctl_" + role }

// catalogueTables only the owner writes (init, fees load; schools: init).
var catalogueTables = map[string]bool{"schools": true, "fee_codes": true, "programmes": true, "programme_codes": true, "tariffs": true, "tariff_history": true}

// scolariteWrites are the tables a code change writes: the dossier and its
// order, the invoice and the credit note of a correction, the payments
// moved from one invoice to the other, the plan re-planned, the notices,
// the audit log and the chains.
var scolariteWrites = []string{"students", "dossiers", "orders", "order_lines", "invoices", "invoice_lines", "credit_notes",
	"allocations", "plans", "instalments", "outbox", "sequences", "audit_log", "chain_heads", "chain_links"}

// SchoolRole is the PostgreSQL role of a school: a login that is a
// member of it may work on the school's books (migrations_pg/0013).
func SchoolRole(school string) string { return "inpctl_school_" + school }

// RolesSQL is the script that creates the office roles and the schools'
// roles and grants the office roles what they may do on the tables of the
// books (inpctl db roles --print-sql). Nobody but the owner may DELETE
// (the guards refuse it anyway) except the charge run's lock, which a run
// releases.
func RolesSQL(tables, schools []string) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("-- inpctl's office roles and school roles (issue 22), for the database's owner to run")
	w("-- once (psql -f), and again when the config gains a school. A clerk logs in as their own")
	w("-- role, member of one office role and of the role of each school they work for:")
	example := SchoolRole(school.Default)
	if len(schools) > 0 {
		example = SchoolRole(schools[0])
	}
	w("--   CREATE ROLE jdupont LOGIN PASSWORD '…' IN ROLE %s, %s;", pgRole(RoleScolarite), example)
	w("-- The books' owner works on every school; no login should be a superuser or BYPASSRLS")
	w("-- (row-level security, which keeps the schools apart, does not hold those).")
	w("BEGIN;")
	for _, r := range Roles {
		w("DO $$ BEGIN CREATE ROLE %s NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;", pgRole(r))
	}
	for _, s := range schools {
		w("DO $$ BEGIN CREATE ROLE %s NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;", SchoolRole(s))
	}
	w("GRANT %s TO %s, %s;", pgRole(RoleLecture), pgRole(RoleScolarite), pgRole(RoleComptabilite))
	w("GRANT USAGE ON SCHEMA public TO %s;", pgRole(RoleLecture))
	w("GRANT SELECT ON ALL TABLES IN SCHEMA public TO %s;", pgRole(RoleLecture))
	w("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO %s, %s;", pgRole(RoleScolarite), pgRole(RoleComptabilite))
	w("GRANT INSERT, UPDATE ON %s TO %s;", strings.Join(scolariteWrites, ", "), pgRole(RoleScolarite))
	var acc []string
	for _, t := range tables {
		if !catalogueTables[t] && t != "schema_migrations" {
			acc = append(acc, t)
		}
	}
	w("GRANT INSERT, UPDATE ON %s TO %s;", strings.Join(acc, ", "), pgRole(RoleComptabilite))
	w("GRANT DELETE ON locks TO %s;", pgRole(RoleComptabilite))
	w("COMMIT;")
	return b.String()
}

// RolesSQL is the roles script for this database's tables and the
// schools given (the config's).
func (db *DB) RolesSQL(ctx context.Context, schools []string) (string, error) {
	tables, err := tableNames(ctx, db.sql)
	if err != nil {
		return "", err
	}
	return RolesSQL(tables, schools), nil
}

// Connected is who the database says we are: the login role, and the
// office roles it may act in (every one for the owner of the database and
// a superuser). On SQLite there is no login: User is "" and Roles is nil.
type Connected struct {
	User  string
	Owner bool
	Roles []string
}

// Has reports whether the connection may act in role.
func (c Connected) Has(role string) bool {
	if c.Owner {
		return true
	}
	for _, r := range c.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// WhoAmI reads the connected role and the office roles it is a member of.
func (db *DB) WhoAmI(ctx context.Context) (Connected, error) {
	var c Connected
	if !db.pg {
		return c, nil
	}
	// One query: who, whether owner, and the office roles (those that
	// exist on this server) the login may act in, in Roles' order.
	var roles string
	err := db.sql.QueryRowContext(ctx, `SELECT current_user, r.rolsuper OR d.datdba = r.oid,
		COALESCE((SELECT string_agg(o.rolname, ',' ORDER BY o.rolname) FROM pg_roles o
			WHERE o.rolname LIKE 'inpctl\_%' AND pg_has_role(current_user, o.oid, 'USAGE')), '')
		FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()`).Scan(&c.User, &c.Owner, &roles)
	if err != nil {
		return c, mapErr(err)
	}
	have := map[string]bool{}
	for _, r := range strings.Split(roles, ",") {
		have[r] = true
	}
	for _, r := range Roles {
		if have[pgRole(r)] {
			c.Roles = append(c.Roles, r)
		}
	}
	return c, nil
}
