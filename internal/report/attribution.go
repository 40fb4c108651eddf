package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/textutil"
)

// Who changed each drifted object (reconcile's attribution.go,
// docs/attribution.md), in every format: one line per change in text and
// Markdown ("disabled by alice@example.com in the dashboard, 2026-12-05
// 14:02 UTC"), changed_by on each change in JSON; and riskctl's own writes
// at apply (their Cf-Auditlog-Id and cf-ray) in JSON and the GitHub
// outputs. Emails and token names come from the audit log: text escapes
// them with textutil.Visible, Markdown puts them in code spans.

// whoTime is how an entry's time is shown, always in UTC.
const whoTime = "2006-01-02 15:04 UTC"

// WhoChanged is whoLine for other renderers of a run (the alerts of
// internal/notify), so that who changed an object is said one way.
func WhoChanged(c plan.Change, at reconcile.Attribution, name func(string) string) string {
	return whoLine(c, at, name)
}

// whoLine is the sentence for one change: the latest entry, said in
// words, "(+N earlier)" when there are more; "unknown — why" when there
// is none. name formats a string from the audit log for the output.
func whoLine(c plan.Change, at reconcile.Attribution, name func(string) string) string {
	if len(at.ChangedBy) == 0 {
		why := at.Unknown
		if why == "" {
			why = "no audit-log entry"
		}
		return "unknown — " + why
	}
	e := at.ChangedBy[0]
	s := verb(c, e.Action)
	switch {
	case e.ActorEmail != "":
		s += " by " + name(e.ActorEmail)
	case e.ActorType == "cloudflare_admin":
		s += " by Cloudflare staff"
	case e.ActorType == "system":
		s += " by Cloudflare (system)"
	}
	switch e.ActorContext {
	case "dash":
		s += " in the dashboard"
	case "api_token":
		if e.ActorTokenName != "" {
			s += " with API token " + name(e.ActorTokenName)
		} else {
			s += " with an API token"
		}
	case "api_key":
		s += " with a Global API key"
	case "oauth":
		s += " through an OAuth app"
	case "origin_ca_key":
		s += " with an Origin CA key"
	case "":
		if e.ActorEmail == "" && e.ActorType != "cloudflare_admin" && e.ActorType != "system" {
			s += " by an unnamed actor"
		}
	default:
		s += " (" + name(e.ActorContext) + ")"
	}
	if !e.Time.IsZero() {
		s += ", " + e.Time.UTC().Format(whoTime)
	}
	if n := len(at.ChangedBy) - 1; n > 0 {
		s += fmt.Sprintf(" (+%d earlier)", n)
	}
	return s
}

// verb says what the entry did to the change's object: created or deleted
// from the entry's action; for an update, the live value of enabled (or
// active) when the change is about it; else "changed".
func verb(c plan.Change, action string) string {
	switch strings.ToLower(action) {
	case "create", "post":
		return "created"
	case "delete":
		return "deleted"
	}
	for _, f := range c.Fields {
		if f.Field != plan.FieldEnabled && f.Field != plan.FieldActive {
			continue
		}
		on, off := plan.FieldEnabled, "disabled" // the field's name is the verb: "enabled"
		if f.Field == plan.FieldActive {
			on, off = "activated", "deactivated"
		}
		switch f.Before {
		case "true":
			return on
		case "false":
			return off
		}
	}
	return "changed"
}

// textName is an audit-log string in text, visible: a line break in it
// shows as \n, so it can neither start a line of its own nor hide.
func textName(s string) string { return textutil.Visible(s) }

// noteText is a note (which may hold a server's error text) on one line.
func noteText(s string) string { return textutil.Visible(textutil.OneLine(s)) }

// shown reports whether text and Markdown show the attribution of a
// change: drift shows every one, "unknown" included; a plan only those
// that name someone, as most of a plan's changes come from the spec, not
// from a change to the account, and an "unknown" on each would be noise
// (JSON has them all).
func shown(kind Kind, at reconcile.Attribution) bool {
	return kind == KindDrift || len(at.ChangedBy) > 0
}

// textWho is the text line for change i, "" when it has none to show (no
// attribution, one not shown, or the account's note says it once).
func textWho(kind Kind, a Account, i int, c plan.Change) string {
	at, ok := a.Attribution[i]
	if !ok || a.AuditNote != "" || !shown(kind, at) {
		return ""
	}
	if len(at.ChangedBy) == 0 {
		return "who changed it: " + whoLine(c, at, textName)
	}
	return whoLine(c, at, textName)
}

// textAuditNote is the account's one line when its audit log was not
// read, "" otherwise.
func textAuditNote(a Account) string {
	if a.AuditNote == "" || len(a.Attribution) == 0 {
		return ""
	}
	return "Who changed it: unknown — " + noteText(a.AuditNote)
}

// mdWho writes the "Who changed it" section of a Markdown account: one
// bullet per attributed change, or the one line of why none could be.
func (m *mdWriter) who(a Account) {
	if len(a.Attribution) == 0 || a.Plan == nil {
		return
	}
	if a.AuditNote != "" {
		m.b.block("**Who changed it:** unknown — " + plainEscaper.Replace(noteText(a.AuditNote)))
		return
	}
	var b strings.Builder
	for i, c := range a.Plan.Changes {
		at, ok := a.Attribution[i]
		if !ok || !shown(m.kind, at) {
			continue
		}
		fmt.Fprintf(&b, "- %s %s%s: %s\n", c.Resource, keyCell(c.Key), nameSuffix(c, false), whoLine(c, at, mdName))
	}
	if b.Len() > 0 {
		m.b.block("#### Who changed it\n\n" + b.String())
	}
}

