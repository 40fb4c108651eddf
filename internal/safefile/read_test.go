package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/testwait"
)

// noHang runs f and fails the test if it has not returned by the test binary's deadline (testwait):
// a generous deadline, not a measure of speed, that turns a hang (a FIFO
// open waiting for a writer) into a failure instead of a stuck run.
func noHang(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-testwait.After(t):
		t.Fatal("still reading by the test binary's deadline (testwait): it hangs")
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no named pipes in the file system")
	}
	if err := makeFIFO(path); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
}

func TestReadRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	mkfifo(t, fifo)
	for _, tc := range []struct{ path, want string }{
		{fifo, "a named pipe (FIFO)"},
		{"/dev/zero", "a device"},
		{dir, "a directory"},
	} {
		noHang(t, func() {
			_, err := Read(tc.path, 1<<20)
			var nr *NotRegularError
			if !errors.As(err, &nr) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.path) {
				t.Errorf("Read(%s) = %v, want a NotRegularError saying %q", tc.path, err, tc.want)
			}
		})
	}
}

// TestReadFIFOSwappedInAfterStat: a FIFO that replaces the file between
// the stat and the open does not block the open, and is refused.
func TestReadFIFOSwappedInAfterStat(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	mkfifo(t, filepath.Join(dir, "fifo"))
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	stat := func(name string) (fs.FileInfo, error) {
		info, err := os.Stat(name)
		if err == nil {
			err = os.Rename(filepath.Join(dir, "fifo"), path)
		}
		return info, err
	}
	noHang(t, func() {
		_, err := read(path, 1<<20, stat, func(flag int) (*os.File, error) { return os.OpenFile(path, flag, 0) })
		var nr *NotRegularError
		if !errors.As(err, &nr) {
			t.Errorf("read = %v, want a NotRegularError", err)
		}
	})
}

// TestReadLimit: a file over the limit is refused from its size, without
// being read (a sparse file of 1 GiB costs no disk), and so is a file
// that grows past the limit after the stat.
func TestReadLimit(t *testing.T) {
	dir := t.TempDir()
	sparse := filepath.Join(dir, "sparse")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Read(sparse, 16<<20)
	var tl *TooLargeError
	if !errors.As(err, &tl) || !strings.Contains(err.Error(), "larger than the limit of 16 MiB") {
		t.Errorf("Read(1 GiB) = %v, want a TooLargeError of 16 MiB", err)
	}

	exact := filepath.Join(dir, "exact")
	if err := os.WriteFile(exact, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := Read(exact, 10); err != nil || string(data) != "0123456789" {
		t.Errorf("Read at the limit = %q, %v", data, err)
	}
	// Grown past the limit after the stat: the check after the open
	// refuses it.
	_, err = read(exact, 10, os.Stat, func(flag int) (*os.File, error) {
		f, err := os.OpenFile(exact, flag, 0)
		if err == nil {
			err = os.WriteFile(exact, []byte("0123456789+"), 0o644)
		}
		return f, err
	})
	if !errors.As(err, &tl) {
		t.Errorf("read of a file grown past the limit = %v, want a TooLargeError", err)
	}
}

// TestReadConfined: a symbolic link that leaves the working directory is
// refused unread; one that stays inside is followed; a path named outside
// the working directory is read from its own directory, whose links may
// not leave it.
func TestReadConfined(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret")
	if err := os.WriteFile(secret, []byte("root:x:0:0"), 0o644); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	t.Chdir(work)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Mkdir("sub", 0o755))
	must(os.WriteFile("sub/real.yaml", []byte("ok"), 0o644))
	must(os.Symlink(secret, "abs.yaml"))
	must(os.Symlink("../"+filepath.Base(outside)+"/secret", "rel.yaml"))
	must(os.Symlink(outside, "linkdir"))
	must(os.Symlink("sub/real.yaml", "inside.yaml"))
	must(os.Symlink(filepath.Join(work, "sub", "real.yaml"), "absolute-inside.yaml"))
	must(os.Symlink(secret, filepath.Join(outside, "out-link.yaml")))
	must(os.WriteFile(filepath.Join(outside, "plain.yaml"), []byte("plain"), 0o644))

	for _, tc := range []struct{ path, want string }{
		{"sub/real.yaml", "ok"},
		{"inside.yaml", "ok"},
		{filepath.Join(work, "inside.yaml"), "ok"},
		{filepath.Join(outside, "plain.yaml"), "plain"},
		{"abs.yaml", ""},
		{"absolute-inside.yaml", ""}, // absolute: where it points depends on the checkout
		{"rel.yaml", ""},
		{"linkdir/secret", ""},
		{"linkdir/plain.yaml", ""},
		{filepath.Join(work, "abs.yaml"), ""},
		{filepath.Join(outside, "out-link.yaml"), ""},
	} {
		data, err := ReadConfined(tc.path, 1<<20)
		if tc.want != "" {
			if err != nil || string(data) != tc.want {
				t.Errorf("ReadConfined(%s) = %q, %v; want %q", tc.path, data, err, tc.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.path) || strings.Contains(err.Error(), "root:x") {
			t.Errorf("ReadConfined(%s) = %q, %v; want a refusal naming the path", tc.path, data, err)
		}
	}
}

// BenchmarkRead reads a 1 MiB regular file through the bounded read.
func BenchmarkRead(b *testing.B) {
	path := filepath.Join(b.TempDir(), "f")
	if err := os.WriteFile(path, make([]byte, 1<<20), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(1 << 20)
	for b.Loop() {
		if _, err := Read(path, 4<<20); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadConfined is BenchmarkRead through a root of the working
// directory, as spec files are read.
func BenchmarkReadConfined(b *testing.B) {
	b.Chdir(b.TempDir())
	if err := os.WriteFile("f.yaml", make([]byte, 1<<20), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(1 << 20)
	for b.Loop() {
		if _, err := ReadConfined("f.yaml", 4<<20); err != nil {
			b.Fatal(err)
		}
	}
}
