package remote

import (
	"fmt"
	"log/slog"
)

// redacted is what every printing path of a Secret produces.
const redacted = "[REDACTED]"

// Secret holds a credential (an API token or a global API key). Every way Go
// has of printing or serialising a value — fmt verbs (%v %+v %#v %s %q %x…),
// Stringer, GoStringer, JSON, text marshalling (YAML and friends) and slog —
// yields "[REDACTED]", so a Secret can sit in a Config that is logged, dumped
// with %+v or wrapped into an error without leaking. The only way to read it
// is Reveal, which is called in exactly one place: when setting auth headers.
//
// Secret is a string type so that callers can write remote.Secret(token).
type Secret string

// Reveal returns the secret itself. Use it only to put the credential on the
// wire; never to print it.
func (s Secret) Reveal() string { return string(s) }

// IsZero reports whether no secret was given.
func (s Secret) IsZero() bool { return s == "" }

// String implements fmt.Stringer.
func (Secret) String() string { return redacted }

// GoString implements fmt.GoStringer (%#v).
func (Secret) GoString() string { return redacted }

// Format implements fmt.Formatter, so that no verb (%s, %q, %x, %d…) can
// bypass String by formatting the underlying string directly.
func (Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// MarshalJSON implements json.Marshaler.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler (YAML encoders, map keys, …).
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }
