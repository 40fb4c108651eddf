package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/assess"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/redact"
	"github.com/riskctl/riskctl/internal/report"
)

var unmanaged = assess.Finding{Kind: assess.KindUnmanagedActiveIntegration, ReferenceID: "idp-x",
	Detail: `integration "idp-x" is active and no spec manages it: it sends risk scores to https://x.okta.com`}

// Which runs are worth a message, and as what.
func TestEvents(t *testing.T) {
	refused := appliedRun(plan.Plan{AccountID: acct})
	refused.Status, refused.Report.Accounts[0].Result = reconcile.StatusRefused, nil
	partial := appliedRun(driftPlan(t))
	partial.Status = reconcile.StatusPartial
	failedCheck := driftRun(cleanPlan())
	failedCheck.Status = reconcile.StatusError
	failedCheck.Report.Accounts[0].Err, failedCheck.Report.Accounts[0].Plan = errBoom, nil
	cancelled := appliedRun(plan.Plan{AccountID: acct})
	cancelled.Status = reconcile.StatusCancelled
	planChanges := driftRun(driftPlan(t))
	planChanges.Report.Kind = report.KindPlan
	planFindings := driftRun(cleanPlan(), unmanaged)
	planFindings.Report.Kind = report.KindPlan
	for _, tc := range []struct {
		name string
		run  Run
		want []Event
	}{
		{"no drift", driftRun(cleanPlan()), nil},
		{"drift", driftRun(driftPlan(t)), []Event{EventDrift}},
		{"unmanaged active integration", driftRun(cleanPlan(), unmanaged), []Event{EventDrift, EventFindings}},
		{"drift not checked", failedCheck, []Event{EventDriftCheckFailed}},
		{"apply clean, strengthening", appliedRun(driftPlan(t)), nil},
		{"apply weakened", appliedRun(weakeningPlan(t)), []Event{EventApplyWeakened}},
		{"apply refused", refused, []Event{EventApplyRefused}},
		{"apply partial", partial, []Event{EventApplyFailed}},
		{"apply cancelled at the prompt", cancelled, nil},
		{"plan with changes", planChanges, nil},
		{"plan finding", planFindings, []Event{EventFindings}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Events(tc.run); !slices.Equal(got, tc.want) {
				t.Errorf("Events = %q, want %q", got, tc.want)
			}
		})
	}
}

// The body is a Slack incoming-webhook message (text, blocks of mrkdwn)
// and carries the structured result under "riskctl".
func TestMessageShape(t *testing.T) {
	rc := newReceiver(t)
	run := driftRun(driftPlan(t), unmanaged)
	run.RunURL = "https://github.com/acme/risk/actions/runs/42"
	rep := Notify(bg, run, fastOptions(rc.hook()))
	if !rep.Sent || len(rc.received()) != 1 {
		t.Fatalf("report %+v, received %d", rep, len(rc.received()))
	}
	var body map[string]any
	if err := json.Unmarshal(rc.received()[0], &body); err != nil {
		t.Fatal(err)
	}
	text, _ := body["text"].(string)
	for _, want := range []string{"*Drift* in account " + acct, `behavior "imp_travel" enabled: live false, desired true`,
		"*Next:* Find who changed it", "https://x.okta.com", "run: https://github.com/acme/risk/actions/runs/42"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	blocks, _ := body["blocks"].([]any)
	if len(blocks) < 3 || len(blocks) > 50 {
		t.Fatalf("%d blocks", len(blocks))
	}
	for _, b := range blocks {
		b := b.(map[string]any)
		switch b["type"] {
		case "section":
			if tx := b["text"].(map[string]any); tx["type"] != "mrkdwn" || tx["text"] == "" || len([]rune(tx["text"].(string))) > 3000 {
				t.Errorf("section %v", b)
			}
		case "context":
			if len(b["elements"].([]any)) == 0 {
				t.Errorf("context %v", b)
			}
		default:
			t.Errorf("block type %v", b["type"])
		}
	}
	m := rc.message(t, 0)
	r := m.Riskctl
	if r.Command != "drift" || r.Status != "changes" || !slices.Equal(r.Events, []Event{EventDrift, EventFindings}) ||
		r.Summary.Change != 1 || r.Summary.Findings != 1 || len(r.Accounts) != 1 || r.Digest == "" || r.FormatVersion != FormatVersion {
		t.Errorf("riskctl object %+v", r)
	}
	a := r.Accounts[0]
	if a.AccountID != acct || len(a.Changes) != 1 || a.Changes[0].Key != "imp_travel" ||
		!slices.Equal(a.Changes[0].Fields, []FieldResult{{Field: "enabled", Live: "false", Spec: "true"}}) || len(a.Findings) != 1 {
		t.Errorf("account %+v", a)
	}
}

// Every outside string of the text goes through esc: no mention, link or
// line break from data, no control or bidi character; the structured
// result keeps the data as it is (JSON escapes it).
func TestOutsideTextEscaped(t *testing.T) {
	hostile := "<!channel> <https://evil.example|click> & \x1b[31mred\u202e\nline2"
	rc := newReceiver(t)
	run := driftRun(cleanPlan(), assess.Finding{Kind: assess.KindIdPMissing, ReferenceID: "r", Detail: hostile})
	Notify(bg, run, fastOptions(rc.hook()))
	m := rc.message(t, 0)
	for _, text := range []string{m.Text, m.Blocks[1].Text.Text} {
		if strings.ContainsAny(text, "<>\x1b\u202e") || strings.Contains(text, "\nline2") {
			t.Errorf("unescaped outside text:\n%q", text)
		}
		if !strings.Contains(text, "&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; \\u001B[31mred\\u202E line2") {
			t.Errorf("escaped text not found:\n%q", text)
		}
	}
	if got := m.Riskctl.Accounts[0].Findings[0].Detail; got != hostile {
		t.Errorf("structured detail %q, want the data as it is", got)
	}
	if raw := rc.received()[0]; bytes.ContainsAny(raw, "\x1b\n") || bytes.Contains(raw, []byte("\u202e")) {
		t.Errorf("body bytes carry a control or bidi character: %q", raw)
	}
	if got := esc(strings.Repeat("x", 500)); len([]rune(got)) != maxField {
		t.Errorf("esc does not cut long text: %d characters", len([]rune(got)))
	}
}

// With a state file, a message goes out only when the outcome changed:
// the same drift stays quiet, other drift is sent, drift that clears is
// said once, and nothing follows a quiet run.
func TestStateFile(t *testing.T) {
	rc := newReceiver(t)
	opts := fastOptions(rc.hook())
	opts.StatePath = filepath.Join(t.TempDir(), "notify-state.json")
	var warn bytes.Buffer
	opts.Warn = &warn
	drifted := driftRun(driftPlan(t))
	otherDrift := driftRun(driftPlan(t), unmanaged)
	steps := []struct {
		name      string
		run       Run
		sent      bool
		unchanged bool
		title     string
	}{
		{"first drift", drifted, true, false, "*Drift* in account"},
		{"same drift", drifted, false, true, ""},
		{"same drift again", drifted, false, true, ""},
		{"other drift", otherDrift, true, false, "*Drift* in account"},
		{"cleared", driftRun(cleanPlan()), true, false, "*Drift cleared* in account " + acct},
		{"still clean", driftRun(cleanPlan()), false, false, ""},
		{"drift again", drifted, true, false, "*Drift* in account"},
	}
	want := 0
	for _, s := range steps {
		warn.Reset()
		rep := Notify(bg, s.run, opts)
		if rep.Sent != s.sent || rep.Unchanged != s.unchanged || rep.Failed != 0 {
			t.Fatalf("%s: %+v, want sent %v, unchanged %v (stderr %q)", s.name, rep, s.sent, s.unchanged, warn.String())
		}
		if s.sent {
			want++
		}
		if got := len(rc.received()); got != want {
			t.Fatalf("%s: %d messages received, want %d", s.name, got, want)
		}
		if s.sent && !strings.Contains(rc.message(t, want-1).Text, s.title) {
			t.Errorf("%s: message %q lacks %q", s.name, rc.message(t, want-1).Text, s.title)
		}
		if s.unchanged && !strings.Contains(warn.String(), "not sent again") {
			t.Errorf("%s: stderr %q does not say why nothing was sent", s.name, warn.String())
		}
	}
	data, err := os.ReadFile(opts.StatePath)
	if err != nil || !json.Valid(data) || !strings.Contains(string(data), `"drift"`) {
		t.Errorf("state file %q, %v", data, err)
	}
	if info, err := os.Stat(opts.StatePath); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("state file mode: %v %v", info, err)
	}
}

