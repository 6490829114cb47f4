package invoice

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"

	"github.com/inpctl/inpctl/internal/fault"
)

// WriteFile renders m into path atomically: it renders in memory, writes
// a temporary file in the same directory, syncs it, renames it over path
// and syncs the directory. On any failure the temporary file is removed,
// so path is either the whole new PDF or untouched. The file gets mode
// 0644. Errors name path.
func WriteFile(path string, m Model) error {
	var buf bytes.Buffer
	if err := Render(&buf, m); err != nil {
		return fault.Wrap(fault.KindOf(err), err, "write %s", path)
	}
	if err := writeAtomic(path, buf.Bytes()); err != nil {
		return err
	}
	syncDir(dirOf(path))
	return nil
}

// writeAtomic writes data to a temporary file beside path, syncs it and
// renames it over path. The data is on disk before the name points to it,
// so even after a power cut path is never a partial PDF. It does not sync
// the directory: the caller does, once per batch.
func writeAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(dirOf(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fault.Wrap(fault.Failure, err, "write %s", path)
	}
	defer func() {
		if err != nil {
			_ = f.Close() // may already be closed: the error that matters is err
			_ = os.Remove(f.Name())
		}
	}()
	write := func() error { _, err := f.Write(data); return err } // a short write is an error
	for _, step := range []func() error{write, f.Sync, func() error { return f.Chmod(0o644) }, f.Close} {
		if err := step(); err != nil {
			return fault.Wrap(fault.Failure, err, "write %s", path)
		}
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fault.Wrap(fault.Failure, err, "write %s", path)
	}
	return nil
}

func dirOf(path string) string {
	if dir, _ := filepath.Split(path); dir != "" {
		return dir
	}
	return "."
}

// syncDir makes the renames in dir durable where the platform allows it;
// a failure here cannot undo them, so it is not reported.
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

// writers is how many files RenderAll writes at once. Writing is mostly
// waiting for fsync: with the writes off the rendering goroutines, the
// rendering keeps the cores busy while several fsyncs are in flight (the
// file system commits concurrent fsyncs together).
const writers = 4

// rendered is a PDF in memory, waiting to be written to jobs[i].Path.
type rendered struct {
	i   int
	buf *bytes.Buffer
}

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// RenderAll builds and writes every job: workers goroutines (at least one)
// render in memory and hand the PDFs to the writers. It stops at the first
// error and returns it, naming the job's path; files already written stay,
// and no partial file is ever left. When ctx is cancelled it returns ctx's
// error. progress, when not nil, is called after each file, never
// concurrently.
//
// Durability: each file is synced before it is renamed (writeAtomic), so a
// name never points to a partial PDF, even after a power cut. The
// directories are synced once, after the last rename, instead of after
// each one: a crash before that may lose renames (the previous file, or
// none, is left under the name), which costs nothing here since RenderAll
// has not returned yet and every PDF can be re-rendered byte-identically
// from the database by running the command again.
func RenderAll(ctx context.Context, jobs []Job, workers int, progress func(done, total int)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	out := make(chan rendered, 2*writers)
	var (
		mu       sync.Mutex
		done     int
		firstErr error
		render   sync.WaitGroup
		write    sync.WaitGroup
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
		render.Go(func() {
			for i := range next {
				buf := bufs.Get().(*bytes.Buffer)
				buf.Reset()
				if err := Render(buf, Build(jobs[i].Doc)); err != nil {
					bufs.Put(buf)
					report(fault.Wrap(fault.KindOf(err), err, "write %s", jobs[i].Path))
					continue
				}
				out <- rendered{i, buf} // the writers drain out until it is closed
			}
		})
	}
	for range writers {
		write.Go(func() {
			for r := range out {
				if ctx.Err() == nil {
					report(writeAtomic(jobs[r.i].Path, r.buf.Bytes()))
				}
				bufs.Put(r.buf)
			}
		})
	}
	feed(ctx, next, len(jobs))
	render.Wait()
	close(out)
	write.Wait()
	synced := map[string]bool{}
	for _, j := range jobs {
		if dir := dirOf(j.Path); !synced[dir] {
			synced[dir] = true
			syncDir(dir)
		}
	}
	switch {
	case firstErr != nil:
		return firstErr // the errors name the path
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
