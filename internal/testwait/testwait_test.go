package testwait

import (
	"testing"
	"time"
)

func TestTimeoutEndsBeforeTheBinary(t *testing.T) {
	got := Timeout(t)
	deadline, ok := t.Deadline()
	switch {
	case got <= 0:
		t.Errorf("Timeout = %v", got)
	case !ok && got != Unbounded:
		t.Errorf("no deadline: Timeout = %v, want %v", got, Unbounded)
	case ok && !time.Now().Add(got).Before(deadline):
		t.Errorf("Timeout = %v reaches past the binary's deadline %v", got, deadline)
	}
	if _, ok := Context(t).Deadline(); !ok {
		t.Error("Context has no deadline")
	}
}