// Only a run that could tell says something cleared: a drift check that
// failed does not clear drift; an applied weakening is not a state that
// clears.
func TestClearedOnlyWhenKnown(t *testing.T) {
	rc := newReceiver(t)
	opts := fastOptions(rc.hook())
	opts.StatePath = filepath.Join(t.TempDir(), "state.json")
	failedCheck := driftRun(cleanPlan())
	failedCheck.Status = reconcile.StatusError
	failedCheck.Report.Accounts[0].Err, failedCheck.Report.Accounts[0].Plan = errBoom, nil

	Notify(bg, driftRun(driftPlan(t)), opts)
	rep := Notify(bg, failedCheck, opts)
	if !rep.Sent || !slices.Equal(rep.Events, []Event{EventDriftCheckFailed}) {
		t.Errorf("failed check after drift: %+v", rep)
	}
	if text := rc.message(t, 1).Text; strings.Contains(text, "Cleared") || !strings.Contains(text, "could not check") {
		t.Errorf("failed check after drift:\n%s", text)
	}

	Notify(bg, appliedRun(weakeningPlan(t)), opts)
	rep = Notify(bg, appliedRun(driftPlan(t)), opts)
	if rep.Sent || len(rep.Events) != 0 {
		t.Errorf("clean apply after a weakening one: %+v", rep)
	}
	if got := len(rc.received()); got != 3 {
		t.Errorf("%d messages, want 3", got)
	}
}

// Without a state file every outcome that matters is sent, and a clean
// run says nothing (there is nothing it could say cleared).
func TestNoStateFile(t *testing.T) {
	rc := newReceiver(t)
	for range 2 {
		Notify(bg, driftRun(driftPlan(t)), fastOptions(rc.hook()))
	}
	Notify(bg, driftRun(cleanPlan()), fastOptions(rc.hook()))
	if got := len(rc.received()); got != 2 {
		t.Errorf("%d messages, want 2", got)
	}
}

// The state is per command: a plan's findings do not silence drift.
func TestStatePerCommand(t *testing.T) {
	rc := newReceiver(t)
	opts := fastOptions(rc.hook())
	opts.StatePath = filepath.Join(t.TempDir(), "state.json")
	planRun := driftRun(cleanPlan(), unmanaged)
	planRun.Report.Kind = report.KindPlan
	Notify(bg, planRun, opts)
	Notify(bg, driftRun(cleanPlan(), unmanaged), opts)
	Notify(bg, planRun, opts)
	if got := len(rc.received()); got != 2 {
		t.Errorf("%d messages, want 2 (one per command)", got)
	}
}

