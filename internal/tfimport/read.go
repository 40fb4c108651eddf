package tfimport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/riskctl/riskctl/internal/safefile"
)

// MaxStateBytes is the largest state Read accepts: 64 MiB, far more than
// a state holding thousands of resources. A larger file is refused before
// it is read, and reading stops one byte past the limit whatever the file
// claimed, so FILE cannot make riskctl read (or allocate) without end.
const MaxStateBytes = 64 << 20

// Stdin is the FILE that means standard input.
const Stdin = "-"

// ReadFile reads a state file, or stdin for "-", within MaxStateBytes.
// A file goes through safefile's bounded read: only a regular file (a
// symlink counts as what it points to; a FIFO would block the open, a
// device might never end). Stdin is what the user piped, so it is read
// as it is, but through a limited reader too. Problems are Errors naming
// the file.
func ReadFile(path string, stdin io.Reader) ([]byte, error) {
	if path == Stdin {
		return readBounded("stdin", stdin)
	}
	data, err := safefile.Read(path, MaxStateBytes)
	var (
		nr *safefile.NotRegularError
		tl *safefile.TooLargeError
	)
	switch {
	case errors.As(err, &nr) && nr.Mode.IsDir():
		return nil, fileError(path, "is a directory, not a state file")
	case errors.As(err, &nr):
		return nil, fileError(path, "is not a regular file (a pipe, socket or device): pass a file, or - to read stdin")
	case errors.As(err, &tl):
		return nil, fileError(path, tooLarge())
	case err != nil:
		return nil, fileError(path, "cannot read: "+reason(err))
	}
	return data, nil
}

func readBounded(name string, r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxStateBytes+1))
	switch {
	case err != nil:
		return nil, fileError(name, "cannot read: "+reason(err))
	case len(data) > MaxStateBytes:
		return nil, fileError(name, tooLarge())
	}
	return data, nil
}

func tooLarge() string {
	return fmt.Sprintf("is larger than the limit of %d MiB for a state file", MaxStateBytes>>20)
}

// reason is an OS error without the path, which the Error already names.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// envelope is what tells the two shapes (and the files that are neither)
// apart: show -json has format_version, a state file has version.
type envelope struct {
	FormatVersion     *string          `json:"format_version"`
	Version           *json.RawMessage `json:"version"`
	EncryptionVersion *json.RawMessage `json:"encryption_version"`
	EncryptedData     *json.RawMessage `json:"encrypted_data"`
	PlannedValues     *json.RawMessage `json:"planned_values"`
	ResourceChanges   *json.RawMessage `json:"resource_changes"`
}

// Parse reads data, the contents of the file named name, as `terraform
// show -json` output or a state file of format version 4, and returns the
// risk-scoring configuration it holds. Every problem is an Errors.
func Parse(name string, data []byte) (*Result, error) {
	p := &problems{file: name}
	instances, err := decode(p, data)
	if err != nil {
		return nil, err
	}
	return convert(p, instances)
}

// decode finds the file's shape and returns its resource instances in
// file order.
func decode(p *problems, data []byte) ([]instance, error) {
	name := p.file
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM some editors add
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fileError(name, "is empty: expected the output of `terraform show -json` or a state file")
	}
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fileError(name, "is not JSON ("+jsonReason(err)+"): expected the output of `terraform show -json` or a state file (terraform.tfstate, `terraform state pull`)")
	}
	switch {
	case env.EncryptionVersion != nil || env.EncryptedData != nil:
		return nil, fileError(name, "is an encrypted OpenTofu state, which riskctl cannot read: run `tofu show -json > state.json` (it decrypts with your configuration's key) and import that")
	case env.PlannedValues != nil || env.ResourceChanges != nil:
		return nil, fileError(name, "is a plan, not a state: run `terraform show -json` without a plan file")
	case env.FormatVersion != nil:
		if err := checkFormatVersion(*env.FormatVersion); err != nil {
			return nil, fileError(name, err.Error())
		}
		return decodeShowJSON(p, data)
	case env.Version != nil:
		if err := checkStateVersion(*env.Version); err != nil {
			return nil, fileError(name, err.Error())
		}
		return decodeRawState(p, data)
	}
	return nil, fileError(name, "is not a Terraform state: it has neither format_version (`terraform show -json`) nor version (a state file)")
}

// jsonReason is a decoding error in a few words, with the byte offset of
// a syntax error.
func jsonReason(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("at byte %d: %v", se.Offset, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return "the top level is a JSON " + te.Value + ", not an object"
		}
		return fmt.Sprintf("%s is a JSON %s", te.Field, te.Value)
	}
	return err.Error()
}

// checkFormatVersion accepts show -json format versions 0.x and 1.x:
// minor versions only add fields, which are ignored; another major
// version may mean something else and is refused.
func checkFormatVersion(v string) error {
	major, _, _ := strings.Cut(v, ".")
	if major == "0" || major == "1" {
		return nil
	}
	return fmt.Errorf("has format_version %s, which riskctl does not know (it reads 0.x and 1.x): run `terraform show -json` with a Terraform that writes 1.x", strconv.Quote(v))
}

// checkStateVersion accepts state format version 4 (Terraform 0.12 and
// later, every OpenTofu).
func checkStateVersion(raw json.RawMessage) error {
	var v json.Number
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("has a version that is not a number: expected state format version 4")
	}
	switch v.String() {
	case "4":
		return nil
	case "0", "1", "2", "3":
		return fmt.Errorf("is a state of format version %s (Terraform 0.11 or older): run `terraform show -json` with a current Terraform and import that", v)
	}
	return fmt.Errorf("has state format version %s, which riskctl does not know (it reads version 4): try `terraform show -json`", v)
}
