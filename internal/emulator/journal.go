package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
)

// The journal makes a write durable without rewriting the whole state: each
// acknowledged write is one JSON line appended to STATE.journal and fsync'd
// before its answer is sent. New replays the journal over the state file
// and compacts (writes the state file atomically, then empties the
// journal); Save, and so a clean shutdown, compacts too, and so does a
// flush that leaves the journal past journalCompactBytes.
//
// A record holds the value a write left, never a delta: the integration as
// it now is, the account's whole behavior map, the user as it now is. So
// replaying a record twice leaves the same state, and a crash between
// compaction's rename and the journal's truncation (which replays the
// journal over a state file that already holds it) loses and doubles
// nothing.
//
// A write is applied in memory under Emulator.mu and its record synced
// after the mutex is released, so a read in between may see a write not
// yet on disk; if the process dies then, that write is lost, but it was
// never answered.

// journalPath is the journal of a state file.
func journalPath(statePath string) string { return statePath + ".journal" }

// journalCompactBytes is the journal size past which a flush compacts: far
// more than a burst of writes (a create is a few hundred bytes), small
// enough that replaying it at start is quick.
const journalCompactBytes = 16 << 20

// maxJournalBytes bounds the journal New reads. A journal riskctl wrote
// stays under journalCompactBytes plus the last batch of records written
// together, and a record is at most one account (an "account" record),
// which a state file holds within maxStateBytes; anything larger did not
// come from riskctl and is refused before it is read. Like the state file,
// the journal may sit in a checkout, so a link to /dev/zero or a FIFO there
// is refused too (openStateFile).
const maxJournalBytes = journalCompactBytes + maxStateBytes

// Record operations.
const (
	opAccount           = "account"            // the whole account, when a write first touches an account not yet saved
	opIntegration       = "integration"        // an integration as it now is (created or updated)
	opDeleteIntegration = "delete_integration" // an integration id that is gone
	opBehaviors         = "behaviors"          // the account's whole behavior map
	opUser              = "user"               // a user as it now is (reset)
	opAudit             = "audit"              // audit entries alone (RecordAudit); every other op may carry some too
)

// record is one line of the journal: one write.
type record struct {
	Op          string              `json:"op"`
	Account     string              `json:"account"`
	State       *account            `json:"state,omitempty"`       // opAccount
	Integration *Integration        `json:"integration,omitempty"` // opIntegration
	ID          string              `json:"id,omitempty"`          // opDeleteIntegration
	Behaviors   map[string]Behavior `json:"behaviors,omitempty"`   // opBehaviors
	User        *User               `json:"user,omitempty"`        // opUser
	Audit       []storedAudit       `json:"audit,omitempty"`       // the write's audit entries (audit.go)
}

// journal is the open journal of a state file. pending and appended are
// guarded by Emulator.mu; f and size by flushMu, which is always taken
// before Emulator.mu.
type journal struct {
	path     string
	pending  []byte // records appended, not yet written
	appended uint64 // number of the last record appended
	durable  atomic.Uint64

	flushMu sync.Mutex
	f       *os.File
	size    int64 // bytes of f that are written and synced
}

// appendLocked queues rec, a write just applied to account accountID, for
// the journal, and returns its number for syncJournal. Without a StatePath
// it does nothing and returns 0. The first record of an account that no
// file holds yet (provisioned since the last compaction) is the whole
// account instead, which includes the write. rec is encoded at once, so
// it may point into the live state.
func (e *Emulator) appendLocked(accountID string, rec record) (uint64, error) {
	j := e.journal
	if j == nil {
		return 0, nil
	}
	if e.closed {
		return 0, fmt.Errorf("save state to %s: the emulator is closed", e.opts.StatePath)
	}
	fresh := e.fresh[accountID]
	if fresh {
		rec = record{Op: opAccount, Account: accountID, State: e.st.Accounts[accountID]}
	}
	rec.Account = accountID
	line, err := json.Marshal(rec)
	if err != nil {
		return 0, fmt.Errorf("encode journal record: %w", err)
	}
	if fresh {
		delete(e.fresh, accountID)
	}
	j.pending = append(append(j.pending, line...), '\n')
	j.appended++
	return j.appended, nil
}

