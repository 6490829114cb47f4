package config

import "golang.org/x/sys/unix"

// noCoreDumps makes sure no core dump of this process can ever hold the
// secret just loaded: no core file (RLIMIT_CORE 0) and not dumpable
// (PR_SET_DUMPABLE 0, which also keeps other processes of the same user
// from attaching to it or reading its memory).
func noCoreDumps() error {
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0}); err != nil {
		return err
	}
	return unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
}
