//go:build unix

package config

import (
	"io/fs"
	"os"
	"syscall"
)

// ownerProblem says, when a file that holds or leads to a secret is owned
// by another user than the one running inpctl, who owns it ("" if we do):
// mode 0600 protects nothing when its owner is someone else, who can put
// their own key (or config) there.
func ownerProblem(fi fs.FileInfo) (uid int, bad bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), int(st.Uid) != os.Geteuid()
}
