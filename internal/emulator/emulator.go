package emulator

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// defaultSeed replaces Options.Seed == 0, so "no seed" is still reproducible.
const defaultSeed = 0x7269736b63746c // "riskctl"

// Emulator is an in-memory, stateful implementation of the Zero Trust Risk
// Scoring API. It is an http.Handler; use Start (or Serve) to run it as a server.
//
// One mutex guards everything (state, request log, fault queue, dice, rate
// windows): the emulator is for tests and dry runs, so simplicity beats
// throughput. Only the journal's file has a lock of its own (journal.go),
// so that a write waits for its fsync outside the mutex and writers
// arriving meanwhile share the next one.
type Emulator struct {
	opts   Options
	now    func() time.Time // Options.Now: timestamps that land in the state
	clock  func() time.Time // wall clock for rate windows; tests may replace it
	served map[string]bool  // nil = every account is served
	// unentitled accounts lack the risk-scoring entitlement (Options.UnentitledAccounts).
	unentitled  map[string]bool
	maxAccounts int            // Options.MaxAccounts, or DefaultMaxAccounts
	maxInts     int            // Options.MaxIntegrations, or DefaultMaxIntegrations
	maxAudit    int            // Options.MaxAuditEntries, or DefaultMaxAuditEntries
	catalogue   []catalogEntry // behaviors of new accounts, in seeding order
	perPage     int            // default per_page for users, summary and the Access lists
	quota       int            // requests per window: Options.RateLimit, or defaultQuota
	window      time.Duration  // Options.RateWindow, or defaultWindow without a RateLimit
	enforce     bool           // Options.RateLimit is set: over the quota is a 429

	mu       sync.Mutex
	st       *state
	log      []Request // a ring of at most MaxLoggedRequests (record)
	logStart int       // where a full log's oldest entry is
	faults   []Fault
	dice     *rand.Rand
	windows  map[[sha256.Size]byte]*rateWindow

	rateLimited int // 429s of the limiter since New or ResetRequests

	lag []lagChange // API writes to integrations younger than Options.ReadLag, oldest first (lag.go)

	lock    *os.File // the state file's lock, held from New to Close; nil without a StatePath
	journal *journal // the state file's journal, from New on; nil without a StatePath
	// fresh holds the accounts provisioned since the last compaction that
	// no record holds yet: their first record is the whole account.
	fresh  map[string]bool
	closed bool // Close was called: nothing more is saved
}

// New builds an emulator. It loads Options.StatePath when that file exists
// and provisions Options.Accounts that the state does not already hold.
func New(opts Options) (*Emulator, error) {
	if err := checkOptions(opts); err != nil {
		return nil, err
	}
	if opts.Seed == 0 {
		opts.Seed = defaultSeed
	}
	if opts.RateWindow == 0 {
		opts.RateWindow = time.Second
	}
	opts.Access = opts.Access.clone() // served as given: the caller's later changes are not
	opts.Actors = maps.Clone(opts.Actors)
	quota, window := opts.RateLimit, opts.RateWindow
	if quota == 0 { // advertise Cloudflare's limit, enforce nothing
		quota, window = defaultQuota, defaultWindow
	}
	e := &Emulator{
		opts:    opts,
		now:     opts.Now,
		clock:   time.Now,
		perPage: clampPerPage(opts.PageSize, defaultPerPage),
		quota:   quota,
		window:  window,
		enforce: opts.RateLimit > 0,
		st:      newState(),
		// The dice get their own stream so that fault rates never change
		// which users are generated.
		dice:    rand.New(rand.NewPCG(opts.Seed, 0x6661756c7473)),
		windows: map[[sha256.Size]byte]*rateWindow{},
		fresh:   map[string]bool{},
	}
	if e.now == nil {
		e.now = time.Now
	}
	if len(opts.Accounts) > 0 {
		e.served = set(opts.Accounts)
	}
	e.unentitled = set(opts.UnentitledAccounts)
	e.maxAccounts = opts.MaxAccounts
	if e.maxAccounts == 0 {
		e.maxAccounts = DefaultMaxAccounts
	}
	e.maxInts = opts.MaxIntegrations
	if e.maxInts == 0 {
		e.maxInts = DefaultMaxIntegrations
	}
	e.maxAudit = opts.MaxAuditEntries
	if e.maxAudit == 0 {
		e.maxAudit = DefaultMaxAuditEntries
	}
	e.catalogue = catalogueOf(opts.Behaviors)
	if opts.StatePath != "" {
		// One writer per state file: taken before loading, so that what
		// is loaded is what the last writer saved.
		lock, err := acquireStateLock(opts.StatePath)
		if err != nil {
			return nil, err
		}
		// Ours now: temp files of a save that crashed are litter.
		removeStaleTemps(opts.StatePath)
		if err := e.load(); err != nil {
			if e.journal != nil && e.journal.f != nil {
				_ = e.journal.f.Close()
			}
			e.journal = nil
			_ = releaseStateLock(lock)
			return nil, err
		}
		e.lock = lock
	}
	for _, id := range opts.Accounts {
		e.accountLocked(id)
	}
	return e, nil
}

