package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// errInterrupted is the cause of a run's context ending on a signal.
var errInterrupted = errors.New("interrupted")

// exitInterruptedTwice is the exit status of a run stopped at once by a
// second signal: 128 + SIGINT, as shells report it.
const exitInterruptedTwice = 130

// interruptible returns ctx, cancelled (cause errInterrupted) by the first
// SIGINT or SIGTERM, as Terraform handles them: apply starts nothing new,
// lets the requests in flight finish and reports what happened; plan,
// drift and the users commands stop. A second signal ends the process at
// once, saying so. stop releases the signals. --timeout (timeout.go) ends
// the run's context below this one the same way, with its own cause.
func interruptible(parent context.Context, errOut io.Writer, exit func(int)) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-signals:
			say(errOut, "\n%s received: stopping. Nothing new is started; what is in flight finishes and is reported. "+
				"Send it again to stop at once.\n", signalName(sig))
			cancel(errInterrupted)
		case <-done:
			return
		}
		select {
		case sig := <-signals:
			say(errOut, "%s received again: stopping at once. Requests in flight may or may not have been applied; "+
				"run riskctl plan to see where the account stands.\n", signalName(sig))
			exit(exitInterruptedTwice)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(signals)
		close(done)
		cancel(nil)
	}
}

// say writes a message at once, through any buffering writer.
func say(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, format, args...)
	if f, ok := w.(interface{ Flush() error }); ok {
		_ = f.Flush()
	}
}

func signalName(sig os.Signal) string {
	if sig == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "Interrupt"
}
