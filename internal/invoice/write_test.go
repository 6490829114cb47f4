package invoice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/inpctl/inpctl/internal/fault"
)

// names lists dir, to show that nothing was left behind.
func names(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "9201.pdf")
	m := Build(paidInvoice())
	if err := WriteFile(path, m); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := render(t, m); !bytes.Equal(got, want) {
		t.Error("file differs from Render's output")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	if n := names(t, dir); !slices.Equal(n, []string{"9201.pdf"}) {
		t.Errorf("directory holds %v", n)
	}
}

// TestWriteFileFailures: whatever fails, no partial PDF is left and an
// existing file is untouched.
func TestWriteFileFailures(t *testing.T) {
	bad := Build(paidInvoice())
	bad.Blocks = append(bad.Blocks, Block{Style: "poster"})

	t.Run("render error", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "9201.pdf")
		if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := WriteFile(path, bad)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Fatalf("err = %v, want an error naming %s", err, path)
		}
		if n := names(t, dir); !slices.Equal(n, []string{"9201.pdf"}) {
			t.Errorf("directory holds %v", n)
		}
		if b, _ := os.ReadFile(path); string(b) != "old" {
			t.Error("the existing file was changed")
		}
	})
	t.Run("rename fails", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "taken")
		if err := os.MkdirAll(filepath.Join(path, "x"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(path, Build(paidInvoice())); err == nil {
			t.Fatal("renaming over a directory succeeded")
		}
		if n := names(t, dir); !slices.Equal(n, []string{"taken"}) {
			t.Errorf("directory holds %v", n)
		}
	})
	t.Run("no such directory", func(t *testing.T) {
		dir := t.TempDir()
		if err := WriteFile(filepath.Join(dir, "missing", "9201.pdf"), Build(paidInvoice())); err == nil {
			t.Fatal("no error")
		}
		if n := names(t, dir); len(n) != 0 {
			t.Errorf("directory holds %v", n)
		}
	})
	t.Run("unwritable directory", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root writes through directory permissions")
		}
		dir := t.TempDir()
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
		if err := WriteFile(filepath.Join(dir, "9201.pdf"), Build(paidInvoice())); err == nil {
			t.Fatal("no error")
		}
		if n := names(t, dir); len(n) != 0 {
			t.Errorf("directory holds %v", n)
		}
	})
}

func jobs(dir string, n int) []Job {
	js := make([]Job, n)
	for i := range js {
		d := paidInvoice()
		d.Number = fmt.Sprint(9300 + i)
		js[i] = Job{Path: filepath.Join(dir, d.Number+".pdf"), Doc: d}
	}
	return js
}

func TestRenderAll(t *testing.T) {
	dir := t.TempDir()
	js := jobs(dir, 25)
	var seen []int
	err := RenderAll(context.Background(), js, 2, func(done, total int) {
		if total != len(js) {
			t.Errorf("total = %d", total)
		}
		seen = append(seen, done) // never called concurrently: -race checks
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(js) || seen[len(seen)-1] != len(js) {
		t.Errorf("progress calls %v", seen)
	}
	if n := names(t, dir); len(n) != len(js) {
		t.Errorf("%d files, want %d", len(n), len(js))
	}
	got, _ := os.ReadFile(js[7].Path)
	if want := render(t, Build(js[7].Doc)); !bytes.Equal(got, want) {
		t.Error("batch output differs from a single render")
	}
}

func TestRenderAllStopsAtFirstError(t *testing.T) {
	dir := t.TempDir()
	js := jobs(dir, 200)
	js[3].Path = filepath.Join(dir, "missing", "bad.pdf")
	err := RenderAll(context.Background(), js, 2, nil)
	if err == nil || !strings.Contains(err.Error(), js[3].Path) {
		t.Fatalf("err = %v, want an error naming %s", err, js[3].Path)
	}
	if n := len(names(t, dir)); n >= len(js)-1 {
		t.Errorf("%d files written: the batch did not stop", n)
	}
	for _, n := range names(t, dir) {
		if strings.HasSuffix(n, ".tmp") {
			t.Errorf("left behind %s", n)
		}
	}
}

func TestRenderAllCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := RenderAll(ctx, jobs(t.TempDir(), 10), 2, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if err := RenderAll(context.Background(), nil, 2, nil); err != nil {
		t.Errorf("no jobs: %v", err)
	}
	// Cancelled once every file is written: the batch is whole and synced.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	js := jobs(t.TempDir(), 10)
	err = RenderAll(ctx, js, 2, func(done, total int) {
		if done == total {
			cancel()
		}
	})
	if err != nil {
		t.Errorf("cancelled after the last file: %v", err)
	}
}

// gogc reads GOGC without setting it.
func gogc() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}

// gogcAfterGC collects until GOGC is want (finalizers run after the
// collection, on their own goroutine) or a second has passed, and returns
// GOGC.
func gogcAfterGC(want func() int) int {
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		runtime.GC()
		if gogc() == want() {
			break
		}
	}
	return gogc()
}