// load reads the state file, replays its journal over it and, when the
// journal held anything, compacts (journal.go). The lock is held.
func (e *Emulator) load() error {
	path := e.opts.StatePath
	st, err := loadState(path)
	if err != nil {
		return err
	}
	jpath := journalPath(path)
	f, err := openRegular(jpath, "state journal", 0o600)
	if err != nil {
		return fmt.Errorf("load state journal %s: %w", jpath, err)
	}
	e.journal = &journal{path: jpath, f: f}
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("load state journal %s: %w", jpath, err)
	}
	if fi.Size() > maxJournalBytes { // refused before it is read
		return fmt.Errorf("load state journal %s: larger than %d MiB, more than riskctl writes between compactions: move it away", jpath, maxJournalBytes>>20)
	}
	if _, err := replayJournal(st, f, jpath); err != nil {
		return err
	}
	for _, a := range st.Accounts {
		a.normalize()
		a.trimAudit(e.maxAudit)
	}
	e.st = st
	e.journal.size = fi.Size()
	if fi.Size() == 0 {
		return nil
	}
	// Even a journal of one torn record is emptied: the next record must
	// not be glued to it.
	return e.compactLocked()
}

// Close releases the lock of the state file so that another emulator can
// use it. Save first to compact the journal (Start's Shutdown and Close
// do); writes are durable without it, and the next New replays them.
// After Close nothing is saved any more (a write is answered 500), since
// the file may already belong to another emulator. Close is idempotent
// and a no-op without a StatePath.
func (e *Emulator) Close() error {
	var errs []error
	if j := e.journal; j != nil {
		// Writers still waiting get their records written, not lost.
		j.flushMu.Lock()
		defer j.flushMu.Unlock()
		if !e.isClosed() {
			errs = append(errs, e.flushJournal())
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	if j := e.journal; j != nil && j.f != nil {
		errs = append(errs, j.f.Close())
		j.f = nil
	}
	lock := e.lock
	e.lock = nil
	return errors.Join(append(errs, releaseStateLock(lock))...)
}

func (e *Emulator) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

func set(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// OptionError is one problem New found in its Options: Field names the
// field ("APIKey"), Err says what is wrong without naming it ("must be a
// Global API Key: 37 hex characters"), so that a CLI can name its flag
// instead. New joins one per problem (errors.Join).
type OptionError struct {
	Field string
	Err   error
}

func (e *OptionError) Error() string { return "emulator: Options." + e.Field + ": " + e.Err.Error() }
func (e *OptionError) Unwrap() error { return e.Err }

func checkOptions(opts Options) error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, &OptionError{Field: field, Err: fmt.Errorf(format, args...)})
	}
	for _, list := range []struct {
		name string
		ids  []string
	}{{"Accounts", opts.Accounts}, {"UnentitledAccounts", opts.UnentitledAccounts}} {
		for _, id := range list.ids {
			if !ValidAccountID(id) {
				add(list.name, "%q is not a Cloudflare account id: expected 32 lower-case hex characters", id)
			}
		}
	}
	if opts.APIKey != "" && !validAPIKey(opts.APIKey) {
		// A key the emulator would answer 6003 to could never be used.
		add("APIKey", "must be a Global API Key: %d hex characters", apiKeyLen)
	}
	if opts.Email != "" && !validEmail(opts.Email) {
		add("Email", "%q is not an email address", opts.Email)
	}
	// A key without its email (or the reverse) could never authenticate.
	switch {
	case opts.APIKey != "" && opts.Email == "":
		add("Email", "an API key needs its email")
	case opts.Email != "" && opts.APIKey == "":
		add("APIKey", "an email needs its API key")
	}
	if opts.Token != "" {
		if _, ok := bearerToken("Bearer " + opts.Token); !ok || strings.TrimSpace(opts.Token) != opts.Token {
			add("Token", "must not contain spaces")
		}
	}
	for _, problem := range checkActors(opts.Actors) {
		add("Actors", "%s", problem)
	}
	if opts.Behaviors != nil {
		if err := checkCatalogue(opts.Behaviors); err != nil {
			add("Behaviors", "%w", err)
		}
	}
	if opts.Access != nil {
		if err := checkAccess(opts.Access); err != nil {
			add("Access", "%w", err)
		}
	}
	for _, c := range []struct {
		name string
		v    int
	}{{"SeedUsers", opts.SeedUsers}, {"MaxAccounts", opts.MaxAccounts}, {"MaxIntegrations", opts.MaxIntegrations}, {"MaxAuditEntries", opts.MaxAuditEntries}, {"PageSize", opts.PageSize}, {"IntegrationsPageSize", opts.IntegrationsPageSize}, {"RateLimit", opts.RateLimit}} {
		if c.v < 0 {
			add(c.name, "must not be negative, got %d", c.v)
		}
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"ServerErrorRate", opts.ServerErrorRate}, {"ResetRate", opts.ResetRate}, {"CommitThenFailRate", opts.CommitThenFailRate}} {
		if !(c.v >= 0 && c.v <= 1) { // also refuses NaN
			add(c.name, "must be a probability between 0 and 1, got %v", c.v)
		}
	}
	for _, c := range []struct {
		name string
		v    time.Duration
	}{{"Latency", opts.Latency}, {"RateWindow", opts.RateWindow}, {"LockOut", opts.LockOut}, {"ReadLag", opts.ReadLag}} {
		if c.v < 0 {
			add(c.name, "must not be negative, got %v", c.v)
		}
	}
	if opts.LockOut > 0 && opts.RateLimit == 0 {
		add("LockOut", "needs a rate limit")
	}
	return errors.Join(errs...)
}

