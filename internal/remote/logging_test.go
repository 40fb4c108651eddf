package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestDebugLogOneRecordPerAttempt(t *testing.T) {
	f := newFake(t)
	f.handle("GET /summary", sequence(
		fail(503, 1000, "unavailable"),
		okPage(`{"users":[`+summaryUser(1)+`]}`, `{"page":1,"per_page":1,"total_pages":2}`),
		okPage(`{"users":[`+summaryUser(2)+`]}`, `{"page":2,"per_page":1,"total_pages":2}`),
	))
	log, buf := logBuffer()
	if _, err := f.client(func(c *Config) { c.Logger = log }).GetSummary(context.Background()); err != nil {
		t.Fatal(err)
	}
	recs := buf.records(t)
	var got []string
	for _, r := range recs {
		switch r["msg"] {
		case "http attempt":
			got = append(got, fmt.Sprintf("attempt %v %v %v %v", r["method"], r["path"], r["attempt"], r["status"]))
			if _, ok := r["duration"]; !ok {
				t.Errorf("no duration: %v", r)
			}
		case "http retry":
			got = append(got, fmt.Sprintf("retry %v %v after=%v", r["path"], r["attempt"], r["after"]))
			if _, ok := r["wait"]; !ok {
				t.Errorf("no wait: %v", r)
			}
		default:
			t.Errorf("unexpected record %v", r)
		}
	}
	p := testRoot + "/summary"
	want := []string{
		"attempt GET " + p + " 1 503",
		"retry " + p + " 1 after=HTTP 503",
		"attempt GET " + p + " 2 200",
		"attempt GET " + p + " 1 200", // page 2 is a new request; the query is not logged
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Contains(buf.String(), "page=") {
		t.Errorf("query logged: %s", buf.String())
	}
}

func TestNilLoggerIsSilent(t *testing.T) {
	f := newFake(t)
	f.handle("GET /behaviors", sequence(fail(503, 1000, "x"), okRaw(behaviorsJSON)))
	if _, err := f.client().GetBehaviors(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestCredentialsNeverLeak runs a client through successes, retries,
// API errors, a reset and an ambiguous create, with a server that even
// echoes the credentials back in its error bodies, and checks that neither
// the token nor the key shows up in the debug log, in any error, or in any
// fmt rendering of the config or the client.
func TestCredentialsNeverLeak(t *testing.T) {
	for name, creds := range map[string]Credentials{
		"token": {Token: Secret(testToken)},
		"key":   {APIKey: Secret(testKey), Email: testEmail},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t)
			echo := func(status int) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					got := r.Header.Get("Authorization") + " " + r.Header.Get("X-Auth-Key")
					fail(status, 10000, "Authentication error for "+got)(w, r)
				}
			}
			f.handle("GET /behaviors", sequence(withHeader("Retry-After", "0", fail(429, 971, "Please wait")), okRaw(behaviorsJSON)))
			f.handle("PUT /behaviors", echo(403))
			f.handle("GET /summary", func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(502)
				_, _ = fmt.Fprintf(w, "<html>bad gateway; you sent %s</html>", r.Header)
			})
			f.handle("POST /integrations", echo(500))
			f.handle("DELETE /integrations/x", resetConn)

			log, buf := logBuffer()
			cfg := f.baseConfig()
			cfg.Credentials = creds
			cfg.Logger = log
			cfg.RetryMax = 1
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			var errs []error
			_, err = c.GetBehaviors(ctx)
			errs = append(errs, err)
			_, err = c.UpdateBehaviors(ctx, nil)
			errs = append(errs, err)
			_, err = c.GetSummary(ctx)
			errs = append(errs, err)
			_, err = c.CreateIntegration(ctx, createReq())
			errs = append(errs, err)
			errs = append(errs, c.DeleteIntegration(ctx, "x"))
			shortCtx, cancel := context.WithTimeout(ctx, time.Nanosecond)
			defer cancel()
			_, err = c.GetIntegration(shortCtx, "y")
			errs = append(errs, err)

			if errs[0] != nil || errs[1] == nil || errs[2] == nil || errs[3] == nil || errs[4] == nil || errs[5] == nil {
				t.Fatalf("unexpected outcomes: %v", errs)
			}
			var amb *AmbiguousError
			if !errors.As(errs[3], &amb) {
				t.Errorf("create: %v", errs[3])
			}
			if !errors.Is(errs[5], context.DeadlineExceeded) {
				t.Errorf("expired context: %v", errs[5])
			}

			outputs := []string{buf.String(), fmt.Sprintf("%v %+v %#v", cfg, c, *c)}
			for _, e := range errs {
				outputs = append(outputs, fmt.Sprintf("%v %+v %#v %s", e, e, e, e))
			}
			if f.count("PUT /behaviors") != 1 || !strings.Contains(errs[1].Error(), "[REDACTED]") {
				t.Errorf("the echoed credential should be scrubbed, not dropped: %v", errs[1])
			}
			for _, out := range outputs {
				for _, secret := range []string{testToken, testKey} {
					if strings.Contains(out, secret) {
						t.Errorf("%s leaked in:\n%s", secret, out)
					}
				}
				if strings.Contains(out, "Authorization") && out == buf.String() {
					t.Errorf("headers logged:\n%s", out)
				}
			}
			if !strings.Contains(buf.String(), `"msg":"http attempt"`) {
				t.Errorf("no attempt records: %s", buf.String())
			}
		})
	}
}
