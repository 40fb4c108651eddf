package remote

import (
	"net"
	"strings"
	"syscall"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// netOpError builds the errors net produces for a failed dial or a reset.
type netOpError struct{ op string }

func (e *netOpError) err() error {
	if e.op == "dial" {
		return &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	return &net.OpError{Op: e.op, Net: "tcp", Err: syscall.ECONNRESET}
}
