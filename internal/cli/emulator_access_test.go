package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/emulator"
)

// exampleAccess is the sample Access file (examples/emulator/access.yaml).
var exampleAccess = filepath.Join("..", "..", "examples", "emulator", "access.yaml")

// TestEmulatorServeAccessOptions: --access loads the file into the
// options, --no-access-read sets its switch, and a bad file is a usage
// error naming the flag and the file.
func TestEmulatorServeAccessOptions(t *testing.T) {
	want, err := emulator.LoadAccess(exampleAccess)
	if err != nil {
		t.Fatal(err)
	}
	got, err := optionsFrom(t, "emulator serve", emulatorServeOptionsFrom, "--access "+exampleAccess+" --no-access-read")
	if err != nil {
		t.Fatal(err)
	}
	if got.Emulator.Access == nil || len(got.Emulator.Access.Policies) != len(want.Policies) || !got.Emulator.NoAccessRead {
		t.Errorf("options %+v", got.Emulator)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("policies: []\napplications: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = optionsFrom(t, "emulator serve", emulatorServeOptionsFrom, "--access "+bad)
	wantUsageError(t, err, "--access: "+bad+`:2:1: the file: unknown field "applications"`)
	_, err = optionsFrom(t, "emulator serve", emulatorServeOptionsFrom, "--access /nonexistent/a.yaml")
	wantUsageError(t, err, "--access: access file: open /nonexistent/a.yaml")
}

// TestEmulateServesAccessFile: --emulate serves access.yaml from the
// directory of its state file when it is there, nothing when it is not,
// and refuses a bad one naming it.
func TestEmulateServesAccessFile(t *testing.T) {
	example, err := os.ReadFile(exampleAccess)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		file    []byte // nil: no access.yaml
		idps    int
		wantErr string
	}{
		{"absent: the demo's", nil, 2, ""},
		{"example", example, 2, ""},
		{"bad", []byte("identity_providers: [{name: x}]\n"), 0, "access.yaml:1:22: identity provider: missing id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), ".riskctl")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if tc.file != nil {
				if err := os.WriteFile(filepath.Join(dir, "access.yaml"), tc.file, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var errOut bytes.Buffer
			g := &globals{emulatorState: filepath.Join(dir, "emulator.json"), streams: Streams{Err: &errOut},
				logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
			defer g.stopEmulator(nil)
			_, err := g.connectEmulator("")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), "embedded emulator: ") || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.Get(g.emu.baseURL + "/accounts/" + emulator.DemoAccountID + "/access/identity_providers")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Result []struct {
					ID string `json:"id"`
				} `json:"result"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, %v", resp.StatusCode, err)
			}
			if len(body.Result) != tc.idps {
				t.Errorf("served %d identity providers, want %d", len(body.Result), tc.idps)
			}
		})
	}
}

// TestEmulatorServeActorOptions: --actor TOKEN=EMAIL (repeatable) fills
// Options.Actors, --no-audit-read and --max-audit-entries their fields,
// and a bad --actor is a usage error that names the value by position
// and echoes no part of it.
func TestEmulatorServeActorOptions(t *testing.T) {
	got, err := optionsFrom(t, "emulator serve", emulatorServeOptionsFrom,
		"--actor tok-A1b2C3d4==alice@example.com --actor tok-B9y8X7w6=bob@example.com --no-audit-read --max-audit-entries 50")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"tok-A1b2C3d4=": "alice@example.com", "tok-B9y8X7w6": "bob@example.com"}
	if len(got.Emulator.Actors) != 2 || got.Emulator.Actors["tok-A1b2C3d4="] != want["tok-A1b2C3d4="] ||
		got.Emulator.Actors["tok-B9y8X7w6"] != want["tok-B9y8X7w6"] || !got.Emulator.NoAuditRead || got.Emulator.MaxAuditEntries != 50 {
		t.Errorf("options %+v", got.Emulator)
	}
	for _, tc := range []struct{ args, want string }{
		{"--actor secretTOKENvalue", `--actor (value 1): want TOKEN=EMAIL, and the value has no "="`},
		{"--actor a=a@example.com --actor secretTOKENvalue=", `--actor (value 2): what follows the last "=" is not an email address`},
		{"--actor alice@example.com=secretTOKENvalue", `--actor (value 1): what follows the last "=" is not an email address`},
		{"--actor =alice@example.com", "--actor (value 1): the token is empty or contains spaces"},
		{"--actor secretTOKENvalue=a@example.com --actor secretTOKENvalue=b@example.com", "--actor (value 2): that token is already named by an earlier --actor"},
	} {
		_, err := optionsFrom(t, "emulator serve", emulatorServeOptionsFrom, tc.args)
		wantUsageError(t, err, tc.want)
		if err != nil && strings.Contains(err.Error(), "TOKENval") {
			t.Errorf("%s: the error echoes the token: %v", tc.args, err)
		}
	}
}
