//go:build !unix

package sandbox

import "os"

// lockFile: no file lock where there is no flock; one process at a time
// then shares a journal safely, as before.
func lockFile(*os.File) error { return nil }

func unlockFile(*os.File) {}
