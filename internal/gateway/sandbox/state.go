package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/inpctl/inpctl/internal/money"
)

// Transaction types in Records.
const (
	TypeCharge  = "00053"  // Direct Plus charge on a token
	TypeDirect  = "00003"  // Direct authorization + capture on a card number
	TypeCapture = "00002"  // capture of a Direct authorization (TYPE 00001)
	TypeHosted  = "SYSTEM" // paid on the hosted page
	// TypeAuth marks an authorization (TYPE 00001): kept to be captured or
	// cancelled, never in Records (no money moved).
	TypeAuth = "00001"
)

// Transaction is an approved payment the sandbox recorded.
type Transaction struct {
	Type      string      `json:"type"`
	Reference string      `json:"ref"`
	Amount    money.Cents `json:"amount"`
	NumTrans  string      `json:"numtrans"`
	NumAppel  string      `json:"numappel"`
	RefAbonne string      `json:"refabonne,omitempty"`
	Refunded  money.Cents `json:"refunded,omitempty"`
	RefundOf  string      `json:"refund_of,omitempty"` // a refund: the NUMTRANS it refunds
	// Cancelled: voided by TYPE 00005 before settlement; no money moved.
	Cancelled bool      `json:"cancelled,omitempty"`
	Time      time.Time `json:"time"`
}

// subscriber is a registered card: its token, expiry and behaviour class —
// never its number.
type subscriber struct {
	RefAbonne string `json:"refabonne"`
	Token     string `json:"token"`
	DateVal   string `json:"dateval"` // MMYY
	Class     class  `json:"class"`
}

// entry is one journal line: one mutation of the state.
type entry struct {
	Op      string       `json:"op"` // q, charge, refund, sub, resub, unsub, soft, pay, auth, capture, cancel
	Day     string       `json:"day,omitempty"`
	NQ      int64        `json:"nq,omitempty"`
	Acct    string       `json:"acct,omitempty"` // account of NQ (acctKey): "" is 1999888/32
	Tx      *Transaction `json:"tx,omitempty"`
	Sub     *subscriber  `json:"sub,omitempty"`
	Key     string       `json:"key,omitempty"` // soft-once key, deleted REFABONNE, refunded, captured or cancelled NUMTRANS
	Amount  money.Cents  `json:"amount,omitempty"`
	Num     int64        `json:"num,omitempty"` // last number used
	Dropped bool         `json:"dropped,omitempty"`
}

// dayNQ is a NUMQUESTION of an account (acctKey) on a calendar day
// (YYYY-MM-DD).
type dayNQ struct {
	acct, day string
	nq        int64
}

// state is everything the sandbox knows; guarded by Sandbox.mu.
type state struct {
	txs     []*Transaction
	byTrans map[string]*Transaction
	byRef   map[string][]*Transaction
	subs    map[string]*subscriber
	tokens  map[string]bool
	seen    map[dayNQ]bool          // NUMQUESTIONs used, per day
	soft    map[string]bool         // soft-once keys already declined
	dropped map[string]bool         // references whose answer was already lost
	refunds []*Transaction          // approved refunds (TYPE 00014), oldest first
	auths   map[string]*Transaction // authorizations (TYPE 00001) by NUMTRANS
	capture map[string]string       // NUMTRANS of an authorization → NUMTRANS of its capture
	num     int64                   // last NUMTRANS allocated
	subSeq  int64
}

func newState() *state {
	return &state{byTrans: map[string]*Transaction{}, byRef: map[string][]*Transaction{}, subs: map[string]*subscriber{},
		tokens: map[string]bool{}, seen: map[dayNQ]bool{}, soft: map[string]bool{}, dropped: map[string]bool{},
		auths: map[string]*Transaction{}, capture: map[string]string{}}
}

// apply performs one mutation; the live path and the replay share it.
func (st *state) apply(e entry) {
	if e.NQ != 0 {
		st.seen[dayNQ{e.Acct, e.Day, e.NQ}] = true
	}
	st.num = max(st.num, e.Num)
	if e.Op == "auth" && e.Tx != nil {
		tx := *e.Tx
		st.auths[tx.NumTrans] = &tx
	} else if e.Tx != nil && e.Op != "refund" {
		tx := *e.Tx
		st.txs = append(st.txs, &tx)
		st.byTrans[tx.NumTrans] = &tx
		st.byRef[tx.Reference] = append(st.byRef[tx.Reference], &tx)
		if e.Dropped {
			st.dropped[tx.Reference] = true
		}
	}
	if e.Sub != nil {
		if old := st.subs[e.Sub.RefAbonne]; old != nil {
			delete(st.tokens, old.Token)
		}
		sub := *e.Sub
		st.subs[sub.RefAbonne] = &sub
		st.tokens[sub.Token] = true
		st.subSeq++
	}
	switch e.Op {
	case "unsub":
		if old := st.subs[e.Key]; old != nil {
			delete(st.tokens, old.Token)
			delete(st.subs, e.Key)
		}
	case "refund":
		if tx := st.byTrans[e.Key]; tx != nil {
			tx.Refunded += e.Amount
		}
		st.addRefund(e)
	case "soft":
		st.soft[e.Key] = true
	case "capture":
		if e.Tx != nil {
			st.capture[e.Key] = e.Tx.NumTrans
		}
	case "cancel":
		if tx := st.transaction(e.Key); tx != nil {
			tx.Cancelled = true
		}
	}
}