// TestBatchGC: during a batch, each collection sets GOGC so that the
// next one comes after about DefaultGCBudget of allocation, whatever is live;
// the setting is put back after, and a larger GOGC, or off, is kept.
func TestBatchGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	want := func() int { return max(100, int(DefaultGCBudget*100/max(liveHeap(), 1<<20))) }
	restore := batchGC(DefaultGCBudget)
	if got := gogc(); got != 100 {
		t.Errorf("GOGC before the batch's first collection = %d, want 100", got)
	}
	if got := gogcAfterGC(want); got == 100 || got != want() {
		t.Errorf("GOGC during a batch = %d, want %d (budget / live heap)", got, want())
	}
	live := make([]byte, 48<<20) // the live heap grows: the next budget is what it is
	if got := gogcAfterGC(want); got != want() || got > 200 {
		t.Errorf("GOGC with %d MB live = %d, want %d", len(live)>>20, got, want())
	}
	runtime.KeepAlive(live)
	restore()
	if got := gogc(); got != 100 {
		t.Errorf("GOGC after the batch = %d, want 100", got)
	}
	runtime.GC()
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if got := gogc(); got != 100 {
		t.Errorf("GOGC some collections after the batch = %d, want 100 (tuning stopped)", got)
	}
	for _, keep := range []int{-1, 1 << 20} {
		debug.SetGCPercent(keep)
		restore := batchGC(DefaultGCBudget)
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		if got := debug.SetGCPercent(keep); got != keep {
			t.Errorf("GOGC %d: GC percent during a batch = %d, want it kept", keep, got)
		}
		restore()
	}
}

func TestFileName(t *testing.T) {
	if got := (Document{Kind: Invoice, Number: "9200"}).FileName(); got != "FACTURE-9200.pdf" {
		t.Errorf("invoice: %s", got)
	}
	if got := (Document{Kind: CreditNote, Number: "AV000001"}).FileName(); got != "AVOIR-AV000001.pdf" {
		t.Errorf("credit note: %s", got)
	}
}

// fakeSyncFS replaces syncfs(2) in the batches of one test (RenderAll),
// counting its calls.
func fakeSyncFS(t *testing.T, err error) *int {
	t.Helper()
	calls := new(int)
	old := seams.syncFS
	seams.syncFS = func(int) error { *calls++; return err }
	t.Cleanup(func() { seams.syncFS = old })
	return calls
}

// TestRenderAllSyncsOncePerFolder: a batch is made durable with one
// syncfs per folder, not an fsync per file.
func TestRenderAllSyncsOncePerFolder(t *testing.T) {
	calls := fakeSyncFS(t, nil)
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	js := append(jobs(dir, 20), jobs(filepath.Join(dir, "b"), 5)...)
	if err := RenderAll(context.Background(), js, 2, nil); err != nil {
		t.Fatal(err)
	}
	if *calls != 2 {
		t.Errorf("syncfs called %d times for 2 folders", *calls)
	}
}

// TestRenderAllSyncError: a write-back error reported by syncfs fails the
// batch, naming the folder; the PDFs written stay whole.
func TestRenderAllSyncError(t *testing.T) {
	fakeSyncFS(t, syscall.EIO)
	dir := t.TempDir()
	js := jobs(dir, 10)
	err := RenderAll(context.Background(), js, 2, nil)
	if err == nil || !strings.Contains(err.Error(), "sync "+dir) || !errors.Is(err, syscall.EIO) {
		t.Fatalf("err = %v, want an EIO naming %s", err, dir)
	}
	if h := fault.HintOf(err); !strings.Contains(h, "run the same render again") {
		t.Errorf("hint %q does not say what to do", h)
	}
	for _, n := range names(t, dir) {
		if strings.HasSuffix(n, ".tmp") {
			t.Errorf("left behind %s", n)
		}
	}
}

// TestRenderAllSyncFallback: where syncfs is unsupported, the batch falls
// back to syncing each file and still succeeds.
func TestRenderAllSyncFallback(t *testing.T) {
	for _, unsupported := range []error{errors.ErrUnsupported, syscall.ENOSYS} {
		calls := fakeSyncFS(t, unsupported)
		dir := t.TempDir()
		if err := RenderAll(context.Background(), jobs(dir, 10), 2, nil); err != nil {
			t.Errorf("%v: %v", unsupported, err)
		}
		if *calls != 1 {
			t.Errorf("%v: syncfs called %d times", unsupported, *calls)
		}
		if n := names(t, dir); len(n) != 10 {
			t.Errorf("%v: %d files", unsupported, len(n))
		}
	}
}

