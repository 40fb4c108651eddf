package planfile

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/safefile"
	"github.com/riskctl/riskctl/internal/state"
	"github.com/riskctl/riskctl/internal/textutil"
)

// FormatVersion is the version of the saved-plan format this riskctl
// writes and reads (see the package documentation).
const FormatVersion = "1"

// File is a saved plan: one entry per account.
type File struct {
	FormatVersion  string // FormatVersion; Encode fills it when empty
	RiskctlVersion string // the riskctl that wrote the file, informative
	Accounts       []Account
}

// Account is one account's saved plan and what it was computed from.
type Account struct {
	AccountID string
	// SpecFiles are the spec files the plan was computed from, as given.
	SpecFiles []string
	// SpecDigest is SpecDigest(SpecFiles) when the plan was made.
	SpecDigest string
	// Targets are the --target filters; empty for a full plan. When empty,
	// Encode writes Plan.Targets; Read sets Plan.Targets to them.
	Targets []string
	// LiveFingerprint is plan.Fingerprint(Live) and Plan.LiveFingerprint.
	LiveFingerprint string
	// Live is the live state the plan was computed from. Only what the
	// fingerprint covers is saved: behaviors' enabled and risk_level, and
	// integrations' id, reference_id, integration_type, tenant_url and
	// active. Read sets Live.AccountID to AccountID.
	Live state.Account
	// Plan is the plan itself, saved as plan.RenderJSON writes it.
	Plan plan.Plan
}

// NewAccount returns the Account that saves p, computed from live and
// from the spec files specFiles whose SpecDigest is specDigest.
func NewAccount(specFiles []string, specDigest string, live state.Account, p plan.Plan) Account {
	return Account{
		AccountID:       p.AccountID,
		SpecFiles:       slices.Clone(specFiles),
		SpecDigest:      specDigest,
		Targets:         slices.Clone(p.Targets),
		LiveFingerprint: p.LiveFingerprint,
		Live:            live,
		Plan:            p,
	}
}

// The JSON form. These types, not the domain types, carry the JSON tags:
// the format is a contract of its own.

type jsonFile struct {
	FormatVersion  string        `json:"format_version"`
	RiskctlVersion string        `json:"riskctl_version"`
	Accounts       []jsonAccount `json:"accounts"`
}

type jsonAccount struct {
	AccountID       string          `json:"account_id"`
	SpecFiles       []string        `json:"spec_files"`
	SpecDigest      string          `json:"spec_digest"`
	Targets         []string        `json:"targets"`
	LiveFingerprint string          `json:"live_fingerprint"`
	Live            jsonLive        `json:"live"`
	Plan            json.RawMessage `json:"plan"`
}

type jsonLive struct {
	Behaviors    map[string]liveBehavior `json:"behaviors"`
	Integrations []liveIntegration       `json:"integrations"`
}

// liveBehavior and liveIntegration are the objects of the live snapshot:
// the fields a plan's fingerprint covers (state.Field.Fingerprinted), in
// table order, so that the snapshot can be checked against the
// fingerprint.
type (
	liveBehavior    state.Behavior
	liveIntegration state.Integration
)

var (
	behaviorSnapshot    = state.FieldsOf(state.KindBehavior, isFingerprinted)
	integrationSnapshot = state.FieldsOf(state.KindIntegration, isFingerprinted)
)

func isFingerprinted(f state.Field) bool { return f.Fingerprinted }

func (b liveBehavior) MarshalJSON() ([]byte, error) {
	return append(state.AppendObject([]byte{'{'}, behaviorSnapshot, (*state.Behavior)(&b), false), '}'), nil
}

func (b *liveBehavior) UnmarshalJSON(data []byte) error {
	_, err := state.ReadObject(data, behaviorSnapshot, (*state.Behavior)(b))
	return err
}

func (in liveIntegration) MarshalJSON() ([]byte, error) {
	return append(state.AppendObject([]byte{'{'}, integrationSnapshot, (*state.Integration)(&in), false), '}'), nil
}

func (in *liveIntegration) UnmarshalJSON(data []byte) error {
	_, err := state.ReadObject(data, integrationSnapshot, (*state.Integration)(in))
	return err
}

