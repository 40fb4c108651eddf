package emulator

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// shutdownTimeout bounds the graceful shutdown; in-flight requests to an
// emulator are short.
const shutdownTimeout = 5 * time.Second

// Server is an emulator served over HTTP: what Start returns. Its
// Emulator's methods (Requests, PutIntegration, ...) stay available.
type Server struct {
	*Emulator
	// URL is the base URL, "http://HOST:PORT/client/v4": PORT is the bound
	// one (addr may end in ":0"), and an unspecified host (":0",
	// "0.0.0.0") is given as 127.0.0.1 so the URL is always dialable.
	URL string

	http     *http.Server
	done     chan struct{} // closed when http.Serve returns
	serveErr error         // what it returned; read after done
}

// Start is the one way riskctl runs an emulator as a server (--emulate,
// `emulator serve`, the bench): New checks opts and loads the state,
// then the emulator is served on addr in the background. Stop it with
// Shutdown or Close, which also save its state and release its lock.
func Start(addr string, opts Options) (*Server, error) {
	e, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, errors.Join(err, e.Close())
	}
	s := &Server{
		Emulator: e,
		URL:      baseURL(ln.Addr()),
		http:     &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second},
		done:     make(chan struct{}),
	}
	go func() {
		s.serveErr = s.http.Serve(ln)
		close(s.done)
	}()
	return s, nil
}

// Done is closed when the server stops serving, of itself or by Shutdown
// or Close.
func (s *Server) Done() <-chan struct{} { return s.done }

// Shutdown stops the server gracefully (the requests in flight get
// shutdownTimeout, also when ctx is already done), then saves the state
// and releases the state file's lock.
func (s *Server) Shutdown(ctx context.Context) error {
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	return s.finish(s.http.Shutdown(shutCtx))
}

// Close stops the server at once, for a caller with nothing in flight
// (Shutdown would wait out a connection a client opened but never used),
// then saves the state and releases the lock.
func (s *Server) Close() error { return s.finish(s.http.Close()) }

func (s *Server) finish(stopErr error) error {
	<-s.done
	serveErr := s.serveErr
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	// Writes are in the journal as they happen; Save compacts it into the
	// state file (which it creates on a first, read-only run, so users see
	// where it lives). Only then may another process use it.
	return errors.Join(serveErr, stopErr, s.Save(), s.Emulator.Close())
}

// Serve starts the emulator on addr (Start) and serves it until ctx is
// done, then shuts it down (Shutdown). ready (may be nil) is called with
// the base URL once listening; an error from it stops the server and is
// returned.
func Serve(ctx context.Context, addr string, opts Options, ready func(baseURL string) error) error {
	s, err := Start(addr, opts)
	if err != nil {
		return err
	}
	if ready != nil {
		if err := ready(s.URL); err != nil {
			return errors.Join(err, s.Shutdown(ctx))
		}
	}
	select {
	case <-ctx.Done():
	case <-s.Done():
	}
	return s.Shutdown(ctx)
}

func baseURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String() + "/client/v4"
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/client/v4"
}
