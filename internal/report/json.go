package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/riskctl/riskctl/internal/apply"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/state"
	"github.com/riskctl/riskctl/internal/textutil"
)

// FormatVersion is the version of the JSON report (see the package
// documentation). It changes only when a field is removed or changes
// meaning; fields may be added within a version.
const FormatVersion = "1"

// The JSON form of a Report. These types carry the tags, so that the
// schema does not change when a Go field is renamed.

type jsonReport struct {
	FormatVersion  string        `json:"format_version"`
	Kind           Kind          `json:"kind"`
	RiskctlVersion string        `json:"riskctl_version"`
	Emulated       bool          `json:"emulated"` // Report.Emulated: always present
	HasChanges     bool          `json:"has_changes"`
	ApplyRefusal   string        `json:"apply_refusal,omitempty"`
	DeleteLimit    *jsonLimit    `json:"delete_limit,omitempty"`
	Writes         *[]jsonWrite  `json:"writes,omitempty"` // kind "apply" only (attribution.go)
	Summary        jsonSummary   `json:"summary"`
	Accounts       []jsonAccount `json:"accounts"`
}

// jsonLimit is a delete-limit refusal: its sentence, its counts and the
// first names (reconcile.DeleteLimitError.Shown), the others counted in
// more.
type jsonLimit struct {
	Message string   `json:"message"`
	Deletes int      `json:"deletes"`
	Limit   int      `json:"limit"`
	Names   []string `json:"names"`
	More    int      `json:"more"`
}

type jsonSummary struct {
	Add     int `json:"add"`
	Change  int `json:"change"`
	Replace int `json:"replace"`
	Destroy int `json:"destroy"`
	// Weakening counts the changes of class "weakening".
	Weakening int `json:"weakening"`
	// Applied is what apply did, kind "apply" only: the line "Apply
	// complete! 2 added, …" in numbers.
	Applied *jsonApplied `json:"applied,omitempty"`
}

// jsonApplied counts apply's results: the applied actions by what they
// did (a behavior update is a change), then those that failed or did not
// start (tally).
type jsonApplied struct {
	Add        int `json:"add"`
	Change     int `json:"change"`
	Replace    int `json:"replace"`
	Destroy    int `json:"destroy"`
	Failed     int `json:"failed"`
	NotStarted int `json:"not_started"`
}

func toJSONApplied(t tally) *jsonApplied {
	return &jsonApplied{Add: t.added, Change: t.changed, Replace: t.replaced, Destroy: t.destroyed, Failed: t.failed, NotStarted: t.notStarted}
}

type jsonAccount struct {
	AccountID  string          `json:"account_id"`
	SpecFiles  []string        `json:"spec_files"`
	HasChanges bool            `json:"has_changes"`
	Summary    jsonSummary     `json:"summary"`
	Targets    []string        `json:"targets"`
	Ignored    []jsonIgnored   `json:"ignored"`
	Plan       json.RawMessage `json:"plan"` // plan.RenderJSON's object, or null
	Error      string          `json:"error,omitempty"`
	ExitCode   int             `json:"exit_code"`
	Results    *[]jsonResult   `json:"results,omitempty"` // kind "apply" only
	// What the plan means (meaning.go).
	AccessImpact     []jsonImpact  `json:"access_impact"`
	AccessChecked    bool          `json:"access_checked"`
	AccessNotChecked string        `json:"access_not_checked,omitempty"`
	Findings         []jsonFinding `json:"findings"`
	// Why nobody could be named for the drifted objects (attribution.go).
	AuditNote string `json:"audit_note,omitempty"`
}

type jsonIgnored struct {
	Resource plan.Resource `json:"resource"`
	Key      string        `json:"key"`
	Field    string        `json:"field"`
	Live     string        `json:"live"`
	Desired  string        `json:"desired"`
}

type jsonResult struct {
	Action     plan.Action   `json:"action"`
	Resource   plan.Resource `json:"resource"`
	Key        string        `json:"key"`
	TenantURL  string        `json:"tenant_url,omitempty"` // names an integration as its plan change does
	Label      string        `json:"label,omitempty"`
	Status     apply.Status  `json:"status"`
	Error      string        `json:"error,omitempty"`
	ID         string        `json:"id,omitempty"`
	Note       string        `json:"note,omitempty"`
	DurationMS int64         `json:"duration_ms"`
	// Writes are the action's own entries in the audit log (attribution.go).
	Writes []jsonWrite `json:"writes"`
}

