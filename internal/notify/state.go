package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"time"

	"github.com/riskctl/riskctl/internal/assess"
	"github.com/riskctl/riskctl/internal/plan"
	"github.com/riskctl/riskctl/internal/reconcile"
	"github.com/riskctl/riskctl/internal/safefile"
	"github.com/riskctl/riskctl/internal/textutil"
)

// The state file (--notify-state) remembers, per command, the outcome of
// the last message sent: its events and a digest of what they were about.
// A run whose outcome has the same digest sends nothing (a daily drift job
// finding the same drift stays quiet); a run whose events are gone sends
// EventCleared once. It is written only after every receiver took the
// message, so a message that did not reach everyone goes out again.

// stateFormat is the version of the state file.
const stateFormat = "1"

// maxStateSize bounds the state file read: it holds a few short lines per
// command, so anything larger is not one of ours.
const maxStateSize = 64 << 10

// stateFile is the state file's content.
type stateFile struct {
	FormatVersion string                 `json:"format_version"`
	Commands      map[string]stateRecord `json:"commands"`
}

// stateRecord is the last message sent for one command.
type stateRecord struct {
	Events []Event `json:"events"`
	Digest string  `json:"digest"`
	Sent   string  `json:"sent"` // RFC 3339, UTC: for people reading the file
}

// readState reads the state file at path. A file that does not exist is
// an empty state; one that cannot be read or parsed is an error (the
// caller warns and goes on as if it were empty).
func readState(path string) (stateFile, error) {
	st := stateFile{FormatVersion: stateFormat, Commands: map[string]stateRecord{}}
	data, err := safefile.Read(path, maxStateSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return st, nil
	case err != nil:
		return st, err
	}
	var got stateFile
	if err := json.Unmarshal(data, &got); err != nil || got.FormatVersion != stateFormat {
		return st, fmt.Errorf("%s is not a riskctl notify state file (format %s)", textutil.Visible(path), stateFormat)
	}
	for k, v := range got.Commands {
		st.Commands[k] = v
	}
	return st, nil
}

// writeState saves st at path atomically (safefile.Write): a run killed
// while writing leaves the old state, never half a file.
func writeState(path string, st stateFile) error {
	data, err := textutil.JSON(st)
	if err != nil {
		return err
	}
	return safefile.Write(path, data, 0o600)
}

// record is the state of a message sent at now with these events.
func record(events []Event, digest string, now time.Time) stateRecord {
	return stateRecord{Events: withoutCleared(events), Digest: digest, Sent: now.UTC().Format(time.RFC3339)}
}

// withoutCleared is events less EventCleared: what a state remembers.
func withoutCleared(events []Event) []Event {
	out := []Event{}
	for _, e := range events {
		if e != EventCleared {
			out = append(out, e)
		}
	}
	return out
}

// digestInput is what a digest covers: the command, the events, and per
// account the changes and findings they are about. It leaves out what
// changes from run to run while the outcome does not (error texts with
// request ids, times, durations, the riskctl version).
type digestInput struct {
	Command  string          `json:"command"`
	Events   []Event         `json:"events"`
	Accounts []digestAccount `json:"accounts"`
}

type digestAccount struct {
	ID       string           `json:"id"`
	Status   string           `json:"status"`
	Failed   bool             `json:"failed"`
	Changes  []digestChange   `json:"changes"`
	Findings []assess.Finding `json:"findings"`
}

type digestChange struct {
	Action   plan.Action      `json:"action"`
	Resource plan.Resource    `json:"resource"`
	Key      string           `json:"key"`
	Fields   []plan.FieldDiff `json:"fields"`
}

// Digest is a digest of the outcome of run with these events:
// "sha256:" and the hex SHA-256 of digestInput's JSON.
func Digest(run Run, events []Event) string {
	in := digestInput{Command: string(run.Report.Kind), Events: withoutCleared(events), Accounts: []digestAccount{}}
	for _, a := range run.Report.Accounts {
		da := digestAccount{ID: a.ID(), Status: a.Status.String(), Failed: a.Err != nil, Changes: []digestChange{}, Findings: a.Findings}
		if a.Plan != nil {
			for _, c := range a.Plan.Changes {
				da.Changes = append(da.Changes, digestChange{Action: c.Action, Resource: c.Resource, Key: c.Key, Fields: c.Fields})
			}
		}
		in.Accounts = append(in.Accounts, da)
	}
	data, _ := textutil.CompactJSON(in) // strings and numbers: it cannot fail
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// gone lists the events of prev that events no longer has, when run
// could tell: a run that failed (a drift check that could not read an
// account, an apply that failed) says nothing of what it did not see. An
// applied weakening is a deed, not a state: it does not clear.
func gone(run Run, prev, events []Event) []Event {
	if run.Status > reconcile.StatusChanges {
		return nil
	}
	var out []Event
	for _, e := range prev {
		if e != EventCleared && e != EventApplyWeakened && !slices.Contains(events, e) {
			out = append(out, e)
		}
	}
	return out
}