// A state file that is not ours is taken as empty, with a warning, and
// replaced once a message went out.
func TestStateFileUnreadable(t *testing.T) {
	rc := newReceiver(t)
	opts := fastOptions(rc.hook())
	opts.StatePath = filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(opts.StatePath, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	var warn bytes.Buffer
	opts.Warn = &warn
	if rep := Notify(bg, driftRun(driftPlan(t)), opts); !rep.Sent {
		t.Fatalf("%+v", rep)
	}
	if !strings.Contains(warn.String(), "unreadable, taken as empty") {
		t.Errorf("stderr %q", warn.String())
	}
	if rep := Notify(bg, driftRun(driftPlan(t)), opts); !rep.Unchanged {
		t.Errorf("the state was not replaced: %+v", rep)
	}

	// Larger than any state file: not read past the bound.
	if err := os.WriteFile(opts.StatePath, bytes.Repeat([]byte(" "), maxStateSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	warn.Reset()
	if rep := Notify(bg, driftRun(driftPlan(t)), opts); !rep.Sent || !strings.Contains(warn.String(), "unreadable, taken as empty") {
		t.Errorf("oversized state file: %+v, stderr %q", rep, warn.String())
	}
}

// A receiver that fails is tried DefaultAttempts times, reported on the
// warning writer by its scheme and host only, and the state is not
// saved, so the next run tries again.
func TestReceiverFails(t *testing.T) {
	rc := newReceiver(t, 500, 500, 500, 500)
	opts := fastOptions(rc.hook())
	opts.StatePath = filepath.Join(t.TempDir(), "state.json")
	var warn bytes.Buffer
	opts.Warn = &warn
	rep := Notify(bg, driftRun(driftPlan(t)), opts)
	if rep.Sent || rep.Failed != 1 {
		t.Errorf("%+v", rep)
	}
	if got := len(rc.received()); got != DefaultAttempts {
		t.Errorf("%d attempts, want %d", got, DefaultAttempts)
	}
	want := "notify: could not deliver to " + rc.URL + "/…(redacted): HTTP 500: Internal Server Error (3 attempts)\n"
	if warn.String() != want {
		t.Errorf("stderr %q, want %q", warn.String(), want)
	}
	if strings.Contains(warn.String(), "s3cret") || strings.Contains(warn.String(), "/services") {
		t.Errorf("the URL's secret part is on stderr: %q", warn.String())
	}
	if _, err := os.Stat(opts.StatePath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state saved after a failed delivery: %v", err)
	}
	// The receiver is back: the next run sends.
	if rep := Notify(bg, driftRun(driftPlan(t)), opts); !rep.Sent {
		t.Errorf("next run: %+v", rep)
	}
}

// A failure that a retry cannot fix (a 4xx but 408 and 429) is tried
// once; a 5xx then a 2xx is delivered; a redirect is not followed.
func TestRetries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		answers  []int
		attempts int
		sent     bool
	}{
		{"404 no_service", []int{404}, 1, false},
		{"500 then 200", []int{500}, 2, true},
		{"429 then 200", []int{429}, 2, true},
		{"redirect", []int{302, 302, 302}, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := newReceiver(t, tc.answers...)
			rep := Notify(bg, driftRun(driftPlan(t)), fastOptions(rc.hook()))
			if got := len(rc.received()); got != tc.attempts || rep.Sent != tc.sent {
				t.Errorf("%d attempts, sent %v; want %d, %v", got, rep.Sent, tc.attempts, tc.sent)
			}
		})
	}
}

// A receiver that stalls is given up on after the attempt timeout, every
// attempt, and said so; the stall is bounded by the (injected) timeout.
func TestReceiverStalls(t *testing.T) {
	rc := newReceiver(t)
	rc.stall = make(chan struct{})
	opts := fastOptions(rc.hook())
	opts.AttemptTimeout = 20 * time.Millisecond
	opts.Attempts = 2
	var warn bytes.Buffer
	opts.Warn = &warn
	rep := Notify(bg, driftRun(driftPlan(t)), opts)
	if rep.Sent || rep.Failed != 1 || len(rc.received()) != 2 {
		t.Errorf("%+v, %d attempts", rep, len(rc.received()))
	}
	if want := "no answer within 20ms (2 attempts)"; !strings.Contains(warn.String(), want) {
		t.Errorf("stderr %q lacks %q", warn.String(), want)
	}
}