// Encode writes f in the saved-plan format: 2-space indentation, a
// trailing newline. It checks f first (see the package documentation) and
// writes nothing when f is inconsistent or encoding fails.
func Encode(w io.Writer, f File) error {
	data, err := encode(f)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

func encode(f File) ([]byte, error) {
	if f.FormatVersion == "" {
		f.FormatVersion = FormatVersion
	}
	if f.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("planfile: cannot write format_version %q (this riskctl writes %q)", f.FormatVersion, FormatVersion)
	}
	accounts := make([]Account, len(f.Accounts))
	for i, a := range f.Accounts {
		if len(a.Targets) == 0 {
			a.Targets = a.Plan.Targets
		}
		accounts[i] = a
	}
	if err := check(accounts); err != nil {
		return nil, fmt.Errorf("planfile: %w", err)
	}
	out := jsonFile{
		FormatVersion:  f.FormatVersion,
		RiskctlVersion: f.RiskctlVersion,
		Accounts:       make([]jsonAccount, 0, len(accounts)),
	}
	for i, a := range accounts {
		var buf bytes.Buffer
		if err := plan.RenderJSON(&buf, a.Plan); err != nil {
			return nil, fmt.Errorf("planfile: %s: %w", accountLabel(i, a.AccountID), err)
		}
		out.Accounts = append(out.Accounts, jsonAccount{
			AccountID:       a.AccountID,
			SpecFiles:       nonNil(a.SpecFiles),
			SpecDigest:      a.SpecDigest,
			Targets:         nonNil(a.Targets),
			LiveFingerprint: a.LiveFingerprint,
			Live:            toJSONLive(a.Live),
			Plan:            json.RawMessage(buf.Bytes()),
		})
	}
	data, err := textutil.JSON(out)
	if err != nil {
		return nil, fmt.Errorf("planfile: encoding JSON: %w", err)
	}
	return data, nil
}

// Write saves f to path atomically: it writes a temporary file with mode
// 0600 in path's directory, syncs it and renames it over path, so path is
// either the old file or the whole new one, never a part. A file already at
// path is replaced, and ends with mode 0600 too.
func Write(path string, f File) error {
	data, err := encode(f)
	if err != nil {
		return err
	}
	return WriteFile(path, data)
}

// WriteFile saves data, a plan Encode wrote, to path as Write does,
// through no symbolic link (safefile.WriteTarget): plan --out's check
// (CheckOutput) and its write cannot be told apart by a swapped link.
func WriteFile(path string, data []byte) error {
	if err := safefile.WriteTarget(path, data, 0o600, true); err != nil {
		return fmt.Errorf("planfile: %w", err)
	}
	return nil
}

// MaxPlanBytes is the largest plan file Read reads: 32 MiB. A saved plan
// holds a snapshot of the live state beside the plan of each account; for
// an account of 10,000 integrations that all change it is about 12 MiB
// (the size BENCHMARKS.md plans for), so 32 MiB leaves room for that and
// more, yet stays well below what would hurt: a plan file is an artifact
// a pull request author may craft, and a FIFO, a device or a padded file
// is refused before riskctl reads (and decodes) it whole.
const MaxPlanBytes = 32 << 20

