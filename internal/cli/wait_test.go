package cli

import (
	"bytes"
	"testing"
	"time"
)

// A wait of a second or more (a retry, a rate limit) is said on stderr; the
// sub-second spacing of paced sends is not.
func TestOnWaitSaysLongWaits(t *testing.T) {
	var errOut bytes.Buffer
	g := &globals{streams: Streams{Err: &errOut}}
	g.onWait(`get behaviors`, 300*time.Millisecond, "paced")
	if errOut.Len() != 0 {
		t.Errorf("a 300ms wait was printed: %q", errOut.String())
	}
	g.onWait(`create integration "idp-a"`, 12*time.Second, "rate limited (retry-after)")
	if got, want := errOut.String(), "waiting 12s before create integration \"idp-a\": rate limited (retry-after)\n"; got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
}