// replay applies every line of a journal; an unreadable line is an error.
func (st *state) replay(b []byte) error {
	for line, raw := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		var e entry
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("sandbox state line %d: %w", line+1, err)
		}
		st.apply(e)
	}
	return nil
}

// openJournal replays path (if it exists) into st and opens it for
// reading and appending; it returns the file and the bytes replayed. A
// last line cut short by a crash (the answer was never sent) is cut off;
// a whole last line without its newline gets one. The journal is locked
// meanwhile: other processes may be using it (see Sandbox.lock).
func openJournal(path string, st *state) (*os.File, int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, 0, fmt.Errorf("sandbox state: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("sandbox state: lock: %w", err)
	}
	defer unlockFile(f)
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<62))
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("sandbox state: %w", err)
	}
	keep, fix := len(b), ""
	if i := bytes.LastIndexByte(b, '\n'); i+1 < len(b) {
		if tail := b[i+1:]; json.Valid(bytes.TrimSpace(tail)) || len(bytes.TrimSpace(tail)) == 0 {
			fix = "\n"
		} else {
			keep = i + 1
		}
	}
	if err := st.replay(b[:keep]); err != nil {
		f.Close()
		return nil, 0, err
	}
	if keep < len(b) {
		err = f.Truncate(int64(keep))
	}
	if err == nil && fix != "" {
		_, err = f.WriteString(fix)
		keep += len(fix)
	}
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("sandbox state: %w", err)
	}
	return f, int64(keep), nil
}

// lock takes the sandbox for one operation: mu for this process's
// requests, and the journal's file lock for the other processes that use
// the same journal (two inpctl commands at once each run an in-process
// sandbox). Under the lock the lines other processes appended are applied
// first, so NUMTRANS, NUMQUESTIONs, tokens and refunds are allocated from
// the whole journal, never from a stale copy.
func (s *Sandbox) lock() error {
	s.mu.Lock()
	if s.journal == nil {
		return nil
	}
	if err := lockFile(s.journal); err != nil {
		s.mu.Unlock()
		return fmt.Errorf("sandbox state: lock: %w", err)
	}
	if err := s.catchUp(); err != nil {
		s.unlock()
		return err
	}
	return nil
}

// unlock releases what lock took.
func (s *Sandbox) unlock() {
	if s.journal != nil {
		unlockFile(s.journal)
	}
	s.mu.Unlock()
}

// catchUp applies the journal's lines written since s.off (by other
// processes). An unfinished last line can only be a writer that died
// mid-write (writers hold the lock): it is cut off.
func (s *Sandbox) catchUp() error {
	fi, err := s.journal.Stat()
	if err != nil {
		return fmt.Errorf("sandbox state: %w", err)
	}
	if fi.Size() <= s.off {
		return nil
	}
	b := make([]byte, fi.Size()-s.off)
	if _, err := s.journal.ReadAt(b, s.off); err != nil {
		return fmt.Errorf("sandbox state: %w", err)
	}
	whole := b[:bytes.LastIndexByte(b, '\n')+1]
	if err := s.st.replay(whole); err != nil {
		return err
	}
	s.off += int64(len(whole))
	if len(whole) < len(b) {
		return s.journal.Truncate(s.off)
	}
	return nil
}

// commit writes e to the journal (if any) and applies it. Called under
// lock, before the answer is sent.
func (s *Sandbox) commit(e entry) error {
	if s.journal != nil {
		// One buffer for every line (mu is held): Encode writes what
		// json.Marshal gives, then the newline, and the line goes out in
		// one write(2), as before.
		s.line.Reset()
		if err := s.enc.Encode(e); err != nil {
			return err
		}
		n, err := s.journal.Write(s.line.Bytes())
		s.off += int64(n)
		if err != nil {
			return fmt.Errorf("sandbox state: %w", err)
		}
	}
	s.st.apply(e)
	return nil
}

// Records returns a copy of the approved payments, oldest first, with
// what was refunded of each.
func (s *Sandbox) Records() []Transaction {
	if err := s.lock(); err != nil {
		s.mu.Lock() // the journal cannot be read: what this process knows
		defer s.mu.Unlock()
	} else {
		defer s.unlock()
	}
	out := make([]Transaction, len(s.st.txs))
	for i, tx := range s.st.txs {
		out[i] = *tx
	}
	return out
}