// Read reads a saved plan that Write wrote, with safefile's bounded read:
// a regular file of at most MaxPlanBytes (a named pipe, a device such as
// /dev/zero, or a larger file is refused unread). Its errors start with path and
// say what is wrong: the file cannot be read, is not JSON, is not a saved
// plan, has a format_version this riskctl does not read, or is
// inconsistent (see the package documentation). Each account's plan is
// read with plan.ReadJSON.
func Read(path string) (File, error) {
	data, err := safefile.Read(path, MaxPlanBytes)
	if err != nil {
		return File{}, fmt.Errorf("%s: cannot read the plan file: %w", path, safefile.Reason(err))
	}
	f, err := decode(data)
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

func decode(data []byte) (File, error) {
	// The version first, with nothing else assumed about the shape, so a
	// file from another version is refused for its version.
	var head map[string]json.RawMessage
	if err := json.Unmarshal(data, &head); err != nil {
		return File{}, fmt.Errorf("not a riskctl plan file (want a JSON object written by riskctl plan --out): %w", err)
	}
	rawVersion, ok := head["format_version"]
	if !ok {
		return File{}, errors.New("not a riskctl plan file: no format_version (want a file written by riskctl plan --out)")
	}
	var version string
	if err := json.Unmarshal(rawVersion, &version); err != nil {
		return File{}, fmt.Errorf("not a riskctl plan file: format_version is %s, not a string", rawVersion)
	}
	if version != FormatVersion {
		return File{}, fmt.Errorf("format_version %q is not supported by this riskctl (reads %q)", version, FormatVersion)
	}
	if _, ok := head["accounts"]; !ok {
		if _, ok := head["changes"]; ok {
			return File{}, errors.New("not a riskctl plan file: this is the output of plan --format json; save a plan with riskctl plan --out FILE")
		}
		return File{}, errors.New("not a riskctl plan file: no accounts")
	}

	var in jsonFile
	if err := json.Unmarshal(data, &in); err != nil {
		return File{}, fmt.Errorf("not a valid riskctl plan file: %w", err)
	}
	f := File{FormatVersion: in.FormatVersion, RiskctlVersion: in.RiskctlVersion}
	for i, ja := range in.Accounts {
		a := Account{
			AccountID:       ja.AccountID,
			SpecFiles:       ja.SpecFiles,
			SpecDigest:      ja.SpecDigest,
			Targets:         ja.Targets,
			LiveFingerprint: ja.LiveFingerprint,
			Live:            fromJSONLive(ja.AccountID, ja.Live),
		}
		if len(ja.Plan) == 0 || string(ja.Plan) == "null" {
			return File{}, fmt.Errorf("%s: no plan", accountLabel(i, ja.AccountID))
		}
		p, err := plan.ReadJSON(bytes.NewReader(ja.Plan))
		if err != nil {
			return File{}, fmt.Errorf("%s: %w", accountLabel(i, ja.AccountID), err)
		}
		if len(p.Targets) == 0 {
			p.Targets = slices.Clone(a.Targets)
		}
		a.Plan = p
		f.Accounts = append(f.Accounts, a)
	}
	if err := check(f.Accounts); err != nil {
		return File{}, err
	}
	return f, nil
}

// check reports the first inconsistency in accounts.
func check(accounts []Account) error {
	if len(accounts) == 0 {
		return errors.New("a plan file holds at least one account, this one has none")
	}
	seen := map[string]bool{}
	for i, a := range accounts {
		label := accountLabel(i, a.AccountID)
		switch {
		case a.AccountID == "":
			return fmt.Errorf("%s: account_id is empty", label)
		case seen[a.AccountID]:
			return fmt.Errorf("%s: account %s appears twice", label, a.AccountID)
		case a.Plan.AccountID != a.AccountID:
			return fmt.Errorf("%s: the plan is for account %q", label, a.Plan.AccountID)
		case len(a.SpecFiles) == 0:
			return fmt.Errorf("%s: spec_files is empty", label)
		case !validDigest(a.SpecDigest):
			return fmt.Errorf("%s: spec_digest %q is not sha256:<64 hex digits>", label, a.SpecDigest)
		case a.LiveFingerprint != a.Plan.LiveFingerprint:
			return fmt.Errorf("%s: live_fingerprint %q differs from the plan's %q", label, a.LiveFingerprint, a.Plan.LiveFingerprint)
		case plan.Fingerprint(a.Live) != a.LiveFingerprint:
			return fmt.Errorf("%s: the live snapshot does not match live_fingerprint (the file was edited?)", label)
		}
		if len(a.Plan.Targets) > 0 && !slices.Equal(a.Plan.Targets, a.Targets) {
			return fmt.Errorf("%s: targets %q differ from the plan's %q", label, a.Targets, a.Plan.Targets)
		}
		for _, s := range a.SpecFiles {
			if s == "" {
				return fmt.Errorf("%s: spec_files holds an empty path", label)
			}
		}
		seen[a.AccountID] = true
	}
	return nil
}

func validDigest(d string) bool {
	h, ok := strings.CutPrefix(d, digestPrefix)
	if !ok || len(h) != 64 || strings.ToLower(h) != h {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

func accountLabel(i int, id string) string {
	if id == "" {
		return fmt.Sprintf("accounts[%d]", i)
	}
	return fmt.Sprintf("accounts[%d] (account %s)", i, id)
}

func toJSONLive(live state.Account) jsonLive {
	out := jsonLive{
		Behaviors:    make(map[string]liveBehavior, len(live.Behaviors)),
		Integrations: make([]liveIntegration, 0, len(live.Integrations)),
	}
	for k, b := range live.Behaviors {
		out.Behaviors[k] = liveBehavior(b)
	}
	for _, in := range live.Integrations {
		out.Integrations = append(out.Integrations, liveIntegration(in))
	}
	return out
}

func fromJSONLive(accountID string, in jsonLive) state.Account {
	live := state.Account{AccountID: accountID, Behaviors: make(map[string]state.Behavior, len(in.Behaviors))}
	for k, b := range in.Behaviors {
		live.Behaviors[k] = state.Behavior(b)
	}
	for _, ji := range in.Integrations {
		live.Integrations = append(live.Integrations, state.Integration(ji))
	}
	return live
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