// accountLocked returns the account, provisioning it on first use. It
// reports false for every account lookupAccountLocked refuses; the test
// helpers use it, so they can never create what the API would not.
func (e *Emulator) accountLocked(id string) (*account, bool) {
	a, refused := e.lookupAccountLocked(id)
	return a, refused == nil
}

// lookupAccountLocked returns the account, provisioning it on first use, or
// the answer that refuses it: a malformed id is 400 7003 (routing already
// answers that for the API), an account outside Options.Accounts is 403
// 10000, and so is a new account once the state holds maxAccounts. The cap
// keeps a client that loops over random ids from growing the state without
// bound; it does not apply to Options.Accounts, which are bounded already.
func (e *Emulator) lookupAccountLocked(id string) (*account, *reply) {
	if !ValidAccountID(id) {
		rp := failf(http.StatusBadRequest, codeBadIdentifier, "Could not route to account %q, perhaps your object identifier is invalid?", id)
		return nil, &rp
	}
	if e.served != nil && !e.served[id] {
		rp := failf(http.StatusForbidden, codeAuth, "Authentication error")
		return nil, &rp
	}
	if a, found := e.st.Accounts[id]; found {
		return a, nil
	}
	if e.served == nil && len(e.st.Accounts) >= e.maxAccounts {
		rp := failf(http.StatusForbidden, codeAuth,
			"Authentication error: the emulator holds %d accounts and creates no more on first use (emulator serve --max-accounts, or --account)", len(e.st.Accounts))
		return nil, &rp
	}
	a := newAccount(id, e.opts.Seed, e.opts.SeedUsers, e.catalogue)
	e.st.Accounts[id] = a
	if e.journal != nil {
		e.fresh[id] = true
	}
	return a, nil
}