// syncJournal returns once record seq is on disk (written and fsync'd, or
// compacted into the state file), or with the error that kept it off.
// Writers that wait together share one write and one fsync: whoever takes
// flushMu writes every record queued so far, and the others, finding
// theirs durable, return at once (group commit). Call it without e.mu.
func (e *Emulator) syncJournal(seq uint64) error {
	j := e.journal
	if seq == 0 || j == nil || j.durable.Load() >= seq {
		return nil
	}
	j.flushMu.Lock()
	defer j.flushMu.Unlock()
	if j.durable.Load() >= seq {
		return nil
	}
	return e.flushJournal()
}

// flushJournal writes and syncs the queued records; flushMu is held. On
// failure the records go back to the head of the queue (the next flush
// writes them again, at the same offset), so the journal never holds a
// gap, and the writers waiting for them are answered 500.
func (e *Emulator) flushJournal() error {
	j := e.journal
	e.mu.Lock()
	buf, upto := j.pending, j.appended
	j.pending = nil
	e.mu.Unlock()
	if len(buf) == 0 {
		return nil
	}
	var err error
	if j.f == nil {
		err = errors.New("the emulator is closed")
	} else if _, err = j.f.WriteAt(buf, j.size); err == nil {
		err = j.f.Sync()
	}
	if err != nil {
		if j.f != nil {
			_ = j.f.Truncate(j.size) // best effort: the next flush overwrites it anyway
		}
		e.mu.Lock()
		j.pending = append(buf, j.pending...)
		e.mu.Unlock()
		return fmt.Errorf("save state to %s: %w", j.path, err)
	}
	j.size += int64(len(buf))
	j.durable.Store(upto)
	if j.size >= journalCompactBytes {
		// The records are durable already: a failed compaction is only
		// reported, and tried again after the next flush.
		e.mu.Lock()
		cerr := e.compactLocked()
		e.mu.Unlock()
		if cerr != nil && e.opts.Logf != nil {
			e.opts.Logf("emulator: %v", cerr)
		}
	}
	return nil
}

// compactLocked writes the whole state to the state file (atomically) and
// then empties the journal. Both flushMu and e.mu are held. The state
// holds every record queued, so they are durable once it is written.
func (e *Emulator) compactLocked() error {
	if err := e.saveLocked(); err != nil {
		return err
	}
	j := e.journal
	if j == nil {
		return nil
	}
	j.pending = nil
	j.durable.Store(j.appended)
	clear(e.fresh)
	if j.f == nil {
		return nil
	}
	if err := j.f.Truncate(0); err != nil {
		// The journal is replayed over a state that holds it already:
		// harmless (see the top of this file); appends go on after it.
		return fmt.Errorf("empty state journal %s: %w", j.path, err)
	}
	j.size = 0
	// The truncation need not be synced: a journal that comes back after a
	// crash is replayed over the state that holds it, harmlessly.
	return nil
}

// replayJournal applies the records of r, the journal at path, to st, and
// returns how many it applied. A last line without its newline is a record
// whose write was cut by a crash: its writer was never answered, so it is
// dropped. Anything else that is not a valid record is an error naming
// the journal and the line.
func replayJournal(st *state, r io.Reader, path string) (int, error) {
	br := bufio.NewReader(io.LimitReader(r, maxJournalBytes+1))
	var read int64
	applied := 0
	for line := 1; ; line++ {
		data, err := br.ReadBytes('\n')
		read += int64(len(data))
		if read > maxJournalBytes {
			return applied, fmt.Errorf("load state journal %s: larger than %d MiB, more than riskctl writes between compactions: move it away", path, maxJournalBytes>>20)
		}
		if errors.Is(err, io.EOF) {
			return applied, nil // a torn last record, or nothing, is left
		}
		if err != nil {
			return applied, fmt.Errorf("load state journal %s: %w", path, err)
		}
		if err := applyRecord(st, data, path); err != nil {
			return applied, fmt.Errorf("load state journal %s: line %d: %w", path, line, err)
		}
		applied++
	}
}