// The total bound stops the attempts, whatever is left of them.
func TestTotalBound(t *testing.T) {
	rc := newReceiver(t)
	rc.stall = make(chan struct{})
	opts := fastOptions(rc.hook())
	opts.AttemptTimeout = time.Hour
	opts.Total = 20 * time.Millisecond
	if rep := Notify(bg, driftRun(driftPlan(t)), opts); rep.Sent || len(rc.received()) != 1 {
		t.Errorf("%+v, %d attempts", rep, len(rc.received()))
	}
}

// A run whose context ended (timed out, interrupted) still sends its
// message, once; a deadline still ahead bounds the delivery.
func TestRunContextEnded(t *testing.T) {
	rc := newReceiver(t, 500, 500, 500)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	rep := Notify(ctx, driftRun(driftPlan(t)), fastOptions(rc.hook()))
	if rep.Sent || len(rc.received()) != 1 {
		t.Errorf("%+v, %d attempts; want one attempt", rep, len(rc.received()))
	}

	rc = newReceiver(t)
	rc.stall = make(chan struct{})
	ctx, cancel = context.WithTimeout(bg, 20*time.Millisecond)
	defer cancel()
	opts := fastOptions(rc.hook())
	opts.AttemptTimeout = time.Hour
	if rep := Notify(ctx, driftRun(driftPlan(t)), opts); rep.Sent || len(rc.received()) != 1 {
		t.Errorf("%+v, %d attempts", rep, len(rc.received()))
	}
}

// Every URL gets the message; one failing does not keep it from another.
func TestSeveralReceivers(t *testing.T) {
	good, bad := newReceiver(t), newReceiver(t, 500, 500, 500)
	var warn bytes.Buffer
	opts := fastOptions(good.hook(), bad.hook())
	opts.Warn = &warn
	rep := Notify(bg, driftRun(driftPlan(t)), opts)
	if rep.Failed != 1 || len(good.received()) != 1 || len(bad.received()) != 3 {
		t.Errorf("%+v", rep)
	}
	if strings.Count(warn.String(), "could not deliver") != 1 || !strings.Contains(warn.String(), bad.URL) {
		t.Errorf("stderr %q", warn.String())
	}
}

// Filter (the run's redaction) applies to the body: a credential echoed in
// an error text never reaches a receiver.
func TestBodyFiltered(t *testing.T) {
	const token = "Tok3n-Secret-9f8e7d6c5b4a3210ZZ"
	rc := newReceiver(t)
	run := driftRun(cleanPlan())
	run.Status = reconcile.StatusError
	run.Report.Accounts[0].Err = errors.New("API said: bad token " + token)
	opts := fastOptions(rc.hook())
	opts.Filter = redact.New(token).Bytes
	Notify(bg, run, opts)
	if body := rc.received()[0]; bytes.Contains(body, []byte(token[:10])) || !bytes.Contains(body, []byte(redact.Replacement)) || !json.Valid(body) {
		t.Errorf("body %s", body)
	}
}

func TestCheckURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://hooks.slack.com/services/T0/B0/xyz": "",
		"http://127.0.0.1:8080/hook":                 "",
		"http://localhost/hook":                      "",
		"http://[::1]:9/hook":                        "",
		"http://hooks.example.com/services/secret":   "cleartext",
		"HTTP://hooks.example.com/secret":            "cleartext",
		"http://127.0.0.1.evil.example/secret":       "cleartext",
		"ftp://files.example.com/secret":             "expected an https:// URL",
		"hooks.slack.com/services/secret":            "expected an https:// URL",
		"https:///secret":                            "no host",
		"":                                           "expected an https:// URL",
		"https://h.example.com/%zz-secret":           "not a URL",
	} {
		err := CheckURL(raw)
		switch {
		case want == "" && err != nil:
			t.Errorf("CheckURL(%q) = %v", raw, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("CheckURL(%q) = %v, want %q", raw, err, want)
		case err != nil && strings.Contains(err.Error(), "secret"):
			t.Errorf("CheckURL(%q) echoes the URL: %v", raw, err)
		}
	}
}

