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

// Serve runs the emulator on addr until ctx is done, then shuts down gracefully and saves state.
// ready (may be nil) is called with the base URL ("http://HOST:PORT/client/v4") once listening;
// PORT is the bound one (addr may end in ":0"), and an unspecified host (":0", "0.0.0.0") is
// reported as 127.0.0.1 so the URL is always dialable.
func Serve(ctx context.Context, addr string, e *Emulator, ready func(baseURL string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if ready != nil {
		ready(baseURL(ln.Addr()))
	}

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	shutErr := srv.Shutdown(shutCtx)
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return errors.Join(serveErr, shutErr, e.Save())
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
