package remote

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretNeverPrints(t *testing.T) {
	s := Secret(testToken)
	if s.Reveal() != testToken {
		t.Fatalf("Reveal = %q", s.Reveal())
	}
	creds := Credentials{Token: s, APIKey: Secret(testKey), Email: testEmail}
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s", "%T"} {
		out = append(out, fmt.Sprintf(verb, s), fmt.Sprintf(verb, creds), fmt.Sprintf(verb, &creds))
	}
	out = append(out, s.String(), s.GoString(), fmt.Sprint(s), fmt.Sprintln(creds))

	j, err := json.Marshal(map[string]any{"creds": creds, "s": s})
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, string(j))
	txt, _ := s.MarshalText()
	out = append(out, string(txt))

	var logs bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		slog.New(h).Info("creds", "token", s, "creds", creds, slog.Any("any", s))
	}
	out = append(out, logs.String())

	for _, o := range out {
		if strings.Contains(o, testToken) || strings.Contains(o, testKey) {
			t.Errorf("secret leaked: %s", o)
		}
	}
	if got := fmt.Sprintf("%v", s); got != "[REDACTED]" {
		t.Errorf("%%v = %q", got)
	}
	if !strings.Contains(string(j), `"[REDACTED]"`) {
		t.Errorf("json = %s", j)
	}
}
