package invoice

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"sync"

	"github.com/inpctl/inpctl/internal/fault"
)

// WriteFile renders m into path atomically: it writes a temporary file in
// the same directory, syncs it and renames it over path. On any failure
// the temporary file is removed, so path is either the whole new PDF or
// untouched. The file gets mode 0644. Errors name path.
func WriteFile(path string, m Model) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fault.Wrap(fault.Failure, err, "write %s", path)
	}
	defer func() {
		if err != nil {
			_ = f.Close() // may already be closed: the error that matters is err
			_ = os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 64<<10)
	if err := Render(bw, m); err != nil {
		return fault.Wrap(fault.KindOf(err), err, "write %s", path)
	}
	for _, step := range []func() error{bw.Flush, f.Sync, func() error { return f.Chmod(0o644) }, f.Close} {
		if err := step(); err != nil {
			return fault.Wrap(fault.Failure, err, "write %s", path)
		}
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fault.Wrap(fault.Failure, err, "write %s", path)
	}
	syncDir(dir)
	return nil
}

// syncDir makes the rename durable where the platform allows it; a
// failure here cannot undo the rename, so it is not reported.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// Job is one document for RenderAll to build and write.
type Job struct {
	Path string
	Doc  Document
}

// RenderAll builds and writes every job with the given number of
// goroutines (at least one). It stops at the first error and returns it,
// naming the job's path; files already written stay, and no partial file
// is ever left. When ctx is cancelled it returns ctx's error. progress,
// when not nil, is called after each file, never concurrently.
func RenderAll(ctx context.Context, jobs []Job, workers int, progress func(done, total int)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var (
		mu       sync.Mutex
		done     int
		firstErr error
		wg       sync.WaitGroup
	)
	report := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if firstErr == nil {
				firstErr = err
				cancel()
			}
			return
		}
		done++
		if progress != nil {
			progress(done, len(jobs))
		}
	}
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				report(WriteFile(jobs[i].Path, Build(jobs[i].Doc)))
			}
		}()
	}
	feed(ctx, next, len(jobs))
	wg.Wait()
	switch {
	case firstErr != nil:
		return firstErr // WriteFile's errors name the path
	case done < len(jobs):
		return context.Cause(ctx)
	}
	return nil
}

// feed sends 0…n-1 on next until ctx is done, then closes next.
func feed(ctx context.Context, next chan<- int, n int) {
	defer close(next)
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			return
		}
	}
}
