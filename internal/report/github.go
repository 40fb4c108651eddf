package report

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/riskctl/riskctl/internal/textutil"
)

// GitHub is where a run inside GitHub Actions publishes its outcome. An
// empty path is not written.
type GitHub struct {
	OutputPath  string // $GITHUB_OUTPUT: step outputs, key=value lines
	SummaryPath string // $GITHUB_STEP_SUMMARY: the job summary, Markdown
	// Filter, if set, is applied to everything written (the CLI redacts
	// the run's secrets with it).
	Filter func([]byte) []byte
}

// GitHubFromEnv reads GITHUB_OUTPUT and GITHUB_STEP_SUMMARY through getenv
// (os.Getenv, or a test's map).
func GitHubFromEnv(getenv func(string) string) GitHub {
	return GitHub{OutputPath: getenv("GITHUB_OUTPUT"), SummaryPath: getenv("GITHUB_STEP_SUMMARY")}
}

// Enabled reports whether g writes anything.
func (g GitHub) Enabled() bool { return g.OutputPath != "" || g.SummaryPath != "" }

// Publish appends r's Markdown (WriteMarkdown, capped at MaxMarkdownBytes)
// to the job summary, and these step outputs, one key=value line each, to
// the output file:
//
//	has_changes=true|false
//	add=N
//	change=N
//	replace=N
//	destroy=N
//	weakening=N (changes of class weakening: apply refuses them without --approve-weakening)
//	exit_code=N
//	exit_reason=REASON
//	access_impact=N (Access impact entries, lint included, every account)
//	findings=N (wiring findings, every account)
//	writes=N (apply only: riskctl's answered writes, Report.Writes)
//	audit_log_ids=ID,ID,… (apply only: their Cf-Auditlog-Id, at most MaxAuditLogIDOutputs, then "…")
//	emulated=true|false (Report.Emulated: the embedded emulator answered, no account was read or changed)
//	apply_refusal=REFUSAL (only when r.ApplyRefusal is set)
//
// The counts are r.Totals(). Values are single lines (CR and LF in
// exitReason become spaces), so no heredoc delimiter is needed; a
// delete-limit refusal is its sentence and at most 10 names with "… and
// N more", as in the Markdown and the JSON report. Both files
// are appended to, never truncated; both are tried, and the errors joined.
func (g GitHub) Publish(r Report, exitCode int, exitReason string) error {
	var errs []error
	if g.SummaryPath != "" {
		var md bytes.Buffer
		if err := WriteMarkdown(&md, r, MaxMarkdownBytes); err != nil {
			errs = append(errs, err)
		} else if err := appendFile(g.SummaryPath, g.filter(md.Bytes()), "\n\n"); err != nil {
			errs = append(errs, fmt.Errorf("writing the GitHub step summary: %w", err))
		}
	}
	if g.OutputPath != "" {
		if err := appendFile(g.OutputPath, g.filter([]byte(Outputs(r, exitCode, exitReason))), "\n"); err != nil {
			errs = append(errs, fmt.Errorf("writing the GitHub step outputs: %w", err))
		}
	}
	return errors.Join(errs...)
}

func (g GitHub) filter(b []byte) []byte {
	if g.Filter == nil {
		return b
	}
	return g.Filter(b)
}

// Outputs is the text Publish appends to GITHUB_OUTPUT.
func Outputs(r Report, exitCode int, exitReason string) string {
	t := r.Totals()
	var b strings.Builder
	for _, kv := range [][2]string{
		{"has_changes", strconv.FormatBool(r.HasChanges())},
		{"add", strconv.Itoa(t.Add)},
		{"change", strconv.Itoa(t.Change)},
		{"replace", strconv.Itoa(t.Replace)},
		{"destroy", strconv.Itoa(t.Destroy)},
		{"weakening", strconv.Itoa(t.Weakening)},
		{"exit_code", strconv.Itoa(exitCode)},
		{"exit_reason", strings.TrimSpace(textutil.OneLine(exitReason))},
	} {
		b.WriteString(kv[0] + "=" + kv[1] + "\n")
	}
	for _, kv := range append(meaningOutputs(r), writeOutputs(r)...) {
		b.WriteString(kv[0] + "=" + kv[1] + "\n")
	}
	b.WriteString("emulated=" + strconv.FormatBool(r.Emulated) + "\n")
	if r.ApplyRefusal != nil {
		b.WriteString("apply_refusal=" + refusalOneLine(r.ApplyRefusal) + "\n")
	}
	return b.String()
}

// appendFile appends data to path, creating it when missing. When the
// file is not empty and does not end in sep ("\n": a line of its own;
// "\n\n": a block of its own), newlines are added first.
func appendFile(path string, data []byte, sep string) (err error) {
	tail := lastBytes(path, len(sep))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if tail != "" {
		pad := sep
		for pad != "" && !strings.HasSuffix(tail, pad) {
			pad = pad[1:]
		}
		// pad is the part of sep the file already ends with.
		data = append([]byte(sep[len(pad):]), data...)
	}
	_, err = f.Write(data)
	return err
}

// lastBytes is the end of the file at path, at most n bytes; "" when it
// is empty or cannot be read.
func lastBytes(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return ""
	}
	size := min(int64(n), st.Size())
	buf := make([]byte, size)
	if _, err := f.ReadAt(buf, st.Size()-size); err != nil {
		return ""
	}
	return string(buf)
}