// mdName is an audit-log string in Markdown: a code span, which nothing
// inside can end or turn into markup, its line breaks shown as \n.
func mdName(s string) string { return code(textutil.Visible(s), false) }

// ---- JSON ----

type jsonChangedBy struct {
	ActorEmail     string `json:"actor_email"`
	ActorTokenName string `json:"actor_token_name"`
	ActorType      string `json:"actor_type"`
	ActorContext   string `json:"actor_context"`
	Time           string `json:"time"`
	Action         string `json:"action"`
	RayID          string `json:"ray_id"`
}

// jsonAttribution is what is added to a change of the plan JSON.
type jsonAttribution struct {
	ChangedBy []jsonChangedBy `json:"changed_by"`
	Unknown   string          `json:"changed_by_unknown,omitempty"`
}

func toJSONAttribution(at reconcile.Attribution) jsonAttribution {
	out := jsonAttribution{ChangedBy: []jsonChangedBy{}, Unknown: at.Unknown}
	for _, e := range at.ChangedBy {
		t := ""
		if !e.Time.IsZero() {
			t = e.Time.UTC().Format(time.RFC3339)
		}
		out.ChangedBy = append(out.ChangedBy, jsonChangedBy{ActorEmail: e.ActorEmail, ActorTokenName: e.ActorTokenName,
			ActorType: e.ActorType, ActorContext: e.ActorContext, Time: t, Action: e.Action, RayID: e.RayID})
	}
	if len(out.ChangedBy) == 0 && out.Unknown == "" {
		out.Unknown = "no audit-log entry"
	}
	return out
}

// withChangedBy adds changed_by (and changed_by_unknown) to the changes
// of planJSON (plan.RenderJSON's object) that a attributes, leaving every
// other byte as it was: the plan's codec is the saved plan's too, and
// knows nothing of audit logs.
func withChangedBy(planJSON []byte, a Account) ([]byte, error) {
	if len(a.Attribution) == 0 {
		return planJSON, nil
	}
	dec := json.NewDecoder(bytes.NewReader(planJSON))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("report: plan JSON is not an object")
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if key != "changes" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, err
			}
			continue
		}
		keyEnd := dec.InputOffset()
		var changes []json.RawMessage
		if err := dec.Decode(&changes); err != nil {
			return nil, err
		}
		end := dec.InputOffset()
		start := keyEnd + int64(bytes.IndexByte(planJSON[keyEnd:end], '[')) // past the colon
		for i, ch := range changes {
			at, ok := a.Attribution[i]
			if !ok {
				continue
			}
			extra, err := textutil.JSON(toJSONAttribution(at))
			if err != nil {
				return nil, err
			}
			obj := bytes.TrimSpace(ch)
			extra = bytes.TrimSpace(extra)
			if len(obj) < 2 || obj[len(obj)-1] != '}' || len(extra) < 2 {
				return nil, fmt.Errorf("report: plan JSON change %d is not an object", i)
			}
			sep := ","
			if bytes.Equal(bytes.TrimSpace(obj[1:len(obj)-1]), nil) {
				sep = ""
			}
			changes[i] = append(append(append(bytes.Clone(obj[:len(obj)-1]), sep...), extra[1:len(extra)-1]...), '}')
		}
		arr := append([]byte{'['}, bytes.Join(rawBytes(changes), []byte{','})...)
		arr = append(arr, ']')
		out := append(bytes.Clone(planJSON[:start]), arr...)
		return append(out, planJSON[end:]...), nil
	}
	return planJSON, nil
}

// rawBytes is raws as [][]byte, for bytes.Join.
func rawBytes(changes []json.RawMessage) [][]byte {
	out := make([][]byte, len(changes))
	for i, c := range changes {
		out[i] = c
	}
	return out
}

// ---- riskctl's own writes (apply) ----

type jsonWrite struct {
	Method     string `json:"method"`
	Path       string `json:"path"`
	Status     int    `json:"status"`
	AuditLogID string `json:"audit_log_id"`
	RayID      string `json:"ray_id"`
}

func toJSONWrites(ws []remote.Write) []jsonWrite {
	out := make([]jsonWrite, 0, len(ws))
	for _, w := range ws {
		out = append(out, jsonWrite(w))
	}
	return out
}

// MaxAuditLogIDOutputs bounds the ids in the audit_log_ids step output.
const MaxAuditLogIDOutputs = 50

// writeOutputs are the step outputs of riskctl's own writes at apply:
// writes=N (r.Writes: every answered write of the run) and
// audit_log_ids=ID,ID,… (their Cf-Auditlog-Id, at most
// MaxAuditLogIDOutputs, then "…"). None for other kinds.
func writeOutputs(r Report) [][2]string {
	if r.Kind != KindApply {
		return nil
	}
	var ids []string
	for _, w := range r.Writes {
		if w.AuditLogID != "" {
			ids = append(ids, outputSafe(w.AuditLogID))
		}
	}
	if len(ids) > MaxAuditLogIDOutputs {
		ids = append(ids[:MaxAuditLogIDOutputs], "…")
	}
	return [][2]string{{"writes", fmt.Sprint(len(r.Writes))}, {"audit_log_ids", strings.Join(ids, ",")}}
}

// outputSafe keeps an id from the server to one line without commas, so
// it cannot add an output line or split the list.
func outputSafe(s string) string {
	return strings.NewReplacer(",", " ").Replace(strings.TrimSpace(textutil.OneLine(s)))
}
