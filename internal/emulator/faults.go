package emulator

import (
	"net"
	"net/http"
	"strings"
)

// serverErrors are the statuses the ServerErrorRate dice pick from.
var serverErrors = []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}

// nextFaultLocked decides whether this request is faulted: first by the
// oldest matching queued fault (exact, for tests), then by the dice of the
// configured rates (seeded, so a run is reproducible for a given request
// order). Connection resets and 5xx are decided before anything is applied;
// commit-then-fail only for writes.
func (e *Emulator) nextFaultLocked(r *http.Request) (Fault, bool) {
	for i, f := range e.faults {
		if (f.Method == "" || strings.EqualFold(f.Method, r.Method)) && strings.HasSuffix(r.URL.Path, f.PathSuffix) {
			e.faults = append(e.faults[:i:i], e.faults[i+1:]...)
			return f, true
		}
	}
	if e.roll(e.opts.ResetRate) {
		return Fault{Reset: true}, true
	}
	if e.roll(e.opts.ServerErrorRate) {
		return Fault{Status: serverErrors[e.dice.IntN(len(serverErrors))]}, true
	}
	if isWrite(r.Method) && e.roll(e.opts.CommitThenFailRate) {
		return Fault{CommitThenFail: true}, true
	}
	return Fault{}, false
}

// roll only draws when the rate is set, so enabling one knob does not shift
// the dice of the others.
func (e *Emulator) roll(rate float64) bool {
	return rate > 0 && e.dice.Float64() < rate
}

func isWrite(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// reply is the answer a non-reset fault gives.
func (f Fault) reply() reply {
	status := f.Status
	if status < 400 { // 0 or a success status would not be a fault
		status = http.StatusInternalServerError
	}
	rp := statusReply(status)
	if f.RetryAfter != "" {
		rp.setHeader("Retry-After", f.RetryAfter)
	}
	return rp
}

// dropConnection ends the exchange without an answer. Hijacking and closing
// with SO_LINGER 0 sends a TCP RST, as a real reset would; where hijacking
// is impossible (HTTP/2, recorders) net/http's abort panic does the same job.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
