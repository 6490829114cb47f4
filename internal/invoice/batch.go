package invoice

// Batch is how a batch of documents is written (invoice render --all, the
// rehearsal): its speed choices are the batch's own settings, given by its
// caller, never set for the whole process by the package. See Write.
type Batch struct {
	// Workers render at once (at least one).
	Workers int
	// GCBudget is how much the batch may allocate between two garbage
	// collections while it runs (see batchGC): 0 is DefaultGCBudget, a
	// negative value leaves the collector as it is.
	GCBudget int
	// Progress, when not nil, is called with the number of files written
	// so far, never concurrently.
	Progress func(done int)

	// The tests' seams; zero values are the platform's.
	syncFS    func(fd int) error     // syncfs(2)
	writeBack func(dir string) error // an early sync of a folder
	every     int                    // bytes between early syncs
}

// DefaultGCBudget is the GCBudget of a batch that gives none.
const DefaultGCBudget = 64 << 20

// syncfs is syncfs(2), or the test's.
func (b Batch) syncfs() func(fd int) error {
	if b.syncFS != nil {
		return b.syncFS
	}
	return platformSyncFS
}

// TuneGC sets the collector as b.GCBudget says and returns what puts it
// back. Write does it for its own run; a loop that renders PDFs of its own
// one at a time (mail send attaches one to each receipt) calls it around
// the loop.
func (b Batch) TuneGC() (restore func()) {
	if b.GCBudget < 0 {
		return func() {}
	}
	if b.GCBudget == 0 {
		return batchGC(DefaultGCBudget)
	}
	return batchGC(b.GCBudget)
}
