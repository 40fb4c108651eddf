package cli

import (
	"context"
	"fmt"
	"slices"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/spec"
	"github.com/riskctl/riskctl/internal/textutil"
)

func validateCommand(g *globals) *ucli.Command {
	return withExitCodes("validate", &ucli.Command{
		Name:      "validate",
		Usage:     "check spec files offline (no credentials needed)",
		UsageText: "riskctl validate -f PATH... [--format text|json]",
		ArgsUsage: " ",
		Description: "Warnings (a reference_id that is not a UUID) go to stderr and do not fail.\n" +
			"With --format json, one JSON document on stdout instead, for editors and\n" +
			"pull-request annotations: every problem (file, line, column, severity,\n" +
			"message) and every valid file (its account and counts); nothing on stderr.\n" +
			"\n" +
			"Examples:\n" +
			"  riskctl validate -f riskscoring/                # every *.yaml in the directory\n" +
			"  riskctl validate -f prod.yaml -f staging.yaml   # before a commit: no token needed\n" +
			"  riskctl validate -f riskscoring/ --format json  # for an editor or a CI annotation",
		Flags: []ucli.Flag{fileFlag(),
			&ucli.StringFlag{Name: "format", Value: "text", Usage: "output format: text or json"}},
		Action: action(validateOptionsFrom, g.validate),
	})
}

// validateOptions are validate's flags, checked.
type validateOptions struct {
	Files  []string // -f: spec files and directories
	Format string   // --format: text or json
}

// validateOptionsFrom reads validate's flags; errors are usage errors (exit 3).
func validateOptionsFrom(c *ucli.Context) (validateOptions, error) {
	files, err := specFiles(c)
	if err != nil {
		return validateOptions{}, err
	}
	format, err := checkFormat(c, "text", "json")
	if err != nil {
		return validateOptions{}, err
	}
	return validateOptions{Files: files, Format: format}, nil
}

func (g *globals) validate(_ context.Context, o validateOptions) error {
	if o.Format == "json" {
		return g.validateJSON(o)
	}
	files, err := spec.Load(o.Files, g.specOptions())
	if err != nil {
		return err
	}
	for _, f := range files {
		for _, w := range f.Warnings() {
			fmt.Fprintf(g.streams.Err, "Warning: %s\n", textutil.Visible(fmt.Sprint(w)))
		}
		a := f.Account
		fmt.Fprintf(g.streams.Out, "%s: valid (account %s: %d behaviors, %d integrations)\n",
			textutil.Visible(f.Path), a.AccountID, len(a.Behaviors), len(a.Integrations)) // a file name begins the line
	}
	return nil
}

// validateReport is validate's JSON document (docs/spec.md#validating-specs-validate):
// terraform validate -json's shape, riskctl's words.
type validateReport struct {
	Valid        bool              `json:"valid"`
	ErrorCount   int               `json:"error_count"`
	WarningCount int               `json:"warning_count"`
	Files        []validFile       `json:"files"`
	Problems     []validateProblem `json:"problems"`
}

// validFile is a file without errors (it may have warnings).
type validFile struct {
	File         string `json:"file"`
	AccountID    string `json:"account_id"`
	Behaviors    int    `json:"behaviors"`
	Integrations int    `json:"integrations"`
}

// validateProblem is one error or warning; line and column are left out
// when unknown (a file that cannot be read has neither).
type validateProblem struct {
	File     string `json:"file"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Severity string `json:"severity"` // error or warning
	Message  string `json:"message"`
}

// maxJSONProblems bounds the problems listed (the counts are whole): one
// mistake aliased thousands of times must not make a document of
// megabytes (spec.MaxReportedErrors bounds the text the same way).
const maxJSONProblems = 1000

// validateJSON prints validate's JSON document, and ends with exit 3
// (quietly: the document says why) when a spec is invalid.
func (g *globals) validateJSON(o validateOptions) error {
	files, errs := spec.LoadAll(o.Files, g.specOptions())
	r := validateReport{Valid: len(errs) == 0, Files: []validFile{}, Problems: []validateProblem{}}
	problem := func(e *spec.Error, severity string) {
		if len(r.Problems) == maxJSONProblems {
			return // counted, not listed
		}
		r.Problems = append(r.Problems, validateProblem{File: e.Pos.File, Line: e.Pos.Line, Column: e.Pos.Col, Severity: severity, Message: e.Msg})
	}
	for _, e := range errs {
		problem(e, "error")
	}
	r.ErrorCount = len(errs)
	for _, f := range files {
		for _, w := range f.Warnings() {
			problem(w, "warning")
			r.WarningCount++
		}
		if slices.ContainsFunc(errs, func(e *spec.Error) bool { return e.Pos.File == f.Path }) {
			continue // its account is declared twice
		}
		a := f.Account
		r.Files = append(r.Files, validFile{File: f.Path, AccountID: a.AccountID, Behaviors: len(a.Behaviors), Integrations: len(a.Integrations)})
	}
	if err := writeJSON(g.streams.Out, r); err != nil {
		return err
	}
	if !r.Valid {
		return statusError(reconcile.StatusInvalid, errs, true)
	}
	return nil
}
