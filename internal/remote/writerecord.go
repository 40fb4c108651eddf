package remote

import (
	"context"
	"net/http"
	"slices"
	"sync"
)

// Write is one write the client sent and had answered, with the headers
// that name it in the account's audit log: Cf-Auditlog-Id (the entry's
// id) and cf-ray (its raw.cf_ray_id). riskctl records them so that its own
// writes can be told apart from changes made outside it
// (docs/attribution.md).
type Write struct {
	Method     string `json:"method"`
	Path       string `json:"path"`
	Status     int    `json:"status"`
	AuditLogID string `json:"audit_log_id,omitempty"`
	RayID      string `json:"ray_id,omitempty"`
}

type writeRecordKey struct{}

// writeRecord collects the writes of one context; a write is also added
// to every enclosing record (parent), so a run's record holds what each
// of its actions' records holds.
type writeRecord struct {
	mu     sync.Mutex
	writes []Write
	parent *writeRecord
}

// WithWriteRecord returns a context whose answered writes (PUT, POST,
// PATCH, DELETE) are recorded; writes returns them so far, in the order
// they were answered. Records nest: a write under an inner record is in
// the outer one too. Like WithWaitTally, it is a context value so that
// remote.API's methods need no new parameter.
func WithWriteRecord(ctx context.Context) (_ context.Context, writes func() []Write) {
	parent, _ := ctx.Value(writeRecordKey{}).(*writeRecord)
	r := &writeRecord{parent: parent}
	return context.WithValue(ctx, writeRecordKey{}, r), func() []Write {
		r.mu.Lock()
		defer r.mu.Unlock()
		return slices.Clone(r.writes)
	}
}

// recordWrite adds an answered write to ctx's records, if it has any.
func recordWrite(ctx context.Context, method, path string, resp *http.Response) {
	if method == http.MethodGet || method == http.MethodHead || resp == nil {
		return
	}
	r, ok := ctx.Value(writeRecordKey{}).(*writeRecord)
	if !ok {
		return
	}
	r.add(Write{Method: method, Path: path, Status: resp.StatusCode,
		AuditLogID: cut(resp.Header.Get("Cf-Auditlog-Id")), RayID: cut(resp.Header.Get("Cf-Ray"))})
}

// add appends w to r and every record enclosing it.
func (r *writeRecord) add(w Write) {
	for ; r != nil; r = r.parent {
		r.mu.Lock()
		r.writes = append(r.writes, w)
		r.mu.Unlock()
	}
}

// RecordedWrites returns the writes recorded so far by ctx's innermost
// write record, nil when it has none.
func RecordedWrites(ctx context.Context) []Write {
	r, ok := ctx.Value(writeRecordKey{}).(*writeRecord)
	if !ok {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.writes)
}

// TestRecordWrite adds w to ctx's write records as an answered write
// would: for tests of the packages that read the records.
func TestRecordWrite(ctx context.Context, w Write) {
	if r, ok := ctx.Value(writeRecordKey{}).(*writeRecord); ok {
		r.add(w)
	}
}
