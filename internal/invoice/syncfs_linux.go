package invoice

import "golang.org/x/sys/unix"

// platformSyncFS is syncfs(2): see syncBatch.
func platformSyncFS(fd int) error { return unix.Syncfs(fd) }
