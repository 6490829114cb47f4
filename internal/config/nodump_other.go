//go:build unix && !linux

package config

import "syscall"

// noCoreDumps sets RLIMIT_CORE to 0 where there is no prctl (see the Linux
// version).
func noCoreDumps() error {
	return syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{Cur: 0, Max: 0})
}