func toJSONSummary(s plan.Summary) jsonSummary {
	return jsonSummary{Add: s.Add, Change: s.Change, Replace: s.Replace, Destroy: s.Destroy, Weakening: s.Weakening}
}

// WriteJSON writes r in the stable JSON schema described in the package
// documentation: 2-space indentation, a trailing newline, arrays never
// null. exitCode gives each account's exit_code from its Status (the
// CLI's table: report knows no exit code). Nothing is written when
// encoding fails.
func WriteJSON(w io.Writer, r Report, exitCode func(reconcile.Status) int) error {
	out := jsonReport{
		FormatVersion:  FormatVersion,
		Kind:           r.Kind,
		RiskctlVersion: r.RiskctlVersion,
		Emulated:       r.Emulated,
		HasChanges:     r.HasChanges(),
		Summary:        toJSONSummary(r.Totals()),
		Accounts:       make([]jsonAccount, 0, len(r.Accounts)),
	}
	if r.ApplyRefusal != nil {
		out.ApplyRefusal = refusalOneLine(r.ApplyRefusal)
		var limit *reconcile.DeleteLimitError
		if errors.As(r.ApplyRefusal, &limit) {
			names, more := limit.Shown()
			out.DeleteLimit = &jsonLimit{Message: limit.Sentence(), Deletes: limit.Deletes(), Limit: limit.Limit, Names: append([]string{}, names...), More: more}
		}
	}
	if r.Kind == KindApply {
		w := toJSONWrites(r.Writes)
		out.Writes = &w
		out.Summary.Applied = toJSONApplied(r.tally())
	}
	for _, a := range r.Accounts {
		ja, err := toJSONAccount(r.Kind, a, exitCode(a.Status))
		if err != nil {
			return err
		}
		out.Accounts = append(out.Accounts, ja)
	}
	data, err := textutil.JSON(out)
	if err != nil {
		return fmt.Errorf("report: encoding JSON: %w", err)
	}
	_, err = w.Write(data)
	return err
}

func toJSONAccount(kind Kind, a Account, exitCode int) (jsonAccount, error) {
	ja := jsonAccount{
		AccountID:  a.ID(),
		SpecFiles:  append([]string{}, a.SpecFiles...),
		HasChanges: a.HasChanges() || (kind == KindDrift && a.Drifted()),
		Summary:    toJSONSummary(a.Summary()),
		Targets:    []string{},
		Ignored:    []jsonIgnored{},
		Plan:       json.RawMessage("null"),
		ExitCode:   exitCode,
	}
	if a.Err != nil {
		ja.Error = a.Err.Error()
	}
	meaningJSON(&ja, a)
	if p := a.Plan; p != nil {
		ja.Targets = append(ja.Targets, p.Targets...)
		for _, ig := range p.Ignored {
			ja.Ignored = append(ja.Ignored, jsonIgnored{Resource: ig.Resource, Key: ig.Key, Field: ig.Field, Live: ig.Live, Desired: ig.Desired})
		}
		var buf bytes.Buffer
		if err := plan.RenderJSON(&buf, *p); err != nil {
			return jsonAccount{}, err
		}
		withWho, err := withChangedBy(buf.Bytes(), a)
		if err != nil {
			return jsonAccount{}, err
		}
		ja.Plan = withWho
		ja.AuditNote = a.AuditNote
	}
	if kind == KindApply {
		ja.Summary.Applied = toJSONApplied(tallyOf(a.Result))
		results := []jsonResult{}
		if a.Result != nil {
			for _, ar := range a.Result.Actions {
				jr := jsonResult{
					Action:     ar.Change.Action,
					Resource:   ar.Change.Resource,
					Key:        ar.Change.Key,
					TenantURL:  state.DisplayURL(ar.Change.TenantURL()),
					Label:      ar.Change.Label(),
					Status:     ar.Status,
					ID:         ar.ID,
					Note:       ar.Note,
					DurationMS: ar.Duration.Milliseconds(),
					Writes:     toJSONWrites(ar.Writes),
				}
				if ar.Err != nil {
					jr.Error = ar.Err.Error()
				}
				results = append(results, jr)
			}
		}
		ja.Results = &results
	}
	return ja, nil
}
