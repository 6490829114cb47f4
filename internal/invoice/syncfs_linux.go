package invoice

import "golang.org/x/sys/unix"

// syncFS is syncfs(2): see syncBatch. A variable, for the tests.
var syncFS = unix.Syncfs
