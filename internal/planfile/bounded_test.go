package planfile

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestReadIsBounded: Read refuses a FIFO (the open blocked for good), a
// device (/dev/zero ran out of memory) and a file over MaxPlanBytes (a
// padded plan was read whole), naming the file and the reason.
func TestReadIsBounded(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxPlanBytes + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	cases := map[string]string{big: "it is larger than the limit of 32 MiB"}
	if runtime.GOOS != "windows" {
		fifo := filepath.Join(dir, "fifo.json")
		if err := makeFIFO(fifo); err != nil {
			t.Fatal(err)
		}
		cases[fifo] = "it is a named pipe (FIFO), not a regular file"
		cases["/dev/zero"] = "it is a device, not a regular file"
	}
	for path, want := range cases {
		_, err := Read(path)
		if err == nil || err.Error() != path+": cannot read the plan file: "+want {
			t.Errorf("Read(%s) = %v, want %q", path, err, want)
		}
	}
}

// TestCheckOutputRefusesLinkedDirectories: plan --out does not write
// through a directory that is a symbolic link, nor does WriteFile.
func TestCheckOutputRefusesLinkedDirectories(t *testing.T) {
	outside := t.TempDir()
	t.Chdir(t.TempDir())
	if err := os.Symlink(outside, "plans"); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	err := CheckOutput("plans/p.json", nil)
	if err == nil || !strings.Contains(err.Error(), "symbolic link plans") {
		t.Errorf("CheckOutput = %v, want the link refused", err)
	}
	if err := WriteFile("plans/p.json", []byte("{}\n")); err == nil {
		t.Error("WriteFile wrote through a linked directory")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("written through the link: %v", entries)
	}
}
