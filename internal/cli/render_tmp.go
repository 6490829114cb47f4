package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"

	"github.com/inpctl/inpctl/internal/fault"
)

// renderTmpRe matches the temporary files a render writes in its output
// folder before renaming them (internal/invoice: ".FACTURE-9201.pdf.<random
// digits>.tmp"), and the ".inpctl-tmp-" names kept for later use. A render
// killed mid-run leaves them behind; the next render into the folder
// removes them.
// Compiled at first use, not at package init: most commands never use it.
var renderTmpRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(\.(FACTURE|AVOIR)-.*\.pdf\.[0-9]+\.tmp|\.inpctl-tmp-.*)$`)
})

// lockRenderDir locks the output folder for the run (flock on the folder
// itself: no lock file is left behind) and, holding it, removes the
// temporary files of earlier renders: no other render is running there,
// so none of them is in use. It returns the unlock function.
func lockRenderDir(dir string) (func(), error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, fault.Wrap(fault.Usage, err, "--out %s", dir)
	}
	for {
		err = syscall.Flock(int(d.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		d.Close()
		return nil, fault.Wrap(fault.Failure, err, "lock %s", dir)
	}
	unlock := func() { _ = syscall.Flock(int(d.Fd()), syscall.LOCK_UN); d.Close() }
	names, err := d.Readdirnames(-1)
	if err != nil {
		unlock()
		return nil, fault.Wrap(fault.Failure, err, "read %s", dir)
	}
	for _, n := range names {
		if renderTmpRe().MatchString(n) {
			if err := os.Remove(filepath.Join(dir, n)); err != nil && !os.IsNotExist(err) {
				unlock()
				return nil, fault.Wrap(fault.Failure, err, "remove the leftover %s", filepath.Join(dir, n))
			}
		}
	}
	return unlock, nil
}
