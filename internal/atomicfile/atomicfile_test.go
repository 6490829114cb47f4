package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/inpctl/inpctl/internal/fault"
)

// tmpName is the pattern invoice render's clean-up removes (cli/render_tmp.go
// for FACTURE/AVOIR files): a temporary name must keep it.
var tmpName = regexp.MustCompile(`^\..+\.[0-9]+\.tmp$`)

func names(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "FACTURE-9200.pdf")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	var seen string
	err := Write(path, Options{Mode: 0o644, SyncDir: true}, func(w io.Writer) error {
		f := w.(*os.File)
		seen = filepath.Base(f.Name())
		_, err := io.WriteString(w, "new")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !tmpName.MatchString(seen) {
		t.Errorf("temporary file %q does not match the clean-up pattern", seen)
	}
	b, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if string(b) != "new" || fi.Mode().Perm() != 0o644 {
		t.Errorf("got %q mode %v", b, fi.Mode().Perm())
	}
	if n := names(t, dir); len(n) != 1 {
		t.Errorf("left behind: %v", n)
	}
}

func TestWriteFailureLeavesTargetAndNoTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "export.csv")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := fault.New(fault.Conflict, "the export stopped")
	err := Write(path, Options{}, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if fault.KindOf(err) != fault.Conflict {
		t.Errorf("the writer's kind must be kept: %v", err)
	}
	b, _ := os.ReadFile(path)
	if string(b) != "old" {
		t.Errorf("target changed: %q", b)
	}
	if n := names(t, dir); len(n) != 1 {
		t.Errorf("left behind: %v", n)
	}
	// Default mode: 0600 (exports hold names and amounts).
	if err := WriteBytes(filepath.Join(dir, "new.csv"), Options{}, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "new.csv")); fi.Mode().Perm() != 0o600 {
		t.Errorf("default mode %v", fi.Mode().Perm())
	}
}

func TestNoReplace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "2025-10-10.seal")
	if err := WriteBytes(path, Options{Mode: 0o644, NoReplace: true}, []byte("first")); err != nil {
		t.Fatal(err)
	}
	err := WriteBytes(path, Options{Mode: 0o644, NoReplace: true}, []byte("second"))
	if fault.KindOf(err) != fault.Conflict || !errors.Is(err, os.ErrExist) {
		t.Errorf("second write: %v", err)
	}
	b, _ := os.ReadFile(path)
	if string(b) != "first" {
		t.Errorf("overwritten: %q", b)
	}
	if n := names(t, dir); len(n) != 1 {
		t.Errorf("left behind: %v", n)
	}
}

func TestWriteIntoMissingFolder(t *testing.T) {
	err := WriteBytes(filepath.Join(t.TempDir(), "nope", "x.pdf"), Options{}, []byte("x"))
	if err == nil || fault.KindOf(err) != fault.Failure {
		t.Errorf("got %v", err)
	}
}