// applyRecord decodes one journal line strictly, checks it as loadState
// checks a state file, and applies it.
func applyRecord(st *state, data []byte, path string) error {
	var rec record
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		return err
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return errors.New("unexpected data after the JSON object")
	}
	if !ValidAccountID(rec.Account) {
		return fmt.Errorf("account %q is not a Cloudflare account id: expected 32 lower-case hex characters", rec.Account)
	}
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("account %q: %s", rec.Account, fmt.Sprintf(format, args...)))
	}
	a := st.Accounts[rec.Account]
	if a == nil && rec.Op != opAccount {
		return fmt.Errorf("%s record for account %q, which neither the state file nor an earlier record holds", rec.Op, rec.Account)
	}
	need := func(ok bool, field string) error {
		if !ok {
			return fmt.Errorf("%s record without %q", rec.Op, field)
		}
		return nil
	}
	switch rec.Op {
	case opAccount:
		if err := need(rec.State != nil, "state"); err != nil {
			return err
		}
		checkStateBehaviors(rec.State, path, add)
		checkStateIntegrations(rec.State, add)
		checkStateUsers(rec.State, add)
		checkStateAudit(rec.State, add)
		if err := errors.Join(errs...); err != nil {
			return err
		}
		rec.State.normalize()
		st.Accounts[rec.Account] = rec.State
	case opIntegration:
		if err := need(rec.Integration != nil, "integration"); err != nil {
			return err
		}
		checkStateIntegrations(&account{Integrations: []Integration{*rec.Integration}}, add)
		if err := errors.Join(errs...); err != nil {
			return err
		}
		if i := a.integration(rec.Integration.ID); i >= 0 {
			a.Integrations[i] = *rec.Integration
		} else {
			a.Integrations = append(a.Integrations, *rec.Integration)
		}
	case opDeleteIntegration:
		if !isUUID(strings.ToLower(rec.ID)) {
			return fmt.Errorf("%s record: id %q is not a UUID", rec.Op, rec.ID)
		}
		// Gone already is fine: a replay over a compacted state.
		if i := a.integration(rec.ID); i >= 0 {
			a.Integrations = append(a.Integrations[:i], a.Integrations[i+1:]...)
		}
	case opBehaviors:
		b := &account{Behaviors: rec.Behaviors}
		checkStateBehaviors(b, path, add)
		if err := errors.Join(errs...); err != nil {
			return err
		}
		b.normalize()
		a.Behaviors = b.Behaviors
	case opUser:
		if err := need(rec.User != nil, "user"); err != nil {
			return err
		}
		checkStateUsers(&account{Users: []User{*rec.User}}, add)
		if err := errors.Join(errs...); err != nil {
			return err
		}
		if i := a.user(rec.User.ID); i >= 0 {
			a.Users[i] = *rec.User
		} else {
			a.Users = append(a.Users, *rec.User)
		}
	case opAudit:
	default:
		return fmt.Errorf("unknown op %q", rec.Op)
	}
	if rec.Op == opAccount {
		return nil // the account's state holds its entries
	}
	for _, s := range rec.Audit {
		if err := checkStoredAudit(s); err != nil {
			return fmt.Errorf("account %q: audit entry: %w", rec.Account, err)
		}
	}
	// A replay over a state that holds the entries already adds none
	// (account.addAudit); New trims to the bound once all is loaded.
	for _, s := range rec.Audit {
		st.Accounts[rec.Account].addAudit(s, 0)
	}
	return nil
}