func TestDisplay(t *testing.T) {
	for raw, want := range map[string]string{
		"https://hooks.slack.com/services/T0/B0/xyz": "https://hooks.slack.com/…(redacted)",
		"https://user:pw@relay.example:8443/x?k=v":   "https://relay.example:8443/…(redacted)",
		"%zz": "(a webhook URL, redacted)",
	} {
		if got := Display(raw); got != want {
			t.Errorf("Display(%q) = %q, want %q", raw, got, want)
		}
	}
}

// The message of each event says what happened and what to do next, in a
// few lines.
func TestEventMessages(t *testing.T) {
	refused := appliedRun(weakeningPlan(t))
	refused.Status, refused.Report.Accounts[0].Result = reconcile.StatusRefused, nil
	refused.Refusal = errors.New("refusing to apply 1 weakening change without --approve-weakening")
	partial := appliedRun(driftPlan(t))
	partial.Status = reconcile.StatusError
	partial.Report.Accounts[0].Result.Actions[0].Status = apply.StatusFailed
	partial.Report.Accounts[0].Result.Applied, partial.Report.Accounts[0].Result.Failed = 0, 1
	partial.Report.Accounts[0].Err = errors.New("PUT behaviors: HTTP 500")
	for _, tc := range []struct {
		name string
		run  Run
		want []string
	}{
		{"refused", refused, []string{"*riskctl apply refused* for account " + acct + ": nothing was changed", "without --approve-weakening", "*Next:* Nothing was changed"}},
		{"weakened", appliedRun(weakeningPlan(t)), []string{"*riskctl apply weakened detection* in account " + acct + ": 1 weakening change applied", `behavior "imp_travel": `, "*Next:* It was approved"}},
		{"failed", partial, []string{"*riskctl apply failed* in account " + acct, "PUT behaviors: HTTP 500", "*Next:* Run `riskctl plan`"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.run.Actor = "alice"
			events := Events(tc.run)
			m := Build(tc.run, events, nil, Digest(tc.run, events), "1.2.3")
			for _, w := range tc.want {
				if !strings.Contains(m.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, m.Text)
				}
			}
			if !strings.Contains(m.Text, "riskctl 1.2.3 · apply · started by alice") || m.Riskctl.Actor != "alice" {
				t.Errorf("the message does not say who started the run:\n%s", m.Text)
			}
			if n := strings.Count(m.Text, "\n"); n > 12 {
				t.Errorf("%d lines: not short\n%s", n, m.Text)
			}
		})
	}
}

// A long list is cut, and what is left out counted.
func TestLongListCut(t *testing.T) {
	var findings []assess.Finding
	for i := range 30 {
		findings = append(findings, assess.Finding{Kind: assess.KindIdPMissing, ReferenceID: string(rune('a' + i%26)), Detail: strings.Repeat("d", 400)})
	}
	run := driftRun(cleanPlan(), findings...)
	m := Build(run, Events(run), nil, "", "v")
	sec := m.Blocks[1].Text.Text
	if !strings.Contains(sec, "… and 22 more") || len([]rune(sec)) > maxSection {
		t.Errorf("section of %d characters:\n%s", len([]rune(sec)), sec)
	}
}

// A message from an --emulate run says so first, and in the structured
// result (issue 20: every output says when it came from the emulator).
func TestEmulatedRunSaysSo(t *testing.T) {
	for _, emulated := range []bool{false, true} {
		rc := newReceiver(t)
		run := driftRun(driftPlan(t), unmanaged)
		run.Report.Emulated = emulated
		if rep := Notify(bg, run, fastOptions(rc.hook())); !rep.Sent {
			t.Fatalf("report %+v", rep)
		}
		m := rc.message(t, 0)
		if got := strings.HasPrefix(m.Text, "[emulated] "); got != emulated || m.Riskctl.Emulated != emulated {
			t.Errorf("emulated %t: text %q, riskctl.emulated %t", emulated, m.Text, m.Riskctl.Emulated)
		}
	}
}