// stamp is the emulator's notion of "now" for stored timestamps: UTC, whole
// seconds, as the real API reports created_at.
func (e *Emulator) stamp() time.Time { return e.now().UTC().Truncate(time.Second) }

// Requests returns a copy of the request log, in order: the last
// MaxLoggedRequests requests, each path cut to MaxLoggedPath bytes.
func (e *Emulator) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Concat(e.log[e.logStart:], e.log[:e.logStart])
}

// ResetRequests empties the request log and zeroes RateLimited. The rate
// windows (and any lock-out) are kept.
func (e *Emulator) ResetRequests() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.log, e.logStart = nil, 0
	e.rateLimited = 0
}

// InjectFault queues a one-shot fault. Faults are consumed in FIFO order:
// a request takes the oldest queued fault that matches it.
func (e *Emulator) InjectFault(f Fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, f)
}

// Integrations returns the account's integrations, sorted by created_at then
// id. An account outside Options.Accounts has none.
func (e *Emulator) Integrations(accountID string) []Integration {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, ok := e.accountLocked(accountID)
	if !ok {
		return nil
	}
	return slices.Clone(a.Integrations)
}

// PutIntegration inserts or overwrites (by ID) an integration, as a hand
// edit in the dashboard would. Empty computed fields are filled in; the
// state is saved like after an API write. Accounts outside
// Options.Accounts are ignored.
func (e *Emulator) PutIntegration(accountID string, in Integration) {
	e.mu.Lock()
	a, ok := e.accountLocked(accountID)
	if !ok {
		e.mu.Unlock()
		return
	}
	if in.ID == "" {
		in.ID = uuid.NewString()
	}
	if in.AccountTag == "" {
		in.AccountTag = accountID
	}
	if in.IntegrationType == "" {
		in.IntegrationType = integrationTypeOkta
	}
	if in.WellKnownURL == "" {
		in.WellKnownURL = wellKnownURL(in.ID)
	}
	if in.CreatedAt.IsZero() {
		in.CreatedAt = e.stamp()
	}
	in.CreatedAt = in.CreatedAt.UTC().Truncate(time.Second)
	if i := a.integration(in.ID); i >= 0 {
		a.Integrations[i] = in
		a.sortIntegrations()
	} else {
		a.insertIntegration(in)
	}
	seq := e.appendQuietlyLocked(accountID, record{Op: opIntegration, Integration: &in})
	e.mu.Unlock()
	e.syncQuietly(seq)
}

// Behaviors returns a copy of the account's behavior map.
func (e *Emulator) Behaviors(accountID string) map[string]Behavior {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, ok := e.accountLocked(accountID)
	if !ok {
		return nil
	}
	return maps.Clone(a.Behaviors)
}

// SetBehavior inserts or overwrites one behavior. A new key simulates
// Cloudflare adding a behavior to the account later.
func (e *Emulator) SetBehavior(accountID, key string, b Behavior) {
	e.mu.Lock()
	a, ok := e.accountLocked(accountID)
	if !ok {
		e.mu.Unlock()
		return
	}
	a.Behaviors[key] = b
	seq := e.appendQuietlyLocked(accountID, record{Op: opBehaviors, Behaviors: a.Behaviors})
	e.mu.Unlock()
	e.syncQuietly(seq)
}

// Users returns a copy of the account's users, in generation order,
// including users without events.
func (e *Emulator) Users(accountID string) []User {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, ok := e.accountLocked(accountID)
	if !ok {
		return nil
	}
	out := make([]User, len(a.Users))
	for i, u := range a.Users {
		out[i] = copyUser(u)
	}
	return out
}

// appendQuietlyLocked and syncQuietly journal a write of the test
// helpers, whose signatures have no error: a failure is reported through
// Logf.
func (e *Emulator) appendQuietlyLocked(accountID string, rec record) uint64 {
	seq, err := e.appendLocked(accountID, rec)
	if err != nil && e.opts.Logf != nil {
		e.opts.Logf("emulator: %v", err)
	}
	return seq
}

func (e *Emulator) syncQuietly(seq uint64) {
	if err := e.syncJournal(seq); err != nil && e.opts.Logf != nil {
		e.opts.Logf("emulator: %v", err)
	}
}
