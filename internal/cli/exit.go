package cli

import (
	"context"
	"errors"

	"github.com/inpctl/inpctl/internal/fault"
)

// Exit statuses are public interface: add new ones, never renumber.
const (
	ExitOK        = 0
	ExitFailure   = 1   // unexpected: bug, I/O, anything unclassified
	ExitUsage     = 2   // bad flag, argument, config value or input file
	ExitPartial   = 3   // a batch ran and some items failed
	ExitNotFound  = 4   // no such student, invoice, payment…
	ExitConflict  = 5   // refused by a business rule, or a conflict
	ExitGateway   = 6   // the gateway certainly did nothing: retrying is safe
	ExitDeclined  = 7   // the gateway answered no
	ExitUnknown   = 8   // the gateway may have acted, no answer says so: never retry, reconcile
	ExitNoDB      = 10  // database missing, or newer than this binary
	ExitLocked    = 11  // another run holds the lock
	ExitInterrupt = 130 // SIGINT or SIGTERM
)

var kindExit = map[fault.Kind]int{
	fault.Failure: ExitFailure, fault.Usage: ExitUsage, fault.Partial: ExitPartial,
	fault.NotFound: ExitNotFound, fault.Conflict: ExitConflict, fault.Unavailable: ExitGateway,
	fault.Declined: ExitDeclined, fault.NoDB: ExitNoDB, fault.Locked: ExitLocked,
	fault.Interrupted: ExitInterrupt, fault.Unknown: ExitUnknown,
}

// exitCode is the one place that maps an error to an exit status.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, context.Canceled) && !fault.Is(err, fault.Failure) {
		return ExitInterrupt
	}
	return kindExit[fault.KindOf(err)]
}

// errorCode is the JSON "code" of an error.
func errorCode(err error) string {
	if exitCode(err) == ExitInterrupt {
		return "interrupted"
	}
	return fault.KindOf(err).String()
}

const exitCodesHelp = `inpctl exits with one of these statuses (scripts must treat any other
non-zero status as a failure):

  0    ok
  1    unexpected failure (a bug, an I/O error): read the message
  2    usage, config or input error: a bad flag, argument, config key or CSV line;
       nothing was changed
  3    partial: a batch ran and some items failed (e.g. some cards declined)
  4    not found: no such student, dossier, invoice or payment
  5    refused by a business rule, or a conflict (e.g. a plan already active,
       a code not allowed for the programme); nothing was changed
  6    gateway unavailable: the request certainly did nothing at Paybox (it never
       reached Paybox: no connection, DNS failure; or Paybox refused it before
       acting: HTTP 4xx, a configuration code such as 00006). Nothing was charged
       or refunded, and retrying the same command is safe
  7    declined: the card gateway answered no
  8    outcome unknown: the request reached Paybox, which may have acted, but no
       answer says so (a lost answer, a timeout after sending). Do NOT retry:
       run "inpctl reconcile", which asks Paybox (by reference) and records what
       it did; until then the amount stays reserved. (charge --due counts such
       charges in its summary and exits 3; the next run looks them up.)
  10   database missing, or created by a newer inpctl
  11   locked: another run (e.g. charge --due) holds the lock; nothing was done
  130  interrupted (SIGINT/SIGTERM): work in flight was recorded before exiting

In JSON mode (-o json) an error is also written to stderr as
  {"error":{"code":"declined","message":"…","exit":7}}
`
