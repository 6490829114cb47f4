//go:build unix

package sandbox

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on f (flock: per open file, so two
// sandboxes of one process exclude each other as two processes do).
func lockFile(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			return err
		}
	}
}

func unlockFile(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
