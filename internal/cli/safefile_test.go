package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/planfile"
	"github.com/riskctl/riskctl/internal/testwait"
)

// runNoHang is runRiskctl that fails the test if riskctl has not returned
// by the test binary's deadline (testwait): a deadline that turns a hang (a FIFO open waiting for a
// writer) into a failure, not a measure of speed.
func runNoHang(t *testing.T, args ...string) (code int, out, errOut string) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		code, out, errOut = runRiskctl(t, args...)
	}()
	select {
	case <-done:
	case <-testwait.After(t):
		t.Fatalf("riskctl %q still running by the test binary's deadline (testwait): it hangs", args)
	}
	return code, out, errOut
}

func fifoAt(t *testing.T, path string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no named pipes in the file system")
	}
	if err := makeFIFO(path); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
}

// TestApplyRefusesPlanFilesItCannotBound: apply PLANFILE with a FIFO (it
// hung for good), /dev/zero (it ran out of memory) or a file over
// planfile.MaxPlanBytes (it was read whole) returns at once, exit 3,
// naming the file and the reason.
func TestApplyRefusesPlanFilesItCannotBound(t *testing.T) {
	clearEnv(t)
	t.Setenv(envAPIToken, "t")
	t.Setenv(envAccountID, acctA)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "plan.json")
	fifoAt(t, fifo)
	big := filepath.Join(dir, "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: no disk, no write of that size.
	if err := f.Truncate(planfile.MaxPlanBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cases := []struct{ path, want string }{
		{fifo, "a named pipe (FIFO), not a regular file"},
		{big, "larger than the limit of 32 MiB"},
	}
	if runtime.GOOS != "windows" {
		cases = append(cases, struct{ path, want string }{"/dev/zero", "a device, not a regular file"})
	}
	for _, tc := range cases {
		code, out, errOut := runNoHang(t, "apply", tc.path)
		if code != ExitInvalid || !strings.Contains(errOut, tc.path+": cannot read the plan file: it is "+tc.want) {
			t.Errorf("apply %s: exit %d, stdout %q, stderr %q; want exit 3 saying %q", tc.path, code, out, errOut, tc.want)
		}
	}
}

// TestEmulatorRefusesStateItCannotBound: the embedded emulator's state
// file as /dev/zero (out of memory), a FIFO (hung), or a committed
// .riskctl/emulator.json -> /dev/zero (crashed --emulate plan) is refused
// with an error naming it, and no lock file is made beside a device.
func TestEmulatorRefusesStateItCannotBound(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no /dev/zero")
	}
	clearEnv(t)
	t.Chdir(t.TempDir())
	if err := os.WriteFile("a.yaml", []byte("version: 1\naccount_id: "+acctA+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifoAt(t, "fifo.json")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--emulate", "--emulator-state", "/dev/zero", "plan", "-f", "a.yaml"}, "load state /dev/zero: it is a device"},
		{[]string{"--emulate", "--emulator-state", "fifo.json", "plan", "-f", "a.yaml"}, "load state fifo.json: it is a named pipe (FIFO)"},
	} {
		code, _, errOut := runNoHang(t, tc.args...)
		if code == ExitOK || !strings.Contains(errOut, tc.want) {
			t.Errorf("riskctl %q: exit %d, stderr %q; want %q", tc.args, code, errOut, tc.want)
		}
	}
	if _, err := os.Lstat("/dev/zero.lock"); err == nil {
		t.Error("a lock file was made beside /dev/zero")
	}
	if err := os.Mkdir(".riskctl", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(".riskctl", "emulator.json")); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runNoHang(t, "--emulate", "plan", "-f", "a.yaml")
	if want := "load state " + filepath.Join(".riskctl", "emulator.json") + ": it is a device"; code == ExitOK || !strings.Contains(errOut, want) {
		t.Errorf("--emulate plan with a linked state: exit %d, stderr %q; want %q", code, errOut, want)
	}
}

// TestSpecLinkLeavingIsNotRead: a committed riskscoring/x.yaml ->
// outside file is refused by validate, plan and fmt, exit 3, without a
// byte of the target in the output.
func TestSpecLinkLeavingIsNotRead(t *testing.T) {
	clearEnv(t)
	t.Setenv(envAPIToken, "t")
	outside := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(outside, []byte("root:x:0:0:root:/root:/bin/bash\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	if err := os.Mkdir("riskscoring", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join("riskscoring", "x.yaml")); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	for _, args := range [][]string{{"validate"}, {"plan"}, {"fmt"}, {"validate", "-f", "riskscoring/x.yaml"}} {
		code, out, errOut := runNoHang(t, args...)
		if code != ExitInvalid || strings.Contains(out+errOut, "root:") || !strings.Contains(errOut, "symbolic link that leaves the working directory") {
			t.Errorf("riskctl %q: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}
