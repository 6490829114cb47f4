// Package fault holds Error, the one error type a user can act on.
//
// Domain, store and gateway code return a *fault.Error for anything the
// operator can fix or must know about; internal/cli maps its Kind to an exit
// status and a JSON error code. fault imports only the standard library.
package fault

import (
	"errors"
	"fmt"
)

// Kind classifies an Error; each kind maps to exactly one exit status.
type Kind int

// The kinds. Their exit statuses are public interface (see cli/exit.go).
const (
	Failure     Kind = iota // unexpected: bug, I/O, anything unclassified → 1
	Usage                   // bad flag, argument, config value or input file → 2
	Partial                 // a batch ran and some items failed → 3
	NotFound                // → 4
	Conflict                // refused by a business rule or a conflict → 5
	Unavailable             // the gateway certainly did nothing (never reached, or refused before acting): retry is safe → 6
	Declined                // the gateway answered no → 7
	NoDB                    // database missing or newer than the binary → 10
	Locked                  // another run holds the lock → 11
	Interrupted             // SIGINT/SIGTERM → 130
	// Unknown: the request reached the gateway and may have acted, but no
	// answer says so (a lost answer, a timeout after sending, 00001/00097
	// after sending). Never retry: look it up (inpctl reconcile) → 8.
	Unknown
)

var kindNames = map[Kind]string{
	Failure: "failure", Usage: "usage", Partial: "partial", NotFound: "not_found",
	Conflict: "conflict", Unavailable: "gateway_unavailable", Declined: "declined",
	NoDB: "database", Locked: "locked", Interrupted: "interrupted", Unknown: "outcome_unknown",
}

// String returns the snake_case code used in JSON error objects.
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "failure"
}

// Error is an error with a kind, a lower-case message and an optional hint.
type Error struct {
	Kind Kind
	Msg  string // lower-case, no final period
	Hint string // optional, printed as "inpctl: hint: …"
	Err  error  // wrapped cause
}

func (e *Error) Error() string {
	if e.Err != nil && e.Msg == "" {
		return e.Err.Error()
	}
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

// Unwrap returns the wrapped cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an Error of kind k with a formatted message.
func New(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// Wrap returns an Error of kind k wrapping err with a message.
func Wrap(k Kind, err error, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...), Err: err}
}

// WithHint sets the hint and returns e, for chaining.
func (e *Error) WithHint(format string, args ...any) *Error {
	e.Hint = fmt.Sprintf(format, args...)
	return e
}

// KindOf returns the Kind of the first *Error in err's chain, or Failure.
func KindOf(err error) Kind {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Kind
	}
	return Failure
}

// HintOf returns the first non-empty hint in err's chain.
func HintOf(err error) string {
	for err != nil {
		var fe *Error
		if !errors.As(err, &fe) {
			return ""
		}
		if fe.Hint != "" {
			return fe.Hint
		}
		err = fe.Err
	}
	return ""
}

// Is reports whether err carries a *fault.Error of kind k.
func Is(err error, k Kind) bool {
	var fe *Error
	return errors.As(err, &fe) && fe.Kind == k
}
