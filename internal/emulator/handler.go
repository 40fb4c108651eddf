package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/riskctl/riskctl/internal/textutil"
)

// maxBodyBytes bounds request bodies; the real bodies are a few hundred bytes.
const maxBodyBytes = 1 << 20

// outcome is what the pipeline decided: an answer, or a dropped connection.
type outcome struct {
	rep  reply
	drop bool
	seq  uint64 // the journal record of the write, to be on disk before rep is sent; 0 = none
}

// ServeHTTP answers one API request. The order of checks is: latency, rate
// limit, faults (queued, then dice), routing (404/405/400 7003), auth
// (400 9106/6003, 403), account (403 10000), entitlement (403 3314), then
// the operation itself (400/404/200).
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if !sleep(r.Context(), e.opts.Latency) {
		e.record(r, 0, start) // the client gave up while we were "slow"
		return
	}
	body, bodyErr := readBody(w, r)
	// Every answer carries a cf-ray header, as Cloudflare's do; an audit
	// entry of the request records the same ray id (audit.go).
	ray := newRayID()
	out := e.process(r, body, bodyErr, ray)
	// A write is answered once its record is on disk, outside the mutex, so
	// that writers arriving meanwhile share the next fsync (syncJournal).
	if err := e.syncJournal(out.seq); err != nil {
		if e.opts.Logf != nil {
			e.opts.Logf("emulator: %v", err)
		}
		header := out.rep.header
		header.Del("Cf-Auditlog-Id") // as for a lost answer: it names no entry
		out.rep = saveFailed()
		out.rep.header = header
	}
	if out.drop {
		e.record(r, 0, start)
		dropConnection(w)
		return
	}
	// Record before writing, so a client that has its answer always finds
	// its request in the log.
	e.record(r, out.rep.status, start)
	out.rep.setHeader("Cf-Ray", ray+"-"+rayColo)
	out.rep.write(w)
}

// process runs every check and the operation under the one mutex.
func (e *Emulator) process(r *http.Request, body []byte, bodyErr *reply, ray string) outcome {
	e.mu.Lock()
	defer e.mu.Unlock()

	// Every request is counted and every answer carries the rate-limit
	// headers, with or without Options.RateLimit.
	limitHeader, limited := e.rateLimitLocked(r)
	if limited != nil {
		return outcome{rep: *limited}
	}
	out := e.handleLocked(r, body, bodyErr, ray)
	if out.rep.header == nil {
		out.rep.header = http.Header{}
	}
	for k, v := range limitHeader {
		out.rep.header[k] = v
	}
	return out
}

func (e *Emulator) handleLocked(r *http.Request, body []byte, bodyErr *reply, ray string) outcome {
	f, faulted := e.nextFaultLocked(r)
	if faulted {
		if f.Reset {
			return outcome{drop: true}
		}
		if !f.CommitThenFail {
			return outcome{rep: f.reply()}
		}
	}
	rt, h, rerr := dispatch(r)
	if rerr != nil {
		return outcome{rep: *rerr}
	}
	if rp := e.authenticate(r); rp != nil {
		return outcome{rep: *rp}
	}
	acc, refused := e.lookupAccountLocked(rt.account)
	if refused != nil {
		return outcome{rep: *refused}
	}
	if rt.entitled && e.unentitled[rt.account] {
		return outcome{rep: failf(http.StatusForbidden, codeNotEntitled, "Forbidden")}
	}
	if bodyErr != nil && (r.Method == http.MethodPut || r.Method == http.MethodPost) {
		return outcome{rep: *bodyErr}
	}
	c := &call{r: r, body: body, acc: acc, account: rt.account, id: rt.id, ray: ray}
	rep := h(e, c)
	if rep.status == http.StatusOK {
		for _, id := range c.auditIDs {
			if rep.header == nil {
				rep.header = http.Header{}
			}
			rep.header.Add("Cf-Auditlog-Id", id)
		}
	}
	// Commit-then-fail: the write above is stored (and saved); only the
	// answer is lost. A request that failed on its own keeps its own answer.
	if faulted && rep.status == http.StatusOK {
		return outcome{rep: f.reply(), seq: c.seq}
	}
	return outcome{rep: rep, seq: c.seq}
}

// readBody reads the whole body before the mutex is taken, so a slow client
// cannot stall other requests.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, *reply) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			rp := failf(http.StatusRequestEntityTooLarge, codeBodyTooLarge, "Request body is larger than %d bytes", maxBodyBytes)
			return nil, &rp
		}
		rp := failf(http.StatusBadRequest, codeMalformedBody, "Could not read the request body")
		return nil, &rp
	}
	return body, nil
}

// sleep waits d, or less if ctx ends first; it reports whether the full
// wait happened.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// record appends to the request log and writes the Logf line. Only the
// method, path, status and duration are logged: never headers or bodies,
// which may carry credentials. The log keeps the last MaxLoggedRequests
// requests, each path cut to MaxLoggedPath bytes (loggedPath), so that
// requests with long paths cannot grow it without bound; the Logf line
// shows the same path with control, bidi and zero-width characters
// escaped (textutil.Visible), as the path is percent-decoded and may hold
// any of them.
func (e *Emulator) record(r *http.Request, status int, start time.Time) {
	path := loggedPath(r.URL.Path)
	e.mu.Lock()
	req := Request{Method: r.Method, Path: path, Status: status}
	if len(e.log) < MaxLoggedRequests {
		e.log = append(e.log, req)
	} else { // a ring: the oldest entry, at logStart, makes way
		e.log[e.logStart] = req
		e.logStart = (e.logStart + 1) % len(e.log)
	}
	e.mu.Unlock()
	if e.opts.Logf != nil {
		e.opts.Logf("%s %s %d %s", textutil.Visible(r.Method), textutil.Visible(path), status, time.Since(start).Round(time.Microsecond))
	}
}

// MaxLoggedRequests is how many requests the log keeps (Requests): the
// last ones.
const MaxLoggedRequests = 10_000

// MaxLoggedPath is the most bytes of a path the log keeps; a longer path
// is cut there and says so.
const MaxLoggedPath = 2048

// loggedPath is p as the log holds it: p, or its first MaxLoggedPath bytes
// (at a character boundary) and how long it was.
func loggedPath(p string) string {
	if len(p) <= MaxLoggedPath {
		return p
	}
	cut := MaxLoggedPath
	for cut > 0 && !utf8.RuneStart(p[cut]) {
		cut--
	}
	return p[:cut] + fmt.Sprintf("...(cut: %d bytes)", len(p))
}
