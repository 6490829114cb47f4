// Package atomicfile writes a file so that no reader, and no crash, ever
// sees part of it: the content goes to a temporary file beside the target
// (".NAME.<digits>.tmp", the pattern invoice render cleans up after a
// killed run), is synced, then renamed over the target — or, with
// NoReplace, hard-linked to a name that must not exist yet. On any failure
// the temporary file is removed. It is the one copy of this for inpctl
// (account export, journal, the sandbox export, invoices and statements,
// seals). atomicfile imports fault and the standard library.
package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/inpctl/inpctl/internal/fault"
)

// Options say how a file is written.
type Options struct {
	// Mode is the file's permission bits; 0 keeps os.CreateTemp's 0600
	// (exports that hold names and amounts).
	Mode fs.FileMode
	// NoSync skips the fsync of the file before the rename: the file is
	// still never partial for a reader, but a power cut may leave it empty.
	// Only for batches that sync their files another way (invoice render).
	NoSync bool
	// NoReplace refuses to write over an existing file (a seal): the
	// temporary file is hard-linked to path, which fails when path exists.
	NoReplace bool
	// SyncDir syncs the folder after the rename, so that the new name
	// survives a power cut too.
	SyncDir bool
}

// Write writes what write produces to path, as Options say. An error from
// write keeps its fault kind; every error names path.
func Write(path string, o Options, write func(io.Writer) error) (err error) {
	dir := Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fault.Wrap(fault.Failure, err, "write %s", path)
	}
	defer func() {
		if err != nil || o.NoReplace {
			// On failure the file is partial; with NoReplace, path is its
			// second name (or was never made) and the temporary one goes
			// either way.
			_ = f.Close() // may already be closed: the error that matters is err
			_ = os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return fault.Wrap(fault.KindOf(err), err, "write %s", path)
	}
	steps := []func() error{}
	if !o.NoSync {
		steps = append(steps, f.Sync)
	}
	if o.Mode != 0 {
		steps = append(steps, func() error { return f.Chmod(o.Mode) })
	}
	for _, step := range append(steps, f.Close) {
		if err := step(); err != nil {
			return fault.Wrap(fault.Failure, err, "write %s", path)
		}
	}
	if o.NoReplace {
		// A hard link never replaces an existing file, as a rename would.
		if err := os.Link(f.Name(), path); errors.Is(err, fs.ErrExist) {
			return fault.Wrap(fault.Conflict, err, "%s already exists", path)
		} else if err != nil {
			return fault.Wrap(fault.Failure, err, "write %s", path)
		}
	} else if err := os.Rename(f.Name(), path); err != nil {
		return fault.Wrap(fault.Failure, err, "write %s", path)
	}
	if o.SyncDir {
		SyncDir(dir)
	}
	return nil
}

// WriteBytes is Write of data.
func WriteBytes(path string, o Options, data []byte) error {
	return Write(path, o, func(w io.Writer) error {
		_, err := w.Write(data) // a short write is an error
		return err
	})
}

// Dir is the folder path is in ("." for a bare name).
func Dir(path string) string {
	if dir, _ := filepath.Split(path); dir != "" {
		return dir
	}
	return "."
}

// SyncDir makes the renames in dir durable where the platform allows it;
// a failure here cannot undo them, so it is not reported.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