// TestRenderEachSourceError: an error from the jobs source (the database,
// for invoice render --all) fails the batch after what it yielded is
// written whole; a render error stops the source from yielding more.
func TestRenderEachSourceError(t *testing.T) {
	dir := t.TempDir()
	js := jobs(dir, 6)
	broken := errors.New("disk I/O error")
	err := testBatch(2, nil).Write(context.Background(), func(yield func(Job) bool) error {
		for _, j := range js[:3] {
			if !yield(j) {
				return nil
			}
		}
		return broken
	})
	if !errors.Is(err, broken) {
		t.Fatalf("err = %v, want the source's", err)
	}
	for _, n := range names(t, dir) {
		if strings.HasSuffix(n, ".tmp") {
			t.Errorf("left behind %s", n)
		}
	}

	js = jobs(t.TempDir(), 200)
	js[0].Path = filepath.Join(dir, "missing", "bad.pdf")
	yielded := 0
	err = testBatch(2, nil).Write(context.Background(), func(yield func(Job) bool) error {
		for _, j := range js {
			if !yield(j) {
				return nil
			}
			yielded++
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), js[0].Path) {
		t.Fatalf("err = %v, want one naming %s", err, js[0].Path)
	}
	if yielded == len(js) {
		t.Error("the source yielded every job after the batch failed")
	}
}

// fakeWriteBack replaces the early syncs' writeBack for one test, counting
// its calls, and makes every earlySyncEvery bytes a sync.
func fakeWriteBack(t *testing.T, every int, err error) *atomic.Int64 {
	t.Helper()
	calls := new(atomic.Int64)
	oldWB, oldEvery := seams.writeBack, seams.every
	seams.writeBack = func(string) error { calls.Add(1); return err }
	seams.every = every
	t.Cleanup(func() { seams.writeBack, seams.every = oldWB, oldEvery })
	return calls
}

// TestRenderAllSyncsEarly: a batch starts the write-back of its files
// while it renders, every earlySyncEvery bytes, and still ends with its
// one syncfs per folder.
func TestRenderAllSyncsEarly(t *testing.T) {
	final := fakeSyncFS(t, nil)
	early := fakeWriteBack(t, 1, nil) // every file asks for one
	if err := RenderAll(context.Background(), jobs(t.TempDir(), 40), 2, nil); err != nil {
		t.Fatal(err)
	}
	if early.Load() == 0 {
		t.Error("no early sync during a batch of 40 files")
	}
	if *final != 1 {
		t.Errorf("final syncfs called %d times for 1 folder", *final)
	}

	early = fakeWriteBack(t, 1<<30, nil)
	if err := RenderAll(context.Background(), jobs(t.TempDir(), 40), 2, nil); err != nil {
		t.Fatal(err)
	}
	if n := early.Load(); n != 0 {
		t.Errorf("%d early syncs for a batch far below earlySyncEvery", n)
	}
}

// TestRenderAllEarlySyncErrors: an early sync that fails does not fail the
// batch (the final sync reports write-back errors: see earlySync), and one
// that is unsupported is not tried again.
func TestRenderAllEarlySyncErrors(t *testing.T) {
	fakeSyncFS(t, nil)
	early := fakeWriteBack(t, 1, syscall.EIO)
	if err := RenderAll(context.Background(), jobs(t.TempDir(), 40), 2, nil); err != nil {
		t.Fatalf("an early sync's error failed the batch: %v", err)
	}
	if early.Load() == 0 {
		t.Error("no early sync was tried")
	}

	for _, unsupported := range []error{errors.ErrUnsupported, syscall.ENOSYS} {
		early = fakeWriteBack(t, 1, unsupported)
		if err := RenderAll(context.Background(), jobs(t.TempDir(), 40), 2, nil); err != nil {
			t.Fatal(err)
		}
		if n := early.Load(); n != 1 {
			t.Errorf("%v: %d early syncs tried, want 1", unsupported, n)
		}
	}
}

// TestRenderAllEarlySyncErrorStillFails: when write-back fails, the early
// syncs' errors are not reported, but the final sync's is: the batch fails.
func TestRenderAllEarlySyncErrorStillFails(t *testing.T) {
	fakeSyncFS(t, syscall.EIO)
	early := fakeWriteBack(t, 1, syscall.EIO)
	dir := t.TempDir()
	err := RenderAll(context.Background(), jobs(dir, 40), 2, nil)
	if !errors.Is(err, syscall.EIO) || !strings.Contains(err.Error(), "sync "+dir) {
		t.Fatalf("err = %v, want the final sync's EIO naming %s", err, dir)
	}
	if early.Load() == 0 {
		t.Error("no early sync was tried")
	}
}

// seams are the test seams the batches of RenderAll and testBatch get.
var seams Batch

// testBatch is a Batch of workers with the test's seams.
func testBatch(workers int, progress func(done int)) Batch {
	b := seams
	b.Workers, b.Progress = workers, progress
	return b
}

// RenderAll writes every job of jobs through a Batch, as invoice render
// does through Write; progress gets the total too.
func RenderAll(ctx context.Context, jobs []Job, workers int, progress func(done, total int)) error {
	var each func(done int)
	if progress != nil {
		each = func(done int) { progress(done, len(jobs)) }
	}
	return testBatch(workers, each).Write(ctx, func(yield func(Job) bool) error {
		for _, j := range jobs {
			if !yield(j) {
				break
			}
		}
		return nil
	})
}
